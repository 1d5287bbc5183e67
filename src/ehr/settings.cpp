// policies/ehr.yaml: where the hospital is, who its VIP patients are, and the
// thresholds and weights of each detection (docs/ehr-analytics.md).
#include <unicode/timezone.h>

#include <cmath>
#include <memory>

#include "core/files.h"
#include "core/ip.h"
#include "core/strings.h"
#include "core/yaml_reader.h"
#include "ehr/ehr.h"

namespace wardline::ehr {
namespace {

struct Reader : YamlReader {
  Result<double> number(const YAML::Node& n, const std::string& what, double lo, double hi) const {
    if (!n.IsScalar()) return error(n, what + " must be a number");
    try {
      size_t used = 0;
      double v = std::stod(n.Scalar(), &used);
      if (used == n.Scalar().size() && std::isfinite(v) && v >= lo && v <= hi) return v;
    } catch (const std::exception&) {
    }
    return error(n, what + " must be a number from " + fmt_number(lo) + " to " + fmt_number(hi));
  }
  static std::string fmt_number(double v) {
    std::string s = std::to_string(v);
    while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) s.pop_back();
    return s;
  }
};

Status read_sites(const Reader& rd, const YAML::Node& list, Settings& s) {
  if (!list.IsSequence()) return rd.error(list, "sites must be a list of {name, cidrs, latitude, longitude}");
  for (const auto& n : list) {
    if (Status st = rd.only_keys(n, {"name", "cidrs", "latitude", "longitude"}, "a site"); !st) return st;
    Site site;
    auto name = rd.scalar(n["name"], "site name");
    if (!name) return name.error();
    site.name = *name;
    auto cidrs = rd.strings(n["cidrs"], "site " + site.name + " cidrs");
    if (!cidrs) return cidrs.error();
    for (const auto& c : *cidrs)
      if (!parse_ip_network(c)) return rd.error(n["cidrs"], "'" + c + "' is not an IP address or CIDR network");
    site.cidrs = *cidrs;
    auto lat = rd.number(n["latitude"], "site " + site.name + " latitude", -90, 90);
    if (!lat) return lat.error();
    auto lon = rd.number(n["longitude"], "site " + site.name + " longitude", -180, 180);
    if (!lon) return lon.error();
    site.latitude = *lat;
    site.longitude = *lon;
    s.sites.push_back(std::move(site));
  }
  return {};
}

Status read_vips(const Reader& rd, const YAML::Node& list, Settings& s, const PatientKey& key) {
  if (!list.IsSequence()) return rd.error(list, "vip_patients must be a list of {id, label, allowed_departments}");
  for (const auto& n : list) {
    if (Status st = rd.only_keys(n, {"id", "label", "allowed_departments"}, "a VIP patient"); !st) return st;
    auto id = rd.scalar(n["id"], "VIP patient id");
    if (!id) return id.error();
    VipPatient v;
    v.patient = key.hash(*id);
    auto label = rd.scalar(n["label"], "VIP patient label (how alerts name the patient)");
    if (!label) return label.error();
    v.label = *label;
    if (n["allowed_departments"]) {
      auto deps = rd.strings(n["allowed_departments"], "allowed_departments");
      if (!deps) return deps.error();
      v.allowed_departments = *deps;
    }
    s.vip_patients.push_back(std::move(v));
  }
  return {};
}

// Each detection's block: the keys it takes, read into the settings.
Status read_detections(const Reader& rd, const YAML::Node& d, Settings& s) {
  if (Status st = rd.only_keys(d, {"volume_spike", "off_hours", "new_device", "new_location", "impossible_travel",
                                   "vip_snooping", "lateral_movement", "compromise"},
                               "detections");
      !st)
    return st;
  auto num = [&](const YAML::Node& block, const char* key, double& out, double lo, double hi, const std::string& what) -> Status {
    if (!block || !block[key]) return {};
    auto v = rd.number(block[key], what + "." + key, lo, hi);
    if (!v) return v.error();
    out = *v;
    return {};
  };
  auto integer = [&](const YAML::Node& block, const char* key, int& out, int lo, int hi, const std::string& what) -> Status {
    if (!block || !block[key]) return {};
    auto v = rd.integer(block[key], what + "." + key, lo, hi);
    if (!v) return v.error();
    out = *v;
    return {};
  };
  struct Block {
    const char* name;
    std::initializer_list<std::string_view> keys;
  };
  for (const auto& b : {Block{"volume_spike", {"min_patients", "mad_factor", "busy_factor", "weight"}},
                        Block{"off_hours", {"max_profile_share", "min_patients", "weight"}},
                        Block{"new_device", {"weight"}}, Block{"new_location", {"weight"}},
                        Block{"impossible_travel", {"max_kmh", "weight"}}, Block{"vip_snooping", {"weight"}},
                        Block{"lateral_movement", {"window_minutes", "min_targets", "weight"}},
                        Block{"compromise", {"window_hours", "weight_factor"}}})
    if (d[b.name])
      if (Status st = rd.only_keys(d[b.name], b.keys, b.name); !st) return st;
  const std::string det = "detections.";
  Status st;
  auto all = [&](std::initializer_list<Status> results) {
    for (const auto& r : results)
      if (!r) return r;
    return Status();
  };
  const auto v = d["volume_spike"], o = d["off_hours"], t = d["impossible_travel"], l = d["lateral_movement"],
             c = d["compromise"];
  st = all({integer(v, "min_patients", s.volume_spike.min_patients, 1, 100000, det + "volume_spike"),
            num(v, "mad_factor", s.volume_spike.mad_factor, 0.5, 100, det + "volume_spike"),
            num(v, "busy_factor", s.volume_spike.busy_factor, 1, 100, det + "volume_spike"),
            num(v, "weight", s.volume_spike.weight, 0, 1000, det + "volume_spike"),
            num(o, "max_profile_share", s.off_hours.max_profile_share, 0, 1, det + "off_hours"),
            integer(o, "min_patients", s.off_hours.min_patients, 1, 10000, det + "off_hours"),
            num(o, "weight", s.off_hours.weight, 0, 1000, det + "off_hours"),
            num(d["new_device"], "weight", s.new_device.weight, 0, 1000, det + "new_device"),
            num(d["new_location"], "weight", s.new_location.weight, 0, 1000, det + "new_location"),
            num(t, "max_kmh", s.impossible_travel.max_kmh, 50, 100000, det + "impossible_travel"),
            num(t, "weight", s.impossible_travel.weight, 0, 1000, det + "impossible_travel"),
            num(d["vip_snooping"], "weight", s.vip_snooping.weight, 0, 1000, det + "vip_snooping"),
            integer(l, "window_minutes", s.lateral_movement.window_minutes, 1, 24 * 60, det + "lateral_movement"),
            integer(l, "min_targets", s.lateral_movement.min_targets, 2, 16, det + "lateral_movement"),
            num(l, "weight", s.lateral_movement.weight, 0, 1000, det + "lateral_movement"),
            integer(c, "window_hours", s.compromise.window_hours, 1, 24 * 90, det + "compromise"),
            num(c, "weight_factor", s.compromise.weight_factor, 1, 100, det + "compromise")});
  return st;
}

Status read_settings(const Reader& rd, const YAML::Node& e, Settings& s, const PatientKey& key) {
  if (Status st = rd.only_keys(e, {"timezone", "shifts", "mobile_applications", "sites", "vip_patients", "cold_start",
                                   "detections", "risk"},
                               "ehr");
      !st)
    return st;
  if (e["timezone"]) {
    s.timezone = e["timezone"].Scalar();
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(s.timezone)));
    if (!tz || *tz == icu::TimeZone::getUnknown())
      return rd.error(e["timezone"], "'" + s.timezone + "' is not an IANA time zone such as America/Chicago");
  }
  if (e["shifts"]) {
    if (!e["shifts"].IsSequence() || e["shifts"].size() == 0 || e["shifts"].size() > 6)
      return rd.error(e["shifts"], "shifts must list 1 to 6 local hours at which shifts start, e.g. [7, 19]");
    s.shifts.clear();
    for (const auto& h : e["shifts"]) {
      auto v = rd.integer(h, "a shift start hour", 0, 23);
      if (!v) return v.error();
      if (!s.shifts.empty() && *v <= s.shifts.back()) return rd.error(h, "shift start hours must increase");
      s.shifts.push_back(*v);
    }
  }
  if (e["mobile_applications"]) {
    auto apps = rd.strings(e["mobile_applications"], "mobile_applications");
    if (!apps) return apps.error();
    s.mobile_applications.clear();
    for (const auto& a : *apps) s.mobile_applications.push_back(ascii_lowercase(a));
  }
  if (e["sites"])
    if (Status st = read_sites(rd, e["sites"], s); !st) return st;
  if (e["vip_patients"])
    if (Status st = read_vips(rd, e["vip_patients"], s, key); !st) return st;
  if (const auto& c = e["cold_start"]) {
    if (Status st = rd.only_keys(c, {"min_active_hours", "min_days"}, "cold_start"); !st) return st;
    if (c["min_active_hours"]) {
      auto v = rd.integer(c["min_active_hours"], "cold_start.min_active_hours", 1, 32);
      if (!v) return v.error();
      s.cold_min_active_hours = *v;
    }
    if (c["min_days"]) {
      auto v = rd.integer(c["min_days"], "cold_start.min_days", 0, 365);
      if (!v) return v.error();
      s.cold_min_days = *v;
    }
  }
  if (e["detections"])
    if (Status st = read_detections(rd, e["detections"], s); !st) return st;
  if (const auto& r = e["risk"]) {
    if (Status st = rd.only_keys(r, {"half_life_hours", "signal_at"}, "risk"); !st) return st;
    if (r["half_life_hours"]) {
      auto v = rd.number(r["half_life_hours"], "risk.half_life_hours", 0.1, 24 * 365);
      if (!v) return v.error();
      s.risk_half_life_hours = *v;
    }
    if (r["signal_at"]) {
      auto v = rd.number(r["signal_at"], "risk.signal_at", 0, 100000);
      if (!v) return v.error();
      s.risk_signal_at = *v;
    }
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const Settings>> Settings::parse(std::string_view yaml, const std::string& where,
                                                        const PatientKey& key) {
  Reader rd;
  rd.file = where;
  rd.code = "invalid_ehr_settings";
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return make_error(rd.code, where + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                                   ": not valid YAML: " + e.msg);
  }
  auto s = std::make_shared<Settings>();
  if (root.IsNull()) return std::shared_ptr<const Settings>(s);
  if (!root.IsMap() || !root["ehr"]) return make_error(rd.code, where + ": expected a top-level 'ehr:' section (docs/ehr-analytics.md)");
  try {
    if (Status st = rd.only_keys(root, {"ehr"}, "the top level"); !st) return st.error();
    if (Status st = read_settings(rd, root["ehr"], *s, key); !st) return st.error();
  } catch (const YAML::Exception& e) {
    return make_error(rd.code, where + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return std::shared_ptr<const Settings>(s);
}

Result<std::shared_ptr<const Settings>> Settings::load(const std::string& path, const PatientKey& key) {
  auto text = read_file(path, "EHR analytics settings");
  if (!text) return text.error();
  return parse(*text, path, key);
}

}  // namespace wardline::ehr
