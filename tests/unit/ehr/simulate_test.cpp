// The synthetic hospital: deterministic, in time order, a baseline that
// looks like a hospital (nurses' charts per hour, billing's business
// hours), and labelled anomalies of every kind after the warm-up whose
// events are what their kind says.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "ehr/ehr.h"

namespace wardline::ehr {
namespace {

constexpr int64_t kDay = 86400;

// The default hospital, simulated once: the tests only read it.
const Simulation& hospital() {
  static const Simulation s = simulate({});
  return s;
}

// Each user's events, in time order.
const std::map<std::string, std::vector<const SimulatedEvent*>>& by_user() {
  static const auto users = [] {
    std::map<std::string, std::vector<const SimulatedEvent*>> m;
    for (const SimulatedEvent& e : hospital().events) m[e.event.user].push_back(&e);
    return m;
  }();
  return users;
}

// The user's events in [from, to].
std::vector<const SimulatedEvent*> events_of(const std::string& user, int64_t from, int64_t to) {
  std::vector<const SimulatedEvent*> out;
  for (const SimulatedEvent* e : by_user().at(user))
    if (e->event.time >= from && e->event.time <= to) out.push_back(e);
  return out;
}

std::string role_of(const std::string& user) {
  for (const SimulatedStaff& s : hospital().staff)
    if (s.user == user) return s.role;
  return "";
}

auto fields(const SimulatedEvent& s) {
  const AccessEvent& e = s.event;
  return std::tie(e.time, e.user, e.role, e.department, e.application, e.device, e.source_ip, e.patient,
                  e.resource_type, e.action, e.outcome, e.position, s.patient_id);
}

bool same_events(const Simulation& a, const Simulation& b) {
  return std::equal(a.events.begin(), a.events.end(), b.events.begin(), b.events.end(),
                    [](const auto& x, const auto& y) { return fields(x) == fields(y); });
}

bool hospital_network(const std::string& ip) { return ip.starts_with("10."); }

int64_t median(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

TEST(Simulation, SameSeedSameHospitalAnotherSeedAnother) {
  SimulationOptions o;
  o.users = 40;
  o.days = 9;
  Simulation a = simulate(o), b = simulate(o);
  EXPECT_TRUE(same_events(a, b));
  ASSERT_EQ(a.anomalies.size(), b.anomalies.size());
  for (size_t i = 0; i < a.anomalies.size(); ++i) {
    const auto &x = a.anomalies[i], &y = b.anomalies[i];
    EXPECT_EQ(std::tie(x.kind, x.user, x.start, x.end, x.after_phish, x.description),
              std::tie(y.kind, y.user, y.start, y.end, y.after_phish, y.description));
  }
  EXPECT_EQ(a.phished, b.phished);
  EXPECT_EQ(a.settings_yaml, b.settings_yaml);

  o.seed = 2;
  Simulation c = simulate(o);
  EXPECT_FALSE(same_events(a, c));
  EXPECT_NE(a.staff[0].user, c.staff[0].user);
  EXPECT_NE(a.settings_yaml, c.settings_yaml);  // other VIPs
}

TEST(Simulation, EventsInTimeOrderInsideTheSpan) {
  const Simulation& s = hospital();
  const SimulationOptions o;
  ASSERT_GE(s.events.size(), 300000u);
  ASSERT_LE(s.events.size(), 1000000u);
  EXPECT_TRUE(std::is_sorted(s.events.begin(), s.events.end(),
                             [](const auto& a, const auto& b) { return a.event.time < b.event.time; }));
  EXPECT_GE(s.events.front().event.time, o.start);
  EXPECT_LT(s.events.back().event.time, o.start + o.days * kDay);

  std::set<std::string> staff;
  for (const SimulatedStaff& p : s.staff) staff.insert(p.user);
  EXPECT_EQ(staff.size(), 200u);
  size_t with_role = 0, with_department = 0;
  for (const SimulatedEvent& e : s.events) {
    ASSERT_TRUE(e.event.patient.empty()) << "the caller hashes patient_id";
    ASSERT_TRUE(e.patient_id.empty() || e.patient_id.starts_with("MRN")) << e.patient_id;
    ASSERT_TRUE(staff.count(e.event.user)) << e.event.user;
    with_role += !e.event.role.empty();
    with_department += !e.event.department.empty();
  }
  // Records carry the role more often than the department, and neither always: the directory fills them.
  EXPECT_GT(with_role, with_department);
  EXPECT_GT(with_department, 0u);
  EXPECT_LT(with_role, s.events.size());
}

TEST(Simulation, StaffHaveRolesDepartmentsAndDevicesOfTheirOwn) {
  const std::set<std::string> roles = {"nurse",      "physician", "resident",  "radiologist",
                                       "pharmacist", "billing",   "registrar", "him_coder"};
  std::set<std::string> seen;
  for (const SimulatedStaff& p : hospital().staff) {
    EXPECT_TRUE(roles.count(p.role)) << p.role;
    EXPECT_FALSE(p.department.empty());
    seen.insert(p.role);
  }
  EXPECT_EQ(seen, roles);
  // Phones are personal: only their owner uses them.
  std::map<std::string, std::set<std::string>> phone_users;
  for (const SimulatedEvent& e : hospital().events)
    if (e.event.application == "haiku" || e.event.application == "rover")
      phone_users[e.event.device].insert(e.event.user);
  ASSERT_FALSE(phone_users.empty());
  for (const auto& [phone, users] : phone_users) EXPECT_EQ(users.size(), 1u) << phone;
}

TEST(Simulation, EveryKindHasItsAnomaliesAfterTheWarmUpOnDistinctUsers) {
  const Simulation& s = hospital();
  const SimulationOptions o;
  std::set<std::string> users;
  for (std::string_view kind : kDetectionKinds) {
    int n = 0;
    for (const InjectedAnomaly& a : s.anomalies) {
      if (a.kind != kind) continue;
      ++n;
      EXPECT_GE(a.start, o.start + o.warmup_days * kDay) << a.kind;
      EXPECT_LE(a.start, a.end);
      EXPECT_LT(a.end, o.start + o.days * kDay);
      EXPECT_FALSE(events_of(a.user, a.start, a.end).empty()) << a.kind << " " << a.user;
      EXPECT_FALSE(a.description.empty());
      users.insert(a.user);
    }
    EXPECT_EQ(n, o.anomalies_per_kind) << kind;
  }
  EXPECT_EQ(s.anomalies.size(), std::size(kDetectionKinds) * o.anomalies_per_kind);
  EXPECT_EQ(users.size(), s.anomalies.size());
}

TEST(Simulation, EachAnomalyLooksLikeItsKind) {
  const Simulation& s = hospital();
  YAML::Node settings = YAML::Load(s.settings_yaml);
  std::set<std::string> vips;
  for (const auto& v : settings["ehr"]["vip_patients"]) vips.insert(v["id"].as<std::string>());

  for (const InjectedAnomaly& a : s.anomalies) {
    SCOPED_TRACE(a.kind + " " + a.user + ": " + a.description);
    const auto events = events_of(a.user, a.start, a.end);
    std::set<std::string> patients, networks;
    for (const SimulatedEvent* e : events) {
      if (!e->patient_id.empty()) patients.insert(e->patient_id);
      if (!hospital_network(e->event.source_ip)) networks.insert(e->event.source_ip);
    }
    if (a.kind == "volume_spike") {
      EXPECT_GE(patients.size(), 50u);
      EXPECT_LE(a.end - a.start, 3600);
    } else if (a.kind == "off_hours") {
      EXPECT_GE(patients.size(), 5u);
      for (const SimulatedEvent* e : events) {
        int64_t hour = e->event.time % kDay / 3600;
        EXPECT_TRUE(hour >= 1 && hour < 4) << hour;
      }
    } else if (a.kind == "new_device") {
      EXPECT_GE(events.size(), 3u);
      const std::string& device = events.front()->event.device;
      for (const SimulatedEvent* e : by_user().at(a.user)) {
        if (e->event.device == device) {
          EXPECT_GE(e->event.time, a.start) << "used before";
        }
      }
    } else if (a.kind == "new_location" || a.kind == "impossible_travel") {
      EXPECT_FALSE(networks.empty()) << "from outside the hospital";
      if (a.kind == "impossible_travel") {
        // An access from the hospital shortly before.
        auto before = events_of(a.user, a.start - 1800, a.start - 1);
        EXPECT_TRUE(std::any_of(before.begin(), before.end(),
                                [](const SimulatedEvent* e) { return hospital_network(e->event.source_ip); }));
      } else {
        // Nothing else for ten hours either side: the trip is possible.
        EXPECT_EQ(events_of(a.user, a.start - 36000, a.end + 36000).size(), events.size());
      }
    } else if (a.kind == "vip_snooping") {
      auto vip_reads = std::count_if(events.begin(), events.end(),
                                     [&](const SimulatedEvent* e) { return vips.count(e->patient_id) > 0; });
      EXPECT_GE(vip_reads, 1);
      EXPECT_LE(vip_reads, 3);
    } else if (a.kind == "lateral_movement") {
      const AccessEvent& first = events.front()->event;
      EXPECT_TRUE(first.application == "haiku" || first.application == "rover") << first.application;
      EXPECT_LE(a.end - a.start, 600);
      std::set<std::string> targets;
      for (const SimulatedEvent* e : events)
        if (e->event.device != first.device) targets.insert(e->event.application + "@" + e->event.device);
      EXPECT_GE(targets.size(), 5u);
    }
  }
}

TEST(Simulation, AboutAThirdOfTheAnomaliesFollowAPhish) {
  const Simulation& s = hospital();
  size_t after_phish = 0;
  for (const InjectedAnomaly& a : s.anomalies) {
    if (!a.after_phish) continue;
    ++after_phish;
    EXPECT_TRUE(std::any_of(
        s.phished.begin(), s.phished.end(),
        [&](const auto& p) { return p.first == a.user && p.second < a.start && p.second >= a.start - 2 * kDay; }))
        << a.kind << " " << a.user;
  }
  EXPECT_GE(after_phish * 4, s.anomalies.size());
  EXPECT_LE(after_phish * 2, s.anomalies.size());
  EXPECT_EQ(s.phished.size(), after_phish);
}

TEST(Simulation, NursesAndPhysiciansOpenAFewChartsAnHour) {
  std::map<std::string, std::vector<int64_t>> distinct_by_role;
  for (const auto& [user, events] : by_user()) {
    std::map<int64_t, std::set<std::string>> hours;
    for (const SimulatedEvent* e : events)
      if (!e->patient_id.empty()) hours[e->event.time / 3600].insert(e->patient_id);
    for (const auto& [hour, patients] : hours)
      distinct_by_role[role_of(user)].push_back(static_cast<int64_t>(patients.size()));
  }
  int64_t nurses = median(distinct_by_role["nurse"]), physicians = median(distinct_by_role["physician"]);
  EXPECT_GE(nurses, 2);
  EXPECT_LE(nurses, 8);
  EXPECT_GE(physicians, 3);
  EXPECT_LE(physicians, 12);
  EXPECT_GT(median(distinct_by_role["billing"]), nurses);
}

TEST(Simulation, BillingWorksWeekdayBusinessHoursOutsideInjectedAnomalies) {
  const Simulation& s = hospital();
  const SimulationOptions o;
  size_t weekday_events = 0;
  for (const auto& [user, events] : by_user()) {
    if (role_of(user) != "billing") continue;
    for (const SimulatedEvent* e : events) {
      int64_t t = e->event.time, weekday = (t - o.start) / kDay % 7, hour = (t - o.start) % kDay / 3600;
      if (weekday < 5 && hour >= 7 && hour < 21) {
        ++weekday_events;
        continue;
      }
      EXPECT_TRUE(std::any_of(s.anomalies.begin(), s.anomalies.end(),
                              [&](const InjectedAnomaly& a) {
                                return a.user == user && a.kind == "off_hours" && a.start <= t && t <= a.end;
                              }))
          << user << " at " << t;
    }
  }
  EXPECT_GT(weekday_events, 10000u);
}

TEST(Simulation, SettingsFollowTheDocumentedSchema) {
  const Simulation& s = hospital();
  YAML::Node root = YAML::Load(s.settings_yaml);
  ASSERT_TRUE(root["ehr"].IsMap());
  YAML::Node ehr = root["ehr"];
  EXPECT_EQ(ehr["timezone"].as<std::string>(), "UTC");
  EXPECT_EQ(ehr["shifts"].as<std::vector<int>>(), (std::vector<int>{7, 19}));
  EXPECT_EQ(ehr["mobile_applications"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"haiku", "rover", "canto"}));
  EXPECT_EQ(ehr["cold_start"]["min_days"].as<int>(), SimulationOptions{}.warmup_days);

  ASSERT_TRUE(ehr["sites"].IsSequence());
  std::set<std::string> prefixes;  // every address in the events lies in a site
  for (const auto& site : ehr["sites"]) {
    EXPECT_FALSE(site["name"].as<std::string>().empty());
    double latitude = site["latitude"].as<double>(), longitude = site["longitude"].as<double>();
    EXPECT_TRUE(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180);
    for (const auto& cidr : site["cidrs"]) {
      std::string c = cidr.as<std::string>();
      prefixes.insert(c.substr(0, c.ends_with("/16") ? c.find('.', c.find('.') + 1) + 1 : c.rfind('.') + 1));
    }
  }
  EXPECT_GE(ehr["sites"].size(), 4u);
  for (const SimulatedEvent& e : s.events) {
    const std::string& ip = e.event.source_ip;
    ASSERT_TRUE(std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) { return ip.starts_with(p); }))
        << ip;
  }

