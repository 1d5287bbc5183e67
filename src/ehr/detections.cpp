// The detections: each compares one access with the user's and their peer
// group's baselines and, when it stands out, raises an alert that says in
// plain words what happened and what is usual. No patient is ever named.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "access/access.h"
#include "core/ids.h"
#include "core/strings.h"
#include "ehr/analytics_impl.h"

namespace wardline::ehr {
namespace {

constexpr double kSigmaPerMad = 1.4826;  // MAD -> standard deviation for normal data
constexpr size_t kMinPeerSamples = 8;
constexpr size_t kMinOwnShifts = 5;

std::string whole(double v) { return std::to_string(static_cast<long long>(std::llround(v))); }

std::string range(double lo, double hi) {
  std::string a = whole(lo), b = whole(hi);
  return a == b ? a : a + "–" + b;
}

std::string hour_label(int h) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:00", h % 24);
  return buf;
}

const char* severity_above(const std::string& s) {
  if (s == "low") return "medium";
  if (s == "medium") return "high";
  return "critical";
}

// The usual count and its spread; nullopt without enough samples.
template <size_t N>
std::optional<std::pair<double, double>> centre_and_spread(const Ring<N>& ring, size_t min_samples) {
  if (ring.size() < min_samples) return std::nullopt;
  return std::make_pair(ring.quantile(0.5), std::max(kSigmaPerMad * ring.mad(), 1.0));
}

// The inventory names people by UPN ("jdoe@hospital.org"), EHRs often by
// the local part alone.
bool same_person(const std::string& upn, const std::string& user) {
  const std::string a = ascii_lowercase(upn), b = ascii_lowercase(user);
  return a == b || (a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '@');
}

}  // namespace

std::string Detections::peers_phrase() const {
  std::string role = seen.role;
  std::replace(role.begin(), role.end(), '_', ' ');
  std::string who = role.empty() ? "staff"
                    : (role.size() > 3 && role.compare(role.size() - 3, 3, "ing") == 0) ? role + " staff"
                    : role.back() == 's' ? role
                                         : role + "s";
  if (seen.department.empty()) return who;
  bool unit = ascii_digit(seen.department[0]);  // "4 North": on a floor
  return who + (unit ? " on " : " in ") + seen.department;
}

Alert& Detections::raise(std::string_view kind, std::string severity, double weight, std::string explanation) {
  const AccessEvent& e = seen.event;
  Alert a;
  a.id = new_id("ehr");
  a.user = e.user;
  a.kind = kind;
  a.severity = std::move(severity);
  a.weight = weight;
  a.at = e.time;
  a.explanation = std::move(explanation);
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) a.details[key] = v;
  };
  put("role", seen.role);
  put("department", seen.department);
  put("application", e.application);
  put("device", e.device);
  put("source_ip", e.source_ip);
  put("resource_type", e.resource_type);
  put("action", e.action);
  if (seen.place) put("location", seen.place->label);
  // A stolen password shows itself as unusual access soon after the phish.
  if (sources.compromised)
    if (auto why = sources.compromised(e.user, e.device, e.time)) {
      a.severity = severity_above(a.severity);
      a.weight *= s.compromise.weight_factor;
      a.details["likely_compromised"] = *why;
      a.explanation += "; likely a compromised credential: " + *why;
    }
  alerts.push_back(std::move(a));
  return alerts.back();
}

void Detections::vip_snooping(const VipPatient* vip) {
  const auto& allowed = vip->allowed_departments;
  if (!seen.department.empty() && std::find(allowed.begin(), allowed.end(), seen.department) != allowed.end()) return;
  const uint64_t once_a_day = hash_of(vip->patient + "\n" + std::to_string(seen.event.time / 86400));
  if (user.vips_opened.contains(once_a_day)) return;
  user.vips_opened.touch(once_a_day, seen.event.time);
  std::string expected;
  for (const auto& d : allowed) expected += (expected.empty() ? "" : ", ") + d;
  std::string what = seen.event.resource_type.empty() ? "chart" : seen.event.resource_type;
  auto& a = raise("vip_snooping", "high", s.vip_snooping.weight,
                  "opened the chart of VIP patient '" + vip->label + "' (" + what + ", " + seen.event.action + ") from " +
                      (seen.department.empty() ? "an unknown department" : seen.department) +
                      (expected.empty() ? "; no department is expected to" : "; only " + expected + " staff are expected to"));
  a.details["vip"] = vip->label;
}

