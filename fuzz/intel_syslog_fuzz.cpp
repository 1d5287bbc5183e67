// Any bytes as a syslog TCP stream, fed in pieces: RFC 6587 framing, then
// the RFC 5424 / 3164 header of every frame.
#include <cstddef>
#include <cstdint>
#include <string>

#include "intel/intel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wardline::intel::SyslogFramer framer(256);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string message;
  for (size_t i = 0; i < in.size(); i += 13) {
    framer.feed(in.substr(i, 13));
    for (;;) {
      auto next = framer.next(message);
      if (next == wardline::intel::SyslogFramer::Next::need_more) break;
      if (next != wardline::intel::SyslogFramer::Next::message) continue;
      if (message.size() > 256) __builtin_trap();
      auto m = wardline::intel::parse_syslog(message);
      if (m.msg.size() > message.size()) __builtin_trap();
    }
  }
  return 0;
}
