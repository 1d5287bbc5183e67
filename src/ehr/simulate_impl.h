// Internal: the synthetic hospital behind simulate(), shared by its parts
// (the hospital and its patients, the staff's shifts, the anomalies).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ehr/ehr.h"

namespace wardline::ehr::sim {

constexpr int64_t kMinute = 60, kHour = 3600, kDay = 86400;

// Sampling on top of mt19937_64 only: the std::*_distribution classes
// differ between standard libraries, and the same seed must give the same
// hospital everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  double unit() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }                       // [0, 1)
  int64_t below(int64_t n) { return static_cast<int64_t>(g_() % static_cast<uint64_t>(n)); }  // [0, n)
  int64_t between(int64_t lo, int64_t hi) { return lo + below(hi - lo + 1); }                 // [lo, hi]
  bool chance(double p) { return unit() < p; }
  // A count averaging `mean`, spread over [0, 2 mean] (a triangle; no exp, so no libm differences).
  int around(double mean) {
    double spread = unit() + unit();
    return static_cast<int>(mean * spread + unit());  // the last draw rounds up or down fairly
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<size_t>(below(static_cast<int64_t>(i)))]);
  }

 private:
  std::mt19937_64 g_;
};

// ------------------------------------------------------------------ places

// The networks accesses come from; each lies in one site of the settings.
enum class Net { campus, campus_wifi, clinic, clinic_wifi, vpn, seattle, miami, lagos, bucharest };

struct Site {
  std::string_view name, cidrs, latitude, longitude;
  int km_from_campus;
};
extern const Site kSites[7];
const Site& site_of(Net net);
std::string random_address(Net net, Rng& rng);

enum Dept : int { north4, icu, emergency, pediatrics, oncology, radiology, pharmacy, pfs, him, kDepartments };

struct Department {
  std::string_view name, code;
  bool clinic;  // at the Oak Brook Clinic, else on the main campus
  int workstations;
  int beds;           // patients at a time (the clinic: infusion chairs); 0: none of its own
  double stay_hours;  // mean length of a stay (the clinic: of a visit)
};
extern const Department kDepartmentTable[kDepartments];

struct Host {
  std::string name, ip;
};

// ------------------------------------------------------------------ people

enum class Role { nurse, physician, resident, radiologist, pharmacist, billing, registrar, him_coder };
std::string_view role_id(Role role);
double opens_per_hour(Role role, int dept);  // charts opened per hour of work

struct Session {
  int64_t start = 0, end = 0;
  int dept = 0;         // where the work happens: a float changes it for a shift
  bool remote = false;  // from home through the VPN
  int workstation = 0;  // the one used most on site
  double pace = 1;      // times the role's charts per hour
};

struct Person {
  std::string id;
  Role role = Role::nurse;
  int dept = 0;
  bool on_call = false;          // physicians taking night calls from home
  std::string phone, phone_app;  // own phone and its app; empty: none
  std::string new_phone;         // the phone that replaced it at phone_replaced
  int64_t phone_replaced = std::numeric_limits<int64_t>::max();
  std::string tablet;  // an iPad with Canto; empty: none
  std::string laptop;  // used from home through the VPN; empty: none
  int desk = -1;       // own workstation in the department (billing, HIM)
  std::vector<Session> sessions;

  const std::string& phone_at(int64_t t) const { return t < phone_replaced ? phone : new_phone; }
  std::string_view application() const;  // of its workstation work
};

// ------------------------------------------------------------------ the world

struct Stay {
  int patient = 0, dept = 0;
  int64_t admit = 0, discharge = 0;
};

struct Vip {
  int patient = 0, dept = 0;
  std::string_view label;
};

struct World {
  explicit World(const SimulationOptions& options);

  SimulationOptions options;
  int64_t begin, end;  // the simulated span
  int64_t midnight;    // of its first day
  Rng rng;
  std::array<std::vector<Host>, kDepartments> hosts;
  std::vector<std::string> mrns;  // by patient
  std::vector<int> vip_dept;      // by patient: the unit a VIP lies on, -1: not a VIP
  std::vector<Vip> vips;
  std::vector<Stay> stays;  // by discharge
  std::vector<int64_t> discharges;
  int64_t first_hour = 0;
  std::array<std::vector<std::vector<int>>, kDepartments> census;  // [dept][hour - first_hour]: patients present
  std::vector<Person> staff;
  std::vector<SimulatedEvent> events;

  int64_t day_start(int day) const { return midnight + int64_t{day} * kDay; }
  int day_of(int64_t t) const { return static_cast<int>((t - midnight) / kDay); }
  int weekday(int day) const;  // 0 Monday
  const std::vector<int>& census_at(int dept, int64_t t) const;
  bool may_open(const Person& p, int patient) const;  // VIPs: only their unit, pharmacy and radiology
  // A patient `p` would open at `t` working in `dept`; -1: none.
  int pick_patient(const Person& p, int dept, int64_t t, Rng& rng) const;
};

// Where an access comes from.
struct Channel {
  std::string_view application, device, ip;
};

// One event; fills role and department only now and then, as real audit records do.
void emit(std::vector<SimulatedEvent>& out, const World& w, Rng& rng, const Person& p, int64_t t, const Channel& c,
          int patient, std::string_view resource, std::string_view action);
// One chart opened: the Patient read, then a few of the role's resources seconds apart.
void open_chart(std::vector<SimulatedEvent>& out, const World& w, Rng& rng, const Person& p, int64_t t,
                const Channel& c, int patient);

void admit_patients(World& w);
void hire_staff(World& w);
void plan_shifts(World& w);
void work_shifts(World& w);
void inject_anomalies(World& w, Simulation& out);

}  // namespace wardline::ehr::sim
