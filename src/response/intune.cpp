// Microsoft Intune through Microsoft Graph: remoteLock, retire (selective
// wipe) and wipe on a managed device. Graph does not de-duplicate commands,
// so after an ambiguous failure the device's action list is read before
// anything is sent again.
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time.h"
#include "response/connector_http.h"

namespace wardline::response::mdm {
namespace {

constexpr const char* kVendor = "Microsoft Graph";
constexpr const char* kScope = "https://graph.microsoft.com/.default";
// client-request-id namespace: the same action id always gives the same GUID.
constexpr const char* kRequestIdNamespace = "4f7c2a8e-1d3b-4e6f-9a0c-5b8d7e2f1a63";
constexpr int64_t kClockSkew = 300;  // seconds of disagreement allowed between our clock and Intune's

const char* graph_action(ActionKind kind) {
  switch (kind) {
    case ActionKind::lock: return "remoteLock";
    case ActionKind::selective_wipe: return "retire";
    case ActionKind::full_wipe: return "wipe";
  }
  return "remoteLock";
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return std::tolower(static_cast<unsigned char>(c)); };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

class IntuneConnector final : public Connector {
 public:
  IntuneConnector(const MdmConnectorConfig& config, Sleeper sleep)
      : config_(config), sleep_(std::move(sleep)), tokens_(config, kScope, kVendor) {}

  const std::string& name() const override { return config_.name; }

  DispatchResult send(const Command& command) override {
    const std::string& id = command.device_id;
    auto id_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
    if (id.empty() || !std::all_of(id.begin(), id.end(), id_char))
      return {Delivery::failed, 0, 0, "'" + id + "' is not an Intune managed device id (a GUID): check the device's MDM id"};
    const char* action = graph_action(command.kind);
    std::string device_url = config_.base_url + "/deviceManagement/managedDevices/" + id;
    std::string request_id = uuid_v5(kRequestIdNamespace, command.idempotency_key);
    Request request{"POST", device_url + "/" + action, {{"client-request-id", request_id}, {"Accept", "application/json"}}, "", ""};
    if (command.kind == ActionKind::full_wipe) {
      request.body = R"({"keepEnrollmentData":false,"keepUserData":false})";
      request.content_type = "application/json";
    }
    int64_t first_attempt = unix_now();
    RetryRules rules{true, [&] { return probe(device_url, action, first_attempt); },
                     "Check the device's actions in the Intune admin center (Devices > the device > Overview: device actions status) "
                     "before trying again: Intune does not de-duplicate commands"};
    auto attempt = [&] { return tokens_.with_token([&](const std::string& bearer) { return authorized(request, bearer); }); };
    return deliver(config_, sleep_, attempt, rules);
  }

 private:
  Reply authorized(Request request, const std::string& bearer) {
    request.headers.emplace_back("Authorization", "Bearer " + bearer);
    return exchange(config_, request, kVendor);
  }

  // Did Intune record `action` on the device since the first attempt?
  Check probe(const std::string& device_url, const std::string& action, int64_t first_attempt) {
    Request get{"GET", device_url + "?$select=deviceActionResults", {{"Accept", "application/json"}}, "", ""};
    Reply r = tokens_.with_token([&](const std::string& bearer) { return authorized(get, bearer); });
    if (r.outcome != Outcome::done) return {Seen::cannot_tell, "reading the device's actions to check failed too: " + r.detail};
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    auto results = j.is_object() ? j.find("deviceActionResults") : j.end();
    if (results == j.end() || !results->is_array())
      return {Seen::cannot_tell, "the device's actions could not be read (no deviceActionResults in Graph's answer)"};
    for (const auto& a : *results) {
      if (!a.is_object()) continue;
      std::string name = a.value("actionName", ""), start = a.value("startDateTime", ""), state = a.value("actionState", "");
      auto started = parse_rfc3339(start);
      if (equal_ignoring_case(name, action) && started && *started >= first_attempt - kClockSkew)
        return {Seen::yes, "Intune lists " + name + " (" + state + ") started at " + start +
                               ": the command was accepted, so it was not sent again"};
    }
    return {Seen::no, ""};
  }

  MdmConnectorConfig config_;
  Sleeper sleep_;
  TokenSource tokens_;
};

}  // namespace

std::unique_ptr<Connector> make_intune_connector(const MdmConnectorConfig& config, Sleeper sleep) {
  return std::make_unique<IntuneConnector>(config, std::move(sleep));
}

}  // namespace wardline::response::mdm
