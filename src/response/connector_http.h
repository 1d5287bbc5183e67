// Internal to the response module: what the MDM connectors share. One HTTPS
// exchange and how its failure is classified, OAuth2 client-credentials
// tokens, secrets read at send time, and the retry loop. See docs/mdm-connectors.md.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "response/response.h"

namespace wardline::response::mdm {

// How one attempt ended.
enum class Outcome {
  done,       // 2xx: the MDM took it
  retry,      // nothing happened (not reached, 429, 503): safe to send again
  ambiguous,  // it may have happened (no answer after sending, 500/502/504)
  refused,    // the MDM said no (4xx), or it cannot work as configured
};

struct Reply {
  Outcome outcome = Outcome::refused;
  int status = 0;  // HTTP status; 0: no answer
  std::string body;
  std::string detail;  // what happened, in words, for the administrator
  std::optional<std::chrono::seconds> retry_after;
};

struct Request {
  std::string method = "POST";  // POST | GET
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body, content_type;
};

// One request over verified TLS 1.2+ (trusting `config.ca_file` when set),
// with the connector's timeouts. `vendor` names the other side in details.
Reply exchange(const MdmConnectorConfig& config, const Request& request, const std::string& vendor);

// The MDM's own words from an error body (Graph's error.code and
// error.message, OAuth2's error and error_description, Jamf's text or HTML),
// on one line, at most about 300 characters.
std::string error_text(const std::string& body);


// OAuth2 client credentials (RFC 6749 section 4.4) against config.token_url,
// the secret read from config.client_secret_file at each fetch. The token is
// cached until 60 s before it expires. Thread-safe.
class TokenSource {
 public:
  TokenSource(MdmConnectorConfig config, std::string scope, std::string vendor);
  // Calls `call` with a bearer token. A 401 means the token was revoked or
  // expired early: one new token, one more call.
  Reply with_token(const std::function<Reply(const std::string& bearer)>& call);

 private:
  Reply fetch(bool renew, std::string& token);

  MdmConnectorConfig config_;
  std::string scope_, vendor_;
  std::mutex mu_;
  std::string token_;
  std::chrono::steady_clock::time_point valid_until_;
};

// What a look at the MDM says after an ambiguous failure.
enum class Seen { yes, no, cannot_tell };
struct Check {
  Seen seen = Seen::cannot_tell;
  std::string detail;
};

struct RetryRules {
  // Send again after an ambiguous failure: the receiver de-duplicates, or
  // `check` has shown that the command did not happen.
  bool resend_ambiguous = false;
  std::function<Check()> check;  // empty: none
  std::string unknown_hint;      // what the administrator should look at when delivery stays unknown
};

// Sends `attempt` up to config.max_attempts times. Waits (through `sleep`)
// config.backoff, doubled each time, or the answer's Retry-After (at most 60 s).
DispatchResult deliver(const MdmConnectorConfig& config, const Sleeper& sleep, const std::function<Reply()>& attempt,
                       const RetryRules& rules);

// The connectors; `config` is complete (token_url filled in) and checked by make_connector.
std::unique_ptr<Connector> make_intune_connector(const MdmConnectorConfig& config, Sleeper sleep);
std::unique_ptr<Connector> make_jamf_connector(const MdmConnectorConfig& config, Sleeper sleep);
std::unique_ptr<Connector> make_webhook_connector(const MdmConnectorConfig& config, Sleeper sleep);

}  // namespace wardline::response::mdm
