// Any bytes as an access policy; one that loads decides a fixed request, and
// a deny rule matching everything must make it a deny.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "access/access.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::access;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = Policy::parse(text, "fuzz.yaml");
  if (!policy) return 0;
  Facts f;
  f.user = "kim";
  f.role = "nurse";
  f.category = "ehr.clinical";
  f.action = "read";
  f.device_state = "grace";
  f.ownership = "byod";
  f.zones = (*policy)->zones_of("10.1.2.3", {"vpn"});
  f.country = "DE";
  f.signals = {"intel_hit", "failed_logins"};
  f.assurance = Assurance::multi_factor;
  f.auth_age = 4000;
  f.hour = 23;
  f.weekday = 6;
  std::vector<std::string> trace;
  Outcome o = (*policy)->decide(f, &trace);
  if (o.decision == Decision::step_up && o.required <= o.presented) __builtin_trap();
  return 0;
}
