// The staff's weeks: who works when and where, and the charts they open
// during each shift.
#include <algorithm>

#include "ehr/simulate_impl.h"

namespace wardline::ehr::sim {
namespace {

constexpr std::array<bool, 7> kWeekdays = {true, true, true, true, true, false, false};

// A person's usual week.
struct Pattern {
  std::array<bool, 7> days{};            // usual working days, Monday first
  std::array<bool, 7> remote{};          // the days worked from home through the VPN
  int start = 7 * 60, length = 12 * 60;  // minutes from midnight
  double extra = 0;                      // chance of an extra shift in a week (overtime, a swap)
};

// `n` distinct days among the first `of` of the week.
std::array<bool, 7> some_days(Rng& rng, int n, int of) {
  std::array<bool, 7> days{};
  for (int placed = 0; placed < n;) {
    bool& day = days[static_cast<size_t>(rng.below(of))];
    if (!day) ++placed;
    day = true;
  }
  return days;
}

Pattern usual_week(const Person& p, Rng& rng) {
  Pattern w;
  auto twelve_hours = [&](double night_share) {
    w.days = some_days(rng, rng.chance(0.7) ? 3 : 4, 7);
    w.start = rng.chance(night_share) ? 19 * 60 : 7 * 60;
    w.extra = 0.1;
  };
  auto office = [&](int start, int length) {
    w.days = kWeekdays;
    w.start = start;
    w.length = length;
  };
  switch (p.role) {
    case Role::nurse:
      if (p.dept != oncology) {
        twelve_hours(0.35);
      } else {  // the infusion center: weekdays only
        w.days = some_days(rng, 4, 5);
        w.length = 10 * 60;
      }
      break;
    case Role::physician:
      if (p.dept == emergency) {
        twelve_hours(0.3);
      } else {
        office(7 * 60, 630);
        if (rng.chance(0.3)) w.days[static_cast<size_t>(rng.below(5))] = false;  // a clinic or research day
      }
      break;
    case Role::resident:
      if (rng.chance(0.25)) {  // night float, Sunday to Thursday nights
        w.days = {true, true, true, true, false, false, true};
        w.start = 18 * 60;
        w.length = 13 * 60;
      } else {
        office(6 * 60, 12 * 60);
        w.extra = 0.6;  // a weekend day, most weeks
      }
      break;
    case Role::radiologist:
      if (rng.chance(0.2)) {  // reads overnight from home
        w.days = some_days(rng, 4, 7);
        w.remote = w.days;
        w.start = 19 * 60;
      } else {
        office(450, 600);
      }
      break;
    case Role::pharmacist:
      twelve_hours(0.25);
      break;
    case Role::billing:
      office(8 * 60, 510);
      if (rng.chance(0.6)) w.remote[static_cast<size_t>(rng.below(5))] = true;
      break;
    case Role::registrar:
      if (p.dept == emergency)
        twelve_hours(0.35);
      else
        office(7 * 60, 600);
      break;
    case Role::him_coder:
      office(8 * 60, 510);
      w.remote = rng.chance(0.3) ? kWeekdays : some_days(rng, static_cast<int>(rng.between(2, 3)), 5);
      break;
  }
  return w;
}

void add_session(World& w, Person& p, int64_t start, int64_t end, int dept, bool remote, double pace) {
  int workstation = p.desk >= 0 && dept == p.dept
                        ? p.desk
                        : static_cast<int>(w.rng.below(static_cast<int64_t>(w.hosts[dept].size())));
  p.sessions.push_back({start, end, dept, remote, workstation, pace});
}

// Returns when the shift ends.
int64_t add_shift(World& w, Person& p, int day, const Pattern& usual, bool remote) {
  Rng& rng = w.rng;
  int64_t start = w.day_start(day) + (usual.start + rng.between(-10, 25)) * kMinute;
  int64_t end = w.day_start(day) + (usual.start + usual.length + rng.between(-5, 30)) * kMinute;
  if (rng.chance(0.04)) end += rng.between(45, 150) * kMinute;  // stays late to finish charting
  int dept = p.dept;
  // A float: covers another inpatient unit (the first four) for the shift.
  if (p.role == Role::nurse && p.dept != oncology && rng.chance(0.06))
    dept = static_cast<int>((p.dept + 1 + rng.below(3)) % 4);
  add_session(w, p, start, end, dept, remote, 1);
  return end;
}

void plan(World& w, Person& p) {
  Rng& rng = w.rng;
  const Pattern usual = usual_week(p, rng);
  const bool day_physician = p.role == Role::physician && p.dept != emergency;
  // Whole weeks from the Monday before the start: a night shift begun the evening before shows.
  for (int week = -1 - w.weekday(-1); week < w.options.days; week += 7) {
    int extra_day = -1;
    if (rng.chance(usual.extra)) {
      int candidate = static_cast<int>(rng.below(7));
      if (!usual.days[static_cast<size_t>(candidate)]) extra_day = candidate;
    }
    const bool rounding_weekend = day_physician && rng.chance(1.0 / 3);
    const auto call_nights = some_days(rng, static_cast<int>(rng.between(1, 2)), 7);
    for (int wd = 0; wd < 7; ++wd) {
      const int day = week + wd;
      const bool works = usual.days[static_cast<size_t>(wd)] ? rng.chance(0.95) : wd == extra_day;  // leave, sick days
      if (day < -1 || day >= w.options.days) continue;
      // Home after the shift: from the clinic, the VPN (placed on the main campus) is 28 km away.
      const int64_t home = works ? add_shift(w, p, day, usual, usual.remote[static_cast<size_t>(wd)]) + kHour : 0;
      if (!day_physician) continue;
      const int64_t midnight = w.day_start(day);
      if (rounding_weekend && wd >= 5) {
        int64_t start = midnight + 8 * kHour + rng.between(-15, 45) * kMinute;
        add_session(w, p, start, start + rng.between(4, 6) * kHour, p.dept, false, 1);
      }
      // Notes finished from home in the evening, now and then past midnight.
      if (works && rng.chance(0.12)) {
        int64_t start = std::max(home, midnight + 1170 * kMinute + rng.below(4 * kHour));
        add_session(w, p, start, start + rng.between(20, 60) * kMinute, p.dept, true, 0.6);
      }
      // On call: paged a few times in the night, answered from home.
      if (p.on_call && call_nights[static_cast<size_t>(wd)]) {
        for (int64_t n = rng.between(1, 3); n > 0; --n) {
          int64_t start = std::max(home, midnight + 20 * kHour + rng.below(9 * kHour));
          add_session(w, p, start, start + rng.between(10, 40) * kMinute, p.dept, true, 0.8);
        }
      }
    }
  }
  // Stable: sessions starting together keep their order whatever the standard library.
  std::stable_sort(p.sessions.begin(), p.sessions.end(),
                   [](const Session& a, const Session& b) { return a.start < b.start; });
}

// How many patients a person follows in a shift; 0: any on the unit.
int list_size(const Person& p, int dept, Rng& rng) {
  if (p.role == Role::nurse)
    return static_cast<int>(dept == icu         ? rng.between(1, 2)
                            : dept == emergency ? rng.between(3, 5)
                                                : rng.between(4, 6));
  if ((p.role == Role::physician || p.role == Role::resident) && dept != emergency)
    return static_cast<int>(dept == icu ? rng.between(6, 10) : rng.between(8, 16));
  return 0;
}

// The charts opened in one session, hour by hour.
void work(World& w, const Person& p, const Session& s) {
  Rng& rng = w.rng;
  const auto& hosts = w.hosts[static_cast<size_t>(s.dept)];
  const Host& usual = hosts[static_cast<size_t>(s.workstation)];
  const Host& nearby = hosts[static_cast<size_t>(rng.below(static_cast<int64_t>(hosts.size())))];
  const std::string wifi = random_address(kDepartmentTable[s.dept].clinic ? Net::clinic_wifi : Net::campus_wifi, rng);
  const std::string vpn = s.remote ? random_address(Net::vpn, rng) : std::string();
  const Channel desk =
      s.remote ? Channel{p.application(), p.laptop, vpn} : Channel{p.application(), usual.name, usual.ip};
  const Channel other{p.application(), nearby.name, nearby.ip};
  const Channel tablet{"canto", p.tablet, wifi};
  const double phone_share = p.phone.empty() ? 0 : p.role == Role::physician ? 0.2 : 0.25;
  const double tablet_share = p.tablet.empty() ? 0 : 0.1;
  const double rate = opens_per_hour(p.role, s.dept) * s.pace;

  std::vector<int> assigned;
  int64_t assigned_at = 0;
  for (int64_t h = s.start; h < s.end; h += kHour) {
    const int64_t length = std::min(kHour, s.end - h);
    if (h - assigned_at >= 4 * kHour) {  // handoffs, admissions, discharges
      assigned.clear();
      assigned_at = h;
      for (int n = list_size(p, s.dept, rng); n > 0; --n)
        if (int patient = w.pick_patient(p, s.dept, h, rng); patient >= 0) assigned.push_back(patient);
    }
    const int64_t hour = (h - w.midnight) % kDay / kHour;
    double pace = hour < 6 ? 0.5 : 1;  // patients asleep
    if (rng.chance(0.03)) pace *= 2;   // an admission, a deterioration: a busy hour
    for (int n = rng.around(rate * pace * static_cast<double>(length) / kHour); n > 0; --n) {
      const int64_t t = h + rng.below(length);
      const int patient = !assigned.empty() && rng.chance(0.85)
                              ? assigned[static_cast<size_t>(rng.below(static_cast<int64_t>(assigned.size())))]
                              : w.pick_patient(p, s.dept, t, rng);
      if (patient < 0) continue;
      const double roll = s.remote ? 1 : rng.unit();
      Channel c = desk;
      if (roll < phone_share)
        c = {p.phone_app, p.phone_at(t), wifi};
      else if (roll < phone_share + tablet_share)
        c = tablet;
      else if (roll < 0.15 + phone_share + tablet_share)
        c = other;
      open_chart(w.events, w, rng, p, t, c, patient);
    }
  }
}

}  // namespace

void plan_shifts(World& w) {
  for (Person& p : w.staff) plan(w, p);
}

void work_shifts(World& w) {
  double expected = 0;  // events, to allocate once
  for (const Person& p : w.staff)
    for (const Session& s : p.sessions)
      expected += opens_per_hour(p.role, s.dept) * s.pace * static_cast<double>(s.end - s.start) / kHour * 3.5;
  w.events.reserve(static_cast<size_t>(expected * 1.1));
  for (const Person& p : w.staff)
    for (const Session& s : p.sessions) work(w, p, s);
}

}  // namespace wardline::ehr::sim
