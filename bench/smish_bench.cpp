// Smishing analysis speed: messages per second through the whole analyzer
// (normalise, extract, rules, look-alikes, fastText), one core, messages
// already in memory. Uses the shared dev set when present.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "smish/smish.h"

namespace {

using namespace wardline::smish;

void BM_AnalyzeMessage(benchmark::State& state) {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  std::string root = src ? src : ".";
  auto rules = load_rules(root + "/rules");
  auto org = load_organization(root + "/examples/organization.yaml");
  auto model = Classifier::load(root + "/models/smish.ftz");
  if (!rules || !org || !model) {
    state.SkipWithError("run from the source tree or set WARDLINE_SOURCE_DIR");
    return;
  }
  Analyzer analyzer(*rules, *org, std::shared_ptr<const Classifier>(std::move(*model)));
  auto data = read_labeled_tsv(root + "/../shared/data/sms_dev.tsv", false);
  std::vector<std::string> texts;
  if (data)
    for (const auto& d : *data) texts.push_back(d.text);
  if (texts.empty()) texts = {"Your Epic session expired. Sign in: hxxps://lakesidemed-epic[.]com/login", "see you at 5"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(analyzer.analyze(texts[i++ % texts.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzeMessage);

}  // namespace