  std::map<std::string, std::string> department;
  for (const SimulatedStaff& p : s.staff) department[p.user] = p.department;
  ASSERT_TRUE(ehr["vip_patients"].IsSequence());
  ASSERT_GE(ehr["vip_patients"].size(), 1u);
  for (const auto& vip : ehr["vip_patients"]) {
    std::string id = vip["id"].as<std::string>();
    EXPECT_FALSE(vip["label"].as<std::string>().empty());
    auto allowed = vip["allowed_departments"].as<std::vector<std::string>>();
    // Its unit's staff look after the VIP; anyone else is snooping, and labelled so.
    size_t by_allowed = 0;
    for (const SimulatedEvent& e : s.events) {
      if (e.patient_id != id) continue;
      if (std::find(allowed.begin(), allowed.end(), department[e.event.user]) != allowed.end()) {
        ++by_allowed;
        continue;
      }
      EXPECT_TRUE(std::any_of(s.anomalies.begin(), s.anomalies.end(),
                              [&](const InjectedAnomaly& a) {
                                return a.kind == "vip_snooping" && a.user == e.event.user && a.start <= e.event.time &&
                                       e.event.time <= a.end;
                              }))
          << e.event.user << " opened VIP " << id;
    }
    EXPECT_GT(by_allowed, 10u) << id;
  }
}

TEST(Simulation, SmallHospitalsAndShortWarmUpsToo) {
  SimulationOptions o;
  o.users = 60;
  o.days = 6;
  o.warmup_days = 3;
  o.anomalies_per_kind = 2;
  Simulation s = simulate(o);
  EXPECT_EQ(s.staff.size(), 60u);
  EXPECT_GE(s.events.front().event.time, o.start);
  EXPECT_LT(s.events.back().event.time, o.start + o.days * kDay);
  std::map<std::string, int> kinds;
  for (const InjectedAnomaly& a : s.anomalies) {
    ++kinds[a.kind];
    EXPECT_GE(a.start, o.start + o.warmup_days * kDay);
  }
  for (std::string_view kind : kDetectionKinds) EXPECT_EQ(kinds[std::string(kind)], 2) << kind;
}

}  // namespace
}  // namespace wardline::ehr
