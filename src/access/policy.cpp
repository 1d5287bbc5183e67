// The access policy as YAML (policies/access.yaml, docs/access-policy.md),
// compiled once: names become bit masks and rules are indexed by the
// resource category they name.
#include <unicode/timezone.h>

#include <algorithm>
#include <charconv>

#include "access/policy_impl.h"
#include "core/config.h"
#include "core/files.h"
#include "core/yaml_reader.h"

namespace wardline::access {
namespace {

struct Reader : YamlReader {
  // Names from a fixed list as bits.
  template <size_t N>
  Result<uint32_t> mask(const YAML::Node& n, const std::string& what, const std::string_view (&names)[N]) const {
    auto list = strings(n, what);
    if (!list) return list.error();
    uint32_t m = 0;
    for (const auto& v : *list) {
      size_t i = 0;
      while (i < N && names[i] != v) ++i;
      if (i == N) {
        std::string all;
        for (auto name : names) all += (all.empty() ? "" : ", ") + std::string(name);
        return error(n, "'" + v + "' is not a valid " + what + "; use " + all);
      }
      m |= 1u << i;
    }
    return m;
  }

  Result<Assurance> assurance(const YAML::Node& n, const std::string& what) const {
    if (!n.IsScalar()) return error(n, what + " must be an assurance level");
    auto a = parse_assurance(n.Scalar());
    if (!a) return error(n, "'" + n.Scalar() + "' is not an assurance level; use single_factor, multi_factor or phishing_resistant");
    return *a;
  }
};

Result<Risk> parse_risk(const Reader& rd, const YAML::Node& n, const std::string& what) {
  std::string v = n.IsScalar() ? n.Scalar() : "";
  if (v == "low") return Risk::low;
  if (v == "medium") return Risk::medium;
  if (v == "high") return Risk::high;
  return rd.error(n, what + " must be low, medium or high");
}

// "07:00-19:00" -> minutes of the day.
bool parse_window(const std::string& text, int& from, int& to) {
  auto minute = [](std::string_view hm, int& out) {
    if (hm.size() != 5 || hm[2] != ':') return false;
    int h = 0, m = 0;
    if (std::from_chars(hm.data(), hm.data() + 2, h).ec != std::errc() ||
        std::from_chars(hm.data() + 3, hm.data() + 5, m).ec != std::errc() || h > 24 || m > 59 || (h == 24 && m))
      return false;
    out = h * 60 + m;
    return true;
  };
  size_t dash = text.find('-');
  return dash != std::string::npos && minute(std::string_view(text).substr(0, dash), from) &&
         minute(std::string_view(text).substr(dash + 1), to) && from != to;
}

Result<uint64_t> zone_mask(const Reader& rd, const YAML::Node& n, const Policy::Impl& p, const std::string& what) {
  auto list = rd.strings(n, what);
  if (!list) return list.error();
  uint64_t m = 0;
  for (const auto& z : *list) {
    auto it = std::find(p.zone_names.begin(), p.zone_names.end(), z);
    if (it == p.zone_names.end()) return rd.error(n, "zone '" + z + "' is not defined under zones:");
    m |= uint64_t{1} << (it - p.zone_names.begin());
  }
  return m;
}

// ISO 3166-1 alpha-2 codes, upper-cased.
Result<std::vector<std::string>> countries(const Reader& rd, const YAML::Node& n, const std::string& what) {
  auto list = rd.strings(n, what);
  if (!list) return list.error();
  for (auto& code : *list) {
    bool letters = code.size() == 2 && std::all_of(code.begin(), code.end(), [](char c) {
                     return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
                   });
    if (!letters) return rd.error(n, what + ": '" + code + "' is not an ISO 3166-1 alpha-2 country code such as US, GB or DE");
    for (char& c : code) c = static_cast<char>(c & ~0x20);
  }
  return list;
}

Result<Conditions> conditions(const Reader& rd, const YAML::Node& n, const Policy::Impl& p) {
  Conditions c;
  if (!n) return c;
  if (!n.IsMap()) return rd.error(n, "when: must be a map of conditions");
  if (Status s = rd.only_keys(n, {"category", "action", "role", "group", "user", "resource", "signal", "device_state",
                                  "ownership", "zone", "not_zone", "country", "not_country", "risk", "assurance_below",
                                  "auth_age_over", "hours", "days"},
                              "when");
      !s)
    return s.error();
  std::pair<const char*, std::vector<std::string>*> lists[] = {
      {"category", &c.categories}, {"action", &c.actions}, {"role", &c.roles},     {"group", &c.groups},
      {"user", &c.users},          {"resource", &c.resources}, {"signal", &c.signals}};
  for (auto [key, field] : lists) {
    if (!n[key]) continue;
    auto v = rd.strings(n[key], key);
    if (!v) return v.error();
    *field = std::move(*v);
  }
  if (n["device_state"]) {
    auto m = rd.mask(n["device_state"], "device_state", kDeviceStates);
    if (!m) return m.error();
    c.device_states = *m;
  }
  if (n["ownership"]) {
    auto m = rd.mask(n["ownership"], "ownership", kOwnerships);
    if (!m) return m.error();
    c.ownerships = *m;
  }
  if (n["days"]) {
    auto m = rd.mask(n["days"], "day", kDays);
    if (!m) return m.error();
    c.days = *m;
  }
  if (n["zone"]) {
    auto m = zone_mask(rd, n["zone"], p, "zone");
    if (!m) return m.error();
    c.zones = *m;
  }
  if (n["not_zone"]) {
    auto m = zone_mask(rd, n["not_zone"], p, "not_zone");
    if (!m) return m.error();
    c.not_zones = *m;
  }
  if (n["country"]) {
    auto v = countries(rd, n["country"], "country");
    if (!v) return v.error();
    c.countries = std::move(*v);
  }
  if (n["not_country"]) {
    auto v = countries(rd, n["not_country"], "not_country");
    if (!v) return v.error();
    c.not_countries = std::move(*v);
  }
  if (n["risk"]) {
    auto r = parse_risk(rd, n["risk"], "when.risk");
    if (!r) return r.error();
    c.min_risk = static_cast<int>(*r);
  }
  if (n["assurance_below"]) {
    auto a = rd.assurance(n["assurance_below"], "assurance_below");
    if (!a) return a.error();
    c.assurance_below = static_cast<int>(*a);
  }
  if (n["auth_age_over"]) {
    auto d = rd.duration(n["auth_age_over"], "auth_age_over");
    if (!d) return d.error();
    c.auth_age_over = *d;
  }
  if (n["hours"]) {
    if (!n["hours"].IsScalar() || !parse_window(n["hours"].Scalar(), c.from_minute, c.to_minute))
      return rd.error(n["hours"], "hours must be a local time window such as 07:00-19:00 (may wrap midnight: 19:00-07:00)");
  }
  return c;
}

Result<Rule> rule(const Reader& rd, const YAML::Node& n, size_t index, const Policy::Impl& p) {
  if (!n.IsMap()) return rd.error(n, "each rule is a map with name, when and then");
  if (Status s = rd.only_keys(n, {"name", "mode", "when", "then"}, "a rule"); !s) return s.error();
  Rule r;
  r.name = n["name"] && n["name"].IsScalar() ? n["name"].Scalar() : "rule " + std::to_string(index + 1);
  if (n["mode"]) {
    std::string mode = n["mode"].IsScalar() ? n["mode"].Scalar() : "";
    if (mode != "enforce" && mode != "report") return rd.error(n["mode"], "mode must be enforce or report");
    r.report_only = mode == "report";
  }
  auto when = conditions(rd, n["when"], p);
  if (!when) return when.error();
  r.when = std::move(*when);
  const YAML::Node& then = n["then"];
  if (!then) return rd.error(n, "rule '" + r.name + "' needs then: allow, deny or {step_up: LEVEL}");
  if (then.IsScalar() && then.Scalar() == "allow") {
    r.effect = Effect::allow;
  } else if (then.IsScalar() && then.Scalar() == "deny") {
    r.effect = Effect::deny;
  } else if (then.IsMap() && then["step_up"] && then.size() == 1) {
    auto a = rd.assurance(then["step_up"], "step_up");
    if (!a) return a.error();
    r.effect = Effect::step_up;
    r.step_up_to = *a;
  } else {
    return rd.error(then, "then must be allow, deny or {step_up: single_factor|multi_factor|phishing_resistant}");
  }
  return r;
}

Status read_issuers(const Reader& rd, const YAML::Node& n, Policy::Impl& p) {
  if (!n.IsSequence()) return rd.error(n, "issuers must be a list of {name, issuer, jwks, audiences, skew, acr}");
  for (const auto& i : n) {
    if (!i.IsMap()) return rd.error(i, "each issuer is a map");
    if (Status s = rd.only_keys(i, {"name", "issuer", "jwks", "ca_file", "audiences", "skew", "acr"}, "an issuer"); !s) return s;
    if (!i["issuer"] || !i["jwks"]) return rd.error(i, "an issuer needs issuer: (the exact iss) and jwks: (a file or https:// URL)");
    Policy::IssuerConfig c;
    c.name = i["name"] ? i["name"].Scalar() : i["issuer"].Scalar();
    c.rules.issuer = i["issuer"].Scalar();
    c.jwks = i["jwks"].Scalar();
    if (i["ca_file"]) c.ca_file = i["ca_file"].Scalar();
    if (i["audiences"]) {
      auto a = rd.strings(i["audiences"], "audiences");
      if (!a) return a.error();
      c.rules.audiences = std::move(*a);
    }
    if (i["skew"]) {
      auto d = rd.duration(i["skew"], "skew");
      if (!d) return d.error();
      c.rules.skew = *d;
    }
    if (const auto& acr = i["acr"]) {
      if (!acr.IsMap()) return rd.error(acr, "acr must map ACR values to assurance levels");
      for (const auto& kv : acr) {
        auto a = rd.assurance(kv.second, "acr." + kv.first.Scalar());
        if (!a) return a.error();
        p.acr_levels.emplace_back(kv.first.Scalar(), *a);
      }
    }
    p.issuers.push_back(std::move(c));
  }
  return {};
}

// geoip, impossible_travel and failed_logins.
Status read_context_signals(const Reader& rd, const YAML::Node& root, Policy::Impl& p) {
  if (const auto& g = root["geoip"]) {
    if (!g.IsMap() || !g["database"])
      return rd.error(g, "geoip must be a map with database: (a GeoIP2 or GeoLite2 City or Country .mmdb file)");
    if (Status st = rd.only_keys(g, {"database"}, "geoip"); !st) return st;
    auto path = rd.scalar(g["database"], "geoip.database");
    if (!path) return path.error();
    // Opened now, so a missing or corrupt database refuses the policy
    // (on SIGHUP the previous policy and database stay).
    auto db = GeoIp::open(*path);
    if (!db) return rd.error(g["database"], db.error().message);
    p.geoip = std::move(*db);
  }
  if (const auto& t = root["impossible_travel"]) {
    if (!t.IsMap()) return rd.error(t, "impossible_travel must be a map with max_kmh");
    if (Status st = rd.only_keys(t, {"max_kmh"}, "impossible_travel"); !st) return st;
    if (t["max_kmh"]) {
      auto v = rd.integer(t["max_kmh"], "impossible_travel.max_kmh", 1, 100000);
      if (!v) return v.error();
      p.travel_max_kmh = *v;
    }
  }
  if (const auto& f = root["failed_logins"]) {
    if (!f.IsMap()) return rd.error(f, "failed_logins must be a map with count and window");
    if (Status st = rd.only_keys(f, {"count", "window"}, "failed_logins"); !st) return st;
    if (f["count"]) {
      auto v = rd.integer(f["count"], "failed_logins.count", 1, static_cast<int>(kMaxFailedLogins));
      if (!v) return v.error();
      p.failed_logins_count = *v;
    }
    if (f["window"]) {
      auto d = rd.duration(f["window"], "failed_logins.window");
      if (!d) return d.error();
      p.failed_logins_window = *d;
    }
  }
  return {};
}

Status read_sections(const Reader& rd, const YAML::Node& root, Policy::Impl& p) {
  if (const auto& s = root["settings"]) {
    if (Status st = rd.only_keys(s, {"timezone"}, "settings"); !st) return st;
    if (s["timezone"]) {
      p.timezone = s["timezone"].Scalar();
      std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(p.timezone)));
      if (!tz || *tz == icu::TimeZone::getUnknown())
        return rd.error(s["timezone"], "'" + p.timezone + "' is not an IANA time zone such as America/Chicago");
    }
  }
  if (root["issuers"])
    if (Status s = read_issuers(rd, root["issuers"], p); !s) return s;
  if (const auto& zones = root["zones"]) {
    if (!zones.IsMap()) return rd.error(zones, "zones must map names to lists of CIDRs");
    for (const auto& kv : zones) {
      if (p.zone_names.size() == 64) return rd.error(kv.first, "at most 64 zones");
      auto cidrs = rd.strings(kv.second, "zone " + kv.first.Scalar());
      if (!cidrs) return cidrs.error();
      std::vector<IpNetwork> nets;
      for (const auto& c : *cidrs) {
        auto net = parse_ip_network(c);
        if (!net) return rd.error(kv.second, "'" + c + "' is not an IP address or CIDR network");
        nets.push_back(*net);
      }
      p.zone_names.push_back(kv.first.Scalar());
      p.zone_networks.push_back(std::move(nets));
    }
  }
  if (const auto& risk = root["risk"]) {
    if (!risk.IsMap()) return rd.error(risk, "risk must map signals to low, medium or high");
    for (const auto& kv : risk) {
      auto r = parse_risk(rd, kv.second, "risk." + kv.first.Scalar());
      if (!r) return r.error();
      p.signal_risk[kv.first.Scalar()] = *r;
    }
  }
  if (const auto& sessions = root["sessions"]) {
    if (!sessions.IsMap()) return rd.error(sessions, "sessions must map low, medium, high to {max_age, reauth_after}");
    for (const auto& kv : sessions) {
      auto r = parse_risk(rd, kv.first, "sessions key");
      if (!r) return r.error();
      Session& s = p.sessions[static_cast<size_t>(*r)];
      if (kv.second["max_age"]) {
        auto d = rd.duration(kv.second["max_age"], "max_age");
        if (!d) return d.error();
        s.max_age = *d;
      }
      if (kv.second["reauth_after"]) {
        auto d = rd.duration(kv.second["reauth_after"], "reauth_after");
        if (!d) return d.error();
        s.reauth_after = *d;
      }
    }
  }
  if (Status s = read_context_signals(rd, root, p); !s) return s;
  if (const auto& shared = root["shared_accounts"]) {
    if (!shared.IsMap()) return rd.error(shared, "shared_accounts must be a map with window and generic_names");
    if (Status st = rd.only_keys(shared, {"window", "generic_names"}, "shared_accounts"); !st) return st;
    if (shared["window"]) {
      auto d = rd.duration(shared["window"], "shared_accounts.window");
      if (!d) return d.error();
      p.shared_window = *d;
    }
    if (shared["generic_names"]) {
      auto names = rd.strings(shared["generic_names"], "shared_accounts.generic_names");
      if (!names) return names.error();
      p.generic_names = std::move(*names);
    }
  }
  const auto& roles = root["roles"];
  if (!roles || !roles.IsMap() || roles.size() == 0)
    return rd.error(root, "roles: must map each role to the resource categories it may reach (least privilege: default deny)");
  for (const auto& kv : roles) {
    auto cats = rd.strings(kv.second, "role " + kv.first.Scalar());
    if (!cats) return cats.error();
    p.roles[kv.first.Scalar()] = std::move(*cats);
  }
  if (const auto& rules = root["rules"]) {
    if (!rules.IsSequence()) return rd.error(rules, "rules must be a list");
    for (size_t i = 0; i < rules.size(); ++i) {
      auto r = rule(rd, rules[i], i, p);
      if (!r) return r.error();
      p.rules.push_back(std::move(*r));
    }
  }
  return {};
}

}  // namespace

