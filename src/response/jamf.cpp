// Jamf Pro through the Classic API's mobile device commands, with an API
// client's bearer token. Jamf does not de-duplicate commands and there is no
// cheap way to ask whether one was queued, so an ambiguous failure is never
// sent again: the administrator checks the device's management history.
#include <algorithm>

#include "response/connector_http.h"

namespace wardline::response::mdm {
namespace {

constexpr const char* kVendor = "Jamf Pro";

const char* jamf_command(ActionKind kind) {
  switch (kind) {
    case ActionKind::lock: return "DeviceLock";
    case ActionKind::selective_wipe: return "UnmanageDevice";  // the MDM profile goes, with managed apps and their data
    case ActionKind::full_wipe: return "EraseDevice";
  }
  return "DeviceLock";
}

class JamfConnector final : public Connector {
 public:
  JamfConnector(const MdmConnectorConfig& config, Sleeper sleep)
      : config_(config), sleep_(std::move(sleep)), tokens_(config, "", kVendor) {}

  const std::string& name() const override { return config_.name; }

  DispatchResult send(const Command& command) override {
    const std::string& id = command.device_id;
    if (id.empty() || id.size() > 18 || !std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return {Delivery::failed, 0, 0, "'" + id + "' is not a Jamf Pro mobile device id (a number): check the device's MDM id"};
    Request request{"POST",
                    config_.base_url + "/JSSResource/mobiledevicecommands/command/" + jamf_command(command.kind) + "/id/" + id,
                    {{"Accept", "application/xml"}},
                    "",
                    ""};
    RetryRules rules{false, {},
                     "Check the device's management history in Jamf Pro (Devices > the device > History > Management History) "
                     "before trying again: Jamf does not de-duplicate commands"};
    return deliver(config_, sleep_, [&] {
      return tokens_.with_token([&](const std::string& bearer) {
        Request r = request;
        r.headers.emplace_back("Authorization", "Bearer " + bearer);
        return exchange(config_, r, kVendor);
      });
    }, rules);
  }

 private:
  MdmConnectorConfig config_;
  Sleeper sleep_;
  TokenSource tokens_;
};

}  // namespace

std::unique_ptr<Connector> make_jamf_connector(const MdmConnectorConfig& config, Sleeper sleep) {
  return std::make_unique<JamfConnector>(config, std::move(sleep));
}

}  // namespace wardline::response::mdm
