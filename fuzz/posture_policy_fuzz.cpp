// Any bytes as a posture policy; a policy that parses is used to judge a
// device with every attribute set, so each check runs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "posture/posture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::posture;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = Policy::parse(text, "fuzz.yaml");
  if (!policy) return 0;
  Device d;
  d.id = "fuzz";
  d.platform = Platform::android;
  d.os_version = "13.1";
  d.patch_level = "2024-02-30";
  d.ownership = Ownership::byod;
  d.management = Management::work_profile;
  d.encrypted = d.biometrics = d.jailbroken = d.unknown_sources = d.cloud_backup = true;
  d.passcode_present = true;
  d.passcode_length = 4;
  d.apps.push_back({"com.epic.haiku", "Haiku", "10.1", AppSource::sideloaded, {"camera", "sms"}});
  d.app_config["offline_ephi_cache"] = "true";
  d.tags = {"hospital-at-home"};
  d.network_segment = "guest";
  d.last_checkin = 1;
  std::vector<Finding> findings;
  (*policy)->evaluate(d, 1767225600, nullptr, findings);
  Standing s = next_standing({}, findings, 1767225600, **policy);
  for (const auto& f : s.findings)
    if (f.check.empty() || f.message.empty()) __builtin_trap();
  return 0;
}
