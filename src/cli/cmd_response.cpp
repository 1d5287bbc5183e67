// wardline devices wipe|lock, wardline response actions|approve|runbooks|
// drill|drills, wardline incidents list|show|open|update: incident response
// from the server's shell, each step audited as the local operator.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/context.h"
#include "cli/posture_support.h"
#include "cli/response_support.h"
#include "core/time.h"
#include "posture/posture.h"
#include "siem/siem.h"

namespace wardline::cli {
namespace {

// Opens the runtime, the inventory and the response kit, then runs `fn`.
int with_response(const CommonOptions& o, const std::function<int(Runtime&, ResponseKit&)>& fn) {
  auto config = effective_config(o);
  if (!config) return fail(config.error());
  auto rt = open_runtime(*config, true);
  if (!rt) return fail(rt.error());
  auto inventory = open_inventory(*config, *(*rt)->store);
  if (!inventory) return fail(inventory.error());
  auto kit = open_response(*config, *(*rt)->store, *inventory);
  if (!kit) return fail(kit.error());
  return fn(**rt, *kit);
}

response::Recorder audit_to(Runtime& rt) {
  return [&rt](siem::SecurityEvent& e) -> Status {
    auto r = rt.audit->record(e);
    if (!r) return make_error("audit_unavailable", "the audit log cannot be written, so nothing was done: " + r.error().message);
    return {};
  };
}

std::string when(int64_t t) { return t > 0 ? to_rfc3339(t) : "-"; }

// One action in words, or as JSON; the exit code says whether the MDM took it.
int print_action(const response::Action& a, bool json) {
  if (json) {
    std::cout << response::to_json(a) << "\n";
  } else {
    std::cout << a.id << ": " << response::name_of(a.kind) << " of " << a.device_id << " is " << response::name_of(a.state);
    if (a.state == response::ActionState::awaiting_approval)
      std::cout << "\na full wipe needs a second administrator: 'wardline response approve " << a.id << "' by someone else before "
                << to_rfc3339(a.expires_at);
    else if (!a.result.empty())
      std::cout << " (" << a.connector << ", " << a.attempts << " attempt(s)): " << a.result;
    std::cout << "\n";
  }
  return a.state == response::ActionState::failed || a.state == response::ActionState::unknown ? kFailure : kOk;
}

void add_device_action(CLI::App& devices, int& rc, bool wipe) {
  struct Options {
    CommonOptions common;
    std::string id, reason, type = "auto";
  };
  auto o = std::make_shared<Options>();
  auto* cmd = devices.add_subcommand(wipe ? "wipe" : "lock",
                                     wipe ? "Wipe a device through its MDM: selective for BYOD, full (two-person rule) for corporate"
                                          : "Lock a device through its MDM");
  cmd->add_option("ID", o->id, "Device id")->required();
  cmd->add_option("--reason", o->reason, "Why (goes into the audit log), e.g. 'reported stolen, INC-1234'")->required();
  if (wipe) cmd->add_option("--type", o->type, "auto (Wardline chooses from ownership), selective or full");
  add_common_options(*cmd, o->common, true);
  cmd->callback([o, &rc, wipe] {
    auto ask = response::parse_wipe_ask(o->type);
    if (!ask) return void(rc = fail(make_error("usage", "--type must be auto, selective or full")));
    rc = with_response(o->common, [&](Runtime& rt, ResponseKit& kit) {
      response::ActionRequest r;
      r.device_id = o->id;
      r.wipe = wipe;
      r.ask = *ask;
      r.reason = o->reason;
      r.actor = local_actor();
      auto a = kit.desk->request(r, audit_to(rt));
      if (!a) return fail(a.error());
      return print_action(*a, o->common.json);
    });
  });
}

void add_actions_commands(CLI::App& resp, int& rc) {
  struct ListOptions {
    CommonOptions common;
    response::ActionFilter filter;
  };
  auto lo = std::make_shared<ListOptions>();
  auto* list = resp.add_subcommand("actions", "Wipe and lock requests, newest first");
  list->add_option("--device", lo->filter.device_id, "Only this device");
  list->add_option("--state", lo->filter.state, "awaiting_approval|dispatched|failed|unknown|expired");
  list->add_option("--limit", lo->filter.limit, "At most this many (default 100)")->check(CLI::Range(1, 500));
  add_common_options(*list, lo->common, true);
  list->callback([lo, &rc] {
    rc = with_response(lo->common, [&](Runtime&, ResponseKit& kit) {
      auto page = kit.desk->list(lo->filter);
      if (!page) return fail(page.error());
      for (const auto& a : page->actions) {
        if (lo->common.json) {
          std::cout << response::to_json(a) << "\n";
          continue;
        }
        std::cout << a.id << "\t" << when(a.requested_at) << "\t" << a.device_id << "\t" << response::name_of(a.kind) << "\t"
                  << response::name_of(a.state) << "\t" << a.requested_by << (a.approved_by.empty() ? "" : " + " + a.approved_by)
                  << "\t" << a.reason << "\n";
      }
      return int(kOk);
    });
  });

  auto ao = std::make_shared<std::pair<CommonOptions, std::string>>();
  auto* approve = resp.add_subcommand("approve", "Approve another administrator's full wipe (two-person rule); it is sent at once");
  approve->add_option("ACTION", ao->second, "Action id (act_...)")->required();
  add_common_options(*approve, ao->first, true);
  approve->callback([ao, &rc] {
    rc = with_response(ao->first, [&](Runtime& rt, ResponseKit& kit) {
      auto a = kit.desk->approve(ao->second, local_actor(), audit_to(rt));
      if (!a) return fail(a.error());
      return print_action(*a, ao->first.json);
    });
  });
}

void add_runbook_commands(CLI::App& resp, int& rc) {
  auto ro = std::make_shared<std::pair<CommonOptions, bool>>();
  auto* runbooks = resp.add_subcommand("runbooks", "Runbooks and when each was last drilled; warns about overdue ones");
  runbooks->add_flag("--check", ro->second, "Exit 1 if any runbook is overdue or its last drill failed (for cron)");
  add_common_options(*runbooks, ro->first, true);
  runbooks->callback([ro, &rc] {
    rc = with_response(ro->first, [&](Runtime& rt, ResponseKit& kit) {
      auto latest = kit.drills->latest();
      if (!latest) return fail(latest.error());
      auto status = response::runbook_status(*kit.runbooks, *latest, unix_now(), rt.config.response.drill_interval);
      bool warned = false;
      for (size_t i = 0; i < status.size(); ++i) {
        const auto& r = (*kit.runbooks)[i];
        const auto& st = status[i];
        if (ro->first.json) {
          std::cout << nlohmann::json{{"name", r.name}, {"title", r.title}, {"incident_type", r.incident_type},
                                      {"steps", r.steps.size()}, {"last_tested", st.last_tested ? to_rfc3339(st.last_tested) : ""},
                                      {"last_result", st.last_result}, {"due", st.due ? to_rfc3339(st.due) : ""},
                                      {"overdue", st.overdue}, {"warning", st.warning}}
                           .dump()
                    << "\n";
        } else {
          std::cout << r.name << "\t" << r.incident_type << "\t" << r.steps.size() << " steps\tlast drill "
                    << (st.last_tested ? to_rfc3339(st.last_tested) + " (" + st.last_result + ")" : std::string("never"))
                    << "\t" << (st.overdue ? "OVERDUE" : "due " + to_rfc3339(st.due)) << "\n";
        }
        if (!st.warning.empty()) {
          std::cerr << "warning: " << st.warning << "\n";
          warned = true;
        }
      }
      return ro->second && warned ? int(kFailure) : int(kOk);
    });
  });

  struct DrillOptions {
    CommonOptions common;
    std::string runbook, result = "passed", notes, test_device, started;
    std::vector<std::string> failures, participants;
  };
  auto d = std::make_shared<DrillOptions>();
  auto* drill = resp.add_subcommand("drill", "Record a drill of a runbook; --test-device runs the wipe path end to end on a test device");
  drill->add_option("--runbook", d->runbook, "Runbook name (see 'wardline response runbooks')")->required();
  drill->add_option("--result", d->result, "passed|failed (default passed)");
  drill->add_option("--failure", d->failures, "What did not work (repeatable; required when failed)");
  drill->add_option("--participant", d->participants, "Who took part (repeatable)");
  drill->add_option("--notes", d->notes, "Notes");
  drill->add_option("--started", d->started, "When it started, RFC 3339 (default now)");
  drill->add_option("--test-device", d->test_device, "Wipe this designated test device (response.test_devices) through its MDM");
  add_common_options(*drill, d->common, true);
  drill->callback([d, &rc] {
    auto result = response::parse_drill_result(d->result);
    if (!result) return void(rc = fail(make_error("usage", "--result must be passed or failed")));
    std::optional<int64_t> started = d->started.empty() ? std::optional<int64_t>(unix_now()) : parse_rfc3339(d->started);
    if (!started) return void(rc = fail(make_error("usage", "--started must be an RFC 3339 time, e.g. 2026-11-28T14:00:00Z")));
    rc = with_response(d->common, [&](Runtime& rt, ResponseKit& kit) {
      response::Drill drill;
      drill.runbook = d->runbook;
      drill.result = *result;
      drill.failures = d->failures;
      drill.participants = d->participants;
      drill.notes = d->notes;
      drill.started_at = *started;
      drill.recorded_by = local_actor();
      auto saved = response::run_drill(*kit.desk, *kit.drills, *kit.runbooks, drill, d->test_device, audit_to(rt));
      if (!saved) return fail(saved.error());
      std::cout << "recorded drill " << saved->id << " of " << saved->runbook << ": " << response::name_of(saved->result);
      for (const auto& f : saved->failures) std::cout << "\n  failed: " << f;
      std::cout << "\n";
      return saved->result == response::DrillResult::passed ? int(kOk) : int(kFailure);
    });
  });

  auto lo = std::make_shared<std::pair<CommonOptions, std::string>>();
  auto* drills = resp.add_subcommand("drills", "Recorded drills, newest first");
  drills->add_option("--runbook", lo->second, "Only this runbook");
  add_common_options(*drills, lo->first, true);
  drills->callback([lo, &rc] {
    rc = with_response(lo->first, [&](Runtime&, ResponseKit& kit) {
      auto list = kit.drills->list(lo->second, 500);
      if (!list) return fail(list.error());
      for (const auto& x : *list) {
        std::string failures;
        for (const auto& f : x.failures) failures += (failures.empty() ? "" : "; ") + f;
        std::cout << x.id << "\t" << to_rfc3339(x.started_at) << "\t" << x.runbook << "\t" << response::name_of(x.result) << "\t"
                  << x.recorded_by << "\t" << failures << "\n";
      }
      return int(kOk);
    });
  });
}

// "kind:ref", e.g. alert:alr_01..., device:corp-1.
Result<std::vector<response::IncidentItem>> parse_items(const std::vector<std::string>& texts) {
  std::vector<response::IncidentItem> out;
  for (const auto& t : texts) {
    size_t colon = t.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == t.size())
      return make_error("usage", "--item '" + t + "' must be KIND:ID, e.g. alert:alr_123 or device:corp-1");
    out.push_back({t.substr(0, colon), t.substr(colon + 1), "", 0});
  }
  return out;
}

Status record_incident(Runtime& rt, const response::Incident& i, size_t timeline_before) {
  auto e = response::incident_event(i, timeline_before);
  e.actor = local_actor();
  auto r = rt.audit->record(e);
  if (!r) return r.error();
  return {};
}

void print_incident(const response::Incident& i, bool json) {
  if (json) {
    std::cout << response::to_json(i) << "\n";
    return;
  }
  std::cout << i.id << "  " << i.title << "\n  " << response::name_of(i.status) << ", " << i.severity << ", type " << i.type
            << ", owner " << (i.owner.empty() ? "-" : i.owner) << ", runbook " << (i.runbook.empty() ? "-" : i.runbook) << "\n";
  for (const auto& it : i.items) std::cout << "  item " << it.kind << " " << it.ref << (it.summary.empty() ? "" : ": " + it.summary) << "\n";
  for (const auto& t : i.timeline) std::cout << "  " << to_rfc3339(t.at) << " " << t.actor << ": " << t.entry << "\n";
}

void add_incident_commands(CLI::App& app, int& rc) {
  auto* inc = app.add_subcommand("incidents", "Incidents: alerts, campaigns and devices grouped, with owner, status and runbook");
  inc->require_subcommand(1);

  auto lo = std::make_shared<std::pair<CommonOptions, response::IncidentFilter>>();
  auto* list = inc->add_subcommand("list", "Incidents, newest first");
  list->add_option("--status", lo->second.status, "open|investigating|contained|resolved|closed");
  list->add_option("--type", lo->second.type, "Incident type");
  list->add_option("--owner", lo->second.owner, "Owner");
  add_common_options(*list, lo->first, true);
  list->callback([lo, &rc] {
    rc = with_response(lo->first, [&](Runtime&, ResponseKit& kit) {
      auto page = kit.incidents->list(lo->second);
      if (!page) return fail(page.error());
      for (const auto& i : page->incidents) {
        if (lo->first.json) std::cout << response::to_json(i) << "\n";
        else
          std::cout << i.id << "\t" << to_rfc3339(i.created_at) << "\t" << response::name_of(i.status) << "\t" << i.severity << "\t"
                    << i.type << "\t" << (i.owner.empty() ? "-" : i.owner) << "\t" << i.title << "\n";
      }
      return int(kOk);
    });
  });

  auto so = std::make_shared<std::pair<CommonOptions, std::string>>();
  auto* show = inc->add_subcommand("show", "One incident with its items and timeline");
  show->add_option("ID", so->second, "Incident id")->required();
  add_common_options(*show, so->first, true);
  show->callback([so, &rc] {
    rc = with_response(so->first, [&](Runtime&, ResponseKit& kit) {
      auto i = kit.incidents->get(so->second);
      if (!i) return fail(i.error());
      if (!*i) return fail(make_error("not_found", "no incident '" + so->second + "'"));
      print_incident(**i, so->first.json);
      return int(kOk);
    });
  });

  struct OpenOptions {
    CommonOptions common;
    response::NewIncident n;
    std::vector<std::string> items;
  };
  auto oo = std::make_shared<OpenOptions>();
  auto* open = inc->add_subcommand("open", "Open an incident");
  open->add_option("--title", oo->n.title, "What happened")->required();
  open->add_option("--type", oo->n.type, "smishing_campaign|credential_compromise|lost_device|intel_hit|malicious_app|other")->required();
  open->add_option("--severity", oo->n.severity, "low|medium|high|critical (default medium)");
  open->add_option("--owner", oo->n.owner, "Who works it");
  open->add_option("--runbook", oo->n.runbook, "Runbook (default: the one for the type)");
  open->add_option("--item", oo->items, "KIND:ID of an alert, campaign, shared_account, device or action (repeatable)");
  add_common_options(*open, oo->common, true);
  open->callback([oo, &rc] {
    auto items = parse_items(oo->items);
    if (!items) return void(rc = fail(items.error()));
    oo->n.items = *items;
    rc = with_response(oo->common, [&](Runtime& rt, ResponseKit& kit) {
      auto i = kit.incidents->create(oo->n, local_actor(), *kit.runbooks);
      if (!i) return fail(i.error());
      if (Status a = record_incident(rt, *i, 0); !a) {
        (void)kit.incidents->undo(i->id, std::nullopt);
        return fail(a.error());
      }
      print_incident(*i, oo->common.json);
      return int(kOk);
    });
  });

  struct UpdateOptions {
    CommonOptions common;
    std::string id, status, owner, note, severity;
    std::vector<std::string> items;
  };
  auto uo = std::make_shared<UpdateOptions>();
  auto* update = inc->add_subcommand("update", "Change an incident's status or owner, add items or a note");
  update->add_option("ID", uo->id, "Incident id")->required();
  update->add_option("--status", uo->status, "open|investigating|contained|resolved|closed");
  update->add_option("--owner", uo->owner, "New owner");
  update->add_option("--severity", uo->severity, "low|medium|high|critical");
  update->add_option("--note", uo->note, "A note for the timeline");
  update->add_option("--item", uo->items, "KIND:ID to add (repeatable)");
  add_common_options(*update, uo->common, true);
  update->callback([uo, &rc] {
    response::IncidentChange c;
    if (!uo->status.empty()) {
      c.status = response::parse_incident_status(uo->status);
      if (!c.status) return void(rc = fail(make_error("usage", "--status must be open, investigating, contained, resolved or closed")));
    }
    if (!uo->owner.empty()) c.owner = uo->owner;
    if (!uo->severity.empty()) c.severity = uo->severity;
    c.note = uo->note;
    auto items = parse_items(uo->items);
    if (!items) return void(rc = fail(items.error()));
    c.add_items = *items;
    rc = with_response(uo->common, [&](Runtime& rt, ResponseKit& kit) {
      auto before = kit.incidents->get(uo->id);
      if (!before) return fail(before.error());
      auto i = kit.incidents->update(uo->id, c, local_actor());
      if (!i) return fail(i.error());
      if (Status a = record_incident(rt, *i, *before ? (*before)->timeline.size() : 0); !a) {
        (void)kit.incidents->undo(i->id, *before);
        return fail(a.error());
      }
      print_incident(*i, uo->common.json);
      return int(kOk);
    });
  });
}

}  // namespace

void add_device_response_commands(CLI::App& devices, int& rc) {
  add_device_action(devices, rc, true);
  add_device_action(devices, rc, false);
}

void add_response_commands(CLI::App& app, int& rc) {
  auto* resp = app.add_subcommand("response", "Incident response: wipe/lock actions and approvals, runbooks, drills");
  resp->require_subcommand(1);
  add_actions_commands(*resp, rc);
  add_runbook_commands(*resp, rc);
  add_incident_commands(app, rc);
}

}  // namespace wardline::cli
