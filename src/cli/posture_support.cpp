#include "cli/posture_support.h"

#include "api/api.h"
#include "audit/audit.h"
#include "cli/resources.h"

namespace wardline::cli {

std::string posture_policy_path(const Config& config, const std::string& override_path) {
  if (!override_path.empty()) return override_path;
  return config.posture.policy.empty() ? resource_path("policies/posture.yaml") : config.posture.policy;
}

Result<PostureRules> load_posture_rules(const Config& config, store::Store& store, const std::string& policy_file) {
  auto policy = posture::Policy::load(posture_policy_path(config, policy_file));
  if (!policy) return policy.error();
  auto advisories = posture::AdvisoryBook(store).all();
  if (!advisories) return advisories.error();
  auto index = std::make_shared<const posture::AdvisoryIndex>(std::move(*advisories), (*policy)->sla());
  return PostureRules{*policy, index};
}

Result<std::shared_ptr<posture::DeviceInventory>> open_inventory(const Config& config, store::Store& store,
                                                                 const std::string& policy_file) {
  auto rules = load_posture_rules(config, store, policy_file);
  if (!rules) return rules.error();
  return std::make_shared<posture::DeviceInventory>(store, rules->policy, rules->advisories);
}

Status audit_state_changes(audit::AuditLog& audit, posture::DeviceInventory& inventory,
                           const std::vector<posture::StateChange>& changes, const std::string& actor,
                           std::optional<siem::SecurityEvent> summary) {
  std::vector<siem::SecurityEvent> events;
  if (summary) events.push_back(std::move(*summary));
  for (const auto& c : changes) {
    auto e = siem::make_event("posture.state_change", "success");
    e.actor = actor;
    e.subject = c.device_id;
    api::describe_state_change(e, c);
    events.push_back(std::move(e));
  }
  if (events.empty()) return {};
  auto r = audit.record_batch(std::move(events));
  if (r) return {};
  if (Status u = inventory.undo(changes); !u) return u;
  return make_error("audit_unavailable",
                    "the audit log cannot be written (" + r.error().message + "); the state changes were taken back");
}

}  // namespace wardline::cli
