// Any bytes as a runbook: an error that says where and what, or a runbook
// that keeps the promises parse_runbook makes (steps, unique ids, known
// actions, every step owned), never a crash or a hang.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

#include "response/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::response;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rb = parse_runbook(text, "fuzz", "fuzz.yaml");
  if (!rb) {
    if (!rb.error().message.starts_with("fuzz.yaml")) __builtin_trap();  // every error names the file
    return 0;
  }
  const auto& types = incident_types();
  if (rb->title.empty() || rb->owner.empty() || rb->steps.empty() ||
      std::find(types.begin(), types.end(), rb->incident_type) == types.end())
    __builtin_trap();
  std::set<std::string> ids;
  const auto& actions = runbook_actions();
  for (const auto& s : rb->steps) {
    if (!ids.insert(s.id).second || s.title.empty() || s.owner.empty()) __builtin_trap();
    if (!s.action.empty() &&
        std::none_of(actions.begin(), actions.end(), [&](const RunbookAction& a) { return a.name == s.action; }))
      __builtin_trap();
  }
  return 0;
}
