// The analytics loop: each event is resolved (peer group, local time, place),
// checked by every detection against the baselines as they were, and only
// then learned from, so an anomaly never hides itself.
#include <algorithm>
#include <cmath>

#include "core/time.h"
#include "ehr/analytics_impl.h"
#include "store/store.h"

namespace wardline::ehr {

Analytics::Impl::Impl(std::shared_ptr<const Settings> s, std::shared_ptr<const access::Directory> d,
                      std::shared_ptr<const access::GeoIp> g, Sources src, size_t max)
    : settings(std::move(s)), directory(std::move(d)), geoip(std::move(g)), sources(std::move(src)), max_users(std::max<size_t>(max, 16)) {
  zone.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(settings->timezone)));
  for (const auto& v : settings->vip_patients) vips[v.patient] = &v;
  for (const auto& site : settings->sites)
    for (const auto& c : site.cidrs)
      if (auto net = parse_ip_network(c)) site_networks.emplace_back(*net, &site);
}

// The zone's UTC offset, looked up once per hour of events.
int64_t Analytics::Impl::local_offset(int64_t t) {
  int64_t hour = t / 3600;
  if (hour != offset_hour) {
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone->getOffset(static_cast<UDate>(t) * 1000.0, false, raw, dst, status);
    offset_seconds = U_SUCCESS(status) ? (raw + dst) / 1000 : 0;
    offset_hour = hour;
  }
  return offset_seconds;
}

// Shifts are numbered from the epoch: day * 8 + the index of the shift that
// started last (a night shift belongs to the day it started).
int64_t Analytics::Impl::shift_of(int64_t local_time) const {
  int64_t day = local_time >= 0 ? local_time / 86400 : (local_time - 86399) / 86400;
  int hour = static_cast<int>((local_time - day * 86400) / 3600);
  const auto& starts = settings->shifts;
  for (size_t i = starts.size(); i-- > 0;)
    if (hour >= starts[i]) return day * 8 + static_cast<int64_t>(i);
  return (day - 1) * 8 + static_cast<int64_t>(starts.size() - 1);
}

std::optional<Place> Analytics::Impl::place_of(const AccessEvent& e) const {
  if (!e.source_ip.empty()) {
    if (auto address = parse_ip_network(e.source_ip)) {
      for (const auto& [net, site] : site_networks)
        if (network_contains(net, *address)) return Place{site->name, true, site->latitude, site->longitude};
      if (geoip)
        if (auto where = geoip->lookup(e.source_ip); where && !where->country.empty())
          return Place{"country " + where->country, where->located, where->latitude, where->longitude};
    }
  }
  if (e.position) {
    char label[48];
    std::snprintf(label, sizeof label, "%.1f,%.1f", e.position->first, e.position->second);
    return Place{label, true, e.position->first, e.position->second};
  }
  return std::nullopt;
}

// Forgets the least recently active tenth of the users; what they learned
// since the last save is kept for the next one.
void Analytics::Impl::evict_oldest() {
  std::vector<int64_t> seen;
  seen.reserve(users.size());
  for (const auto& [name, u] : users) seen.push_back(u.state.last_seen);
  auto cut = seen.begin() + seen.size() / 10;
  std::nth_element(seen.begin(), cut, seen.end());
  int64_t before = *cut;
  for (auto it = users.begin(); it != users.end();) {
    if (it->second.state.last_seen <= before && users.size() > max_users * 9 / 10) {
      if (it->second.dirty) evicted["user:" + it->first] = encode_state(it->second.state);
      it = users.erase(it);
    } else {
      ++it;
    }
  }
}

namespace {
constexpr size_t kMaxHospitalDevices = 1 << 20;
constexpr size_t kMaxPeers = 4096;
}  // namespace

