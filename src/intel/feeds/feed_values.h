// What every feed reader does with a value: normalise it, pass it on or
// record why not.
#pragma once

#include "intel/intel.h"

namespace wardline::intel {

// `where` is called only when there is something to report.
void emit_normalized(Indicator&& indicator, std::string_view raw, const std::function<std::string()>& where,
                     const IndicatorSink& sink, FeedStats& stats);

}  // namespace wardline::intel
