// The response desk: an administrator's wipe or lock request becomes an
// action that is checked, recorded, approved by a second administrator when
// it is a full wipe, and sent to the device's MDM once. Every stage is an
// audit event; a stage whose event cannot be recorded does not happen.
#include <algorithm>

#include "core/ids.h"
#include "core/time.h"
#include "posture/posture.h"
#include "response/response.h"
#include "response/stored_json.h"
#include "siem/siem.h"
#include "store/store.h"

namespace wardline::response {

struct ResponseDesk::Impl {
  store::Store& store;
  posture::DeviceInventory& devices;
  std::map<std::string, std::unique_ptr<Connector>> connectors;
  Clock clock;

  int64_t now() const { return clock ? clock() : unix_now(); }

  // Devices go to the connector named like the MDM they came from, else to "default".
  Connector* connector_for(const posture::Device& d) {
    auto it = connectors.find(d.source);
    if (it == connectors.end()) it = connectors.find("default");
    return it == connectors.end() ? nullptr : it->second.get();
  }

  Status insert(const Action& a) {
    auto r = store.execute(
        "INSERT INTO response_actions (id, device_id, kind, state, requested_by, requested_at, expires_at, request_key, action) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {a.id, a.device_id, std::string(name_of(a.kind)), std::string(name_of(a.state)), a.requested_by, a.requested_at,
         a.expires_at, a.request_key.empty() ? store::Value(nullptr) : store::Value(a.request_key), to_json(a)});
    if (!r) return r.error();
    return {};
  }

  // Saves `a` if the stored action is still in state `from`; false if another caller moved it first.
  Result<bool> save(const Action& a, ActionState from) {
    auto r = store.execute("UPDATE response_actions SET state = ?, expires_at = ?, action = ? WHERE id = ? AND state = ?",
                           {std::string(name_of(a.state)), a.expires_at, to_json(a), a.id, std::string(name_of(from))});
    if (!r) return r.error();
    return *r == 1;
  }

  Result<std::vector<Action>> select(std::string_view sql, const store::Params& params) {
    auto rows = store.query(sql, params);
    if (!rows) return rows.error();
    std::vector<Action> out;
    for (const auto& row : *rows) {
      auto a = action_from_json(row.text(0));
      if (!a) return a.error();
      out.push_back(std::move(*a));
    }
    return out;
  }

  Result<std::optional<Action>> load(const std::string& id) {
    auto found = select("SELECT action FROM response_actions WHERE id = ?", {id});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Action>();
    return std::optional<Action>(found->front());
  }

  Result<std::optional<Action>> by_key(const std::string& actor, const std::string& key) {
    auto found = select("SELECT action FROM response_actions WHERE requested_by = ? AND request_key = ?", {actor, key});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Action>();
    return std::optional<Action>(found->front());
  }

  static siem::SecurityEvent event(const Action& a, const std::string& stage, const std::string& actor,
                                   const std::string& outcome) {
    auto e = siem::make_event(a.kind == ActionKind::lock ? "device.lock" : "device.wipe", outcome);
    e.actor = actor;
    e.subject = a.device_id;
    e.severity = outcome == "success" ? (a.kind == ActionKind::full_wipe ? "warning" : "notice") : "error";
    e.details["stage"] = stage;
    e.details["action"] = a.id;
    e.details["reason"] = a.reason;
    if (a.kind != ActionKind::lock) e.details["wipe_type"] = a.kind == ActionKind::full_wipe ? "full" : "selective";
    if (!a.device_user.empty()) e.details["user"] = a.device_user;
    if (!a.connector.empty()) e.details["connector"] = a.connector;
    if (a.drill) e.details["drill"] = "true";
    return e;
  }

  // Sends the command once: the dispatch is recorded before anything leaves,
  // the MDM's answer after.
  Result<Action> dispatch(Action a, ActionState from, Connector& connector, const Recorder& record) {
    auto dispatched = event(a, "dispatched", a.approved_by.empty() ? a.requested_by : a.approved_by, "success");
    if (Status s = record(dispatched); !s) return s.error();
    Command c{a.id, a.kind, a.device_id, "", a.reason, a.requested_by, a.approved_by, a.drill};
    if (auto d = devices.get(a.device_id); d && *d) c.platform = std::string(posture::name_of((*d)->device.platform));
    DispatchResult r = connector.send(c);
    a.dispatched_at = now();
    a.attempts = r.attempts;
    a.http_status = r.http_status;
    a.result = r.detail;
    a.state = r.delivery == Delivery::accepted ? ActionState::dispatched
              : r.delivery == Delivery::failed ? ActionState::failed
                                               : ActionState::unknown;
    auto saved = save(a, from);
    if (!saved) return saved.error();
    auto result = event(a, "result", "system", r.delivery == Delivery::accepted ? "success" : "failure");
    result.details["delivery"] = std::string(name_of(r.delivery));
    result.details["attempts"] = std::to_string(r.attempts);
    if (r.http_status) result.details["http_status"] = std::to_string(r.http_status);
    result.details["detail"] = r.detail;
    // The command is out: a lost audit record cannot take it back, so the
    // action stands and the failure is the caller's to report.
    if (Status s = record(result); !s) return s.error();
    return a;
  }
};

