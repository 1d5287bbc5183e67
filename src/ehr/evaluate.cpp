// Scoring alerts against a simulation's labelled anomalies (the evaluation
// kit's yardstick: tests and bench/ehr_quality use it).
#include <algorithm>

#include "ehr/ehr.h"

namespace wardline::ehr {

bool within_anomaly(const Alert& a, const InjectedAnomaly& x) {
  constexpr int64_t kSlack = 3600;
  return a.user == x.user && a.at >= x.start - kSlack && a.at <= x.end + kSlack;
}

std::vector<KindScore> score_alerts(const Simulation& simulation, const std::vector<Alert>& alerts) {
  std::vector<KindScore> scores;
  for (std::string_view kind : kDetectionKinds) {
    KindScore k;
    k.kind = kind;
    for (const auto& x : simulation.anomalies) {
      if (x.kind != kind) continue;
      ++k.anomalies;
      if (std::any_of(alerts.begin(), alerts.end(), [&](const Alert& a) { return a.kind == kind && within_anomaly(a, x); })) ++k.found;
    }
    for (const auto& a : alerts) {
      if (a.kind != kind) continue;
      ++k.alerts;
      if (std::any_of(simulation.anomalies.begin(), simulation.anomalies.end(), [&](const InjectedAnomaly& x) { return within_anomaly(a, x); }))
        ++k.true_alerts;
    }
    scores.push_back(k);
  }
  return scores;
}

}  // namespace wardline::ehr
