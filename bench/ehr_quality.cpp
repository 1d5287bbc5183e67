// EHR access analytics quality on the synthetic hospital (src/ehr/simulate*):
// for each seed, the stream goes through the FHIR NDJSON parser and the
// analytics (with the simulation's own settings, directory and phished
// users), and the alerts are scored against the labelled anomalies:
// precision and recall per detection kind, and how many alerts of
// after-phish anomalies carried the compromised-credential escalation.
// Run: build-bench/bench/ehr_quality [SEEDS] [USERS] [DAYS] [fp]   (default 3 200 14;
// fp: print each false-positive alert and each missed anomaly)
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "access/access.h"
#include "ehr/ehr.h"

using namespace wardline;

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 3;
  const bool show_false_positives = argc > 4 && std::string(argv[4]) == "fp";
  ehr::SimulationOptions options;
  if (argc > 2) options.users = std::atoi(argv[2]);
  if (argc > 3) options.days = std::atoi(argv[3]);
  const ehr::PatientKey key("bench patient key");
  std::map<std::string, ehr::KindScore> total;
  size_t escalated = 0, phished_found = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    options.seed = static_cast<uint64_t>(seed);
    const ehr::Simulation sim = ehr::simulate(options);
    auto settings = ehr::Settings::parse(sim.settings_yaml, "simulation", key);
    if (!settings) {
      std::fprintf(stderr, "%s\n", settings.error().message.c_str());
      return 1;
    }
    auto directory = access::Directory::parse_csv(ehr::staff_directory_csv(sim), "simulation");
    if (!directory) return 1;
    ehr::Sources sources;
    const int64_t window = int64_t{(*settings)->compromise.window_hours} * 3600;
    sources.compromised = [&sim, window](const std::string& user, const std::string&, int64_t at) -> std::optional<std::string> {
      for (const auto& [who, when] : sim.phished)
        if (who == user && when <= at && at - when <= window) return "targeted by a confirmed smishing campaign";
      return std::nullopt;
    };
    ehr::Analytics analytics(*settings, std::make_shared<const access::Directory>(std::move(*directory)), nullptr, sources);
    std::string ndjson;
    for (const auto& e : sim.events) ndjson += ehr::to_fhir_json(e.event, e.patient_id) + "\n";
    std::vector<ehr::Alert> alerts;
    auto stats = ehr::parse_events(ndjson, ehr::Format::fhir, key, [&](const ehr::AccessEvent& e) { analytics.observe(e, alerts); });
    std::printf("seed %d: %zu events (%zu problems), %zu alerts\n", seed, stats.events, stats.problems, alerts.size());
    for (const auto& k : ehr::score_alerts(sim, alerts)) {
      auto& t = total[k.kind];
      t.kind = k.kind;
      t.anomalies += k.anomalies;
      t.found += k.found;
      t.alerts += k.alerts;
      t.true_alerts += k.true_alerts;
    }
    if (show_false_positives)
      for (const auto& a : alerts) {
        bool labelled = false;
        for (const auto& x : sim.anomalies) labelled |= ehr::within_anomaly(a, x);
        if (!labelled) std::printf("  FP %s %s %lld: %s\n", a.kind.c_str(), a.user.c_str(), static_cast<long long>(a.at), a.explanation.c_str());
      }
    if (show_false_positives)
      for (const auto& x : sim.anomalies) {
        bool found = false;
        for (const auto& a : alerts) found |= a.kind == x.kind && ehr::within_anomaly(a, x);
        if (!found) std::printf("  MISSED %s %s %lld: %s\n", x.kind.c_str(), x.user.c_str(), static_cast<long long>(x.start), x.description.c_str());
      }
    for (const auto& x : sim.anomalies) {
      if (!x.after_phish) continue;
      for (const auto& a : alerts)
        if (a.kind == x.kind && ehr::within_anomaly(a, x)) {
          ++phished_found;
          escalated += a.details.count("likely_compromised");
          break;
        }
    }
  }
  std::printf("\n%-18s %9s %7s %7s %9s %7s\n", "kind", "anomalies", "found", "recall", "alerts", "precision");
  for (std::string_view kind : ehr::kDetectionKinds) {
    const auto& t = total[std::string(kind)];
    std::printf("%-18s %9zu %7zu %7.2f %9zu %7.2f\n", t.kind.c_str(), t.anomalies, t.found, t.recall(), t.alerts, t.precision());
  }
  std::printf("\nafter-phish anomalies found: %zu, their alert escalated as a likely compromised credential: %zu\n", phished_found,
              escalated);
  return 0;
}
