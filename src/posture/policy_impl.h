// Internal: the parsed posture policy, shared by the YAML reader (policy.cpp)
// and the checks (checks.cpp).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "posture/posture.h"

namespace wardline::posture {

enum class CheckId {
  os_version, app_versions, encryption, passcode, biometrics, jailbreak, sideloading, cloud_backup,
  app_catalogue, app_permissions, management, ephi_cache, segment, checkin_age, patch_sla,
};
constexpr size_t kCheckCount = static_cast<size_t>(CheckId::patch_sla) + 1;
std::string_view name_of(CheckId id);
std::optional<CheckId> parse_check(std::string_view text);

// One check as a rule configures it. Parameters unused by a check stay empty.
struct CheckSpec {
  CheckId id = CheckId::encryption;
  bool enabled = true;
  Enforcement enforcement = Enforcement::block;
  int64_t grace = 0;
  bool quarantine = false;
  std::string rule;  // the rule that set it, for explanations
  std::string min;   // os_version: minimum OS version
  int64_t max_patch_age = 0;       // os_version: Android patch level at most this old
  int min_length = 6;              // passcode
  std::vector<Management> require; // management
  std::vector<std::string> allowed;  // segment: SSIDs / VLANs
  std::vector<std::string> flags;    // ephi_cache: app_config flags that must not be "true"
  int64_t max_age = 0;               // checkin_age
};

struct CatalogueApp {
  std::string id, name, min_version;
  std::vector<std::string> names;        // display names, for MDMs that report no bundle id
  std::vector<std::string> permissions;  // flagged permissions it is approved to hold
};

struct Rule {
  std::string name;
  std::vector<Platform> platforms;
  std::vector<Ownership> ownerships;
  std::vector<std::string> tags;  // the device has any of them
  std::vector<CheckSpec> checks;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

using EffectiveChecks = std::array<const CheckSpec*, kCheckCount>;

struct Policy::Impl {
  std::string timezone = "UTC";
  bool unreported_fails = false;  // unreported: fail (default: report)
  int64_t quarantine_after = 14 * 86400;
  SlaPolicy sla;
  CpeProductMap cpe_products;
  std::vector<std::unique_ptr<CatalogueApp>> catalogue;
  // App id, and display name for apps the MDM names but does not identify
  // (Intune), -> the catalogue entry: one lookup per installed app.
  std::unordered_map<std::string, const CatalogueApp*, StringHash, std::equal_to<>> catalogue_keys;
  const CatalogueApp* find_app(std::string_view id) const;
  std::vector<std::string> flagged_permissions;
  std::vector<Rule> rules;
  // The checks of rules without tags, per platform and ownership; rules
  // with tags apply on top, per device.
  std::array<std::array<EffectiveChecks, 3>, 6> base{};
  std::vector<const Rule*> tag_rules;

  EffectiveChecks effective(const Device& d) const;
};

}  // namespace wardline::posture
