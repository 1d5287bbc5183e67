// The posture policy as YAML (policies/posture.yaml, docs/posture-policy.md):
// settings, the approved app catalogue, the CPE product map and ordered
// rules, each setting checks for the devices it matches.
#include "core/config.h"
#include "core/files.h"
#include "core/strings.h"
#include "core/yaml_reader.h"
#include "posture/policy_impl.h"

namespace wardline::posture {
namespace {

constexpr std::string_view kCheckNames[] = {
    "os_version",    "app_versions",    "encryption", "passcode",   "biometrics",  "jailbreak", "sideloading",
    "cloud_backup", "app_catalogue", "app_permissions", "management", "ephi_cache", "segment", "checkin_age", "patch_sla"};
static_assert(std::size(kCheckNames) == kCheckCount);

struct Reader : YamlReader {
  Result<CheckSpec> check(const std::string& name, const YAML::Node& n, const std::string& rule, int64_t default_grace) const {
    auto id = parse_check(name);
    if (!id) {
      std::string list;
      for (auto c : kCheckNames) list += (list.empty() ? "" : ", ") + std::string(c);
      return error(n, "unknown check '" + name + "'; checks are: " + list);
    }
    CheckSpec c;
    c.id = *id;
    c.rule = rule;
    c.grace = default_grace;
    if (c.id == CheckId::ephi_cache) c.flags = {"offline_ephi_cache"};
    if (n.IsScalar()) {  // "encryption: off" or "encryption: block"
      const std::string& v = n.Scalar();
      if (v == "off" || v == "false") c.enabled = false;
      else if (v == "report") c.enforcement = Enforcement::report;
      else if (v == "grace") c.enforcement = Enforcement::grace;
      else if (v == "block" || v == "on" || v == "true") c.enforcement = Enforcement::block;
      else return error(n, "check '" + name + "': use off, report, grace, block, or a map of settings");
      return c;
    }
    if (!n.IsMap()) return error(n, "check '" + name + "' must be a map of settings or one of off|report|grace|block");
    if (Status s = only_keys(n, {"enforcement", "grace", "quarantine", "min", "max_patch_age", "min_length", "require",
                                 "allowed", "flags", "max", "enabled"},
                             "check '" + name + "'");
        !s)
      return s.error();
    if (n["enabled"]) {
      auto b = boolean(n["enabled"], name + ".enabled");
      if (!b) return b.error();
      c.enabled = *b;
    }
    if (n["enforcement"]) {
      auto s = scalar(n["enforcement"], name + ".enforcement");
      if (!s) return s.error();
      if (*s == "report") c.enforcement = Enforcement::report;
      else if (*s == "grace") c.enforcement = Enforcement::grace;
      else if (*s == "block") c.enforcement = Enforcement::block;
      else return error(n["enforcement"], name + ".enforcement must be report, grace or block");
    }
    if (n["grace"]) {
      auto d = duration(n["grace"], name + ".grace");
      if (!d) return d.error();
      c.grace = *d;
    }
    if (n["quarantine"]) {
      auto b = boolean(n["quarantine"], name + ".quarantine");
      if (!b) return b.error();
      c.quarantine = *b;
    }
    if (n["min"]) {
      auto s = scalar(n["min"], name + ".min");
      if (!s) return s.error();
      c.min = *s;
    }
    if (n["max_patch_age"]) {
      auto d = duration(n["max_patch_age"], name + ".max_patch_age");
      if (!d) return d.error();
      c.max_patch_age = *d;
    }
    if (n["min_length"]) {
      auto v = integer(n["min_length"], name + ".min_length", 1, 64);
      if (!v) return v.error();
      c.min_length = *v;
    }
    if (n["require"]) {
      auto list = strings(n["require"], name + ".require");
      if (!list) return list.error();
      for (const auto& m : *list) {
        auto mm = parse_management(m);
        if (!mm) return error(n["require"], "'" + m + "' is not a management mode; use mdm, mam, work_profile or unmanaged");
        c.require.push_back(*mm);
      }
    }
    if (n["allowed"]) {
      auto list = strings(n["allowed"], name + ".allowed");
      if (!list) return list.error();
      c.allowed = std::move(*list);
    }
    if (n["flags"]) {
      auto list = strings(n["flags"], name + ".flags");
      if (!list) return list.error();
      c.flags = std::move(*list);
    }
    if (n["max"]) {
      auto d = duration(n["max"], name + ".max");
      if (!d) return d.error();
      c.max_age = *d;
    }
    // Checks that need a parameter to mean anything.
    if (c.enabled && c.id == CheckId::management && c.require.empty())
      return error(n, "check 'management' needs require: [mdm|mam|work_profile]");
    if (c.enabled && c.id == CheckId::segment && c.allowed.empty())
      return error(n, "check 'segment' needs allowed: [SSID or VLAN, ...]");
    if (c.enabled && c.id == CheckId::checkin_age && c.max_age <= 0)
      return error(n, "check 'checkin_age' needs max: e.g. 7d");
    if (c.enabled && c.id == CheckId::os_version && c.min.empty() && c.max_patch_age <= 0)
      return error(n, "check 'os_version' needs min: (a version) and/or max_patch_age: (Android)");
    return c;
  }

