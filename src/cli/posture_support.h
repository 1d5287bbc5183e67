// What `serve` and the `devices`, `advisories` and `report` commands share:
// the posture policy and advisories, and auditing compliance state changes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "posture/posture.h"
#include "siem/siem.h"

namespace wardline::audit { class AuditLog; }
namespace wardline::store { class Store; }

namespace wardline::cli {

// The posture policy file: `override_path`, else posture.policy, else the
// policies/posture.yaml shipped with Wardline.
std::string posture_policy_path(const Config& config, const std::string& override_path);

struct PostureRules {
  std::shared_ptr<const posture::Policy> policy;
  std::shared_ptr<const posture::AdvisoryIndex> advisories;
};
// The policy and every stored advisory, indexed.
Result<PostureRules> load_posture_rules(const Config& config, store::Store& store, const std::string& policy_file = "");

Result<std::shared_ptr<posture::DeviceInventory>> open_inventory(const Config& config, store::Store& store,
                                                                 const std::string& policy_file = "");

// Records each state change as a posture.state_change event by `actor`
// (with `summary` in front, if any) in one batch; when that fails the
// changes are taken back and the error says so.
Status audit_state_changes(audit::AuditLog& audit, posture::DeviceInventory& inventory,
                           const std::vector<posture::StateChange>& changes, const std::string& actor,
                           std::optional<siem::SecurityEvent> summary = std::nullopt);

}  // namespace wardline::cli
