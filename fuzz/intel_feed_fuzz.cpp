// Any bytes as a threat feed of one format (WARDLINE_FEED_FORMAT: stix, misp,
// csv, urlhaus, list) and, for stix, as a bare STIX pattern too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "intel/intel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::intel;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string_view format = WARDLINE_FEED_FORMAT;
  FeedStats stats;
  IndicatorSetBuilder builder;
  IndicatorSink sink = [&](Indicator&& i) { return builder.add(i, "fuzz"); };
  if (format == "stix") {
    (void)read_stix_bundle(text, sink, stats);
    (void)stix_pattern_iocs(text);
  } else if (format == "misp") {
    (void)read_misp_event(text, sink, stats);
  } else if (format == "csv") {
    read_csv_feed(text, CsvLayout{}, sink, stats);
  } else if (format == "urlhaus") {
    read_csv_feed(text, urlhaus_layout(), sink, stats);
  } else {
    read_list_feed(text, sink, stats);
  }
  auto set = builder.build();
  set->for_each([&](IndicatorType t, std::string_view v, const Provenance&) {
    // Whatever went in must be found again by its own value.
    if (t == IndicatorType::domain && !set->match_host(v)) __builtin_trap();
  });
  return 0;
}
