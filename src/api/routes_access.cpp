// POST /api/v1/access/decide: the identity provider or EHR gateway asks;
// every decision is an access.decision audit event.
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "api/router.h"
#include "core/time.h"

namespace wardline::api {

void describe_access_decision(siem::SecurityEvent& e, const access::Request& req, const access::Outcome& o) {
  e.outcome = o.decision == access::Decision::allow ? "success" : "failure";
  e.severity = o.decision == access::Decision::deny ? "notice" : "info";
  e.details["decision"] = std::string(access::name_of(o.decision));
  e.details["decision_id"] = o.id;
  e.details["category"] = req.category;
  e.details["action"] = req.action;
  if (!req.resource.empty()) e.details["resource"] = req.resource;
  if (!req.device_id.empty()) e.details["device"] = req.device_id;
  if (!req.source_ip.empty()) e.details["client"] = req.source_ip;
  e.details["risk"] = std::string(access::name_of(o.risk));
  if (o.decision == access::Decision::step_up) e.details["required"] = std::string(access::name_of(o.required));
  std::string rules;
  for (const auto& r : o.matched) rules += (rules.empty() ? "" : ";") + r;
  e.details["rules"] = rules;
  if (!o.report_only.empty()) {
    std::string report;
    for (const auto& r : o.report_only) report += (report.empty() ? "" : ";") + r;
    e.details["report_only"] = report;
  }
}

void describe_shared_account(siem::SecurityEvent& e, const access::Request& req, const access::Outcome& o) {
  e.outcome = "failure";
  e.severity = "warning";
  e.details["reason"] = o.shared_account;
  e.details["decision_id"] = o.id;
  if (!req.device_id.empty()) e.details["device"] = req.device_id;
}

void add_access_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/access/decide", Permission::access_decide, [&s](const Call& call) -> Result<Reply> {
    if (!s.access) return make_error("unavailable", "conditional access is not configured on this server");
    auto req = access::parse_request(call.req.body);
    if (!req) return req.error();
    auto outcome = s.access->decide(*req, unix_now());
    if (!outcome) return outcome.error();
    auto e = call_event(call, "access.decision", req->user);
    describe_access_decision(e, *req, *outcome);
    if (Status a = record(s, call, e); !a) return a.error();
    if (!outcome->shared_account.empty()) {
      // A shared account is an alert of its own for the SIEM.
      auto alert = call_event(call, "access.shared_account", req->user, "failure");
      describe_shared_account(alert, *req, *outcome);
      if (Status a = record(s, alert); !a) return a.error();
    }
    return Reply{200, nlohmann::json::parse(access::to_json(*outcome))};
  }});

  routes.push_back({"GET", "/api/v1/access/shared-accounts", Permission::intel_read, [&s](const Call& call) -> Result<Reply> {
    if (!s.access) return make_error("unavailable", "conditional access is not configured on this server");
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : s.access->activity().alerts(static_cast<size_t>(*limit)))
      items.push_back({{"user", a.user}, {"reason", a.reason}, {"devices", a.devices}, {"at", to_rfc3339(a.at)}});
    return Reply{200, {{"items", items}}};
  }});
}

}  // namespace wardline::api
