// The decision point: a request's token verified against its issuer, the
// user's role and groups from the directory, the device's standing from
// posture, the network zone, risk signals (threat intel on the source
// address, an unknown or someone else's device, impossible travel, failed
// sign-ins), the country, local time; then the policy decides.
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "core/ids.h"

namespace wardline::access {
namespace {

constexpr size_t kMaxField = 512;

// Hour and weekday (Monday = 0) in the policy's time zone. A calendar costs
// microseconds to build: each thread keeps one per zone.
std::pair<int, int> local_hour_and_weekday(int64_t now, const std::string& zone) {
  thread_local std::string cached_zone;
  thread_local std::unique_ptr<icu::GregorianCalendar> calendar;
  UErrorCode status = U_ZERO_ERROR;
  if (!calendar || cached_zone != zone) {
    calendar = std::make_unique<icu::GregorianCalendar>(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)), status);
    cached_zone = zone;
  }
  calendar->setTime(static_cast<UDate>(now) * 1000.0, status);
  int hour = calendar->get(UCAL_HOUR_OF_DAY, status);
  int day = calendar->get(UCAL_DAY_OF_WEEK, status);  // Sunday = 1
  if (U_FAILURE(status)) {
    calendar.reset();
    return {static_cast<int>(now / 3600 % 24), static_cast<int>((now / 86400 + 3) % 7)};
  }
  return {hour, (day + 5) % 7};
}

Result<std::string> text_field(const nlohmann::json& j, const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) return make_error("invalid_request", std::string("'") + name + "' is required", name);
    return std::string();
  }
  if (!it->is_string()) return make_error("invalid_request", std::string("'") + name + "' must be a string", name);
  std::string v = it->get<std::string>();
  if (v.size() > kMaxField && std::string_view(name) != "token")
    return make_error("invalid_request", std::string("'") + name + "' is longer than 512 bytes", name);
  return v;
}

