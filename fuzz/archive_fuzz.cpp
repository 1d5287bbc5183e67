// Any bytes as an audit archive: rejected with a reason or verified, never a
// crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "audit/audit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = wardline::audit::verify_archive_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "");
  if (!r.ok() && r.error().message.empty()) __builtin_trap();
  return 0;
}
