// What `serve` and the `access` commands share: the decision point built
// from the access policy, the staff directory, the device inventory and the
// loaded threat intelligence.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "access/access.h"
#include "core/config.h"

namespace wardline::intel { class LiveIndicators; }
namespace wardline::posture { class DeviceInventory; }
namespace wardline::store { class Store; }

namespace wardline::cli {

struct AccessFiles {
  std::string policy, directory;  // overrides of access.policy / access.directory
};

// `inventory`, `indicators` and `store` may be null (device state, intel
// hits and first device use then count as unknown).
// The access policy file: `override_path`, else access.policy, else the
// policies/access.yaml shipped with Wardline.
std::string access_policy_path(const Config& config, const std::string& override_path);
// The staff directory file: `override_path`, else access.directory, else the example shipped with Wardline.
std::string access_directory_path(const Config& config, const std::string& override_path);

// The policy and directory files again (SIGHUP): a bad file is refused and
// the decision point keeps the ones it has.
Status reload_decision_point(const Config& config, access::DecisionPoint& point);

// `ehr_anomaly` (optional): the EHR access analytics' risk signal.
Result<std::shared_ptr<access::DecisionPoint>> open_decision_point(const Config& config, const AccessFiles& files,
                                                                  std::shared_ptr<posture::DeviceInventory> inventory,
                                                                  std::shared_ptr<intel::LiveIndicators> indicators,
                                                                  store::Store* store = nullptr,
                                                                  std::function<bool(const std::string&, int64_t)> ehr_anomaly = {});

}  // namespace wardline::cli
