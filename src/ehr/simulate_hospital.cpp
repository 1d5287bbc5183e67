// The simulated hospital: its sites and networks, departments and
// workstations, patients coming and going, staff and their devices, and
// what a chart open writes to the audit trail.
#include <algorithm>
#include <set>
#include <span>

#include "ehr/simulate_impl.h"

namespace wardline::ehr::sim {

// Non-hospital networks use the documentation ranges (RFC 5737): they never
// collide with a real deployment's address plan.
const Site kSites[7] = {
    {"Main Campus", "10.20.0.0/16, 10.22.0.0/16", "41.8955", "-87.6217", 0},
    {"Oak Brook Clinic", "10.40.0.0/16, 10.42.0.0/16", "41.8400", "-87.9535", 28},
    {"Remote Access VPN", "10.250.0.0/16", "41.8955", "-87.6217", 0},  // the concentrator is on the main campus
    {"Seattle residential ISP", "198.51.100.0/25", "47.6062", "-122.3321", 2789},
    {"Miami hotel Wi-Fi", "198.51.100.128/25", "25.7617", "-80.1918", 1919},
    {"Lagos mobile carrier", "203.0.113.0/25", "6.5244", "3.3792", 9606},
    {"Bucharest hosting provider", "203.0.113.128/25", "44.4268", "26.1025", 8374},
};

namespace {

struct Network {
  int site;
  std::string_view prefix;
  int low;  // -1: a /16 after the prefix; else a /25 from this host number
};

// By Net.
constexpr Network kNetworks[] = {
    {0, "10.20.", -1},     {0, "10.22.", -1},       {1, "10.40.", -1},    {1, "10.42.", -1},      {2, "10.250.", -1},
    {3, "198.51.100.", 0}, {4, "198.51.100.", 128}, {5, "203.0.113.", 0}, {6, "203.0.113.", 128},
};

struct Resource {
  std::string_view type;
  int weight, update_pct, create_pct;
};

// What each role reads after the Patient, and how often it writes.
constexpr Resource kNursing[] = {{"Observation", 5, 0, 30},      {"MedicationAdministration", 3, 0, 50},
                                 {"MedicationRequest", 2, 0, 0}, {"DocumentReference", 2, 10, 20},
                                 {"Encounter", 1, 0, 0},         {"DiagnosticReport", 1, 0, 0}};
constexpr Resource kDoctoring[] = {{"Observation", 3, 0, 0},         {"DiagnosticReport", 3, 0, 0},
                                   {"MedicationRequest", 3, 10, 25}, {"DocumentReference", 3, 15, 20},
                                   {"ImagingStudy", 1, 0, 0},        {"ServiceRequest", 1, 0, 50}};
constexpr Resource kReading[] = {{"ImagingStudy", 6, 0, 0},
                                 {"DiagnosticReport", 3, 20, 40},
                                 {"DocumentReference", 1, 0, 0},
                                 {"Observation", 1, 0, 0}};
constexpr Resource kVerifying[] = {{"MedicationRequest", 6, 30, 0},
                                   {"Observation", 2, 0, 0},
                                   {"AllergyIntolerance", 1, 0, 0},
                                   {"MedicationDispense", 2, 0, 50}};
constexpr Resource kBilling[] = {{"Account", 3, 20, 0},
                                 {"Claim", 4, 20, 20},
                                 {"Coverage", 2, 0, 0},
                                 {"Encounter", 2, 0, 0},
                                 {"ChargeItem", 2, 10, 0}};
constexpr Resource kRegistering[] = {
    {"Encounter", 3, 20, 30}, {"Coverage", 3, 30, 0}, {"Appointment", 2, 0, 20}, {"RelatedPerson", 1, 10, 0}};
constexpr Resource kCoding[] = {{"DocumentReference", 5, 0, 0},
                                {"Encounter", 3, 30, 0},
                                {"Condition", 2, 0, 30},
                                {"Procedure", 2, 0, 30},
                                {"Claim", 1, 0, 0}};

struct RoleInfo {
  std::string_view id;
  double share;           // of the staff
  double opens_per_hour;  // charts opened per hour of work
  int max_extra;          // resources read after the Patient: 1 to this many
  std::span<const Resource> resources;
  std::array<int, kDepartments> dept_weights;
};

// By Role.
constexpr RoleInfo kRoles[] = {
    {"nurse", 0.40, 6, 4, kNursing, {30, 16, 24, 16, 12}},
    {"physician", 0.16, 8, 4, kDoctoring, {8, 5, 8, 5, 5}},
    {"resident", 0.10, 9, 4, kDoctoring, {4, 3, 3, 2, 0}},
    {"radiologist", 0.05, 10, 3, kReading, {0, 0, 0, 0, 0, 1}},
    {"pharmacist", 0.06, 10, 3, kVerifying, {0, 0, 0, 0, 0, 0, 1}},
    {"billing", 0.09, 12, 3, kBilling, {0, 0, 0, 0, 0, 0, 0, 1}},
    {"registrar", 0.07, 6, 3, kRegistering, {0, 0, 3, 0, 1}},
    {"him_coder", 0.07, 8, 3, kCoding, {0, 0, 0, 0, 0, 0, 0, 0, 1}},
};

const RoleInfo& info(Role role) { return kRoles[static_cast<int>(role)]; }

// An index drawn in proportion to `weights`.
template <size_t N>
int weighted(const std::array<int, N>& weights, Rng& rng) {
  int total = 0;
  for (int x : weights) total += x;
  int64_t roll = rng.below(total);
  for (size_t i = 0; i < N; ++i)
    if ((roll -= weights[i]) < 0) return static_cast<int>(i);
  return 0;
}

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

constexpr std::string_view kSurnames[] = {
    "smith",  "johnson", "williams", "brown",   "jones",    "garcia",  "miller",   "davis",   "rodriguez", "martinez",
    "nguyen", "lopez",   "gonzalez", "wilson",  "anderson", "thomas",  "taylor",   "moore",   "jackson",   "martin",
    "lee",    "perez",   "thompson", "white",   "harris",   "sanchez", "clark",    "ramirez", "lewis",     "robinson",
    "walker", "young",   "allen",    "king",    "wright",   "scott",   "torres",   "patel",   "hill",      "flores",
    "green",  "adams",   "nelson",   "baker",   "hall",     "rivera",  "campbell", "kim",     "okafor",    "kowalski",
    "novak",  "murphy",  "cohen",    "schmidt", "shah",     "oconnor", "ali",      "larsen",  "dubois",    "reyes"};

}  // namespace

const Department kDepartmentTable[kDepartments] = {
    {"4 North", "4n", false, 10, 30, 4.5 * 24},
    {"ICU", "icu", false, 8, 14, 3.5 * 24},
    {"Emergency", "ed", false, 12, 24, 5},
    {"Pediatrics", "peds", false, 8, 18, 3 * 24},
    {"Oncology", "onc", true, 8, 20, 4},
    {"Radiology", "rad", false, 6, 0, 0},
    {"Pharmacy", "rx", false, 6, 0, 0},
    {"Patient Financial Services", "pfs", false, 20, 0, 0},
    {"Health Information Management", "him", false, 16, 0, 0},
};

const Site& site_of(Net net) { return kSites[kNetworks[static_cast<int>(net)].site]; }

std::string random_address(Net net, Rng& rng) {
  const Network& n = kNetworks[static_cast<int>(net)];
  if (n.low >= 0) return std::string(n.prefix) + std::to_string(n.low + rng.between(1, 126));
  // One draw per statement: the order operands are evaluated in is unspecified.
  std::string subnet = std::to_string(rng.below(256));
  return std::string(n.prefix) + subnet + "." + std::to_string(rng.between(1, 254));
}

std::string_view role_id(Role role) { return info(role).id; }

double opens_per_hour(Role role, int dept) { return info(role).opens_per_hour * (dept == emergency ? 1.3 : 1); }

std::string_view Person::application() const {
  if (role == Role::radiologist) return "pacs-viewer";
  if (role == Role::billing) return "resolute";
  return "hyperspace";
}

World::World(const SimulationOptions& o)
    : options(o),
      begin(o.start),
      end(o.start + int64_t{o.days} * kDay),
      midnight(o.start - ((o.start % kDay) + kDay) % kDay),
      rng(o.seed) {
  // Workstations have fixed addresses: 10.20.<department>.<10 + n> (the clinic 10.40).
  for (int d = 0; d < kDepartments; ++d) {
    const Department& dept = kDepartmentTable[d];
    for (int i = 1; i <= dept.workstations; ++i)
      hosts[d].push_back({"ws-" + std::string(dept.code) + "-" + two_digits(i),
                          std::string(kNetworks[static_cast<int>(dept.clinic ? Net::clinic : Net::campus)].prefix) +
                              std::to_string(d + 1) + "." + std::to_string(10 + i)});
  }
}

int World::weekday(int day) const { return static_cast<int>(((midnight / kDay + day + 3) % 7 + 7) % 7); }

const std::vector<int>& World::census_at(int dept, int64_t t) const {
  const auto& hours = census[dept];
  int64_t h = std::clamp<int64_t>(t / kHour - first_hour, 0, static_cast<int64_t>(hours.size()) - 1);
  return hours[h];
}

bool World::may_open(const Person& p, int patient) const {
  int unit = vip_dept[patient];
  return unit < 0 || p.dept == unit || p.dept == radiology || p.dept == pharmacy;
}

int World::pick_patient(const Person& p, int dept, int64_t t, Rng& rng) const {
  static const auto kBeds = [] {
    std::array<int, kDepartments> beds{};
    for (int d = 0; d < kDepartments; ++d) beds[d] = kDepartmentTable[d].beds;
    return beds;
  }();
  for (int tries = 0; tries < 4; ++tries) {
    int patient;
    if (p.role == Role::billing || p.role == Role::him_coder) {
      // Claims and coding follow discharge by days.
      auto lo = std::lower_bound(discharges.begin(), discharges.end(), t - 14 * kDay);
      auto hi = std::lower_bound(discharges.begin(), discharges.end(), t - kHour);
      if (hi <= lo) return -1;
      patient = stays[static_cast<size_t>((lo - discharges.begin()) + rng.below(hi - lo))].patient;
    } else {
      // Radiology and pharmacy serve every unit.
      int unit = (p.role == Role::radiologist || p.role == Role::pharmacist) ? weighted(kBeds, rng) : dept;
      const auto& here = census_at(unit, t);
      if (here.empty()) continue;
      patient = here[static_cast<size_t>(rng.below(static_cast<int64_t>(here.size())))];
    }
    if (may_open(p, patient)) return patient;
  }
  return -1;
}

void admit_patients(World& w) {
  Rng& rng = w.rng;
  int64_t offset = rng.below(9000000);
  auto new_patient = [&] {
    int k = static_cast<int>(w.mrns.size());
    // 7919 is prime to 9,000,000: distinct numbers that do not look sequential.
    w.mrns.push_back("MRN" + std::to_string(1000000 + (7919 * int64_t{k} + offset) % 9000000));
    w.vip_dept.push_back(-1);
    return k;
  };
  const int history = -21;  // days of discharges before the start, for billing and coding
  for (int d = 0; d < kDepartments; ++d) {
    const Department& dept = kDepartmentTable[d];
    auto stay_seconds = [&](double low, double high) {
      return static_cast<int64_t>(dept.stay_hours * kHour * (low + (high - low) * rng.unit()));
    };
    if (dept.beds == 0) continue;
    if (!dept.clinic) {
      for (int bed = 0; bed < dept.beds; ++bed) {
        for (int64_t t = w.day_start(history) - rng.below(static_cast<int64_t>(dept.stay_hours * kHour)); t < w.end;) {
          int64_t discharge = t + stay_seconds(0.3, 1.7);
          w.stays.push_back({new_patient(), d, t, discharge});
          t = discharge + (d == emergency ? rng.between(5, 45) * kMinute : rng.between(2, 10) * kHour);  // bed turnover
        }
      }
      continue;
    }
    // The infusion center sees a panel of patients again and again, on weekdays.
    std::vector<int> panel;
    for (int i = 0; i < dept.beds * 6; ++i) panel.push_back(new_patient());
    for (int day = history; day < w.options.days; ++day) {
      if (w.weekday(day) >= 5) continue;
      for (int chair = 0; chair < dept.beds; ++chair) {
        for (int64_t t = w.day_start(day) + 450 * kMinute + rng.below(30 * kMinute);
             t < w.day_start(day) + 17 * kHour;) {
          int64_t leave = t + stay_seconds(0.5, 1.5);
          w.stays.push_back({panel[static_cast<size_t>(rng.below(static_cast<int64_t>(panel.size())))], d, t, leave});
          t = leave + rng.between(10, 40) * kMinute;
        }
      }
    }
  }
  // VIPs: two inpatients there the whole time, and an infusion patient on Mondays, Wednesdays and Fridays.
  w.vips = {{new_patient(), north4, "Board member"},
            {new_patient(), icu, "Professional athlete"},
            {new_patient(), oncology, "Local news anchor"}};
  for (const Vip& v : w.vips) {
    w.vip_dept[v.patient] = v.dept;
    if (v.dept != oncology) {
      w.stays.push_back({v.patient, v.dept, w.begin - rng.between(2, 30) * kHour, w.end + kDay});
      continue;
    }
    for (int day = history; day < w.options.days; ++day)
      if (w.weekday(day) % 2 == 0 && w.weekday(day) < 5)
        w.stays.push_back({v.patient, v.dept, w.day_start(day) + 9 * kHour, w.day_start(day) + 13 * kHour});
  }

  // Stable: equal keys keep their order whatever the standard library.
  std::stable_sort(w.stays.begin(), w.stays.end(),
                   [](const Stay& a, const Stay& b) { return a.discharge < b.discharge; });
  for (const Stay& s : w.stays) w.discharges.push_back(s.discharge);

  // Who is on each unit, hour by hour, from a day before the start.
  w.first_hour = w.begin / kHour - 24;
  int64_t hours = (w.end - w.begin) / kHour + 25;
  for (auto& by_hour : w.census) by_hour.assign(static_cast<size_t>(hours), {});
  for (const Stay& s : w.stays) {
    int64_t from = std::max<int64_t>(s.admit / kHour - w.first_hour, 0);
    int64_t to = std::min<int64_t>((s.discharge - 1) / kHour - w.first_hour, hours - 1);
    for (int64_t h = from; h <= to; ++h) w.census[s.dept][static_cast<size_t>(h)].push_back(s.patient);
  }
}

void hire_staff(World& w) {
  Rng& rng = w.rng;
  // At least one of each role (every detection needs its kind of user), so at least 20 people.
  const int n = std::max(w.options.users, 20);
  std::array<int, std::size(kRoles)> count{};
  int hired = 0;
  for (size_t r = 0; r < count.size(); ++r) {
    count[r] = std::max(1, static_cast<int>(kRoles[r].share * n));
    hired += count[r];
  }
  for (size_t r = 0; hired < n; r = (r + 1) % count.size(), ++hired) ++count[r];  // what rounding left

  std::set<std::string> ids;
  std::array<int, kDepartments> in_dept{};
  for (size_t r = 0; r < count.size(); ++r) {
    for (int i = 0; i < count[r]; ++i) {
      Person& p = w.staff.emplace_back();
      p.role = static_cast<Role>(r);
      p.dept = weighted(kRoles[r].dept_weights, rng);
      do {
        p.id = static_cast<char>('a' + rng.below(26));
        p.id += kSurnames[rng.below(std::size(kSurnames))];
        p.id += std::to_string(rng.between(10, 999));
      } while (!ids.insert(p.id).second);

      bool clinician = p.role == Role::physician || p.role == Role::resident;
      if ((p.role == Role::nurse && rng.chance(0.7)) || (clinician && rng.chance(0.9))) {
        p.phone = (rng.chance(0.6) ? "iphone-" : "android-") + p.id;
        p.phone_app = p.role == Role::nurse ? "rover" : "haiku";
        if (rng.chance(0.05)) {  // lost or upgraded: a new device id from then on
          p.new_phone = p.phone + "-2";
          p.phone_replaced = w.begin + rng.below(std::max<int64_t>(w.end - w.begin, 1));
        }
      }
      if (p.role == Role::physician) {
        p.laptop = "laptop-" + p.id;
        p.on_call = p.dept != emergency && rng.chance(0.4);
        if (rng.chance(0.25)) p.tablet = "ipad-" + p.id;
      }
      if (p.role == Role::radiologist) p.laptop = "rad-home-" + p.id;
      if (p.role == Role::billing || p.role == Role::him_coder) {
        p.laptop = "lt-" + p.id;
        p.desk = in_dept[p.dept]++ % kDepartmentTable[p.dept].workstations;
      }
    }
  }
}

void emit(std::vector<SimulatedEvent>& out, const World& w, Rng& rng, const Person& p, int64_t t, const Channel& c,
          int patient, std::string_view resource, std::string_view action) {
  SimulatedEvent& s = out.emplace_back();
  AccessEvent& e = s.event;
  e.time = t;
  e.user = p.id;
  if (rng.chance(0.6)) e.role = role_id(p.role);
  if (rng.chance(0.15)) e.department = kDepartmentTable[p.dept].name;
  e.application = c.application;
  e.device = c.device;
  e.source_ip = c.ip;
  e.resource_type = resource;
  e.action = action;
  if (patient >= 0) s.patient_id = w.mrns[static_cast<size_t>(patient)];
}

void open_chart(std::vector<SimulatedEvent>& out, const World& w, Rng& rng, const Person& p, int64_t t,
                const Channel& c, int patient) {
  emit(out, w, rng, p, t, c, patient, "Patient", "read");
  const RoleInfo& role = info(p.role);
  int total = 0;
  for (const Resource& r : role.resources) total += r.weight;
  for (int64_t n = rng.between(1, role.max_extra); n > 0; --n) {
    t += rng.between(5, 90);
    const Resource* r = role.resources.data();
    for (int64_t roll = rng.below(total); (roll -= r->weight) >= 0;) ++r;
    int64_t roll = rng.below(100);
    std::string_view action = roll < r->update_pct                   ? "update"
                              : roll < r->update_pct + r->create_pct ? "create"
                                                                     : "read";
    emit(out, w, rng, p, t, c, patient, r->type, action);
  }
}

}  // namespace wardline::ehr::sim
