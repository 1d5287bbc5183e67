// Any bytes as a device inventory file of one source (WARDLINE_IMPORT_SOURCE:
// intune, jamf, csv, json), joined, and every device imported through the
// generic device format and back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "posture/posture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::posture;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto source = parse_import_source(WARDLINE_IMPORT_SOURCE);
  if (!source) __builtin_trap();
  auto batch = parse_inventory(*source, text, "fuzz");
  if (!batch) return 0;
  std::vector<ImportBatch> batches;
  batches.push_back(std::move(*batch));
  for (const Device& d : merge_import(std::move(batches)).devices) {
    // Whatever was imported can be stored and read back as itself.
    std::string json = device_to_json(d);
    auto back = device_from_json(json, "fuzz");
    if (!back || back->id != d.id || device_to_json(*back) != json) __builtin_trap();
  }
  return 0;
}