ResponseDesk::ResponseDesk(store::Store& store, posture::DeviceInventory& devices, ResponseConfig config,
                           std::vector<std::unique_ptr<Connector>> connectors, Clock clock)
    : config_(std::move(config)), impl_(std::make_unique<Impl>(Impl{store, devices, {}, std::move(clock)})) {
  for (auto& c : connectors) {
    std::string name = c->name();
    impl_->connectors[name] = std::move(c);
  }
}

ResponseDesk::~ResponseDesk() = default;

Result<Action> ResponseDesk::request(const ActionRequest& r, const Recorder& record) {
  const char* verb = r.wipe ? "wipe" : "lock";
  if (r.actor.empty()) return make_error("invalid_request", std::string("a ") + verb + " needs the administrator's identity");
  if (r.reason.empty())
    return make_error("invalid_request", std::string("a ") + verb + " needs a reason; it goes into the audit log "
                                         "(e.g. 'reported stolen, ticket INC-1234')", "reason");
  if (!r.request_key.empty()) {
    auto earlier = impl_->by_key(r.actor, r.request_key);
    if (!earlier) return earlier.error();
    if (*earlier) return **earlier;
  }
  auto record_of = impl_->devices.get(r.device_id);
  if (!record_of) return record_of.error();
  if (!*record_of)
    return make_error("not_found", "no device '" + r.device_id + "' in the inventory; 'wardline devices list' shows the known ones");
  const posture::Device& device = (*record_of)->device;
  bool test_device = std::find(config_.test_devices.begin(), config_.test_devices.end(), device.id) != config_.test_devices.end();
  if (r.drill && !test_device)
    return make_error("refused", "a drill may only " + std::string(verb) + " a designated test device (response.test_devices); '" +
                                     device.id + "' is not one, so it is left alone");
  ActionKind kind = ActionKind::lock;
  if (r.wipe) {
    auto chosen = choose_wipe(device, r.ask);
    if (!chosen) return chosen.error();
    kind = *chosen;
  } else if (device.management == posture::Management::unmanaged || device.management == posture::Management::mam) {
    return make_error("refused", "device '" + device.id + "' is not enrolled in an MDM, so it cannot be locked remotely" +
                                     (device.management == posture::Management::mam
                                          ? "; a selective wipe removes the managed apps' data instead"
                                          : std::string()));
  }
  Connector* connector = impl_->connector_for(device);
  if (!connector)
    return make_error("unavailable", "no MDM connector handles devices from '" + device.source +
                                         "'; add one named '" + device.source + "' or 'default' under response.connectors "
                                         "in wardline.yaml (docs/mdm-connectors.md)");
  auto waiting = impl_->select("SELECT action FROM response_actions WHERE device_id = ? AND kind = ? AND state = ?",
                               {device.id, std::string(name_of(kind)), std::string(name_of(ActionState::awaiting_approval))});
  if (!waiting) return waiting.error();
  for (const auto& w : *waiting)
    if (w.expires_at > impl_->now())
      return make_error("conflict", "a " + std::string(name_of(kind)) + " of '" + device.id + "' requested by " + w.requested_by +
                                        " is already waiting for approval (" + w.id + ")");

  Action a;
  a.id = new_id("act");
  a.device_id = device.id;
  a.device_user = device.user;
  a.kind = kind;
  a.reason = r.reason;
  a.requested_by = r.actor;
  a.requested_at = impl_->now();
  a.connector = connector->name();
  a.request_key = r.request_key;
  a.drill = r.drill;
  // Drills use test devices that hold no ePHI; they do not wait for a second administrator.
  bool needs_approval = kind == ActionKind::full_wipe && config_.two_person_full_wipe && !r.drill;
  if (needs_approval) {
    a.state = ActionState::awaiting_approval;
    a.expires_at = a.requested_at + config_.approval_ttl.count();
  } else {
    a.state = ActionState::unknown;
    a.result = "being sent to the MDM";
  }
  if (Status s = impl_->insert(a); !s) {
    // Two requests with one Idempotency-Key at once: the first one stands.
    if (!r.request_key.empty())
      if (auto earlier = impl_->by_key(r.actor, r.request_key); earlier && *earlier) return **earlier;
    return s.error();
  }
  auto requested = Impl::event(a, "requested", r.actor, "success");
  requested.details["approval"] = needs_approval ? "required" : "not required";
  if (Status s = record(requested); !s) {
    (void)impl_->store.execute("DELETE FROM response_actions WHERE id = ?", {a.id});
    return s.error();
  }
  if (needs_approval) return a;
  return impl_->dispatch(std::move(a), ActionState::unknown, *connector, record);
}

