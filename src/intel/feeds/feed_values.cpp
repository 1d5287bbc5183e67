#include "intel/feeds/feed_values.h"

namespace wardline::intel {

constexpr size_t kKeptRejects = 100;

void FeedStats::reject(std::string where, std::string reason) {
  ++rejected;
  if (rejects.size() < kKeptRejects) rejects.push_back({std::move(where), std::move(reason)});
}

void emit_normalized(Indicator&& indicator, std::string_view raw, std::string_view where, const IndicatorSink& sink,
                     FeedStats& stats) {
  auto value = normalize(indicator.type, raw);
  if (!value) {
    stats.reject(std::string(where), value.error().message);
    return;
  }
  indicator.value = std::move(*value);
  ++stats.indicators;
  sink(std::move(indicator), where);
}

}  // namespace wardline::intel
