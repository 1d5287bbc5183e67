// Incidents: alerts, campaigns, shared-account alerts, quarantined devices
// and wipes grouped into one thing to work, with an owner, a status, the
// runbook to follow and a timeline of who did what.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "core/time.h"
#include "response/response.h"
#include "response/stored_json.h"
#include "siem/siem.h"
#include "store/store.h"

namespace wardline::response {
namespace {

constexpr size_t kMaxItems = 1000;
constexpr size_t kMaxTimeline = 5000;
constexpr size_t kMaxText = 4000;

const std::vector<std::string> kItemKinds = {"alert", "campaign", "shared_account", "device", "user", "action"};
const std::vector<std::string> kSeverities = {"low", "medium", "high", "critical"};

std::string list_of(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

bool one_of(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

using detail::time_of;
using detail::time_or_null;

Status check_items(const std::vector<IncidentItem>& items) {
  for (const auto& it : items) {
    if (!one_of(kItemKinds, it.kind))
      return make_error("invalid_incident", "an item's kind is '" + it.kind + "'; use one of: " + list_of(kItemKinds), "items");
    if (it.ref.empty() || it.ref.size() > 200) return make_error("invalid_incident", "each item needs a ref (the alert, campaign, device or action id)", "items");
    if (it.summary.size() > kMaxText) return make_error("invalid_incident", "an item's summary is longer than 4000 characters", "items");
  }
  return {};
}

std::string item_words(const IncidentItem& it) {
  return "added " + it.kind + " " + it.ref + (it.summary.empty() ? "" : ": " + it.summary);
}

}  // namespace

std::string_view name_of(IncidentStatus s) {
  switch (s) {
    case IncidentStatus::open: return "open";
    case IncidentStatus::investigating: return "investigating";
    case IncidentStatus::contained: return "contained";
    case IncidentStatus::resolved: return "resolved";
    case IncidentStatus::closed: return "closed";
  }
  return "open";
}

std::optional<IncidentStatus> parse_incident_status(std::string_view text) {
  for (IncidentStatus s : {IncidentStatus::open, IncidentStatus::investigating, IncidentStatus::contained,
                           IncidentStatus::resolved, IncidentStatus::closed})
    if (name_of(s) == text) return s;
  return std::nullopt;
}

std::string to_json(const Incident& i) {
  nlohmann::json items = nlohmann::json::array(), timeline = nlohmann::json::array();
  for (const auto& it : i.items)
    items.push_back({{"kind", it.kind}, {"ref", it.ref}, {"summary", it.summary}, {"added_at", time_or_null(it.added_at)}});
  for (const auto& t : i.timeline) timeline.push_back({{"at", time_or_null(t.at)}, {"actor", t.actor}, {"entry", t.entry}});
  return nlohmann::json{{"id", i.id},
                        {"title", i.title},
                        {"type", i.type},
                        {"severity", i.severity},
                        {"status", name_of(i.status)},
                        {"owner", i.owner},
                        {"runbook", i.runbook},
                        {"created_by", i.created_by},
                        {"created_at", time_or_null(i.created_at)},
                        {"updated_at", time_or_null(i.updated_at)},
                        {"items", items},
                        {"timeline", timeline}}
      .dump();
}

Result<Incident> incident_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return make_error("store_corrupt", "a stored incident is not a JSON object");
  auto str = [](const nlohmann::json& o, const char* k) {
    return o.contains(k) && o[k].is_string() ? o[k].get<std::string>() : std::string();
  };
  Incident i;
  i.id = str(j, "id");
  i.title = str(j, "title");
  i.type = str(j, "type");
  i.severity = str(j, "severity");
  auto status = parse_incident_status(str(j, "status"));
  if (!status) return make_error("store_corrupt", "incident '" + i.id + "' has an unknown status");
  i.status = *status;
  i.owner = str(j, "owner");
  i.runbook = str(j, "runbook");
  i.created_by = str(j, "created_by");
  i.created_at = time_of(j, "created_at");
  i.updated_at = time_of(j, "updated_at");
  if (j.contains("items") && j["items"].is_array())
    for (const auto& it : j["items"]) i.items.push_back({str(it, "kind"), str(it, "ref"), str(it, "summary"), time_of(it, "added_at")});
  if (j.contains("timeline") && j["timeline"].is_array())
    for (const auto& t : j["timeline"]) i.timeline.push_back({time_of(t, "at"), str(t, "actor"), str(t, "entry")});
  return i;
}

siem::SecurityEvent incident_event(const Incident& i, size_t timeline_before) {
  auto e = siem::make_event("incident.change", "success");
  e.subject = i.id;
  e.severity = i.severity == "critical" || i.severity == "high" ? "warning" : "notice";
  std::string change;
  for (size_t k = timeline_before; k < i.timeline.size(); ++k) change += (change.empty() ? "" : "; ") + i.timeline[k].entry;
  e.details = {{"status", std::string(name_of(i.status))},
               {"change", change.empty() ? "no change" : change},
               {"type", i.type},
               {"severity", i.severity}};
  if (!i.owner.empty()) e.details["owner"] = i.owner;
  if (!i.runbook.empty()) e.details["runbook"] = i.runbook;
  return e;
}

IncidentBook::IncidentBook(store::Store& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

Result<Incident> IncidentBook::create(const NewIncident& n, const std::string& actor, const std::vector<Runbook>& runbooks) {
  if (n.title.empty() || n.title.size() > 300)
    return make_error("invalid_incident", "an incident needs a title of at most 300 characters", "title");
  if (!one_of(incident_types(), n.type) && n.type != "other")
    return make_error("invalid_incident", "incident type '" + n.type + "' is not known; use one of: " + list_of(incident_types()) + ", other", "type");
  if (!one_of(kSeverities, n.severity))
    return make_error("invalid_incident", "severity '" + n.severity + "' is not one of: " + list_of(kSeverities), "severity");
  if (n.items.size() > kMaxItems) return make_error("invalid_incident", "an incident holds at most 1000 items", "items");
  if (Status s = check_items(n.items); !s) return s.error();
  Incident i;
  i.id = new_id("inc");
  i.title = n.title;
  i.type = n.type;
  i.severity = n.severity;
  i.owner = n.owner;
  i.created_by = actor;
  i.created_at = i.updated_at = clock_ ? clock_() : unix_now();
  if (!n.runbook.empty()) {
    bool known = std::any_of(runbooks.begin(), runbooks.end(), [&](const Runbook& r) { return r.name == n.runbook; });
    if (!known) return make_error("invalid_incident", "there is no runbook '" + n.runbook + "' (GET /api/v1/runbooks lists them)", "runbook");
    i.runbook = n.runbook;
  } else {
    for (const auto& r : runbooks)
      if (r.incident_type == n.type) {
        i.runbook = r.name;
        break;
      }
  }
  i.timeline.push_back({i.created_at, actor, "opened: " + i.title + (i.runbook.empty() ? "" : " (runbook " + i.runbook + ")")});
  for (auto it : n.items) {
    it.added_at = i.created_at;
    i.timeline.push_back({i.created_at, actor, item_words(it)});
    i.items.push_back(std::move(it));
  }
  Status s = store_.transaction([&](store::Executor& tx) -> Status {
    auto r = tx.execute("INSERT INTO incidents (id, status, type, owner, created_at, updated_at, incident) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        {i.id, std::string(name_of(i.status)), i.type, i.owner, i.created_at, i.updated_at, to_json(i)});
    if (!r) return r.error();
    for (const auto& it : i.items)
      if (auto x = tx.execute("INSERT INTO incident_items (kind, ref, incident_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                              {it.kind, it.ref, i.id});
          !x)
        return x.error();
    return {};
  });
  if (!s) return s.error();
  return i;
}

Result<std::optional<Incident>> IncidentBook::get(const std::string& id) {
  auto rows = store_.query("SELECT incident FROM incidents WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Incident>();
  auto i = incident_from_json(rows->front().text(0));
  if (!i) return i.error();
  return std::optional<Incident>(std::move(*i));
}

Result<IncidentPage> IncidentBook::list(const IncidentFilter& f) {
  std::string sql = "SELECT incident FROM incidents WHERE 1 = 1";
  store::Params params;
  if (!f.status.empty()) sql += " AND status = ?", params.push_back(f.status);
  if (!f.type.empty()) sql += " AND type = ?", params.push_back(f.type);
  if (!f.owner.empty()) sql += " AND owner = ?", params.push_back(f.owner);
  if (!f.cursor.empty())
    if (Status c = detail::after_cursor(f.cursor, "created_at", sql, params); !c) return c.error();
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
  params.push_back(int64_t{f.limit + 1});
  auto rows = store_.query(sql, params);
  if (!rows) return rows.error();
  IncidentPage page;
  for (const auto& row : *rows) {
    auto i = incident_from_json(row.text(0));
    if (!i) return i.error();
    page.incidents.push_back(std::move(*i));
  }
  if (page.incidents.size() > static_cast<size_t>(f.limit)) {
    page.incidents.resize(f.limit);
    page.next_cursor = detail::cursor_of(page.incidents.back().created_at, page.incidents.back().id);
  }
  return page;
}

Result<Incident> IncidentBook::update(const std::string& id, const IncidentChange& c, const std::string& actor) {
  if (c.note.size() > kMaxText) return make_error("invalid_incident", "a note is at most 4000 characters", "note");
  if (c.severity && !one_of(kSeverities, *c.severity))
    return make_error("invalid_incident", "severity '" + *c.severity + "' is not one of: " + list_of(kSeverities), "severity");
  if (Status s = check_items(c.add_items); !s) return s.error();
  // Optimistic: the row is rewritten only if nobody changed it since it was read.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto rows = store_.query("SELECT incident FROM incidents WHERE id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return make_error("not_found", "no incident '" + id + "'");
    const std::string before = rows->front().text(0);
    auto parsed = incident_from_json(before);
    if (!parsed) return parsed.error();
    Incident i = std::move(*parsed);
    int64_t now = clock_ ? clock_() : unix_now();
    auto log = [&](std::string entry) { i.timeline.push_back({now, actor, std::move(entry)}); };
    if (c.status && *c.status != i.status) {
      log("status " + std::string(name_of(i.status)) + " -> " + std::string(name_of(*c.status)));
      i.status = *c.status;
    }
    if (c.owner && *c.owner != i.owner) log("owner " + (c.owner->empty() ? std::string("cleared") : "set to " + *c.owner)), i.owner = *c.owner;
    if (c.runbook && *c.runbook != i.runbook) log("runbook set to " + *c.runbook), i.runbook = *c.runbook;
    if (c.severity && *c.severity != i.severity) log("severity " + i.severity + " -> " + *c.severity), i.severity = *c.severity;
    std::vector<IncidentItem> added;
    for (auto it : c.add_items) {
      bool held = std::any_of(i.items.begin(), i.items.end(), [&](const IncidentItem& x) { return x.kind == it.kind && x.ref == it.ref; });
      if (held) continue;
      it.added_at = now;
      log(item_words(it));
      added.push_back(it);
      i.items.push_back(std::move(it));
    }
    if (!c.note.empty()) log("note: " + c.note);
    if (i.items.size() > kMaxItems) return make_error("invalid_incident", "an incident holds at most 1000 items", "items");
    if (i.timeline.size() > kMaxTimeline)
      return make_error("invalid_incident", "incident '" + id + "' has reached 5000 timeline entries; open a follow-up incident");
    i.updated_at = now;
    bool written = false;
    Status s = store_.transaction([&](store::Executor& tx) -> Status {
      auto r = tx.execute("UPDATE incidents SET status = ?, owner = ?, updated_at = ?, incident = ? WHERE id = ? AND incident = ?",
                          {std::string(name_of(i.status)), i.owner, i.updated_at, to_json(i), id, before});
      if (!r) return r.error();
      written = *r == 1;
      if (!written) return {};
      for (const auto& it : added)
        if (auto x = tx.execute("INSERT INTO incident_items (kind, ref, incident_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                {it.kind, it.ref, id});
            !x)
          return x.error();
      return {};
    });
    if (!s) return s.error();
    if (written) return i;
  }
  return make_error("conflict", "incident '" + id + "' is being changed by others right now; try again");
}

Status IncidentBook::undo(const std::string& id, const std::optional<Incident>& previous) {
  return store_.transaction([&](store::Executor& tx) -> Status {
    if (auto r = tx.execute("DELETE FROM incident_items WHERE incident_id = ?", {id}); !r) return r.error();
    if (!previous) {
      auto r = tx.execute("DELETE FROM incidents WHERE id = ?", {id});
      return r ? Status() : Status(r.error());
    }
    const Incident& i = *previous;
    auto r = tx.execute("UPDATE incidents SET status = ?, owner = ?, updated_at = ?, incident = ? WHERE id = ?",
                        {std::string(name_of(i.status)), i.owner, i.updated_at, to_json(i), id});
    if (!r) return r.error();
    for (const auto& it : i.items)
      if (auto x = tx.execute("INSERT INTO incident_items (kind, ref, incident_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                              {it.kind, it.ref, id});
          !x)
        return x.error();
    return {};
  });
}

Result<std::optional<std::string>> IncidentBook::find_open(const std::string& kind, const std::string& ref) {
  auto rows = store_.query(
      "SELECT i.id FROM incident_items it JOIN incidents i ON i.id = it.incident_id "
      "WHERE it.kind = ? AND it.ref = ? AND i.status NOT IN ('resolved', 'closed') ORDER BY i.created_at DESC LIMIT 1",
      {kind, ref});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->front().text(0));
}

}  // namespace wardline::response
