// A generic signed webhook: the receiver (an MDM bridge, a SOAR playbook)
// checks the HMAC-SHA256 signature and de-duplicates on Idempotency-Key, so
// every transient failure, ambiguous ones included, is sent again with the
// same key and the same body.
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/time.h"
#include "core/files.h"
#include "response/connector_http.h"

namespace wardline::response::mdm {
namespace {

constexpr const char* kVendor = "the webhook receiver";

class WebhookConnector final : public Connector {
 public:
  WebhookConnector(const MdmConnectorConfig& config, Sleeper sleep) : config_(config), sleep_(std::move(sleep)) {}

  const std::string& name() const override { return config_.name; }

  DispatchResult send(const Command& command) override {
    auto secret = read_secret_file(config_.secret_file, "the webhook signing key file");
    if (!secret) return {Delivery::failed, 0, 0, secret.error().message};
    nlohmann::ordered_json body{{"id", command.idempotency_key},      {"action", name_of(command.kind)},
                                {"device", command.device_id},        {"platform", command.platform},
                                {"reason", command.reason},           {"requested_by", command.requested_by},
                                {"approved_by", command.approved_by}, {"drill", command.drill}};
    Request request{"POST", config_.base_url, {{"Idempotency-Key", command.idempotency_key}}, body.dump(), "application/json"};
    RetryRules rules{true, {},
                     "The receiver de-duplicates on Idempotency-Key '" + command.idempotency_key +
                         "': check with it whether the action ran; sending the same action again is safe"};
    return deliver(config_, sleep_, [&] {
      // Signed afresh for each attempt, so a retry after a long wait still has a recent timestamp.
      std::string timestamp = std::to_string(unix_now());
      Request r = request;
      r.headers.emplace_back("X-Wardline-Timestamp", timestamp);
      r.headers.emplace_back("X-Wardline-Signature", "sha256=" + crypto::hex_encode(crypto::hmac_sha256(*secret, timestamp + "." + r.body)));
      return exchange(config_, r, kVendor);
    }, rules);
  }

 private:
  MdmConnectorConfig config_;
  Sleeper sleep_;
};

}  // namespace

std::unique_ptr<Connector> make_webhook_connector(const MdmConnectorConfig& config, Sleeper sleep) {
  return std::make_unique<WebhookConnector>(config, std::move(sleep));
}

}  // namespace wardline::response::mdm
