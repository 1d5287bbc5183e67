// Builds an MDM connector from its configuration, checking what can be
// checked before the first wipe depends on it: secret files, the token URL.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <thread>

#include "response/connector_http.h"

namespace wardline::response {

std::string_view name_of(Delivery d) {
  switch (d) {
    case Delivery::accepted: return "accepted";
    case Delivery::failed: return "failed";
    case Delivery::unknown: return "unknown";
  }
  return "unknown";
}

namespace {

Status readable(const MdmConnectorConfig& c, const std::string& key, const std::string& path, const std::string& holds) {
  auto bad = [&](const std::string& what) { return make_error("invalid_config", "MDM connector '" + c.name + "': " + what, key); };
  if (path.empty()) return bad("'" + key + "' is missing: give the path of a file holding " + holds);
  if (::access(path.c_str(), R_OK) != 0)
    return bad(key + " '" + path + "' cannot be read (" + std::strerror(errno) + "): create it holding " + holds +
               ", readable by the account Wardline runs as");
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Connector>> make_connector(const MdmConnectorConfig& config, Sleeper sleep) {
  MdmConnectorConfig c = config;
  if (c.name.empty()) c.name = c.type;
  auto bad = [&](const std::string& key, const std::string& what) {
    return make_error("invalid_config", "MDM connector '" + c.name + "': " + what, key);
  };
  if (c.type != "intune" && c.type != "jamf" && c.type != "webhook")
    return bad("type", "type '" + c.type + "' is not known: use intune, jamf or webhook");
  if (c.type == "intune" && c.base_url.empty()) c.base_url = "https://graph.microsoft.com/v1.0";
  while (c.base_url.ends_with("/")) c.base_url.pop_back();
  if (!c.base_url.starts_with("https://")) return bad("base_url", "base_url '" + c.base_url + "' must be an https:// URL");
  if (c.timeout_seconds <= 0 || c.max_attempts <= 0 || c.backoff.count() <= 0)
    return bad("timeout_seconds", "timeout_seconds, max_attempts and backoff_ms must be positive");
  if (!c.ca_file.empty())
    if (Status s = readable(c, "ca_file", c.ca_file, "the PEM certificate of the CA that issued the MDM's TLS certificate"); !s) return s.error();
  if (!sleep) sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };

  if (c.type == "webhook") {
    if (Status s = readable(c, "secret_file", c.secret_file, "the key requests are signed with (HMAC-SHA256)"); !s) return s.error();
    return mdm::make_webhook_connector(c, std::move(sleep));
  }

  if (c.client_id.empty()) return bad("client_id", "'client_id' is missing: give the id of the MDM's OAuth2 API client");
  if (Status s = readable(c, "client_secret_file", c.client_secret_file, "the API client's secret"); !s) return s.error();
  if (c.type == "intune" && c.token_url.empty()) {
    if (c.tenant.empty())
      return bad("tenant", "'tenant' is missing: give the Entra ID tenant (its id or a verified domain such as contoso.onmicrosoft.com), "
                           "or the full token_url");
    auto tenant_char = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.'; };
    if (!std::all_of(c.tenant.begin(), c.tenant.end(), tenant_char))
      return bad("tenant", "tenant '" + c.tenant + "' is not a tenant id or domain");
    c.token_url = "https://login.microsoftonline.com/" + c.tenant + "/oauth2/v2.0/token";
  }
  if (c.type == "jamf" && c.token_url.empty()) c.token_url = c.base_url + "/api/oauth/token";
  if (!c.token_url.starts_with("https://")) return bad("token_url", "token_url '" + c.token_url + "' must be an https:// URL");
  if (c.type == "intune") return mdm::make_intune_connector(c, std::move(sleep));
  return mdm::make_jamf_connector(c, std::move(sleep));
}

}  // namespace wardline::response
