#include "intel/feeds/feed_values.h"

namespace wardline::intel {

constexpr size_t kKeptRejects = 100;

void FeedStats::reject(std::string where, std::string reason) {
  ++rejected;
  if (rejects.size() < kKeptRejects) rejects.push_back({std::move(where), std::move(reason)});
}

void emit_normalized(Indicator&& indicator, std::string_view raw, const std::function<std::string()>& where,
                     const IndicatorSink& sink, FeedStats& stats) {
  auto value = normalize(indicator.type, raw);
  if (!value) {
    stats.reject(where(), value.error().message);
    return;
  }
  indicator.value = std::move(*value);
  Status accepted = sink(std::move(indicator));
  if (accepted) ++stats.indicators;
  else if (accepted.error().code == "warninglisted") ++stats.ignored;
  else if (accepted.error().code == "expired") ++stats.expired;
  else if (accepted.error().code == "decayed") ++stats.decayed;
  else stats.reject(where(), accepted.error().message);
}

}  // namespace wardline::intel