void Detections::volume_spike() {
  const auto& v = s.volume_spike;
  const double n = seen.hour_patients;
  if (n < v.min_patients && seen.shift_patients < 2.0 * v.min_patients) return;  // the usual case, cheaply
  const bool own = seen.user_warm;
  // Far above the median (in robust deviations) and well past a busy hour
  // (or shift); nullopt without enough samples.
  auto bar = [&](const auto& ring, size_t min_samples, double floor) -> std::optional<double> {
    auto base = centre_and_spread(ring, min_samples);
    if (!base) return std::nullopt;
    return std::max({floor, base->first + v.mad_factor * base->second, v.busy_factor * ring.quantile(0.9)});
  };
  // Cold start with no peers either: twice the floor.
  const double threshold =
      (own ? bar(user.hourly, 1, v.min_patients) : bar(peer.hourly, kMinPeerSamples, v.min_patients)).value_or(2.0 * v.min_patients);
  if (n >= threshold && user.volume_alerted_hour != seen.hour) {
    user.volume_alerted_hour = seen.hour;
    user.volume_alerted_shift = seen.shift;  // the shift's count is this hour's news too
    std::string usual = peer.hourly.size() >= kMinPeerSamples
                            ? peers_phrase() + " usually open " + range(peer.hourly.quantile(0.1), peer.hourly.quantile(0.9))
                            : "there is no baseline for " + peers_phrase() + " yet";
    std::string mine = own ? seen.event.user + " usually " + range(user.hourly.quantile(0.1), user.hourly.quantile(0.9))
                           : seen.event.user + " has no baseline of their own yet";
    auto& a = raise("volume_spike", n >= 3 * threshold ? "high" : "medium", v.weight,
                    "opened " + whole(n) + " patient charts in 1 hour (" + hour_label(seen.local_hour) + "–" +
                        hour_label(seen.local_hour + 1) + " " + s.timezone + "); " + usual + "; " + mine);
    a.details["patients"] = whole(n);
    a.details["threshold"] = whole(threshold);
    a.details["window"] = "hour";
    return;
  }
  // Slow harvesting: each hour under the bar, the shift far above it.
  // Shifts vary too much between colleagues (partial shifts, floats) for a
  // peer baseline: only the user's own shifts count.
  if (user.volume_alerted_shift == seen.shift) return;
  auto shift_bar = bar(user.per_shift, kMinOwnShifts, 2.0 * v.min_patients);
  const double m = seen.shift_patients;
  if (!shift_bar || m < *shift_bar) return;
  const double shift_threshold = *shift_bar;
  user.volume_alerted_shift = seen.shift;
  auto& a = raise("volume_spike", "medium", v.weight,
                  "opened " + whole(m) + " patient charts this shift; " + peers_phrase() + " usually open " +
                      range(peer.per_shift.quantile(0.1), peer.per_shift.quantile(0.9)) + " per shift");
  a.details["patients"] = whole(m);
  a.details["threshold"] = whole(shift_threshold);
  a.details["window"] = "shift";
}

// Several charts in a stretch of hours the user (or, for a new starter, their
// peer group) almost never works; the stretch runs across clock hours.
void Detections::off_hours() {
  const auto& o = s.off_hours;
  const AccessEvent& e = seen.event;
  // A profile needs a few shifts before an hour can be called unusual.
  const float enough = 3.0f * s.cold_min_active_hours;
  const bool own = user.profile.total() >= enough;
  const HourProfile* profile = own ? &user.profile : peer.profile.total() >= enough ? &peer.profile : nullptr;
  if (!profile) return;
  // A stretch is judged by the hour it began in: its own first hour, once
  // finished, must not make the next one look usual.
  if (e.time - user.off_hours_last > 3600) {
    const double share = profile->share_near(seen.local_hour);
    if (share > o.max_profile_share) return;
    user.off_hours_patients.clear();
    user.off_hours_from = e.time;
    user.off_hours_share = static_cast<float>(share);
  }
  user.off_hours_last = e.time;
  if (!e.patient.empty()) user.off_hours_patients.add(hash_of(e.patient));
  const double n = user.off_hours_patients.estimate();
  if (n < o.min_patients || e.time - user.off_hours_alerted_at < 8 * 3600) return;
  user.off_hours_alerted_at = e.time;
  char pct[16], from[8], to[8];
  std::snprintf(pct, sizeof pct, "%.1f%%", 100.0 * user.off_hours_share);
  auto clock = [&](int64_t t, char* buf) {
    int64_t minute = (((t + seen.utc_offset) % 86400) + 86400) % 86400 / 60;
    std::snprintf(buf, 8, "%02d:%02d", static_cast<int>(minute / 60), static_cast<int>(minute % 60));
  };
  clock(user.off_hours_from, from);
  clock(e.time, to);
  auto& a = raise("off_hours", "medium", o.weight,
                  "opened " + whole(n) + " patient charts between " + from + " and " + to + " " + s.timezone + "; " +
                      (own ? e.user + " is" : peers_phrase() + " are") + " almost never active then (" + pct +
                      " of their activity falls within two hours of it)");
  a.details["local_hour"] = std::to_string(seen.local_hour);
}

