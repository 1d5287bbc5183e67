#include "cli/response_support.h"

#include "cli/resources.h"
#include "posture/posture.h"

namespace wardline::cli {

std::string runbooks_dir(const Config& config) {
  return config.response.runbooks_dir.empty() ? resource_path("runbooks") : config.response.runbooks_dir;
}

Result<ResponseKit> open_response(const Config& config, store::Store& store,
                                  std::shared_ptr<posture::DeviceInventory> inventory) {
  std::vector<std::unique_ptr<response::Connector>> connectors;
  for (const auto& c : config.response.connectors) {
    auto made = response::make_connector(c);
    if (!made) return made.error();
    connectors.push_back(std::move(*made));
  }
  auto runbooks = response::load_runbooks(runbooks_dir(config));
  if (!runbooks) return runbooks.error();
  ResponseKit kit;
  // The desk holds a reference to the inventory: its deleter keeps the inventory alive as long.
  kit.desk = std::shared_ptr<response::ResponseDesk>(
      new response::ResponseDesk(store, *inventory, config.response, std::move(connectors)),
      [inventory](response::ResponseDesk* d) { delete d; });
  kit.incidents = std::make_shared<response::IncidentBook>(store);
  kit.drills = std::make_shared<response::DrillBook>(store);
  kit.runbooks = std::make_shared<const std::vector<response::Runbook>>(std::move(*runbooks));
  return kit;
}

}  // namespace wardline::cli
