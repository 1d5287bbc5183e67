// What every feed reader does with a value: normalise it, pass it on or
// record why not.
#pragma once

#include "intel/intel.h"

namespace wardline::intel {

void emit_normalized(Indicator&& indicator, std::string_view raw, std::string_view where, const IndicatorSink& sink,
                     FeedStats& stats);

}  // namespace wardline::intel
