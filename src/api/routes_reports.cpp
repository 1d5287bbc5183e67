// /api/v1/reports: staff report suspicious messages; analysts read them.
#include <spdlog/spdlog.h>

#include "api/json_body.h"
#include "api/router.h"
#include "core/time.h"
#include "smish/smish.h"

namespace wardline::api {

Status record_placements(audit::AuditLog& audit, const smish::Placements& p, int alert_at, const std::string& request_id) {
  std::vector<siem::SecurityEvent> events;
  for (const auto& m : p.merges) {
    auto e = siem::make_event("admin.campaign_merged", "success");
    e.actor = "system";
    e.subject = m.into;
    e.details = {{"merged", m.from}, {"report", m.report_id}, {"reason", "the report belongs to both campaigns"}};
    events.push_back(std::move(e));
  }
  for (const auto& g : p.grown) {
    const smish::Campaign& c = g.campaign;
    if (g.before >= alert_at || c.reports < alert_at) continue;
    auto e = siem::make_event("smish.campaign", "success");
    e.severity = c.highest_verdict == "malicious" ? "warning" : "notice";
    e.actor = "system";
    e.subject = c.id;
    std::string depts = std::to_string(c.departments.size());
    e.details = {{"reports", std::to_string(c.reports)},
                 {"reporters", std::to_string(c.reporters.size())},
                 {"departments", depts},
                 {"highest_verdict", c.highest_verdict},
                 {"summary", "new campaign: " + std::to_string(c.reports) + " reports from " + std::to_string(c.reporters.size()) +
                                 " staff" + (c.departments.empty() ? "" : " in " + depts + " department" + (depts == "1" ? "" : "s"))}};
    events.push_back(std::move(e));
  }
  Status first;
  for (auto& e : events) {
    // The request that placed them; a merge or alert may come from an older report (see "report").
    if (!request_id.empty()) e.details["request_id"] = request_id;
    if (auto r = audit.record(std::move(e)); !r && first) first = r.error();
  }
  return first;
}

namespace {

nlohmann::json report_json(const smish::Report& r, bool with_message) {
  nlohmann::json j{{"id", r.id},
                   {"reporter", r.reporter},
                   {"channel", r.channel},
                   {"received_at", r.received_at},
                   {"reported_at", to_rfc3339(r.created_at)},
                   {"verdict", r.verdict.verdict},
                   {"class", r.verdict.cls},
                   {"score", r.verdict.score},
                   {"categories", r.verdict.categories},
                   {"reasons", r.verdict.reasons},
                   {"urls", r.verdict.urls},
                   {"duplicate", r.duplicate}};
  if (!r.verdict.simulation.empty()) j["simulation"] = r.verdict.simulation;
  if (!r.department.empty()) j["department"] = r.department;
  if (!r.staff_role.empty()) j["staff_role"] = r.staff_role;
  if (!r.analyst_label.empty()) {
    j["analyst_label"] = r.analyst_label;
    j["labelled_by"] = r.labelled_by;
  }
  if (with_message) {
    // Shown defanged everywhere: a body is never one click from its link.
    j["body"] = smish::defang_text(r.body);
    j["sender"] = r.sender;
  }
  return j;
}

// After a new report is filed and audited: its campaign (logged, never fatal).
void assign_campaign(Services& s, const smish::Report& r, const std::string& request_id) {
  if (!s.campaigns) return;
  auto placed = s.campaigns->assign(r);
  if (!placed) {
    spdlog::error("request {}: report {} filed without a campaign (assigned with a later report, or at the next start): {}",
                  request_id, r.id, placed.error().message);
    return;
  }
  for (const auto& why : placed->placements.skipped) spdlog::error("request {}: left without a campaign: {}", request_id, why);
  if (Status a = record_placements(s.audit, placed->placements, s.config.smish.campaigns.alert_at, request_id); !a)
    spdlog::error("request {}: campaign merges or alerts not recorded: {}", request_id, a.error().message);
}

// A reported link that is a known indicator is a sighting: it keeps the
// indicator fresh (feed decay) and opens or adds to its alert.
void sight_report_links(Services& s, const smish::Report& r, const std::string& request_id) {
  auto set = s.indicators ? s.indicators->current() : nullptr;
  if (!set || r.duplicate || r.verdict.urls.empty()) return;
  std::vector<intel::Sighting> sightings;
  int64_t now = unix_now();
  for (const auto& shown : r.verdict.urls) {
    auto url = intel::normalize(intel::IndicatorType::url, intel::refang(shown));
    if (!url) continue;
    if (auto m = set->match_url(*url))
      sightings.push_back(intel::sighting_of(*m, "smish:" + r.id, "reported link", shown, to_rfc3339(r.created_at), now));
  }
  if (sightings.empty()) return;
  auto changes = s.alerts->record(sightings);
  if (!changes) {
    spdlog::error("request {}: report {} links a known indicator, but the alert was not stored: {}", request_id, r.id,
                  changes.error().message);
    return;
  }
  for (const auto& a : changes->created) {
    auto e = siem::make_event("intel.hit", "success");
    e.actor = "system";
    e.subject = a.indicator;
    describe_intel_hit(e, a);
    e.details["report"] = r.id;
    e.details["request_id"] = request_id;
    if (Status st = record(s, e); !st) {
      spdlog::error("request {}: intel.hit for report {} not recorded; the alert is withdrawn", request_id, r.id);
      std::vector<std::string> ids;
      for (const auto& c : changes->created) ids.push_back(c.id);
      (void)s.alerts->withdraw(ids);
      return;
    }
  }
}

}  // namespace

Status audit_new_report(Services& s, siem::SecurityEvent e, const Call* call, const smish::Report& r,
                        const std::string& request_id) {
  e.subject = r.id;
  e.severity = r.verdict.simulation.empty() ? "notice" : "info";
  e.details["channel"] = r.channel;
  e.details["verdict"] = r.verdict.verdict;
  e.details["class"] = r.verdict.cls;
  e.details["score"] = std::to_string(r.verdict.score);
  e.details["request_id"] = request_id;
  if (!r.verdict.simulation.empty()) e.details["simulation"] = r.verdict.simulation;
  Status a = call ? record(s, *call, e) : record(s, e);
  if (!a) {
    (void)s.reports->remove(r.id);
    return a;
  }
  assign_campaign(s, r, request_id);
  sight_report_links(s, r, request_id);
  return {};
}

namespace {

Result<smish::ReportBook*> book(Services& s) {
  if (!s.reports) return make_error("unavailable", "message analysis is not configured on this server");
  return s.reports;
}

}  // namespace

void add_report_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/reports", Permission::reports_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto channel = required_string(*body, "channel", 16);
    if (!channel) return channel.error();
    auto text = required_string(*body, "body", 16384);
    if (!text) return text.error();
    auto sender = optional_string(*body, "sender", 64);
    if (!sender) return sender.error();
    auto received = optional_string(*body, "received_at", 40);
    if (!received) return received.error();
    smish::NewReport in;
    in.reporter = call.principal.user_name;
    in.channel = *channel;
    in.sender = sender->value_or("");
    in.body = *text;
    in.received_at = received->value_or("");
    auto report = (*b)->submit(in);
    if (!report) return report.error();
    if (report->duplicate) return Reply{200, report_json(*report, false)};
    if (Status a = audit_new_report(s, call_event(call, "smish.report", report->id), &call, *report, call.request_id); !a)
      return a.error();
    return Reply{201, report_json(*report, false)};
  }});

  routes.push_back({"GET", "/api/v1/reports", Permission::reports_read, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = (*b)->list(call.query("cursor"), *limit, call.query("campaign"));
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& r : page->reports) items.push_back(report_json(r, true));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  }});

  // An analyst's verdict on one report (a false positive inside a confirmed
  // campaign, say): kept as a training label for `wardline model train`.
  routes.push_back({"POST", "/api/v1/reports/{id}/label", Permission::campaigns_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto label = optional_string(*body, "label", 32);
    if (!label) return label.error();
    std::string id = call.path_param(0), to = label->value_or("");
    auto previous = (*b)->set_label(id, to, call.principal.user_name);
    if (!previous) return previous.error();
    auto e = call_event(call, "admin.report_labelled", id);
    e.details["from"] = previous->empty() ? "none" : *previous;
    e.details["to"] = to.empty() ? "none" : to;
    if (Status a = record(s, call, e); !a) {
      if (auto undo = (*b)->set_label(id, *previous, call.principal.user_name); !undo)
        spdlog::error("request {}: cannot take back the label of report {}: {}", call.request_id, id, undo.error().message);
      return a.error();
    }
    return Reply{200, {{"id", id}, {"analyst_label", to.empty() ? nlohmann::json(nullptr) : nlohmann::json(to)}}};
  }});
}

}  // namespace wardline::api
