// Incident response over the API: wipe and lock (with the two-person rule for
// full wipes), runbooks with their drill status, drills, and incidents.
#include <nlohmann/json.hpp>

#include "api/json_body.h"
#include "api/router.h"
#include "core/time.h"
#include "response/response.h"

namespace wardline::api {
namespace {

constexpr size_t kMaxReason = 1000;

Status available(const Services& s) {
  if (!s.response) return make_error("unavailable", "incident response is not configured on this server");
  return {};
}

// Each stage's audit event, with the call's address and request id.
response::Recorder recorder(Services& s, const Call& call) {
  return [&s, &call](siem::SecurityEvent& e) -> Status {
    e.source_ip = call.source_ip;
    e.details["request_id"] = call.request_id;
    return record(s, call, e);
  };
}

nlohmann::json action_json(const response::Action& a) { return nlohmann::json::parse(response::to_json(a)); }

// 202 while a second administrator must approve; 502 when the MDM did not take it.
Reply action_reply(const response::Action& a) {
  nlohmann::json body = action_json(a);
  switch (a.state) {
    case response::ActionState::awaiting_approval:
      body["message"] = "a full wipe needs a second administrator: POST /api/v1/response/actions/" + a.id +
                        "/approve before " + to_rfc3339(a.expires_at);
      return Reply{202, body};
    case response::ActionState::failed:
    case response::ActionState::unknown:
      return Reply{502, {{"error", {{"code", a.state == response::ActionState::failed ? "mdm_failed" : "mdm_unknown"},
                                    {"message", a.result}}},
                         {"action", body}}};
    default: return Reply{200, body};
  }
}

Result<Reply> device_action(Services& s, const Call& call, bool wipe) {
  if (Status a = available(s); !a) return a.error();
  auto body = parse_json_object(call.req.body);
  if (!body) return body.error();
  auto reason = required_string(*body, "reason", kMaxReason);
  if (!reason) return reason.error();
  response::ActionRequest r;
  r.device_id = call.path_param(0);
  r.wipe = wipe;
  r.reason = *reason;
  r.actor = call.principal.user_name;
  r.request_key = call.req.get_header_value("Idempotency-Key");
  if (r.request_key.size() > 200) return make_error("invalid_request", "the Idempotency-Key header is longer than 200 characters");
  if (wipe) {
    auto type = optional_string(*body, "type", 20);
    if (!type) return type.error();
    auto ask = response::parse_wipe_ask(type->value_or(""));
    if (!ask) return make_error("invalid_request", "type must be auto, selective or full", "type");
    r.ask = *ask;
  }
  auto a = s.response->request(r, recorder(s, call));
  if (!a) return a.error();
  return action_reply(*a);
}

nlohmann::json next(const std::string& cursor) { return cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(cursor); }

nlohmann::json drill_json(const response::Drill& d) {
  return {{"id", d.id},
          {"runbook", d.runbook},
          {"started_at", to_rfc3339(d.started_at)},
          {"finished_at", d.finished_at ? nlohmann::json(to_rfc3339(d.finished_at)) : nlohmann::json(nullptr)},
          {"participants", d.participants},
          {"recorded_by", d.recorded_by},
          {"result", response::name_of(d.result)},
          {"failures", d.failures},
          {"notes", d.notes},
          {"action", d.action_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.action_id)}};
}

nlohmann::json status_json(const response::RunbookStatus& st) {
  return {{"last_tested", st.last_tested ? nlohmann::json(to_rfc3339(st.last_tested)) : nlohmann::json(nullptr)},
          {"last_result", st.last_result.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.last_result)},
          {"due", st.due ? nlohmann::json(to_rfc3339(st.due)) : nlohmann::json(nullptr)},
          {"overdue", st.overdue},
          {"warning", st.warning.empty() ? nlohmann::json(nullptr) : nlohmann::json(st.warning)}};
}

nlohmann::json runbook_json(const response::Runbook& r, const response::RunbookStatus& st, bool with_steps) {
  nlohmann::json j{{"name", r.name}, {"title", r.title}, {"incident_type", r.incident_type}, {"owner", r.owner},
                   {"drill", status_json(st)}};
  if (!with_steps) return j;
  j["description"] = r.description;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : r.steps) {
    nlohmann::json js{{"id", step.id}, {"title", step.title}, {"owner", step.owner}, {"details", step.details}};
    if (!step.action.empty()) {
      js["action"] = step.action;
      for (const auto& a : response::runbook_actions())
        if (a.name == step.action) js["api"] = a.method + " " + a.path;
    }
    steps.push_back(js);
  }
  j["steps"] = steps;
  return j;
}

Result<std::vector<response::RunbookStatus>> statuses(Services& s) {
  auto latest = s.drills->latest();
  if (!latest) return latest.error();
  return response::runbook_status(*s.runbooks, *latest, unix_now(), s.config.response.drill_interval);
}

