// Wardline's HTTP(S) API server: JSON under /api/v1/, bearer-token auth,
// health and Prometheus metrics endpoints.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace wardline {
class Identity;
namespace store { class Store; }
namespace siem {
class EventBus;
struct SecurityEvent;
}
namespace audit { class AuditLog; }
namespace intel {
class LiveIndicators;
struct Alert;
}
namespace access {
class DecisionPoint;
struct Request;
struct Outcome;
}
namespace posture {
class DeviceInventory;
struct StateChange;
}
namespace response {
class ResponseDesk;
class IncidentBook;
class DrillBook;
struct Runbook;
}
namespace ehr {
class Analytics;
class PatientKey;
}
namespace smish {
class ReportBook;
class CampaignBook;
struct Report;
struct Placements;
}

namespace api {

struct RouteInfo {
  std::string method;  // "GET", "POST", ...
  std::string path;    // OpenAPI form: /api/v1/users/{name}
};

// Secrets read at start from the files named in smish.twilio,
// smish.whatsapp and smish.campaigns.notify. Empty: that webhook answers 503
// (the SMS gateway is called without a token).
struct IntakeSecrets {
  std::string twilio_auth_token;
  std::string whatsapp_app_secret;
  std::string whatsapp_verify_token;
  std::string notify_token;
};

struct ServerOptions {
  Config config;
  bool insecure_http = false;  // plain HTTP: tests and explicit --insecure-http only
  std::shared_ptr<smish::ReportBook> reports;  // null: /api/v1/reports answers 503
  IntakeSecrets intake;
  std::shared_ptr<smish::CampaignBook> campaigns;  // null: /api/v1/campaigns answers 503
  std::shared_ptr<intel::LiveIndicators> indicators;  // null or empty: POST /api/v1/intel/events answers 503
  std::shared_ptr<posture::DeviceInventory> devices;  // null: /api/v1/devices answers 503
  std::shared_ptr<access::DecisionPoint> access;      // null: /api/v1/access/decide answers 503
  // Incident response; all four set together, or null: wipe, lock, runbooks,
  // drills and incidents answer 503.
  std::shared_ptr<response::ResponseDesk> response;
  std::shared_ptr<response::IncidentBook> incidents;
  std::shared_ptr<response::DrillBook> drills;
  std::shared_ptr<const std::vector<response::Runbook>> runbooks;
  // Recompiles the threat-intel set soon (a campaign was confirmed or
  // un-confirmed); empty: at the next scheduled pull.
  std::function<void()> refresh_intel;
  // EHR access analytics; both set, or null: POST /api/v1/ehr/events and
  // ATNA messages on the syslog listener are refused (alerts stay readable).
  std::shared_ptr<ehr::Analytics> ehr = nullptr;
  std::shared_ptr<const ehr::PatientKey> ehr_key = nullptr;
};

// The details of the intel.hit audit event that a new threat-intel alert is,
// whoever raised it (an API call, the daemon's retro-hunt, the CLI).
void describe_intel_hit(siem::SecurityEvent& e, const intel::Alert& a);

// The posture.state_change audit event of a device whose compliance state
// changed, whoever evaluated it (a check-in, an import, the daemon's timer).
void describe_state_change(siem::SecurityEvent& e, const posture::StateChange& c);

// Records what placing reports did, whether the API or the daemon's
// start-up placed them: each automatic merge (admin.campaign_merged by
// system) and each campaign that reached `alert_at` reports (smish.campaign,
// the alert security teams watch for). Tries every record; returns the
// first failure.
Status record_placements(audit::AuditLog& audit, const smish::Placements& p, int alert_at, const std::string& request_id);

// The access.decision audit event of a conditional-access decision.
void describe_access_decision(siem::SecurityEvent& e, const access::Request& req, const access::Outcome& o);
// The access.shared_account alert of a decision whose account looks shared.
void describe_shared_account(siem::SecurityEvent& e, const access::Request& req, const access::Outcome& o);

// TLS material in use, for the start-up banner.
struct TlsInfo {
  std::string cert_file, key_file;
  std::string ca_file;          // set when Wardline created its own local CA
  std::string ca_fingerprint;   // SHA-256, colon-separated hex
  bool created_now = false;
};

// Creates (first start) or reuses the local CA and server certificate under
// data_dir/tls, or checks the configured certificate files.
Result<TlsInfo> prepare_tls(const Config& config);

class Server {
 public:
  // Every security event goes to `audit` (durably, then on to the SIEM bus);
  // a request whose audit record cannot be written fails with 503.
  Server(ServerOptions options, store::Store& store, Identity& identity, siem::EventBus& bus, audit::AuditLog& audit);
  ~Server();

  // Binds the listen address (port 0 picks a free port). Returns the port.
  Result<int> bind();
  // Serves until stop(); in-flight requests finish before it returns.
  Status serve();
  void stop();

  const std::vector<RouteInfo>& routes() const;
  // Sends again the staff notices that are due (smish::NoticeQueue); each
  // outcome is an admin.campaign_notified audit event.
  Status retry_staff_notices(int64_t now);
  // The syslog intake's port after bind() (intel.syslog_listen), or 0.
  int syslog_port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace api
}  // namespace wardline
