// /api/v1/intel: log shippers post events, which are matched against the
// compiled indicator set; hits become alerts (stored, audited, sent to the
// SIEM); analysts read alerts and feed status.
#include <spdlog/spdlog.h>

#include "api/json_body.h"
#include "api/router.h"
#include "core/time.h"
#include "intel/intel.h"
#include "posture/posture.h"

namespace wardline::api {
namespace {

constexpr size_t kMalformedShown = 10;

nlohmann::json alert_json(const intel::Alert& a) {
  return {{"id", a.id},
          {"indicator", a.indicator},
          {"type", intel::type_name(a.type)},
          {"status", a.status},
          {"first_seen", to_rfc3339(a.first_seen)},
          {"last_seen", to_rfc3339(a.last_seen)},
          {"hits", a.hits},
          {"feeds", a.feeds},
          {"confidence", a.confidence},
          {"labels", a.labels},
          {"campaign_id", a.campaign_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.campaign_id)},
          {"last", {{"source", a.last_source},
                    {"field", a.last_field},
                    {"observed", a.last_observed},
                    {"timestamp", a.last_timestamp},
                    {"client", a.last_client.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.last_client)},
                    {"device", a.last_device.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.last_device)},
                    {"user", a.last_user.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.last_user)}}}};
}

// The intel.hit audit event of a new alert.
siem::SecurityEvent hit_event(const Call& call, const intel::Alert& a) {
  auto e = call_event(call, "intel.hit", a.indicator);
  describe_intel_hit(e, a);
  return e;
}

// Sightings whose client address a known device reported get the device and
// its user (the inventory's addresses: Jamf, agent check-ins, imports).
void name_devices(Services& s, std::vector<intel::Sighting>& sightings) {
  if (!s.devices) return;
  std::map<std::string, std::pair<std::string, std::string>> known;  // address -> device, user
  for (auto& sighting : sightings) {
    if (sighting.client.empty()) continue;
    auto [it, fresh] = known.try_emplace(sighting.client);
    if (fresh) {
      auto r = s.devices->find_by_address(sighting.client);
      if (!r) spdlog::warn("threat intel: cannot look up the device at a client address: {}", r.error().message);
      else if (*r) it->second = {(*r)->device.id, (*r)->device.user};
    }
    sighting.device = it->second.first;
    sighting.user = it->second.second;
  }
}

}  // namespace

void describe_intel_hit(siem::SecurityEvent& e, const intel::Alert& a) {
  e.severity = a.confidence >= 75 ? "warning" : "notice";
  e.details["indicator"] = a.indicator;
  e.details["type"] = std::string(intel::type_name(a.type));
  e.details["alert"] = a.id;
  std::string feeds;
  for (const auto& f : a.feeds) feeds += (feeds.empty() ? "" : ",") + f;
  e.details["feeds"] = feeds;
  e.details["confidence"] = std::to_string(a.confidence);
  e.details["field"] = a.last_field;
  e.details["observed"] = a.last_observed;
  if (!a.campaign_id.empty()) e.details["campaign"] = a.campaign_id;
  if (!a.last_client.empty()) e.details["client"] = a.last_client;
  if (!a.last_device.empty()) e.details["device"] = a.last_device;
  if (!a.last_user.empty()) e.details["user"] = a.last_user;
  if (a.last_source == "retro-hunt") e.details["retro_hunt"] = "true";
}

Result<IngestOutcome> ingest_logs(Services& s, std::string_view text, std::optional<intel::LogFormat> format,
                                  const std::string& source, const std::function<Status(const intel::Alert&)>& record_alert) {
  std::shared_ptr<const intel::IndicatorSet> set = s.indicators ? s.indicators->current() : nullptr;
  if (!set) return make_error("unavailable", "no indicator set is loaded: add feeds with 'wardline intel feed add' and pull them");
  std::vector<intel::Sighting> sightings;
  int64_t now = unix_now();
  intel::ObservationLog::Batch observed;
  std::function<void(const intel::Observed&)> observe;
  if (s.config.intel.retro_hunt_days > 0) observe = [&](const intel::Observed& o) { observed.add(o); };
  auto stats = intel::scan_text(
      text, source, format, *set, [&](const intel::Hit& h) { sightings.push_back(intel::sighting_of(h, source, now)); }, observe);
  if (!stats) return make_error("invalid_body", stats.error().message);
  // The retro-hunt record is derived data: a failure to keep it is logged, not fatal.
  if (Status r = s.observations->record(observed, source, now); !r)
    spdlog::error("threat intel: cannot keep observed destinations for retro-hunts: {}", r.error().message);
  name_devices(s, sightings);
  auto changes = s.alerts->record(sightings);
  if (!changes) return changes.error();
  // Every new alert is audited (and so reaches the SIEM); if that fails, the alerts are taken back.
  IngestOutcome out{*stats, {}, {}};
  for (const auto& a : changes->created) {
    if (Status r = record_alert(a); !r) {
      std::vector<std::string> ids;
      for (const auto& c : changes->created) ids.push_back(c.id);
      (void)s.alerts->withdraw(ids);
      return r.error();
    }
    out.created.push_back(a.id);
  }
  for (const auto& a : changes->updated) out.updated.push_back(a.id);
  return out;
}

