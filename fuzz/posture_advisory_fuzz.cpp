// Any bytes as an advisory file of one source (WARDLINE_ADVISORY_SOURCE:
// kev, nvd, local), then matched against a fixed device.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "posture/posture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::posture;
  static const CpeProductMap products = {{"apple:iphone_os", "os:ios"},
                                         {"google:android", "os:android"},
                                         {"microsoft:teams", "app:com.microsoft.teams"},
                                         {"epic:haiku", "app:com.epic.haiku"}};
  static const Device device = [] {
    Device d;
    d.id = "fuzz";
    d.platform = Platform::android;
    d.os_version = "14";
    d.patch_level = "2024-02-05";
    for (const char* id : {"com.microsoft.teams", "COM.EPIC.HAIKU", "com.epic.haiku"}) {
      App a;
      a.id = id;
      a.version = "10.3.1";
      d.apps.push_back(a);
    }
    return d;
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto batch = parse_advisories(*parse_advisory_source(WARDLINE_ADVISORY_SOURCE), text, "fuzz", products,
                                "America/New_York");
  if (!batch) return 0;
  AdvisoryIndex index(std::move(batch->advisories), SlaPolicy{});
  std::vector<Exposure> out;
  index.exposures(device, out);
  // Every exposure names an advisory of the index.
  for (const auto& e : out)
    if (e.advisory < index.advisories().data() || e.advisory >= index.advisories().data() + index.advisories().size())
      __builtin_trap();
  return 0;
}
