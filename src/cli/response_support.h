// What `serve` and the response commands share: the response desk with its
// MDM connectors, the runbooks, drills and incidents.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "response/response.h"

namespace wardline::posture { class DeviceInventory; }
namespace wardline::store { class Store; }

namespace wardline::cli {

struct ResponseKit {
  std::shared_ptr<response::ResponseDesk> desk;
  std::shared_ptr<response::IncidentBook> incidents;
  std::shared_ptr<response::DrillBook> drills;
  std::shared_ptr<const std::vector<response::Runbook>> runbooks;
};

// response.runbooks_dir, else the runbooks/ shipped with Wardline.
std::string runbooks_dir(const Config& config);

// Connectors from response.connectors; runbooks from runbooks_dir(). The
// inventory must outlive the kit.
Result<ResponseKit> open_response(const Config& config, store::Store& store,
                                  std::shared_ptr<posture::DeviceInventory> inventory);

}  // namespace wardline::cli
