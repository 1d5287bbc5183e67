// Internal: the compiled access policy, shared by the YAML reader
// (policy.cpp) and the decision (decide.cpp).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "access/access.h"
#include "core/ip.h"

namespace wardline::access {

enum class Effect { allow, step_up, deny };

// One rule's conditions; an empty list or a zero mask matches anything.
// Conditions are ANDed; the values of one condition ORed.
struct Conditions {
  std::vector<std::string> categories, actions, roles, groups, users, resources, signals;
  std::vector<std::string> countries, not_countries;  // ISO codes, upper case; an unknown country is in none
  uint32_t device_states = 0;  // bit per kDeviceStates
  uint32_t ownerships = 0;     // bit per kOwnerships
  uint64_t zones = 0, not_zones = 0;  // bit per zone index
  int min_risk = -1;                  // risk at least this (Risk as int)
  int assurance_below = -1;           // presented assurance below this
  int64_t auth_age_over = -1;         // seconds since authentication above this (unknown counts as over)
  int from_minute = -1, to_minute = -1;  // local time window [from, to), may wrap midnight
  uint32_t days = 0;                  // bit per weekday, Monday = bit 0
};

struct Rule {
  std::string name;
  bool report_only = false;
  Conditions when;
  Effect effect = Effect::allow;
  Assurance step_up_to = Assurance::none;
};

struct Session {
  int64_t max_age = 8 * 3600, reauth_after = 4 * 3600;
};

struct Policy::Impl {
  std::string timezone = "UTC";
  std::vector<IssuerConfig> issuers;
  AcrLevels acr_levels;
  std::vector<std::string> zone_names;
  std::vector<std::vector<IpNetwork>> zone_networks;  // by zone index
  std::map<std::string, Risk> signal_risk;
  std::array<Session, 3> sessions;  // by Risk
  std::unordered_map<std::string, std::vector<std::string>> roles;  // role -> categories it may reach
  std::vector<Rule> rules;
  // Rules by the category they name; rules naming none apply to every
  // category. Each list keeps file order.
  std::unordered_map<std::string, std::vector<const Rule*>> by_category;
  std::vector<const Rule*> any_category;
  int64_t shared_window = 600;
  std::vector<std::string> generic_names;  // glob patterns: nurse*, *station*
  std::shared_ptr<const GeoIp> geoip;      // opened with the policy, so a reload picks up a new database
  double travel_max_kmh = 900;             // about an airliner's cruising speed
  int failed_logins_count = 5;
  int64_t failed_logins_window = 900;
};

constexpr std::string_view kDeviceStates[] = {"compliant", "grace", "noncompliant", "quarantined", "unknown"};
constexpr std::string_view kOwnerships[] = {"corporate", "byod", "unknown"};
constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

}  // namespace wardline::access
