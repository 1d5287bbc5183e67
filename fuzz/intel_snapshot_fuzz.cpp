// Any bytes as a compiled indicator snapshot: refused or loaded, never a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "intel/intel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/wardline-fuzz-" + std::to_string(getpid()) + ".snapshot";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  auto set = wardline::intel::load_snapshot(path);
  if (set) (void)(*set)->match_host("a.evil.example");
  return 0;
}
