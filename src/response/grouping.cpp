// Alerts into incidents: the audit log is the one place every alert lands,
// whoever raised it (an API call, the daemon's timers, a CLI import on
// another host), so the grouper follows the log rather than each producer.
#include <algorithm>

#include "audit/audit.h"
#include "core/strings.h"
#include "response/response.h"
#include "siem/siem.h"
#include "store/store.h"

namespace wardline::response {
namespace {

constexpr int kBatch = 500;
const std::vector<std::string> kAlertTypes = {"intel.hit", "smish.campaign", "access.shared_account", "posture.state_change",
                                              "ehr.alert"};
// EHR alerts that point at a stolen credential rather than a curious insider.
const std::vector<std::string> kCredentialKinds = {"impossible_travel", "lateral_movement", "new_device", "new_location"};
// Checks whose failure points at a hostile app rather than a lapsed setting.
const std::vector<std::string> kAppChecks = {"jailbreak", "sideloading", "app_catalogue", "app_permissions"};

std::string detail(const siem::SecurityEvent& e, const std::string& key) {
  auto it = e.details.find(key);
  return it == e.details.end() ? std::string() : it->second;
}

void add(std::vector<IncidentItem>& items, const std::string& kind, const std::string& ref, const std::string& summary = "") {
  if (!ref.empty()) items.push_back({kind, ref, summary, 0});
}

}  // namespace

std::optional<AlertFacts> alert_facts(const siem::SecurityEvent& e) {
  AlertFacts f;
  const std::string device = detail(e, "device"), user = detail(e, "user");
  auto on = [&] {
    std::string where;
    if (!device.empty()) where += "device " + device;
    if (!user.empty()) where += (where.empty() ? "user " : ", user ") + user;
    return where.empty() ? std::string() : " (" + where + ")";
  };
  if (e.type == "intel.hit") {
    f.type = "intel_hit";
    f.severity = e.severity == "warning" ? "high" : "medium";
    f.title = "Threat-intel hit: " + e.subject + on();
    add(f.items, "alert", detail(e, "alert"), "intel.hit " + e.subject + " from " + detail(e, "feeds"));
    add(f.items, "campaign", detail(e, "campaign"));
  } else if (e.type == "smish.campaign") {
    f.type = "smishing_campaign";
    f.severity = detail(e, "highest_verdict") == "malicious" ? "high" : "medium";
    f.title = "Smishing campaign " + e.subject + ": " + detail(e, "summary");
    add(f.items, "campaign", e.subject, detail(e, "summary"));
  } else if (e.type == "access.shared_account") {
    f.type = "other";
    f.severity = "medium";
    f.title = "Shared account " + e.subject + ": " + detail(e, "reason");
    add(f.items, "shared_account", e.subject, detail(e, "reason"));
    add(f.items, "user", e.subject);
  } else if (e.type == "posture.state_change" && detail(e, "to") == "quarantined") {
    std::string checks = detail(e, "checks");
    bool app = std::any_of(kAppChecks.begin(), kAppChecks.end(), [&](const std::string& c) { return checks.find(c) != std::string::npos; });
    f.type = app ? "malicious_app" : "other";
    f.severity = "high";
    f.title = "Device " + e.subject + " quarantined: " + checks;
    add(f.items, "device", e.subject, "quarantined: " + checks);
  } else if (e.type == "ehr.alert") {
    // Low and medium EHR alerts stay in the EHR alert list; an incident is for what needs a responder.
    const std::string severity = detail(e, "alert_severity"), kind = detail(e, "kind");
    if (severity != "high" && severity != "critical") return std::nullopt;
    bool credential = !detail(e, "likely_compromised").empty() ||
                      std::find(kCredentialKinds.begin(), kCredentialKinds.end(), kind) != kCredentialKinds.end();
    f.type = credential ? "credential_compromise" : "other";
    f.severity = severity;
    f.title = utf8_prefix("EHR access (" + kind + ") by " + e.subject + ": " + detail(e, "explanation"), 300);
    add(f.items, "alert", detail(e, "alert"), "ehr.alert " + kind);
  } else {
    return std::nullopt;
  }
  if (e.type != "posture.state_change") add(f.items, "device", device);
  if (e.type != "access.shared_account") add(f.items, "user", user);
  return f;
}

IncidentGrouper::IncidentGrouper(store::Store& store, audit::AuditLog& log, IncidentBook& incidents,
                                 std::shared_ptr<const std::vector<Runbook>> runbooks)
    : store_(store), log_(log), incidents_(incidents), runbooks_(std::move(runbooks)) {}

Result<int> IncidentGrouper::run(const Recorder& record) {
  auto rows = store_.query("SELECT next_seq FROM incident_grouping WHERE name = 'alerts'");
  if (!rows) return rows.error();
  if (rows->empty()) {
    auto size = log_.size();
    if (!size) return size.error();
    auto r = store_.execute("INSERT INTO incident_grouping (name, next_seq) VALUES ('alerts', ?) ON CONFLICT DO NOTHING",
                            {static_cast<int64_t>(*size)});
    if (!r) return r.error();
    return 0;
  }
  int64_t next = rows->front().integer(0);
  auto entries = log_.follow(static_cast<uint64_t>(next), kAlertTypes, kBatch);
  if (!entries) return entries.error();
  int filed = 0;
  for (const auto& entry : *entries) {
    // Claim the entry first: with several daemons on one store, one files it.
    auto claimed = store_.execute("UPDATE incident_grouping SET next_seq = ? WHERE name = 'alerts' AND next_seq = ?",
                                  {static_cast<int64_t>(entry.seq + 1), next});
    if (!claimed) return claimed.error();
    if (*claimed != 1) return filed;  // another daemon is ahead
    next = static_cast<int64_t>(entry.seq + 1);
    auto facts = alert_facts(entry.event);
    if (!facts) continue;
    std::optional<std::string> open;
    for (const auto& item : facts->items) {
      if (item.kind != "device" && item.kind != "user" && item.kind != "campaign") continue;
      auto found = incidents_.find_open(item.kind, item.ref);
      if (!found) return found.error();
      if (*found) {
        open = *found;
        break;
      }
    }
    std::optional<Incident> previous;
    Result<Incident> filed_in = make_error("unset", "");
    if (open) {
      auto current = incidents_.get(*open);
      if (!current) return current.error();
      previous = *current;
      IncidentChange c;
      c.add_items = facts->items;
      c.note = facts->title;  // a second alert on a device the incident holds is news even with no new item
      filed_in = incidents_.update(*open, c, "system");
    } else {
      NewIncident n;
      n.title = facts->title.substr(0, 300);
      n.type = facts->type;
      n.severity = facts->severity;
      n.items = facts->items;
      filed_in = incidents_.create(n, "system", *runbooks_);
    }
    if (!filed_in) return filed_in.error();
    auto e = incident_event(*filed_in, previous ? previous->timeline.size() : 0);
    e.actor = "system";
    if (Status s = record(e); !s) {
      // Unrecorded, the change is taken back and the alert left for the next pass.
      (void)incidents_.undo(filed_in->id, previous);
      (void)store_.execute("UPDATE incident_grouping SET next_seq = ? WHERE name = 'alerts' AND next_seq = ?",
                           {static_cast<int64_t>(entry.seq), next});
      return s.error();
    }
    ++filed;
  }
  return filed;
}

}  // namespace wardline::response