Result<std::vector<std::string>> string_list(const nlohmann::json& body, const char* field) {
  std::vector<std::string> out;
  if (!body.contains(field)) return out;
  const auto& v = body[field];
  if (!v.is_array() || v.size() > 100) return make_error("invalid_request", std::string(field) + " must be a list of at most 100 strings", field);
  for (const auto& x : v) {
    if (!x.is_string() || x.get<std::string>().size() > kMaxReason)
      return make_error("invalid_request", std::string(field) + " must be a list of strings", field);
    out.push_back(x.get<std::string>());
  }
  return out;
}

Result<int64_t> optional_time(const nlohmann::json& body, const char* field, int64_t fallback) {
  auto text = optional_string(body, field, 40);
  if (!text) return text.error();
  if (!*text) return fallback;
  auto t = parse_rfc3339(**text);
  if (!t) return make_error("invalid_request", std::string(field) + " must be an RFC 3339 time, e.g. 2026-11-28T14:00:00Z", field);
  return *t;
}

Result<std::vector<response::IncidentItem>> items_of(const nlohmann::json& body, const char* field) {
  std::vector<response::IncidentItem> out;
  if (!body.contains(field)) return out;
  if (!body[field].is_array()) return make_error("invalid_incident", std::string(field) + " must be a list of {kind, ref, summary}", field);
  for (const auto& it : body[field]) {
    if (!it.is_object()) return make_error("invalid_incident", std::string(field) + " must be a list of {kind, ref, summary}", field);
    auto kind = required_string(it, "kind", 40);
    if (!kind) return kind.error();
    auto ref = required_string(it, "ref", 200);
    if (!ref) return ref.error();
    auto summary = optional_string(it, "summary", 4000);
    if (!summary) return summary.error();
    out.push_back({*kind, *ref, summary->value_or(""), 0});
  }
  return out;
}

Status record_incident(Services& s, const Call& call, const response::Incident& i, size_t timeline_before) {
  auto e = response::incident_event(i, timeline_before);
  e.actor = call.principal.user_name;
  e.source_ip = call.source_ip;
  e.details["request_id"] = call.request_id;
  return record(s, call, e);
}

}  // namespace

