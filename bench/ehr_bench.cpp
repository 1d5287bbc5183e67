// EHR access analytics throughput, one core: FHIR AuditEvent NDJSON (the
// synthetic hospital's default stream, ~450k events) parsed, patient ids
// hashed, every event scored against fresh baselines.
// - BM_ParseFhir: parsing alone;
// - BM_IngestAndScoreFhir: parsing and scoring (target: >= 200,000 events/s).
// Counters: events/s, and the bytes each tracked user costs.
// Run: make bench  (or build-bench/bench/bench_ehr)
#include <benchmark/benchmark.h>

#include <memory>

#include "access/access.h"
#include "ehr/baseline.h"
#include "ehr/ehr.h"

namespace {

using namespace wardline;

struct Stream {
  ehr::Simulation sim;
  std::string ndjson;
  std::shared_ptr<const ehr::Settings> settings;
  std::shared_ptr<const access::Directory> directory;
  ehr::PatientKey key{"bench patient key"};
};

const Stream& stream() {
  static const Stream s = [] {
    Stream s;
    s.sim = ehr::simulate({});
    for (const auto& e : s.sim.events) s.ndjson += ehr::to_fhir_json(e.event, e.patient_id) + "\n";
    s.settings = *ehr::Settings::parse(s.sim.settings_yaml, "simulation", s.key);
    s.directory = std::make_shared<const access::Directory>(*access::Directory::parse_csv(ehr::staff_directory_csv(s.sim), "simulation"));
    return s;
  }();
  return s;
}

void BM_ParseFhir(benchmark::State& state) {
  const Stream& s = stream();
  size_t events = 0;
  for (auto _ : state) {
    auto stats = ehr::parse_events(s.ndjson, ehr::Format::fhir, s.key, [](const ehr::AccessEvent& e) { benchmark::DoNotOptimize(e.time); });
    events += stats.events;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * s.ndjson.size()));
}
BENCHMARK(BM_ParseFhir)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_IngestAndScoreFhir(benchmark::State& state) {
  const Stream& s = stream();
  size_t events = 0, alerts_total = 0;
  for (auto _ : state) {
    ehr::Analytics analytics(s.settings, s.directory, nullptr, {});
    std::vector<ehr::Alert> alerts;
    auto stats = ehr::parse_events(s.ndjson, ehr::Format::fhir, s.key, [&](const ehr::AccessEvent& e) { analytics.observe(e, alerts); });
    events += stats.events;
    alerts_total += alerts.size();
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["alerts"] = static_cast<double>(alerts_total) / state.iterations();
  state.counters["bytes/user"] = sizeof(ehr::UserState);
}
BENCHMARK(BM_IngestAndScoreFhir)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