Result<Action> ResponseDesk::approve(const std::string& action_id, const std::string& approver, const Recorder& record) {
  auto found = impl_->load(action_id);
  if (!found) return found.error();
  if (!*found) return make_error("not_found", "no response action '" + action_id + "'");
  Action a = **found;
  if (a.state != ActionState::awaiting_approval)
    return make_error("conflict", "action '" + a.id + "' is " + std::string(name_of(a.state)) +
                                      "; only a full wipe waiting for approval can be approved");
  if (impl_->now() >= a.expires_at) {
    if (auto n = expire(record); !n) return n.error();
    return make_error("expired", "the full wipe request '" + a.id + "' expired at " + to_rfc3339(a.expires_at) +
                                     " without a second approval; request it again if it is still needed");
  }
  if (approver == a.requested_by)
    return make_error("forbidden", "self-approval refused: a full wipe needs a second administrator (two-person rule); " +
                                       a.requested_by + " requested it, someone else must approve it");
  Connector* connector = nullptr;
  if (auto it = impl_->connectors.find(a.connector); it != impl_->connectors.end()) connector = it->second.get();
  if (!connector)
    return make_error("unavailable", "the connector '" + a.connector + "' this wipe was meant for is no longer configured");
  Action approved = a;
  approved.approved_by = approver;
  approved.approved_at = impl_->now();
  approved.state = ActionState::unknown;
  approved.result = "being sent to the MDM";
  auto saved = impl_->save(approved, ActionState::awaiting_approval);
  if (!saved) return saved.error();
  if (!*saved) return make_error("conflict", "action '" + a.id + "' was approved or expired by someone else just now");
  auto event = Impl::event(approved, "approved", approver, "success");
  event.details["requested_by"] = approved.requested_by;
  if (Status s = record(event); !s) {
    (void)impl_->save(a, ActionState::unknown);
    return s.error();
  }
  return impl_->dispatch(std::move(approved), ActionState::unknown, *connector, record);
}

Result<std::optional<Action>> ResponseDesk::get(const std::string& action_id) { return impl_->load(action_id); }

Result<ActionPage> ResponseDesk::list(const ActionFilter& f) {
  std::string sql = "SELECT action, requested_at, id FROM response_actions WHERE 1 = 1";
  store::Params params;
  if (!f.device_id.empty()) sql += " AND device_id = ?", params.push_back(f.device_id);
  if (!f.state.empty()) sql += " AND state = ?", params.push_back(f.state);
  if (!f.cursor.empty())
    if (Status c = detail::after_cursor(f.cursor, "requested_at", sql, params); !c) return c.error();
  sql += " ORDER BY requested_at DESC, id DESC LIMIT ?";
  params.push_back(int64_t{f.limit + 1});
  auto found = impl_->select(sql, params);
  if (!found) return found.error();
  ActionPage page;
  page.actions = std::move(*found);
  if (page.actions.size() > static_cast<size_t>(f.limit)) {
    page.actions.resize(f.limit);
    page.next_cursor = detail::cursor_of(page.actions.back().requested_at, page.actions.back().id);
  }
  return page;
}

Result<int> ResponseDesk::expire(const Recorder& record) {
  auto stale = impl_->select("SELECT action FROM response_actions WHERE state = ? AND expires_at <= ?",
                             {std::string(name_of(ActionState::awaiting_approval)), impl_->now()});
  if (!stale) return stale.error();
  int expired = 0;
  for (Action a : *stale) {
    a.state = ActionState::expired;
    a.result = "no second administrator approved it before " + to_rfc3339(a.expires_at);
    auto saved = impl_->save(a, ActionState::awaiting_approval);
    if (!saved) return saved.error();
    if (!*saved) continue;
    auto e = Impl::event(a, "expired", "system", "failure");
    e.severity = "notice";
    if (Status s = record(e); !s) {
      a.state = ActionState::awaiting_approval;
      (void)impl_->save(a, ActionState::expired);
      return s.error();
    }
    ++expired;
  }
  return expired;
}

}  // namespace wardline::response
