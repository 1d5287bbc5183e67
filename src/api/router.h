// Internal: how routes are declared. Each route names its permission; the
// router authenticates, authorizes, parses, times and answers uniformly.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "api/api.h"
#include "audit/audit.h"
#include "identity/identity.h"
#include "intel/intel.h"

namespace wardline::console { class Console; }
namespace wardline::smish {
struct Campaign;
struct StaffMember;
}  // namespace wardline::smish

namespace wardline::api {

struct Reply {
  Reply(int status_code = 200, nlohmann::json json_body = {}) : status(status_code), body(std::move(json_body)) {}
  int status;
  nlohmann::json body;
  // A body that is not JSON (CSV, text reports): sent as is with this type.
  std::string content_type;
  std::string content;
};

// One API call as a handler sees it.
struct Call {
  const httplib::Request& req;
  const Principal& principal;
  std::string request_id;
  std::string source_ip;
  // The caller's successful authentication, until it is recorded with the
  // handler's first event, or on its own after a handler that recorded
  // nothing (see record(Services&, const Call&, ...)).
  mutable std::optional<siem::SecurityEvent> auth_event;
  // Path parameter by position, e.g. {name} in /api/v1/users/{name}.
  std::string path_param(size_t i) const { return req.matches[static_cast<int>(i + 1)]; }
  std::string query(const std::string& name) const {
    return req.has_param(name.c_str()) ? req.get_param_value(name.c_str()) : std::string();
  }
};

using Handler = std::function<Result<Reply>(const Call&)>;

struct Route {
  std::string method;
  std::string path;  // OpenAPI form
  Permission permission;
  Handler handler;
};

// Maps an error code to its HTTP status.
int http_status_for(const Error& e);
nlohmann::json error_body(const Error& e);

// Paging parameters shared by list endpoints: ?limit= (1-500, default 100) and ?cursor=.
Result<int> page_limit(const Call& call);

class AuthThrottle;

struct Services {
  const Config& config;
  store::Store& store;
  Identity& identity;
  siem::EventBus& bus;
  audit::AuditLog& audit;
  smish::ReportBook* reports;
  smish::CampaignBook* campaigns;
  const IntakeSecrets& intake;
  AuthThrottle& throttle;
  intel::LiveIndicators* indicators;
  intel::AlertBook* alerts;
  intel::ObservationLog* observations;
  posture::DeviceInventory* devices;
  access::DecisionPoint* access;
  response::ResponseDesk* response;
  response::IncidentBook* incidents;
  response::DrillBook* drills;
  const std::vector<response::Runbook>* runbooks;
  const std::function<void()>& refresh_intel;
  ehr::Analytics* ehr;
  const ehr::PatientKey* ehr_key;
  // The dashboard's sign-in; set once the listening port is known (bind()).
  console::Console* console = nullptr;
};

// A route that authenticates by its own means (a provider's request
// signature) and writes the whole response itself.
struct RawRoute {
  std::string method;  // GET or POST
  std::string path;
  std::function<void(const httplib::Request&, httplib::Response&, const std::string& request_id)> handler;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// Past the failed-authentication limit: one auth.throttled event per burst, then 429s.
void record_throttled(Services& s, const std::string& ip, const std::string& request_id);
void send_throttled(httplib::Response& res);

// A security event about this call: actor, source address and request id filled in.
siem::SecurityEvent call_event(const Call& call, const std::string& type, const std::string& subject,
                               const std::string& outcome = "success");
// Records an event durably. The error, if any, is the one to answer with (503).
Status record(Services& s, siem::SecurityEvent e);
// The same for an event caused by `call`. The call's pending authentication
// is recorded with it: as details of this event (auth_method, auth_token_id
// or auth_session) when the caller is its actor and it is not itself an
// auth.* event, otherwise as its own auth.attempt in the same group commit.
Status record(Services& s, const Call& call, std::optional<siem::SecurityEvent> e);
Status audit_failure(const Error& e);  // logs it; the 503 answer to give

// One function per module registers its routes.
void add_user_routes(std::vector<Route>& routes, Services& s);
void add_audit_routes(std::vector<Route>& routes, Services& s);
void add_report_routes(std::vector<Route>& routes, Services& s);
void add_intake_routes(std::vector<RawRoute>& routes, Services& s);
void add_campaign_routes(std::vector<Route>& routes, Services& s);
void add_intel_routes(std::vector<Route>& routes, Services& s);
void add_device_routes(std::vector<Route>& routes, Services& s);
void add_access_routes(std::vector<Route>& routes, Services& s);
void add_response_routes(std::vector<Route>& routes, Services& s);
void add_ehr_routes(std::vector<Route>& routes, Services& s);
void add_overview_routes(std::vector<Route>& routes, Services& s);
// Passkey enrollment and sign-in, sessions (authenticate by their own means).
void add_console_routes(std::vector<RawRoute>& routes, Services& s);

// Dashboard sessions: the cookie that carries one, and the headers every
// dashboard answer gets (CSP, framing, referrer).
extern const char* const kSessionCookie;
std::string session_cookie(const httplib::Request& req);
void set_dashboard_headers(httplib::Response& res);
// GET / and /enroll: the dashboard's page; GET /assets/(path): its files.
void serve_dashboard_page(const httplib::Request& req, httplib::Response& res);
void serve_web_asset(const httplib::Request& req, httplib::Response& res);
// The caller behind a session cookie. A state-changing request must carry the
// session's CSRF token in X-CSRF-Token (and, when the browser sends Origin,
// come from the dashboard's origin): otherwise the error code is "csrf_refused".
Result<Principal> session_principal(Services& s, const httplib::Request& req, const std::string& cookie);

struct IngestOutcome {
  intel::ScanStats stats;
  std::vector<std::string> created, updated;  // alert ids
};
// Log text from any source (an API body, a syslog batch) against the loaded
// indicator set: sightings become alerts, each new one recorded through
// `record_alert` (all new ones are taken back if that fails), destinations
// kept for retro-hunts.
Result<IngestOutcome> ingest_logs(Services& s, std::string_view text, std::optional<intel::LogFormat> format,
                                  const std::string& source, const std::function<Status(const intel::Alert&)>& record_alert);

struct NoticeResult {
  int sent = 0, failed = 0;
  std::vector<std::string> failed_staff;  // smish::staff_key of each notice not delivered
  std::string last_error;
};
// The notice template makes no link.
Status check_staff_notices(const StaffNoticeConfig& cfg);
// Sends the configured notice (smish.campaigns.notify) to each staff member.
Result<NoticeResult> send_staff_notices(const StaffNoticeConfig& cfg, const std::string& token, const smish::Campaign& c,
                                        const std::vector<smish::StaffMember>& staff);
// Sends the due notices of the retry queue (smish::NoticeQueue) again;
// notices of campaigns no longer confirmed are dropped.
Status retry_staff_notices(Services& s, int64_t now);
// The smish.report audit event for a newly filed report, whatever way it came
// in (`e` carries actor and source; `call`, when there is one, adds its
// pending authentication). A report that cannot be recorded is withdrawn;
// one that is recorded joins its campaign.
Status audit_new_report(Services& s, siem::SecurityEvent e, const Call* call, const smish::Report& r,
                        const std::string& request_id);

}  // namespace wardline::api