void Analytics::Impl::observe(const AccessEvent& e, std::vector<Alert>& alerts) {
  if (e.user.empty() || e.time <= 0) return;
  const Settings& s = *settings;
  Seen seen{.event = e, .role = e.role, .department = e.department};
  if (seen.role.empty() || seen.department.empty())
    if (const access::Person* p = directory ? directory->find(e.user) : nullptr) {
      if (seen.role.empty()) seen.role = p->role;
      if (seen.department.empty()) seen.department = p->department;
    }

  auto found = users.find(e.user);
  if (found == users.end()) {
    if (users.size() >= max_users) evict_oldest();
    found = users.emplace(e.user, UserEntry{}).first;
    found->second.state.first_seen = e.time;
  }
  UserEntry& entry = found->second;
  UserState& u = entry.state;
  entry.dirty = true;
  const std::string peer_key = seen.role + "\x1f" + seen.department;
  auto peer_it = peers.find(peer_key);
  if (peer_it == peers.end()) {
    if (peers.size() >= kMaxPeers) peer_it = peers.try_emplace("\x1f").first;  // the overflow group
    else peer_it = peers.try_emplace(peer_key).first;
  }
  PeerEntry& peer = peer_it->second;
  peer.dirty = true;

  // Roll the hour and the shift: a finished one becomes a baseline sample.
  seen.utc_offset = local_offset(e.time);
  const int64_t local = e.time + seen.utc_offset;
  seen.local_hour = static_cast<int>(((local % 86400) + 86400) % 86400 / 3600);
  seen.hour = e.time / 3600;
  seen.shift = shift_of(local);
  if (seen.hour > u.hour) {
    if (u.hour >= 0) {  // the finished hour joins the baselines only now, so it cannot excuse itself
      double n = u.hour_patients.estimate();
      u.hourly.push(n);
      peer.state.hourly.push(n);
      const int64_t start = u.hour * 3600;
      const int finished_local_hour = static_cast<int>((((start + local_offset(start)) % 86400) + 86400) % 86400 / 3600);
      u.profile.add_hour(finished_local_hour);
      peer.state.profile.add_hour(finished_local_hour);
    }
    u.hour = seen.hour;
    u.hour_patients.clear();
  }
  if (seen.shift > u.shift) {
    if (u.shift >= 0 && u.shift_patients.set > 0) {
      double n = u.shift_patients.estimate();
      u.per_shift.push(n);
      peer.state.per_shift.push(n);
    }
    u.shift = seen.shift;
    u.shift_patients.clear();
  }
  const bool current = seen.hour == u.hour;  // an old event replayed late counts for what, not how many
  if (!e.patient.empty() && current) {
    uint64_t h = hash_of(e.patient);
    u.hour_patients.add(h);
    u.shift_patients.add(h);
  }
  seen.hour_patients = u.hour_patients.estimate();
  seen.shift_patients = u.shift_patients.estimate();
  seen.place = place_of(e);
  seen.user_warm = u.hourly.size() >= static_cast<size_t>(s.cold_min_active_hours);
  seen.settled = e.time - u.first_seen >= int64_t{s.cold_min_days} * 86400;

  // Detect against what was known before this event.
  Detections d{s, seen, u, peer.state, alerts, sources};
  if (!e.patient.empty()) {
    auto vip = vips.find(e.patient);
    if (vip != vips.end()) d.vip_snooping(vip->second);
  }
  if (current) d.volume_spike();
  d.off_hours();
  const uint64_t dev = e.device.empty() ? 0 : hash_of(e.device);
  if (dev) d.new_device(hospital_devices.count(short_key(dev)) > 0);
  if (seen.place) {
    d.new_location();
    d.impossible_travel();
  }
  const bool mobile = std::find(s.mobile_applications.begin(), s.mobile_applications.end(), e.application) !=
                      s.mobile_applications.end();
  d.lateral_movement(mobile);

  // Learn.
  if (dev) {
    u.devices.touch(dev, e.time);
    // A device or place alerted on as new teaches no one else until the user has moved on.
    if (short_key(dev) != u.alerted_device && hospital_devices.size() < kMaxHospitalDevices)
      hospital_devices.insert(short_key(dev));
  }
  if (seen.place) {
    uint64_t where = hash_of(seen.place->label);
    u.locations.touch(where, e.time);
    if (short_key(where) != u.alerted_place) peer.state.locations.touch(where, e.time);
  }
  if (!e.application.empty()) u.applications.touch(hash_of(e.application), e.time);
  if (!e.resource_type.empty()) u.resource_types.touch(hash_of(e.resource_type), e.time);
  u.last_seen = std::max(u.last_seen, e.time);
}

// ------------------------------------------------------------------ public face

Analytics::Analytics(std::shared_ptr<const Settings> settings, std::shared_ptr<const access::Directory> directory,
                     std::shared_ptr<const access::GeoIp> geoip, Sources sources, size_t max_users)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(directory), std::move(geoip), std::move(sources), max_users)) {}

Analytics::~Analytics() = default;

void Analytics::observe(const AccessEvent& event, std::vector<Alert>& alerts) {
  std::lock_guard lock(impl_->mu);
  impl_->observe(event, alerts);
}

size_t Analytics::users() const {
  std::lock_guard lock(impl_->mu);
  return impl_->users.size();
}

Status Analytics::load(store::Store& store) {
  auto rows = store.query("SELECT key, state FROM ehr_baselines ORDER BY updated_at DESC");
  if (!rows) return rows.error();
  std::lock_guard lock(impl_->mu);
  for (const auto& row : *rows) {
    std::string key = row.text(0), text = row.text(1);
    if (key.rfind("user:", 0) == 0) {
      if (impl_->users.size() >= impl_->max_users) continue;  // the most recently saved first
      UserEntry entry;
      if (!decode_state(text, entry.state)) continue;  // another build's layout: start over
      for (const auto& d : entry.state.devices.entries)
        if (d.key) impl_->hospital_devices.insert(d.key);
      impl_->users[key.substr(5)] = entry;
    } else if (key.rfind("peer:", 0) == 0) {
      PeerEntry entry;
      if (decode_state(text, entry.state)) impl_->peers[key.substr(5)] = entry;
    }
  }
  return {};
}

Status Analytics::save(store::Store& store) {
  std::vector<std::pair<std::string, std::string>> changed;
  {
    std::lock_guard lock(impl_->mu);
    for (auto& [key, text] : impl_->evicted) changed.emplace_back(key, std::move(text));
    impl_->evicted.clear();
    for (auto& [name, u] : impl_->users)
      if (u.dirty) {
        changed.emplace_back("user:" + name, encode_state(u.state));
        u.dirty = false;
      }
    for (auto& [name, p] : impl_->peers)
      if (p.dirty) {
        changed.emplace_back("peer:" + name, encode_state(p.state));
        p.dirty = false;
      }
  }
  const int64_t now = unix_now();
  Status st = store.transaction([&](store::Executor& tx) -> Status {
    for (const auto& [key, text] : changed)
      if (auto r = tx.execute("INSERT INTO ehr_baselines (key, state, updated_at) VALUES (?, ?, ?) "
                              "ON CONFLICT (key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                              {key, text, now});
          !r)
        return r.error();
    return {};
  });
  if (!st) {  // keep what was not written for the next attempt (newer state in memory still wins)
    std::lock_guard lock(impl_->mu);
    for (auto& [key, text] : changed) impl_->evicted.try_emplace(key, std::move(text));
  }
  return st;
}

}  // namespace wardline::ehr
