// Wardline's configuration: typed, validated, every key documented in
// docs/configuration.md. Loading never throws: bad input comes back as an
// Error naming the key with its line and column.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace wardline {

struct TlsConfig {
  bool enabled = true;          // false only through --insecure-http
  std::string cert_file;        // empty: a local CA and server cert are created in data_dir/tls
  std::string key_file;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct HttpConfig {
  size_t max_body_bytes = 1 << 20;
  int read_timeout_seconds = 10;
  int write_timeout_seconds = 10;
  int threads = 64;  // each serves one kept-alive connection at a time
};

struct SinkConfig {
  std::string name;
  std::string type;             // "jsonl" | "syslog"
  size_t queue_size = 10000;
  // jsonl
  std::string path;
  uint64_t max_bytes = 64ull << 20;
  int max_files = 10;
  // syslog
  std::string transport = "tcp";  // "udp" | "tcp" | "tls"
  std::string host = "127.0.0.1";
  int port = 514;
  std::string format = "rfc5424";  // "rfc5424" | "cef"
  std::string ca_file;            // tls: CA bundle used to verify the collector
  std::string app_name = "wardline";
};

struct AuditConfig {
  uint64_t sth_every_entries = 1000;  // sign a tree head after this many new entries...
  int sth_every_seconds = 60;         // ...or this long after the last one
  std::chrono::seconds retention{6 * 365 * 24 * 3600};  // HIPAA: six years
};

// Secrets live in files (mode 0600), never in the YAML itself.
struct TwilioIntakeConfig {
  std::string auth_token_file;  // empty: the Twilio webhook is off
  std::string webhook_url;      // the URL configured in Twilio; empty: rebuilt from the request
};

struct WhatsAppIntakeConfig {
  std::string app_secret_file;    // empty: the WhatsApp webhook is off
  std::string verify_token_file;  // the token typed into Meta's webhook settings
};

// Campaign clustering (see docs/configuration.md).
// Notices to the staff a confirmed campaign targeted, through the hospital's
// SMS gateway (an HTTPS endpoint taking {"to","message","campaign"}).
struct StaffNoticeConfig {
  std::string url;         // empty: no notices
  std::string token_file;  // optional bearer token for the gateway
  // {category}, {reports} and {staff} are filled in; the result may not contain a link.
  std::string message = "Security alert from IT: a fake {category} text message is going around ({reports} reports). "
                        "Do not tap its link or reply; delete it. Questions: call the Service Desk.";
};

struct CampaignConfig {
  int minhash_hashes = 64;
  int lsh_bands = 16;
  double min_similarity = 0.5;
  int shingle_words = 2;
  std::chrono::seconds sender_window{7 * 24 * 3600};
  int alert_at = 3;  // a campaign reaching this many reports raises a smish.campaign alert
  StaffNoticeConfig notify;
};

struct SmishConfig {
  std::string rules_dir;     // empty: the rules/ shipped with Wardline
  std::string model;         // empty: models/smish.ftz
  std::string organization;  // empty: examples/organization.yaml (the demo profile)
  int reports_per_hour = 30; // per reporter
  TwilioIntakeConfig twilio;
  WhatsAppIntakeConfig whatsapp;
  CampaignConfig campaigns;
};

// Threat intelligence in the daemon (see docs/intel.md).
struct IntelConfig {
  std::chrono::seconds pull_interval{3600};  // 0: no scheduled pulls ("off")
  std::vector<std::string> warning_lists;    // files of domains that never alert
  int min_confidence = 10;                   // feeds with a half-life: indicators decayed below this are left out
  int retro_hunt_days = 30;                  // destinations seen in ingested logs are kept this long; 0: off
  std::string syslog_listen;                 // HOST:PORT for log sources over syslog (TLS, RFC 5425); empty: off
  std::string syslog_format;                 // zeek|squid|eve|cef|ecs; empty: detected per connection
};

// Device posture in the daemon (see docs/posture-policy.md).
struct PostureConfig {
  std::string policy;                             // empty: policies/posture.yaml shipped with Wardline
  std::chrono::seconds reevaluate_interval{900};  // grace deadlines and check-in ages; 0: off
};

// Conditional access (see docs/access-policy.md).
struct AccessConfig {
  std::string policy;     // empty: policies/access.yaml shipped with Wardline
  std::string directory;  // staff roles and groups (CSV or JSON); empty: examples/access-directory.csv
};

struct EhrConfig {
  std::string settings;  // EHR access analytics settings; empty: policies/ehr.yaml shipped with Wardline
  std::string geoip;     // a MaxMind DB placing addresses no site covers; empty: none
};

// The browser dashboard and its passkey sign-in (see docs/dashboard.md).
struct ConsoleConfig {
  // The URL users open, e.g. https://wardline.lakesidemed.org; passkeys are
  // bound to its host name (the WebAuthn RP ID). Empty: https://localhost:PORT
  // from `listen` (http:// under --insecure-http).
  std::string origin;
  std::chrono::seconds idle_timeout{15 * 60};         // a session unused this long ends
  std::chrono::seconds absolute_timeout{8 * 3600};    // a session ends this long after sign-in, used or not
  std::chrono::seconds enroll_link_ttl{24 * 3600};    // `wardline user enroll-link` links expire after this long
};

// One MDM Wardline sends wipe and lock commands to (see docs/response.md).
// Devices go to the connector named like their source (intune, jamf, ...),
// else to the one named "default".
struct MdmConnectorConfig {
  std::string name;
  std::string type;                 // intune | jamf | webhook
  std::string base_url;             // intune: https://graph.microsoft.com/v1.0; jamf: https://HOST; webhook: its URL
  std::string token_url;            // OAuth2 token endpoint; intune default from tenant, jamf default BASE/api/oauth/token
  std::string tenant;               // intune: the Entra ID tenant (id or domain)
  std::string client_id;
  std::string client_secret_file;   // intune, jamf: the OAuth2 client secret
  std::string secret_file;          // webhook: the HMAC-SHA256 signing key
  std::string ca_file;              // the CA to trust instead of the system ones (private PKI)
  int timeout_seconds = 20;
  int max_attempts = 4;
  std::chrono::milliseconds backoff{1000};  // doubled after each failed attempt; Retry-After wins
};

// Incident response (see docs/response.md).
struct ResponseConfig {
  bool two_person_full_wipe = true;                      // a full wipe waits for a second administrator
  std::chrono::seconds approval_ttl{3600};               // unapproved requests expire after this long
  std::string runbooks_dir;                              // empty: runbooks/ shipped with Wardline
  std::chrono::seconds drill_interval{365 * 24 * 3600};  // a runbook not drilled for this long is overdue
  std::vector<std::string> test_devices;                 // the only devices a drill may wipe
  std::vector<MdmConnectorConfig> connectors;
};

struct Config {
  std::string listen = "127.0.0.1:8443";
  std::string data_dir = "./var";
  std::string store = "sqlite";   // "sqlite", "sqlite:PATH" or "postgres://..."
  int store_pool_size = 4;
  TlsConfig tls;
  HttpConfig http;
  std::chrono::seconds token_default_ttl{30 * 24 * 3600};
  std::string log_level = "info";
  std::vector<SinkConfig> sinks;
  AuditConfig audit;
  SmishConfig smish;
  IntelConfig intel;
  PostureConfig posture;
  AccessConfig access;
  EhrConfig ehr;
  ResponseConfig response;
  ConsoleConfig console;
};

// Parses YAML text; `source` names the file in error messages.
Result<Config> parse_config(const std::string& yaml_text, const std::string& source);
Result<Config> load_config_file(const std::string& path);

// "30d", "12h", "15m", "90s" -> seconds.
Result<std::chrono::seconds> parse_duration(const std::string& text);

// "HOST:PORT" or "[V6]:PORT".
struct HostPort {
  std::string host;
  int port = 0;
};
Result<HostPort> parse_host_port(const std::string& text);

// A web origin (RFC 6454) as browsers send it: "https://host[:port]".
// Plain http is accepted only for localhost, which browsers treat as secure.
struct WebOrigin {
  std::string scheme, host;
  int port = 0;
  std::string text;  // normalised: no default port, no trailing slash
};
Result<WebOrigin> parse_origin(const std::string& text);
// console.origin, or https://localhost:PORT from `listen` (http:// when TLS is off).
WebOrigin console_origin(const Config& c, int bound_port = 0);

}  // namespace wardline