Result<std::vector<std::string>> list_field(const nlohmann::json& j, const char* name) {
  std::vector<std::string> out;
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return make_error("invalid_request", std::string("'") + name + "' must be an array of strings", name);
  for (const auto& v : *it) {
    if (!v.is_string()) return make_error("invalid_request", std::string("'") + name + "' must hold strings only", name);
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

Result<Request> parse_request(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return make_error("invalid_request", "the request must be a JSON object");
  Request r;
  std::pair<const char*, std::string*> required[] = {
      {"user", &r.user}, {"category", &r.category}, {"action", &r.action}};
  for (auto [name, field] : required) {
    auto v = text_field(j, name, true);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  std::pair<const char*, std::string*> optional[] = {{"device_id", &r.device_id}, {"resource", &r.resource},
                                                     {"source_ip", &r.source_ip}, {"acr", &r.acr}};
  for (auto [name, field] : optional) {
    auto v = text_field(j, name, false);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  for (const char* name : {"id_token", "access_token"}) {
    auto v = text_field(j, name, false);
    if (!v) return v.error();
    if (!v->empty()) r.token = std::move(*v);
  }
  auto networks = list_field(j, "networks");
  if (!networks) return networks.error();
  r.networks = std::move(*networks);
  auto signals = list_field(j, "signals");
  if (!signals) return signals.error();
  r.signals = std::move(*signals);
  if (j.contains("amr")) {
    auto amr = list_field(j, "amr");
    if (!amr) return amr.error();
    r.amr = std::move(*amr);
  }
  for (auto [name, field] : {std::pair<const char*, int64_t*>{"auth_time", &r.auth_time}, {"time", &r.time}}) {
    if (!j.contains(name) || j[name].is_null()) continue;
    if (!j[name].is_number_integer()) return make_error("invalid_request", std::string("'") + name + "' must be Unix seconds", name);
    *field = j[name].get<int64_t>();
  }
  return r;
}

DecisionPoint::DecisionPoint(std::shared_ptr<const Policy> policy, std::shared_ptr<const Directory> directory, Sources sources)
    : sources_(std::move(sources)) {
  use(std::move(policy), std::move(directory));
}

void DecisionPoint::use(std::shared_ptr<const Policy> policy, std::shared_ptr<const Directory> directory) {
  auto rules = std::make_shared<Rules>();
  for (const auto& i : policy->issuers()) rules->issuer_keys.push_back(std::make_shared<IssuerKeys>(i.jwks, i.ca_file));
  rules->policy = std::move(policy);
  rules->directory = std::move(directory);
  rules_.store(std::move(rules));
}

DecisionPoint::~DecisionPoint() = default;

int DecisionPoint::record_failed_login(const std::string& user, int64_t at) {
  return failed_logins_.record(user, at, rules_.load()->policy->failed_logins_window());
}

Result<Outcome> DecisionPoint::decide(const Request& req, int64_t now, Facts* facts_out, std::vector<std::string>* trace) {
  std::shared_ptr<const Rules> rules = rules_.load();
  const Policy* policy = rules->policy.get();
  int64_t at = req.time ? req.time : now;
  Facts f;
  f.user = req.user;
  f.category = req.category;
  f.action = req.action;
  f.resource = req.resource;
  f.signals = req.signals;

  // Identity: a verified token, else claims from a gateway that verified it.
  std::string token_error;
  if (!req.token.empty()) {
    const auto& issuers = policy->issuers();
    Result<Claims> claims = make_error("invalid_token", "no issuer is configured in the access policy");
    for (size_t i = 0; i < issuers.size(); ++i) {
      claims = rules->issuer_keys[i]->verify(req.token, issuers[i].rules, now);
      if (claims || claims.error().code != "wrong_issuer") break;
    }
    if (!claims) {
      token_error = claims.error().message;
    } else {
      std::string who = !claims->preferred_username.empty() ? claims->preferred_username : claims->sub;
      if (who != req.user) token_error = "the token belongs to '" + who + "', not '" + req.user + "'";
      f.assurance = assurance_of(claims->amr, claims->acr, policy->acr_levels());
      if (claims->auth_time) f.auth_age = at - claims->auth_time;
    }
  } else if (req.amr) {
    f.assurance = assurance_of(*req.amr, req.acr, policy->acr_levels());
    if (req.auth_time) f.auth_age = at - req.auth_time;
  }

  if (rules->directory) {
    if (const Person* p = rules->directory->find(req.user)) {
      f.role = p->role;
      f.groups = p->groups;
    }
  }

  f.device_state = "unknown";
  f.ownership = "unknown";
  if (!req.device_id.empty() && sources_.device) {
    if (sources_.first_use && sources_.first_use(req.user, req.device_id, at)) f.signals.push_back("new_device");
    if (auto d = sources_.device(req.device_id)) {
      f.device_state = (*d)[0];
      f.ownership = (*d)[1];
      if (!(*d)[2].empty() && (*d)[2] != req.user) f.signals.push_back("shared_device");
    } else {
      f.signals.push_back("unknown_device");
    }
  } else if (req.device_id.empty()) {
    f.signals.push_back("unknown_device");
  }
  if (!req.source_ip.empty() && sources_.intel_hit && sources_.intel_hit(req.source_ip)) f.signals.push_back("intel_hit");
  if (sources_.smish_targeted && sources_.smish_targeted(req.user, at)) f.signals.push_back("smish_targeted");
  if (sources_.ehr_anomaly && sources_.ehr_anomaly(req.user, at)) f.signals.push_back("ehr_anomaly");
  auto add_signal = [&f](const char* signal) {
    if (std::find(f.signals.begin(), f.signals.end(), signal) == f.signals.end()) f.signals.emplace_back(signal);
  };

  // Where the sign-in comes from, and whether the user can have travelled
  // there since the last one. A refused token proves nothing about the
  // user, so its location is not remembered.
  std::optional<GeoLocation> where;
  if (const GeoIp* geoip = policy->geoip(); geoip && !req.source_ip.empty()) where = geoip->lookup(req.source_ip);
  std::string travel;
  if (where) {
    f.country = where->country;
    if (token_error.empty())
      if (auto why = travel_.observe(req.user, *where, at, policy->travel_max_kmh())) {
        add_signal("impossible_travel");
        travel = std::move(*why);
      }
  }
  // Failed sign-ins: those the identity provider reported, and this one if
  // its token was refused.
  int64_t window = policy->failed_logins_window();
  int failures = token_error.empty() ? failed_logins_.count(req.user, at, window) : failed_logins_.record(req.user, at, window);
  if (failures >= policy->failed_logins_count()) add_signal("failed_logins");

  // Shared accounts: the same user on several devices at once, or a
  // generic name no one person owns.
  SharedAccountAlert shared;
  if (!req.device_id.empty()) {
    auto others = activity_.observe(req.user, req.device_id, at, policy->shared_window());
    if (!others.empty()) {
      f.signals.push_back("concurrent_devices");
      shared.devices = std::move(others);
      shared.devices.push_back(req.device_id);
      shared.reason = "active on " + std::to_string(shared.devices.size()) + " devices within " +
                      std::to_string(policy->shared_window() / 60) + " minutes";
    }
  }
  if (policy->generic_account(req.user)) {
    f.signals.push_back("generic_account");
    shared.reason += (shared.reason.empty() ? "" : "; ") + std::string("a generic account name");
  }
  f.zones = policy->zones_of(req.source_ip, req.networks);
  auto [hour, weekday] = local_hour_and_weekday(at, policy->timezone());
  f.hour = hour;
  f.weekday = weekday;

  Outcome o;
  if (!token_error.empty()) {
    o.decision = Decision::deny;
    o.risk = Risk::high;
    o.matched.push_back("identity");
    o.reasons.push_back("the token was refused: " + token_error);
  } else {
    o = policy->decide(f, trace);
  }
  if (!travel.empty()) o.reasons.push_back(std::move(travel));
  if (failures >= policy->failed_logins_count())
    o.reasons.push_back(std::to_string(failures) + " failed sign-ins within " +
                        (window % 60 ? std::to_string(window) + " seconds" : std::to_string(window / 60) + " minutes"));
  o.id = new_id("ad");
  if (!shared.reason.empty()) {
    o.shared_account = shared.reason;
    shared.user = req.user;
    shared.at = at;
    activity_.remember(std::move(shared));
  }
  if (facts_out) *facts_out = std::move(f);
  return o;
}

}  // namespace wardline::access