void add_intel_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/intel/events", Permission::intel_ingest, [&s](const Call& call) -> Result<Reply> {
    std::optional<intel::LogFormat> format;
    if (std::string f = call.query("format"); !f.empty()) {
      format = intel::parse_log_format(f);
      if (!format) return make_error("invalid_field", "format '" + f + "' is not one of zeek, squid, eve, cef, ecs", "format");
    }
    bool first = true;  // the call's authentication goes in with the first record
    auto outcome = ingest_logs(s, call.req.body, format, "api:" + call.principal.user_name, [&](const intel::Alert& a) {
      Status r = first ? record(s, call, hit_event(call, a)) : record(s, hit_event(call, a));
      first = false;
      return r;
    });
    if (!outcome) return outcome.error();
    const intel::ScanStats& stats = outcome->stats;
    nlohmann::json malformed = nlohmann::json::array();
    for (size_t i = 0; i < stats.first_malformed.size() && i < kMalformedShown; ++i)
      malformed.push_back({{"line", stats.first_malformed[i].first}, {"reason", stats.first_malformed[i].second}});
    return Reply{200, {{"lines", stats.lines},
                       {"records", stats.records},
                       {"malformed", stats.malformed},
                       {"hits", stats.hits},
                       {"alerts_created", outcome->created},
                       {"alerts_updated", outcome->updated},
                       {"malformed_lines", malformed}}};
  }});

  routes.push_back({"GET", "/api/v1/intel/alerts", Permission::intel_read, [&s](const Call& call) -> Result<Reply> {
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = s.alerts->list(call.query("status"), call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : page->alerts) items.push_back(alert_json(a));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/intel/alerts/{id}", Permission::intel_read, [&s](const Call& call) -> Result<Reply> {
    auto a = s.alerts->get(call.path_param(0));
    if (!a) return a.error();
    return Reply{200, alert_json(*a)};
  }});

  routes.push_back({"POST", "/api/v1/intel/alerts/{id}/status", Permission::intel_triage, [&s](const Call& call) -> Result<Reply> {
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto status = required_string(*body, "status", 32);
    if (!status) return status.error();
    std::string id = call.path_param(0);
    auto previous = s.alerts->set_status(id, *status);
    if (!previous) return previous.error();
    auto e = call_event(call, "admin.intel_alert_status", id);
    e.details["from"] = *previous;
    e.details["to"] = *status;
    if (Status a = record(s, call, e); !a) {
      (void)s.alerts->set_status(id, *previous);
      return a.error();
    }
    auto a = s.alerts->get(id);
    if (!a) return a.error();
    return Reply{200, alert_json(*a)};
  }});

  routes.push_back({"GET", "/api/v1/intel/feeds", Permission::intel_read, [&s](const Call&) -> Result<Reply> {
    intel::FeedRegistry registry(s.store, s.config.data_dir);
    auto feeds = registry.list();
    if (!feeds) return feeds.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& f : *feeds) {
      nlohmann::json rejects = nlohmann::json::array();
      for (const auto& r : f.rejects) rejects.push_back({{"where", r.where}, {"reason", r.reason}});
      items.push_back({{"name", f.name},
                       {"source", f.source},
                       {"format", f.format ? std::string(intel::feed_format_name(*f.format)) : "auto"},
                       {"confidence", f.confidence},
                       {"last_pull_at", f.last_pull_at ? nlohmann::json(to_rfc3339(f.last_pull_at)) : nlohmann::json(nullptr)},
                       {"last_status", f.last_status},
                       {"last_error", f.last_error},
                       {"indicators", f.indicators},
                       {"rejected", f.rejected},
                       {"ignored", f.ignored},
                       {"rejects", rejects}});
    }
    auto set = s.indicators ? s.indicators->current() : nullptr;
    return Reply{200, {{"items", items}, {"indicators_loaded", set ? set->size() : 0}}};
  }});

  // The loaded indicator set as a block list for resolvers, proxies and partners.
  routes.push_back({"GET", "/api/v1/intel/export/{format}", Permission::intel_read, [&s](const Call& call) -> Result<Reply> {
    auto format = intel::parse_export_format(call.path_param(0));
    if (!format) return make_error("not_found", "no export format '" + call.path_param(0) + "': use rpz, stix, domains or squid-acl");
    auto set = s.indicators ? s.indicators->current() : nullptr;
    if (!set) return make_error("unavailable", "no threat intelligence is loaded yet; pull the feeds first");
    intel::ExportOptions options;
    options.now = unix_now();
    Reply reply;
    reply.content = intel::export_indicators(*set, *format, options);
    reply.content_type = *format == intel::ExportFormat::stix ? "application/stix+json;version=2.1" : "text/plain; charset=utf-8";
    return reply;
  }});
}

}  // namespace wardline::api