void add_response_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/devices/{id}/wipe", Permission::devices_respond,
                    [&s](const Call& call) { return device_action(s, call, true); }});
  routes.push_back({"POST", "/api/v1/devices/{id}/lock", Permission::devices_respond,
                    [&s](const Call& call) { return device_action(s, call, false); }});

  routes.push_back({"GET", "/api/v1/response/actions", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = s.response->list({call.query("device"), call.query("state"), *limit, call.query("cursor")});
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& a : page->actions) items.push_back(action_json(a));
    return Reply{200, {{"items", items}, {"next_cursor", next(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/response/actions/{id}", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto a = s.response->get(call.path_param(0));
    if (!a) return a.error();
    if (!*a) return make_error("not_found", "no response action '" + call.path_param(0) + "'");
    return Reply{200, action_json(**a)};
  }});

  routes.push_back({"POST", "/api/v1/response/actions/{id}/approve", Permission::devices_respond,
                    [&s](const Call& call) -> Result<Reply> {
                      if (Status a = available(s); !a) return a.error();
                      auto a = s.response->approve(call.path_param(0), call.principal.user_name, recorder(s, call));
                      if (!a) return a.error();
                      return action_reply(*a);
                    }});

  routes.push_back({"GET", "/api/v1/runbooks", Permission::incidents_read, [&s](const Call&) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto st = statuses(s);
    if (!st) return st.error();
    nlohmann::json items = nlohmann::json::array(), warnings = nlohmann::json::array();
    for (size_t i = 0; i < s.runbooks->size(); ++i) {
      items.push_back(runbook_json((*s.runbooks)[i], (*st)[i], false));
      if (!(*st)[i].warning.empty()) warnings.push_back((*st)[i].warning);
    }
    return Reply{200, {{"items", items}, {"warnings", warnings}}};
  }});

  routes.push_back({"GET", "/api/v1/runbooks/{name}", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto st = statuses(s);
    if (!st) return st.error();
    for (size_t i = 0; i < s.runbooks->size(); ++i)
      if ((*s.runbooks)[i].name == call.path_param(0)) return Reply{200, runbook_json((*s.runbooks)[i], (*st)[i], true)};
    return make_error("not_found", "no runbook '" + call.path_param(0) + "'");
  }});

  routes.push_back({"GET", "/api/v1/drills", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto drills = s.drills->list(call.query("runbook"), *limit);
    if (!drills) return drills.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& d : *drills) items.push_back(drill_json(d));
    return Reply{200, {{"items", items}}};
  }});

  routes.push_back({"POST", "/api/v1/drills", Permission::incidents_write, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    response::Drill d;
    auto runbook = required_string(*body, "runbook", 200);
    if (!runbook) return runbook.error();
    d.runbook = *runbook;
    auto result = optional_string(*body, "result", 20);
    if (!result) return result.error();
    auto parsed = response::parse_drill_result(result->value_or("passed"));
    if (!parsed) return make_error("invalid_drill", "result must be passed or failed", "result");
    d.result = *parsed;
    auto started = optional_time(*body, "started_at", unix_now());
    if (!started) return started.error();
    d.started_at = *started;
    auto finished = optional_time(*body, "finished_at", 0);
    if (!finished) return finished.error();
    d.finished_at = *finished;
    auto participants = string_list(*body, "participants");
    if (!participants) return participants.error();
    d.participants = *participants;
    auto failures = string_list(*body, "failures");
    if (!failures) return failures.error();
    d.failures = *failures;
    auto notes = optional_string(*body, "notes", 4000);
    if (!notes) return notes.error();
    d.notes = notes->value_or("");
    d.recorded_by = call.principal.user_name;
    auto device = optional_string(*body, "test_device", 200);
    if (!device) return device.error();
    // Running the wipe path sends a real command: only those who may wipe may do it.
    if (*device && !role_allows(call.principal.role, Permission::devices_respond))
      return make_error("forbidden", "running the wipe path in a drill needs an administrator");
    auto saved = response::run_drill(*s.response, *s.drills, *s.runbooks, d, device->value_or(""), recorder(s, call));
    if (!saved) return saved.error();
    return Reply{201, drill_json(*saved)};
  }});

  routes.push_back({"GET", "/api/v1/incidents", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    if (std::string st = call.query("status"); !st.empty() && !response::parse_incident_status(st))
      return make_error("invalid_filter", "status must be open, investigating, contained, resolved or closed", "status");
    auto page = s.incidents->list({call.query("status"), call.query("type"), call.query("owner"), *limit, call.query("cursor")});
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& i : page->incidents) {
      auto j = nlohmann::json::parse(response::to_json(i));
      j.erase("timeline");  // the list stays small; the detail has it
      items.push_back(j);
    }
    return Reply{200, {{"items", items}, {"next_cursor", next(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/incidents/{id}", Permission::incidents_read, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto i = s.incidents->get(call.path_param(0));
    if (!i) return i.error();
    if (!*i) return make_error("not_found", "no incident '" + call.path_param(0) + "'");
    return Reply{200, nlohmann::json::parse(response::to_json(**i))};
  }});

  routes.push_back({"POST", "/api/v1/incidents", Permission::incidents_write, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    response::NewIncident n;
    auto title = required_string(*body, "title", 300);
    if (!title) return title.error();
    n.title = *title;
    auto type = required_string(*body, "type", 40);
    if (!type) return type.error();
    n.type = *type;
    for (auto [field, out] : {std::pair{"severity", &n.severity}, {"owner", &n.owner}, {"runbook", &n.runbook}}) {
      auto v = optional_string(*body, field, 200);
      if (!v) return v.error();
      if (*v) *out = **v;
    }
    auto items = items_of(*body, "items");
    if (!items) return items.error();
    n.items = *items;
    auto i = s.incidents->create(n, call.principal.user_name, *s.runbooks);
    if (!i) return i.error();
    if (Status a = record_incident(s, call, *i, 0); !a) {
      (void)s.incidents->undo(i->id, std::nullopt);
      return a.error();
    }
    return Reply{201, nlohmann::json::parse(response::to_json(*i))};
  }});

  routes.push_back({"POST", "/api/v1/incidents/{id}", Permission::incidents_write, [&s](const Call& call) -> Result<Reply> {
    if (Status a = available(s); !a) return a.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    response::IncidentChange c;
    auto status = optional_string(*body, "status", 20);
    if (!status) return status.error();
    if (*status) {
      c.status = response::parse_incident_status(**status);
      if (!c.status) return make_error("invalid_incident", "status must be open, investigating, contained, resolved or closed", "status");
    }
    for (auto [field, out] : {std::pair{"owner", &c.owner}, {"runbook", &c.runbook}, {"severity", &c.severity}}) {
      auto v = optional_string(*body, field, 200);
      if (!v) return v.error();
      if (*v) *out = **v;
    }
    if (c.runbook) {
      bool known = false;
      for (const auto& r : *s.runbooks) known = known || r.name == *c.runbook;
      if (!known) return make_error("invalid_incident", "there is no runbook '" + *c.runbook + "'", "runbook");
    }
    auto note = optional_string(*body, "note", 4000);
    if (!note) return note.error();
    c.note = note->value_or("");
    auto items = items_of(*body, "add_items");
    if (!items) return items.error();
    c.add_items = *items;
    auto before = s.incidents->get(call.path_param(0));
    if (!before) return before.error();
    auto i = s.incidents->update(call.path_param(0), c, call.principal.user_name);
    if (!i) return i.error();
    if (Status a = record_incident(s, call, *i, *before ? (*before)->timeline.size() : 0); !a) {
      (void)s.incidents->undo(i->id, *before);
      return a.error();
    }
    return Reply{200, nlohmann::json::parse(response::to_json(*i))};
  }});
}

}  // namespace wardline::api
