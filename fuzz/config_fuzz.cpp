// Any bytes as a config file: an error or a config, never a crash or a hang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = wardline::parse_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (!c.ok() && c.error().message.empty()) __builtin_trap();  // every error must say what is wrong
  return 0;
}
