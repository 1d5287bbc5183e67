// simulate(): a synthetic hospital's EHR access stream with labelled
// anomalies, for the analytics' tests, quality evaluation and benchmark.
// simulate_hospital.cpp builds the hospital, simulate_shifts.cpp its staff's
// work, simulate_anomalies.cpp the anomalies.
#include <algorithm>

#include "ehr/simulate_impl.h"

namespace wardline::ehr {
namespace {

// The analytics settings for the simulated hospital (docs/ehr-analytics.md, "Settings").
std::string settings_yaml(const sim::World& w) {
  std::string y =
      "ehr:\n"
      "  timezone: UTC\n"
      "  shifts: [7, 19]\n"
      "  mobile_applications: [haiku, rover, canto]\n"
      "  sites:\n";
  for (const sim::Site& s : sim::kSites)
    y += "    - {name: " + std::string(s.name) + ", cidrs: [" + std::string(s.cidrs) +
         "], latitude: " + std::string(s.latitude) + ", longitude: " + std::string(s.longitude) + "}\n";
  y += "  vip_patients:\n";
  for (const sim::Vip& v : w.vips)
    y += "    - {id: " + w.mrns[static_cast<size_t>(v.patient)] + ", label: " + std::string(v.label) +
         ", allowed_departments: [" + std::string(sim::kDepartmentTable[v.dept].name) + ", Pharmacy, Radiology]}\n";
  // New devices and locations count once the warm-up, before any anomaly, is over.
  y += "  cold_start:\n    min_active_hours: 8\n    min_days: " + std::to_string(w.options.warmup_days) + "\n";
  return y;
}

// Time order, ties in generation order, moving each event once rather than
// through a sort's rounds: a million events are big to move around.
void sort_by_time(std::vector<SimulatedEvent>& events) {
  std::vector<std::pair<int64_t, uint32_t>> order;
  order.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) order.emplace_back(events[i].event.time, static_cast<uint32_t>(i));
  std::sort(order.begin(), order.end());
  // Position j takes the event at order[j].second: follow each cycle of that permutation.
  std::vector<bool> placed(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (placed[i]) continue;
    SimulatedEvent held = std::move(events[i]);
    for (size_t j = i;;) {
      placed[j] = true;
      size_t from = order[j].second;
      if (from == i) {
        events[j] = std::move(held);
        break;
      }
      events[j] = std::move(events[from]);
      j = from;
    }
  }
}

}  // namespace

Simulation simulate(const SimulationOptions& options) {
  sim::World w(options);
  sim::admit_patients(w);
  sim::hire_staff(w);
  sim::plan_shifts(w);
  sim::work_shifts(w);
  Simulation out;
  sim::inject_anomalies(w, out);
  // Shifts overlap the edges of the span.
  std::erase_if(w.events, [&](const SimulatedEvent& e) { return e.event.time < w.begin || e.event.time >= w.end; });
  sort_by_time(w.events);
  out.events = std::move(w.events);
  for (const sim::Person& p : w.staff)
    out.staff.push_back({p.id, std::string(sim::role_id(p.role)), std::string(sim::kDepartmentTable[p.dept].name)});
  out.settings_yaml = settings_yaml(w);
  return out;
}

std::string staff_directory_csv(const Simulation& simulation) {
  std::string csv = "user,role,groups,department\n";
  for (const auto& p : simulation.staff) csv += p.user + "," + p.role + ",," + p.department + "\n";
  return csv;
}

}  // namespace wardline::ehr