  Result<Rule> rule(const YAML::Node& n, size_t index, int64_t default_grace) const {
    if (!n.IsMap()) return error(n, "each rule must be a map with name, match and checks");
    if (Status s = only_keys(n, {"name", "match", "checks"}, "a rule"); !s) return s.error();
    Rule r;
    r.name = n["name"] && n["name"].IsScalar() ? n["name"].Scalar() : "rule " + std::to_string(index + 1);
    if (const auto& m = n["match"]) {
      if (!m.IsMap()) return error(m, "match must be a map of platform, ownership, tags");
      if (Status s = only_keys(m, {"platform", "ownership", "tags"}, "match"); !s) return s.error();
      if (m["platform"]) {
        auto list = strings(m["platform"], "match.platform");
        if (!list) return list.error();
        for (const auto& p : *list) {
          auto pp = parse_platform(p);
          if (!pp || *pp == Platform::unknown)
            return error(m["platform"], "'" + p + "' is not a platform; use ios, ipados, android, windows or macos");
          r.platforms.push_back(*pp);
        }
      }
      if (m["ownership"]) {
        auto list = strings(m["ownership"], "match.ownership");
        if (!list) return list.error();
        for (const auto& o : *list) {
          auto oo = parse_ownership(o);
          if (!oo || *oo == Ownership::unknown)
            return error(m["ownership"], "'" + o + "' is not an ownership; use corporate or byod");
          r.ownerships.push_back(*oo);
        }
      }
      if (m["tags"]) {
        auto list = strings(m["tags"], "match.tags");
        if (!list) return list.error();
        r.tags = std::move(*list);
      }
    }
    const auto& checks = n["checks"];
    if (!checks || !checks.IsMap()) return error(n, "rule '" + r.name + "' needs checks: a map of check name to settings");
    for (const auto& kv : checks) {
      auto c = check(kv.first.Scalar(), kv.second, r.name, default_grace);
      if (!c) return c.error();
      r.checks.push_back(std::move(*c));
    }
    return r;
  }
};

bool rule_matches(const Rule& r, Platform p, Ownership o) {
  auto has = [](const auto& list, auto v) { return list.empty() || std::find(list.begin(), list.end(), v) != list.end(); };
  return has(r.platforms, p) && has(r.ownerships, o);
}

void apply(const Rule& r, EffectiveChecks& checks) {
  for (const auto& c : r.checks) checks[static_cast<size_t>(c.id)] = c.enabled ? &c : nullptr;
}

Status read_settings(const Reader& rd, const YAML::Node& s, Policy::Impl& p, int64_t& default_grace) {
  if (!s.IsMap()) return rd.error(s, "settings must be a map");
  if (Status st = rd.only_keys(s, {"timezone", "unreported", "quarantine_after", "grace", "patch_sla"}, "settings"); !st)
    return st;
  if (s["timezone"]) {
    auto tz = rd.scalar(s["timezone"], "settings.timezone");
    if (!tz) return tz.error();
    if (auto t = parse_advisory_time("2024-01-01", *tz); !t) return rd.error(s["timezone"], t.error().message);
    p.timezone = *tz;
  }
  if (s["unreported"]) {
    auto u = rd.scalar(s["unreported"], "settings.unreported");
    if (!u) return u.error();
    if (*u != "fail" && *u != "report") return rd.error(s["unreported"], "settings.unreported must be report or fail");
    p.unreported_fails = *u == "fail";
  }
  if (s["quarantine_after"]) {
    auto d = rd.duration(s["quarantine_after"], "settings.quarantine_after");
    if (!d) return d.error();
    p.quarantine_after = *d;
  }
  if (s["grace"]) {
    auto d = rd.duration(s["grace"], "settings.grace");
    if (!d) return d.error();
    default_grace = *d;
  }
  if (const auto& sla = s["patch_sla"]) {
    if (!sla.IsMap()) return rd.error(sla, "settings.patch_sla must map critical, high, medium, low to durations");
    if (Status st = rd.only_keys(sla, {"critical", "high", "medium", "low"}, "settings.patch_sla"); !st) return st;
    std::pair<const char*, int64_t*> fields[] = {
        {"critical", &p.sla.critical}, {"high", &p.sla.high}, {"medium", &p.sla.medium}, {"low", &p.sla.low}};
    for (auto [key, field] : fields) {
      if (!sla[key]) continue;
      auto d = rd.duration(sla[key], std::string("settings.patch_sla.") + key);
      if (!d) return d.error();
      *field = *d;
    }
  }
  return {};
}

Status read_catalogue(const Reader& rd, const YAML::Node& c, Policy::Impl& p) {
  if (!c.IsSequence()) return rd.error(c, "catalogue must be a list of apps ({id, name, min_version, permissions})");
  for (const auto& n : c) {
    if (!n.IsMap() || !n["id"] || !n["id"].IsScalar()) return rd.error(n, "each catalogue app needs an id (bundle id or package name)");
    if (Status st = rd.only_keys(n, {"id", "name", "names", "min_version", "permissions"}, "a catalogue app"); !st) return st;
    CatalogueApp app;
    app.id = n["id"].Scalar();
    if (n["name"]) app.name = n["name"].Scalar();
    if (n["min_version"]) app.min_version = n["min_version"].Scalar();
    if (n["permissions"]) {
      auto list = rd.strings(n["permissions"], "permissions");
      if (!list) return list.error();
      app.permissions = std::move(*list);
    }
    if (n["names"]) {
      auto list = rd.strings(n["names"], "names");
      if (!list) return list.error();
      app.names = std::move(*list);
    }
    if (p.catalogue_keys.contains(app.id)) return rd.error(n, "app '" + app.id + "' is in the catalogue twice");
    auto entry = std::make_unique<CatalogueApp>(std::move(app));
    p.catalogue_keys.emplace(entry->id, entry.get());
    for (const auto& name : entry->names) p.catalogue_keys.emplace(name, entry.get());  // an id wins over a name
    p.catalogue.push_back(std::move(entry));
  }
  return {};
}

Status read_cpe_products(const Reader& rd, const YAML::Node& c, Policy::Impl& p) {
  if (!c.IsMap()) return rd.error(c, "cpe_products must map CPE vendor:product to product keys (os:ios, app:<id>)");
  for (const auto& kv : c) {
    auto keys = rd.strings(kv.second, "cpe_products." + kv.first.Scalar());
    if (!keys) return keys.error();
    for (const auto& k : *keys) {
      if (!k.starts_with("os:") && !k.starts_with("app:"))
        return rd.error(kv.second, "product '" + k + "' must start with os: or app:");
      // CPE names compare case-insensitively (the advisory reader lowercases them).
      p.cpe_products.emplace(ascii_lowercase(kv.first.Scalar()), k);
    }
  }
  return {};
}

}  // namespace

std::string_view name_of(CheckId id) { return kCheckNames[static_cast<size_t>(id)]; }

std::optional<CheckId> parse_check(std::string_view text) {
  for (size_t i = 0; i < kCheckCount; ++i)
    if (kCheckNames[i] == text) return static_cast<CheckId>(i);
  return std::nullopt;
}

std::string_view name_of(Enforcement e) {
  switch (e) {
    case Enforcement::report: return "report";
    case Enforcement::grace: return "grace";
    case Enforcement::block: return "block";
  }
  return "report";
}

const CatalogueApp* Policy::Impl::find_app(std::string_view id) const {
  auto it = catalogue_keys.find(id);
  return it == catalogue_keys.end() ? nullptr : it->second;
}

EffectiveChecks Policy::Impl::effective(const Device& d) const {
  EffectiveChecks checks = base[static_cast<size_t>(d.platform)][static_cast<size_t>(d.ownership)];
  for (const Rule* r : tag_rules) {
    if (!rule_matches(*r, d.platform, d.ownership)) continue;
    bool tagged = false;
    for (const auto& t : r->tags)
      tagged = tagged || std::find(d.tags.begin(), d.tags.end(), t) != d.tags.end();
    if (tagged) apply(*r, checks);
  }
  return checks;
}

Policy::Policy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Policy::~Policy() = default;

Result<std::shared_ptr<const Policy>> Policy::parse(std::string_view yaml, const std::string& where) {
  Reader rd;
  rd.file = where;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error("invalid_policy", where + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap()) return make_error("invalid_policy", where + ": a posture policy is a map with settings, catalogue, cpe_products and rules");
  auto impl = std::make_unique<Impl>();
  try {
    if (Status s = rd.only_keys(root, {"settings", "catalogue", "flagged_permissions", "cpe_products", "rules"}, "the policy"); !s)
      return s.error();
    int64_t default_grace = 72 * 3600;
    if (root["settings"])
      if (Status s = read_settings(rd, root["settings"], *impl, default_grace); !s) return s.error();
    if (root["catalogue"])
      if (Status s = read_catalogue(rd, root["catalogue"], *impl); !s) return s.error();
    if (root["flagged_permissions"]) {
      auto list = rd.strings(root["flagged_permissions"], "flagged_permissions");
      if (!list) return list.error();
      impl->flagged_permissions = std::move(*list);
    }
    if (root["cpe_products"])
      if (Status s = read_cpe_products(rd, root["cpe_products"], *impl); !s) return s.error();
    const auto& rules = root["rules"];
    if (!rules || !rules.IsSequence() || rules.size() == 0)
      return make_error("invalid_policy", where + ": the policy needs rules: a list of {name, match, checks}");
    for (size_t i = 0; i < rules.size(); ++i) {
      auto r = rd.rule(rules[i], i, default_grace);
      if (!r) return r.error();
      impl->rules.push_back(std::move(*r));
    }
  } catch (const YAML::Exception& e) {
    return make_error("invalid_policy", where + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  // Rules apply in file order, later ones overriding earlier ones check by
  // check; rules that match on tags apply after the others.
  for (const auto& r : impl->rules) {
    if (!r.tags.empty()) {
      impl->tag_rules.push_back(&r);
      continue;
    }
    for (size_t p = 0; p < impl->base.size(); ++p)
      for (size_t o = 0; o < impl->base[p].size(); ++o)
        if (rule_matches(r, static_cast<Platform>(p), static_cast<Ownership>(o))) apply(r, impl->base[p][o]);
  }
  return std::shared_ptr<const Policy>(new Policy(std::move(impl)));
}

Result<std::shared_ptr<const Policy>> Policy::load(const std::string& path) {
  auto text = read_file(path, "the posture policy");
  if (!text) return text.error();
  return parse(*text, path);
}

const SlaPolicy& Policy::sla() const { return impl_->sla; }
const CpeProductMap& Policy::cpe_products() const { return impl_->cpe_products; }
const std::string& Policy::timezone() const { return impl_->timezone; }
int64_t Policy::quarantine_after() const { return impl_->quarantine_after; }

}  // namespace wardline::posture