void Detections::new_device(bool known_in_hospital) {
  const AccessEvent& e = seen.event;
  if (!seen.settled || user.devices.size() == 0 || known_in_hospital || user.devices.contains(hash_of(e.device))) return;
  if (sources.device_user)
    if (auto owner = sources.device_user(e.device); owner && same_person(*owner, e.user)) return;  // a new phone, enrolled
  raise("new_device", "low", s.new_device.weight,
        "used device '" + e.device + "' for the first time" + (e.application.empty() ? "" : " (" + e.application + ")") +
            ", and no one else in the hospital has used it; " + e.user + " has " +
            std::to_string(user.devices.size()) + " known device(s)");
  user.alerted_device = short_key(hash_of(e.device));
}

void Detections::new_location() {
  const Place& p = *seen.place;
  const uint64_t where = hash_of(p.label);
  if (!seen.settled || user.locations.size() == 0 || user.locations.contains(where) || peer.locations.contains(where)) return;
  raise("new_location", "medium", s.new_location.weight,
        "accessed from " + p.label + " for the first time; neither " + seen.event.user + " nor " + peers_phrase() +
            " have worked from there before");
  user.alerted_place = short_key(where);
}

void Detections::impossible_travel() {
  const Place& p = *seen.place;
  const AccessEvent& e = seen.event;
  if (!p.located || e.time < user.located_at) return;
  const uint64_t where = hash_of(p.label);
  if (user.located_at > 0 && where != user.location_key) {
    double km = access::distance_km(user.latitude, user.longitude, p.latitude, p.longitude);
    double hours = std::max<int64_t>(e.time - user.located_at, 60) / 3600.0;
    double kmh = km / hours;
    if (km >= 100 && kmh > s.impossible_travel.max_kmh) {
      if (user.travel_alerted_place == short_key(where)) return;  // the same trip, already alerted on
      user.travel_alerted_place = short_key(where);
      std::string before(user.located_label.data(), strnlen(user.located_label.data(), user.located_label.size()));
      auto& a = raise("impossible_travel", "high", s.impossible_travel.weight,
                      "accessed from " + p.label + " " + whole((e.time - user.located_at) / 60.0) + " min after " + before +
                          ": " + whole(km) + " km apart, " + whole(kmh) + " km/h (more than " +
                          whole(s.impossible_travel.max_kmh) + ")");
      a.details["km"] = whole(km);
      a.details["kmh"] = whole(kmh);
      return;  // only a plausible access becomes the one the next is compared with
    }
  }
  user.latitude = static_cast<float>(p.latitude);
  user.longitude = static_cast<float>(p.longitude);
  user.located_at = e.time;
  user.location_key = where;
  user.located_label.fill(0);
  std::memcpy(user.located_label.data(), p.label.data(), std::min(p.label.size(), user.located_label.size() - 1));
}

// A credential fanning out: many applications or hosts within minutes, while
// (or just after) the user is active on a mobile app.
void Detections::lateral_movement(bool mobile) {
  const AccessEvent& e = seen.event;
  const int64_t window = int64_t{s.lateral_movement.window_minutes} * 60;
  const std::string& host = e.device.empty() ? e.source_ip : e.device;
  if (mobile) {
    if (user.mobile_at == 0 || e.time - user.mobile_at > window) user.lateral_alerted = false;  // a new session
    user.mobile_at = std::max(user.mobile_at, e.time);
    user.mobile_device = hash_of(host);
    return;
  }
  if (!e.application.empty()) user.other_apps.touch(short_key(hash_of(e.application)), e.time);
  if (!host.empty() && hash_of(host) != user.mobile_device) user.other_hosts.touch(short_key(hash_of(host)), e.time);
  if (user.mobile_at == 0 || e.time - user.mobile_at > window || user.lateral_alerted) return;
  const size_t apps = user.other_apps.count_since(e.time - window), hosts = user.other_hosts.count_since(e.time - window);
  if (apps + hosts < static_cast<size_t>(s.lateral_movement.min_targets)) return;
  user.lateral_alerted = true;
  auto& a = raise("lateral_movement", "high", s.lateral_movement.weight,
                  "within " + std::to_string(s.lateral_movement.window_minutes) + " minutes of mobile app use, used " +
                      std::to_string(apps) + " application(s) on " + std::to_string(hosts) + " other host(s) (latest: " +
                      (e.application.empty() ? "?" : e.application) + " on " + (host.empty() ? "an unknown host" : host) + ")");
  a.details["applications"] = std::to_string(apps);
  a.details["hosts"] = std::to_string(hosts);
}

}  // namespace wardline::ehr
