// What `serve` and the `access` commands share: the decision point built
// from the access policy, the staff directory, the device inventory and the
// loaded threat intelligence.
#pragma once

#include <memory>
#include <string>

#include "access/access.h"
#include "core/config.h"

namespace wardline::intel { class LiveIndicators; }
namespace wardline::posture { class DeviceInventory; }

namespace wardline::cli {

struct AccessFiles {
  std::string policy, directory;  // overrides of access.policy / access.directory
};

// `inventory` and `indicators` may be null (device state and intel hits
// then count as unknown).
// The policy and directory files again (SIGHUP): a bad file is refused and
// the decision point keeps the ones it has.
Status reload_decision_point(const Config& config, access::DecisionPoint& point);

Result<std::shared_ptr<access::DecisionPoint>> open_decision_point(const Config& config, const AccessFiles& files,
                                                                  std::shared_ptr<posture::DeviceInventory> inventory,
                                                                  std::shared_ptr<intel::LiveIndicators> indicators);

}  // namespace wardline::cli