Policy::Policy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Policy::~Policy() = default;

Result<std::shared_ptr<const Policy>> Policy::parse(std::string_view yaml, const std::string& where) {
  Reader rd;
  rd.file = where;
  auto impl = std::make_unique<Impl>();
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) return make_error("invalid_policy", where + ": an access policy is a map with roles and rules");
    if (Status s = rd.only_keys(root, {"settings", "issuers", "zones", "risk", "sessions", "shared_accounts", "geoip",
                                       "impossible_travel", "failed_logins", "roles", "rules"},
                                "the policy");
        !s)
      return s.error();
    if (Status s = read_sections(rd, root, *impl); !s) return s.error();
  } catch (const YAML::Exception& e) {
    return make_error("invalid_policy", where + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  for (const auto& r : impl->rules) {
    if (r.when.categories.empty()) {
      impl->any_category.push_back(&r);
      continue;
    }
    for (const auto& c : r.when.categories) impl->by_category[c].push_back(&r);
  }
  return std::shared_ptr<const Policy>(new Policy(std::move(impl)));
}

Result<std::shared_ptr<const Policy>> Policy::load(const std::string& path) {
  auto text = read_file(path, "the access policy");
  if (!text) return text.error();
  return parse(*text, path);
}

const AcrLevels& Policy::acr_levels() const { return impl_->acr_levels; }
int64_t Policy::shared_window() const { return impl_->shared_window; }
const GeoIp* Policy::geoip() const { return impl_->geoip.get(); }
double Policy::travel_max_kmh() const { return impl_->travel_max_kmh; }
int Policy::failed_logins_count() const { return impl_->failed_logins_count; }
int64_t Policy::failed_logins_window() const { return impl_->failed_logins_window; }

namespace {

// '*' any run, '?' one character; case-insensitive. Iterative with one
// backtrack point: linear in practice, never exponential.
bool glob(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool Policy::generic_account(std::string_view user) const {
  std::string_view local = user.substr(0, user.find('@'));  // the name before the domain
  for (const auto& pattern : impl_->generic_names)
    if (glob(pattern, local)) return true;
  return false;
}
const std::string& Policy::timezone() const { return impl_->timezone; }
const std::vector<Policy::IssuerConfig>& Policy::issuers() const { return impl_->issuers; }

std::vector<std::string> Policy::zones_of(std::string_view address, const std::vector<std::string>& hints) const {
  std::vector<std::string> out;
  auto ip = parse_ip_network(address);
  for (size_t z = 0; z < impl_->zone_names.size(); ++z) {
    bool in = std::find(hints.begin(), hints.end(), impl_->zone_names[z]) != hints.end();
    if (ip)
      for (const auto& net : impl_->zone_networks[z]) in = in || network_contains(net, *ip);
    if (in) out.push_back(impl_->zone_names[z]);
  }
  return out;
}

Risk Policy::risk_of(const std::vector<std::string>& signals) const {
  Risk r = Risk::low;
  for (const auto& s : signals) {
    auto it = impl_->signal_risk.find(s);
    Risk level = it == impl_->signal_risk.end() ? Risk::medium : it->second;  // an unknown signal still counts
    if (level > r) r = level;
  }
  return r;
}

}  // namespace wardline::access
