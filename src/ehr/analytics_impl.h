// Internal: the analytics' state and what each detection sees of one event.
#pragma once

#include <unicode/timezone.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "access/access.h"
#include "core/ip.h"
#include "ehr/baseline.h"
#include "ehr/ehr.h"

namespace wardline::ehr {

struct PeerEntry {
  PeerState state;
  bool dirty = false;
};

struct UserEntry {
  UserState state;
  bool dirty = false;
};

// Where an access came from, as far as anyone can tell.
struct Place {
  std::string label;  // site name, "country DE", or "41.9,-87.6"
  bool located = false;
  double latitude = 0, longitude = 0;
};

// One event, resolved: who, which peer group, when locally, where.
struct Seen {
  const AccessEvent& event;
  std::string role{}, department{};
  int local_hour = 0;
  int64_t utc_offset = 0;  // seconds local time is ahead of UTC
  int64_t hour = 0;  // Unix hours
  int64_t shift = 0;
  double hour_patients = 0, shift_patients = 0;  // distinct, including this event
  std::optional<Place> place{};
  bool user_warm = false;  // enough history for the user's own baseline
  bool settled = false;    // long enough in the hospital for "new" to mean something
};

struct Analytics::Impl {
  std::shared_ptr<const Settings> settings;
  std::shared_ptr<const access::Directory> directory;
  std::shared_ptr<const access::GeoIp> geoip;
  Sources sources;
  size_t max_users;

  std::mutex mu;
  std::unordered_map<std::string, UserEntry> users;
  std::unordered_map<std::string, PeerEntry> peers;
  std::unordered_map<std::string, std::string> evicted;  // key -> encoded state, saved at the next save()
  std::unordered_set<uint32_t> hospital_devices;         // every device anyone was seen on
  std::unordered_map<std::string, const VipPatient*> vips;
  std::vector<std::pair<IpNetwork, const Site*>> site_networks;
  std::unique_ptr<icu::TimeZone> zone;
  int64_t offset_hour = INT64_MIN;  // the Unix hour offset_seconds is for
  int64_t offset_seconds = 0;

  Impl(std::shared_ptr<const Settings> s, std::shared_ptr<const access::Directory> d,
       std::shared_ptr<const access::GeoIp> g, Sources src, size_t max);
  int64_t local_offset(int64_t t);
  int64_t shift_of(int64_t local_time) const;
  std::optional<Place> place_of(const AccessEvent& e) const;
  void evict_oldest();
  void observe(const AccessEvent& e, std::vector<Alert>& alerts);
};

// The detections, in docs/ehr-analytics.md order. Each may append an alert.
struct Detections {
  const Settings& s;
  const Seen& seen;
  UserState& user;
  PeerState& peer;
  std::vector<Alert>& alerts;
  const Sources& sources;

  void vip_snooping(const VipPatient* vip);
  void volume_spike();
  void off_hours();
  void new_device(bool known_in_hospital);
  void new_location();
  void impossible_travel();
  void lateral_movement(bool mobile);

 private:
  Alert& raise(std::string_view kind, std::string severity, double weight, std::string explanation);
  std::string peers_phrase() const;  // "nurses on 4 North"
};

}  // namespace wardline::ehr
