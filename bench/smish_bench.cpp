// Smishing analysis speed: messages per second through the whole analyzer
// (normalise, extract, rules, look-alikes, fastText), one core, messages
// already in memory. Uses the shared dev set when present.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "smish/smish.h"

namespace {

using namespace wardline::smish;

std::string root() {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  return src ? src : ".";
}

std::vector<std::string> sample_texts() {
  auto data = read_labeled_tsv(root() + "/../shared/data/sms_dev.tsv", false);
  std::vector<std::string> texts;
  if (data)
    for (const auto& d : *data) texts.push_back(d.text);
  if (texts.empty()) texts = {"Your Epic session expired. Sign in: hxxps://lakesidemed-epic[.]com/login", "see you at 5"};
  return texts;
}

// state.range(0): 1 = with the fastText model, 0 = rules, links and profile only.
void BM_AnalyzeMessage(benchmark::State& state) {
  auto rules = load_rules(root() + "/rules");
  auto org = load_organization(root() + "/examples/organization.yaml");
  auto model = Classifier::load(root() + "/models/smish.ftz");
  if (!rules || !org || !model) {
    state.SkipWithError("run from the source tree or set WARDLINE_SOURCE_DIR");
    return;
  }
  std::shared_ptr<const Classifier> classifier;
  if (state.range(0)) classifier = std::move(*model);
  Analyzer analyzer(*rules, *org, classifier);
  auto texts = sample_texts();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(analyzer.analyze(texts[i++ % texts.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AnalyzeMessage)->Arg(1)->Arg(0);

void BM_ModelOnly(benchmark::State& state) {
  auto model = Classifier::load(root() + "/models/smish.ftz");
  if (!model) {
    state.SkipWithError("model not found");
    return;
  }
  std::vector<std::string> tokens;
  for (const auto& t : sample_texts()) tokens.push_back(model_tokens(normalize(t)));
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize((*model)->predict(tokens[i++ % tokens.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ModelOnly);

}  // namespace
