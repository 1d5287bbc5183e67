// /api/v1/campaigns: analysts see reports grouped into campaigns and triage them.
#include <spdlog/spdlog.h>

#include "api/json_body.h"
#include "api/router.h"
#include "core/time.h"
#include "smish/smish.h"

namespace wardline::api {
namespace {

nlohmann::json campaign_json(const smish::Campaign& c) {
  return {{"id", c.id},
          {"status", c.status},
          {"first_seen", c.reports ? nlohmann::json(to_rfc3339(c.first_seen)) : nlohmann::json(nullptr)},
          {"last_seen", c.reports ? nlohmann::json(to_rfc3339(c.last_seen)) : nlohmann::json(nullptr)},
          {"reports", c.reports},
          {"unique_reporters", c.reporters.size()},
          {"departments", c.departments},
          {"roles", c.roles},
          {"channels", c.channels},
          {"senders", c.senders},
          {"categories", c.categories},
          {"indicators", {{"domains", c.domains}, {"urls", c.urls}}},
          {"highest_verdict", c.highest_verdict},
          {"highest_score", c.highest_score}};
}

Result<smish::CampaignBook*> book(Services& s) {
  if (!s.campaigns) return make_error("unavailable", "campaigns are not configured on this server");
  return s.campaigns;
}

Result<std::vector<std::string>> string_list(const nlohmann::json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_array() || body[key].empty() || body[key].size() > 1000)
    return make_error("invalid_field", std::string("'") + key + "' must be a list of 1 to 1000 ids", key);
  std::vector<std::string> out;
  for (const auto& v : body[key]) {
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 64)
      return make_error("invalid_field", std::string("'") + key + "' must hold ids (strings)", key);
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
  return out;
}

}  // namespace

void add_campaign_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/campaigns", Permission::reports_read, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = (*b)->list(call.query("status"), call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& c : page->campaigns) items.push_back(campaign_json(c));
    return Reply{200, {{"items", items},
                       {"next_cursor", page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor)}}};
  }});

  routes.push_back({"GET", "/api/v1/campaigns/{id}", Permission::reports_read, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto d = (*b)->get(call.path_param(0));
    if (!d) return d.error();
    nlohmann::json j = campaign_json(d->campaign);
    j["report_ids"] = d->report_ids;
    j["timeline"] = nlohmann::json::array();
    for (const auto& e : d->timeline)
      j["timeline"].push_back({{"at", to_rfc3339(e.at)}, {"actor", e.actor}, {"kind", e.kind}, {"text", e.text}});
    return Reply{200, j};
  }});

  routes.push_back({"POST", "/api/v1/campaigns/{id}/status", Permission::campaigns_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto status = required_string(*body, "status", 32);
    if (!status) return status.error();
    auto note = optional_string(*body, "note", 4000);
    if (!note) return note.error();
    std::string id = call.path_param(0);
    // Notices are checked before the status changes: a confirmation whose
    // notices cannot go out is refused, not half done.
    const auto& notify = s.config.smish.campaigns.notify;
    if (*status == "confirmed" && !notify.url.empty())
      if (Status n = check_staff_notices(notify); !n) return n.error();
    auto previous = (*b)->set_status(id, *status, call.principal.user_name, note->value_or(""));
    if (!previous) return previous.error();
    auto e = call_event(call, "admin.campaign_status", id);
    e.details["from"] = *previous;
    e.details["to"] = *status;
    if (Status a = record(s, call, e); !a) {
      (void)(*b)->set_status(id, *previous, "system", "undone: the change could not be audited");
      return a.error();
    }
    // Blocking starts (or stops) now: the confirmed campaigns' indicators are a feed.
    if ((*status == "confirmed") != (*previous == "confirmed") && s.refresh_intel) s.refresh_intel();
    auto d = (*b)->get(id);
    if (!d) return d.error();
    nlohmann::json reply = campaign_json(d->campaign);
    // Confirmed: warn the staff it targeted (never with the link).
    if (*status == "confirmed" && *previous != "confirmed" && !s.config.smish.campaigns.notify.url.empty()) {
      auto staff = (*b)->targeted_staff(id);
      if (!staff) return staff.error();
      auto sent = send_staff_notices(s.config.smish.campaigns.notify, s.intake.notify_token, d->campaign, *staff);
      if (!sent) return sent.error();
      // What the gateway did not take is tried again (retry_staff_notices).
      if (sent->failed)
        if (Status q = smish::NoticeQueue(s.store).add(id, sent->failed_staff, sent->last_error, unix_now()); !q)
          spdlog::error("campaign {}: {} undelivered notices not queued for retry: {}", id, sent->failed, q.error().message);
      auto n = call_event(call, "admin.campaign_notified", id, sent->failed ? "failure" : "success");
      n.details["sent"] = std::to_string(sent->sent);
      n.details["failed"] = std::to_string(sent->failed);
      (void)record(s, call, n);  // the notices are out either way
      reply["notified"] = {{"sent", sent->sent}, {"failed", sent->failed}, {"queued_for_retry", sent->failed}};
    }
    return Reply{200, reply};
  }});

  routes.push_back({"POST", "/api/v1/campaigns/{id}/notes", Permission::campaigns_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto text = required_string(*body, "text", 4000);
    if (!text) return text.error();
    std::string id = call.path_param(0);
    if (auto exists = (*b)->get(id); !exists) return exists.error();
    auto e = call_event(call, "admin.campaign_note", id);
    // The note itself stays in the campaign's timeline; the audit log records that one was added.
    if (Status a = record(s, call, e); !a) return a.error();
    if (Status n = (*b)->add_note(id, call.principal.user_name, *text); !n) return n.error();
    return Reply{201, {{"campaign", id}, {"note", "added"}}};
  }});

  routes.push_back({"POST", "/api/v1/campaigns/{id}/merge", Permission::campaigns_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto from = string_list(*body, "campaigns");
    if (!from) return from.error();
    std::string id = call.path_param(0);
    // Checked, audited, then done: a merge cannot be undone exactly.
    if (Status c = (*b)->check_merge(id, *from); !c) return c.error();
    auto e = call_event(call, "admin.campaign_merged", id);
    e.details["merged"] = joined(*from);
    if (Status a = record(s, call, e); !a) return a.error();
    auto c = (*b)->merge(id, *from, call.principal.user_name);
    if (!c) return c.error();
    return Reply{200, campaign_json(*c)};
  }});

  routes.push_back({"POST", "/api/v1/campaigns/{id}/split", Permission::campaigns_write, [&s](const Call& call) -> Result<Reply> {
    auto b = book(s);
    if (!b) return b.error();
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto reports = string_list(*body, "reports");
    if (!reports) return reports.error();
    std::string id = call.path_param(0);
    if (Status c = (*b)->check_split(id, *reports); !c) return c.error();
    auto e = call_event(call, "admin.campaign_split", id);
    e.details["reports"] = joined(*reports);
    if (Status a = record(s, call, e); !a) return a.error();
    auto c = (*b)->split(id, *reports, call.principal.user_name);
    if (!c) return c.error();
    return Reply{201, campaign_json(*c)};
  }});
}

}  // namespace wardline::api
