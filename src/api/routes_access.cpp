// POST /api/v1/access/decide: the identity provider or EHR gateway asks;
// every decision is an access.decision audit event. POST
// /api/v1/access/failed-logins: the identity provider reports a failed
// sign-in, each an auth.attempt audit event; a burst of them is the
// failed_logins signal.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "api/json_body.h"
#include "api/router.h"
#include "core/redact.h"
#include "core/time.h"

namespace wardline::api {
namespace {

// `time`: Unix seconds or RFC 3339; absent: now. A time ahead of ours (the
// provider's clock runs fast) counts as now.
Result<int64_t> failure_time(const nlohmann::json& body, int64_t now) {
  auto it = body.find("time");
  if (it == body.end() || it->is_null()) return now;
  std::optional<int64_t> t;
  if (it->is_number_integer()) t = it->get<int64_t>();
  else if (it->is_string()) t = parse_rfc3339(it->get<std::string>());
  if (!t) return make_error("invalid_field", "'time' must be Unix seconds or an RFC 3339 time such as 2026-11-28T14:00:00Z", "time");
  return std::min(*t, now);
}

}  // namespace

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
  // The explanation an auditor reads later (the dashboard's Access page).
  std::string reasons;
  for (const auto& r : o.reasons) reasons += (reasons.empty() ? "" : ";") + r;
  if (!reasons.empty()) e.details["reasons"] = reasons;
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
    // The outcome is JSON already: sent as is, not parsed and dumped again.
    Reply reply;
    reply.content_type = "application/json";
    reply.content = access::to_json(*outcome) + "\n";
    return reply;
  }});

  routes.push_back({"POST", "/api/v1/access/failed-logins", Permission::access_decide, [&s](const Call& call) -> Result<Reply> {
    if (!s.access) return make_error("unavailable", "conditional access is not configured on this server");
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto user = required_string(*body, "user", 512);
    if (!user) return user.error();
    auto client = optional_string(*body, "source_ip", 512);
    if (!client) return client.error();
    auto reason = optional_string(*body, "reason", 512);
    if (!reason) return reason.error();
    int64_t now = unix_now();
    auto at = failure_time(*body, now);
    if (!at) return at.error();
    // Audited before it counts: a failure the log cannot keep is answered
    // 503 and counts nowhere, so the provider's retry is not a second one.
    auto e = call_event(call, "auth.attempt", *user, "failure");
    e.details["method"] = "idp";
    if (*reason) e.details["reason"] = redact_text(**reason);
    if (*client) e.details["client"] = **client;
    if (*at != now) e.details["at"] = to_rfc3339(*at);
    if (Status a = record(s, call, e); !a) return a.error();
    int failures = s.access->record_failed_login(*user, *at);
    auto policy = s.access->policy();
    return Reply{202, {{"user", *user},
                       {"failures", failures},
                       {"threshold", policy->failed_logins_count()},
                       {"window", policy->failed_logins_window()},
                       {"signal", failures >= policy->failed_logins_count()}}};
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
