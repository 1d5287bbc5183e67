// Any bytes as a log of one format (WARDLINE_LOG_FORMAT: zeek, squid, eve,
// cef, ecs), parsed line by line and matched against a small indicator set,
// as `wardline intel scan` does. One source, one target per parser.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "intel/intel.h"

namespace {

const wardline::intel::IndicatorSet& indicators() {
  static auto set = [] {
    using namespace wardline::intel;
    IndicatorSetBuilder b;
    for (auto [t, v] : {std::pair{IndicatorType::domain, "evil.example"}, {IndicatorType::url, "http://bad.example/a/"},
                        {IndicatorType::ipv4, "198.51.100.0/24"}, {IndicatorType::ipv6, "2001:db8::/32"},
                        {IndicatorType::email, "x@evil.example"}, {IndicatorType::md5, "0749bae92ca336a02c83d126e04ec628"}}) {
      Indicator i;
      i.type = t;
      i.value = *normalize(t, v);
      (void)b.add(i, "fuzz");
    }
    return b.build();
  }();
  return *set;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto format = wardline::intel::parse_log_format(WARDLINE_LOG_FORMAT);
  int fds[2];
  if (size > 60000 || pipe(fds) != 0) return 0;
  // Through a pipe, so the block reader, line splitting and carry-over are fuzzed too.
  (void)!write(fds[1], data, size);
  close(fds[1]);
  (void)wardline::intel::scan_stream(fds[0], "fuzz.log", format, indicators(), [](const wardline::intel::Hit& h) {
    if (h.match.value.empty()) __builtin_trap();
  });
  close(fds[0]);
  return 0;
}
