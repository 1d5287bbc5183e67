// Incident response: wipe and lock through the hospital's MDM (selective for
// BYOD, full for corporate devices, a second administrator for full wipes),
// MDM connectors (Intune through Microsoft Graph, Jamf Pro, a signed
// webhook), runbooks per incident type with drills that prove them, and
// incidents that group alerts. See docs/response.md and docs/runbooks.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/result.h"

namespace wardline::store { class Store; }
namespace wardline::siem { struct SecurityEvent; }
namespace wardline::audit { class AuditLog; }
namespace wardline::posture {
struct Device;
class DeviceInventory;
}  // namespace wardline::posture

namespace wardline::response {

// ------------------------------------------------------------------ actions

enum class ActionKind { lock, selective_wipe, full_wipe };
std::string_view name_of(ActionKind k);  // lock | selective_wipe | full_wipe
std::optional<ActionKind> parse_action_kind(std::string_view text);

// What an administrator asks of a wipe: Wardline's choice, or a named one.
enum class WipeAsk { automatic, selective, full };
std::optional<WipeAsk> parse_wipe_ask(std::string_view text);  // auto | selective | full

// BYOD: selective (the work profile / managed apps and their data only);
// corporate: full. A full wipe of a BYOD device, a selective wipe of a device
// with nothing managed on it, or a device of unknown ownership come back as
// an error that explains why and what to do instead.
Result<ActionKind> choose_wipe(const posture::Device& device, WipeAsk ask);

// What a wipe of the device would be, in a word: "selective", "full", or
// "none" (choose_wipe would refuse; the reason is its error).
std::string_view wipe_word(const posture::Device& device);

enum class ActionState {
  awaiting_approval,  // a full wipe waiting for a second administrator
  dispatched,         // the MDM accepted the command
  failed,             // the MDM refused it, or it could not be delivered
  unknown,            // delivery uncertain (e.g. a timeout after sending): check the MDM console
  expired,            // nobody approved it in time
};
std::string_view name_of(ActionState s);

struct Action {
  std::string id;  // act_...; also the idempotency key sent to the MDM
  std::string device_id;
  std::string device_user;
  ActionKind kind = ActionKind::lock;
  ActionState state = ActionState::awaiting_approval;
  std::string reason;
  std::string requested_by;
  int64_t requested_at = 0;
  std::string approved_by;
  int64_t approved_at = 0;
  int64_t expires_at = 0;  // while awaiting approval
  std::string connector;
  int64_t dispatched_at = 0;
  int attempts = 0;
  int http_status = 0;  // the MDM's last answer; 0: none
  std::string result;   // what the MDM said, or what went wrong, in words
  std::string request_key;  // the caller's Idempotency-Key, if it sent one
  bool drill = false;       // part of a drill against a designated test device
};

// The action as the API and the store hold it (JSON, times RFC 3339).
std::string to_json(const Action& a);
Result<Action> action_from_json(std::string_view json);

// ------------------------------------------------------------------ connectors

// One command as an MDM connector sends it.
struct Command {
  std::string idempotency_key;  // the action id: the same on every retry
  ActionKind kind = ActionKind::lock;
  std::string device_id;  // the device's id in the MDM
  std::string platform;
  std::string reason;
  std::string requested_by, approved_by;
  bool drill = false;
};

enum class Delivery {
  accepted,  // the MDM took the command
  failed,    // it refused, or it was never reached: nothing happened
  unknown,   // it may have happened (an answer was lost); never retried blindly
};
std::string_view name_of(Delivery d);

struct DispatchResult {
  Delivery delivery = Delivery::failed;
  int attempts = 0;
  int http_status = 0;  // last HTTP status; 0: no answer
  std::string detail;   // what the MDM said or what went wrong, for the administrator
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual const std::string& name() const = 0;
  // Sends one command, retrying with backoff where that cannot act twice.
  virtual DispatchResult send(const Command& command) = 0;
};

// Waits between attempts; tests pass one that only records the delay.
using Sleeper = std::function<void(std::chrono::milliseconds)>;

// intune | jamf | webhook, from its configuration (docs/response.md).
Result<std::unique_ptr<Connector>> make_connector(const MdmConnectorConfig& config, Sleeper sleep = {});

// ------------------------------------------------------------------ the response desk

// Records each security event durably (the caller adds source address and
// request id); an error stops the action before anything is sent.
using Recorder = std::function<Status(siem::SecurityEvent&)>;
using Clock = std::function<int64_t()>;  // unix seconds

struct ActionRequest {
  std::string device_id;
  bool wipe = false;  // false: lock
  WipeAsk ask = WipeAsk::automatic;
  std::string reason;
  std::string actor;        // the administrator
  std::string request_key;  // Idempotency-Key: a repeat returns the first action
  bool drill = false;       // only designated test devices
};

struct ActionFilter {
  std::string device_id, state;
  int limit = 100;
  std::string cursor;
};
struct ActionPage {
  std::vector<Action> actions;
  std::string next_cursor;
};

class ResponseDesk {
 public:
  ResponseDesk(store::Store& store, posture::DeviceInventory& devices, ResponseConfig config,
               std::vector<std::unique_ptr<Connector>> connectors, Clock clock = {});
  ~ResponseDesk();

  // Checks the request (device known, wipe type allowed, a connector for the
  // device's MDM), records it, and dispatches it at once unless it is a full
  // wipe under the two-person rule.
  Result<Action> request(const ActionRequest& r, const Recorder& record);
  // A second administrator approves a waiting full wipe; it is dispatched.
  // Self-approval and expired requests are refused.
  Result<Action> approve(const std::string& action_id, const std::string& approver, const Recorder& record);
  Result<std::optional<Action>> get(const std::string& action_id);
  Result<ActionPage> list(const ActionFilter& filter);
  // Marks requests nobody approved in time as expired (each an audit event).
  Result<int> expire(const Recorder& record);

  const ResponseConfig& config() const { return config_; }

 private:
  struct Impl;
  ResponseConfig config_;
  std::unique_ptr<Impl> impl_;
};

// ------------------------------------------------------------------ runbooks

// The Wardline actions a runbook step can trigger, and the API call that does it.
struct RunbookAction {
  std::string name;  // e.g. device.wipe
  std::string method, path;
  std::string what;
};
const std::vector<RunbookAction>& runbook_actions();

// smishing_campaign, credential_compromise, lost_device, intel_hit, malicious_app.
const std::vector<std::string>& incident_types();

struct RunbookStep {
  std::string id;
  std::string title;
  std::string owner;
  std::string action;  // empty, or a runbook_actions() name
  std::string details;
};

struct Runbook {
  std::string name;  // file stem, e.g. lost-device
  std::string title;
  std::string incident_type;
  std::string owner;
  std::string description;
  std::vector<RunbookStep> steps;
};

// One runbook from YAML (docs/runbooks.md); `source` names it in errors.
Result<Runbook> parse_runbook(std::string_view yaml_text, const std::string& name, const std::string& source);
// Every *.yaml in `dir`, sorted by name.
Result<std::vector<Runbook>> load_runbooks(const std::string& dir);

// ------------------------------------------------------------------ drills

enum class DrillResult { passed, failed };
std::string_view name_of(DrillResult r);
std::optional<DrillResult> parse_drill_result(std::string_view text);

struct Drill {
  std::string id;  // drl_...
  std::string runbook;
  int64_t started_at = 0, finished_at = 0;
  std::vector<std::string> participants;
  std::string recorded_by;
  DrillResult result = DrillResult::passed;
  std::vector<std::string> failures;  // what did not work
  std::string notes;
  std::string action_id;  // the wipe run against a test device, if any
};

class DrillBook {
 public:
  explicit DrillBook(store::Store& store) : store_(store) {}
  Result<Drill> record(Drill d);  // fills id
  Result<std::vector<Drill>> list(const std::string& runbook, int limit);
  // The most recent drill of each runbook that has one.
  Result<std::map<std::string, Drill>> latest();

 private:
  store::Store& store_;
};

// Records a drill of a runbook (one of `runbooks`). With `test_device` the
// wipe path is run first, end to end through the MDM connector, against that
// designated test device (response.test_devices) and nothing else; the drill
// fails if the MDM did not take the command. The response.drill audit event
// goes through `record`.
Result<Drill> run_drill(ResponseDesk& desk, DrillBook& drills, const std::vector<Runbook>& runbooks, Drill drill,
                        const std::string& test_device, const Recorder& record);

struct RunbookStatus {
  std::string runbook;
  int64_t last_tested = 0;  // 0: never
  std::string last_result;  // passed | failed | empty
  int64_t due = 0;          // when the next drill is due (0: now)
  bool overdue = false;
  std::string warning;  // empty when all is well
};
// `interval`: response.drill_interval (twelve months by default).
std::vector<RunbookStatus> runbook_status(const std::vector<Runbook>& runbooks,
                                          const std::map<std::string, Drill>& latest, int64_t now,
                                          std::chrono::seconds interval);

// ------------------------------------------------------------------ incidents

enum class IncidentStatus { open, investigating, contained, resolved, closed };
std::string_view name_of(IncidentStatus s);
std::optional<IncidentStatus> parse_incident_status(std::string_view text);

// Something an incident groups: an intel alert, a smishing campaign, a
// shared-account alert, a quarantined device, a wipe or lock.
struct IncidentItem {
  std::string kind;  // alert | campaign | shared_account | device | user | action
  std::string ref;   // its id
  std::string summary;
  int64_t added_at = 0;
};

struct TimelineEntry {
  int64_t at = 0;
  std::string actor;
  std::string entry;
};

struct Incident {
  std::string id;  // inc_...
  std::string title;
  std::string type;      // an incident_types() value, or other
  std::string severity;  // low | medium | high | critical
  IncidentStatus status = IncidentStatus::open;
  std::string owner;
  std::string runbook;
  std::string created_by;
  int64_t created_at = 0, updated_at = 0;
  std::vector<IncidentItem> items;
  std::vector<TimelineEntry> timeline;
};

struct NewIncident {
  std::string title, type, severity = "medium", owner, runbook;
  std::vector<IncidentItem> items;
};

struct IncidentChange {
  std::optional<IncidentStatus> status;
  std::optional<std::string> owner, runbook, severity;
  std::string note;
  std::vector<IncidentItem> add_items;
};

struct IncidentFilter {
  std::string status, type, owner;
  int limit = 100;
  std::string cursor;
};
struct IncidentPage {
  std::vector<Incident> incidents;
  std::string next_cursor;
};

// The incident as the API and the store hold it (JSON, times RFC 3339).
std::string to_json(const Incident& i);
Result<Incident> incident_from_json(std::string_view json);

// The incident.change audit event of `i` (the caller sets actor and source):
// its status and the timeline entries after the first `timeline_before`.
siem::SecurityEvent incident_event(const Incident& i, size_t timeline_before);

class IncidentBook {
 public:
  explicit IncidentBook(store::Store& store, Clock clock = {});
  // The runbook defaults to the one for the incident's type, if any.
  Result<Incident> create(const NewIncident& n, const std::string& actor, const std::vector<Runbook>& runbooks);
  Result<std::optional<Incident>> get(const std::string& id);
  Result<IncidentPage> list(const IncidentFilter& filter);
  // Every change lands on the timeline with its actor.
  Result<Incident> update(const std::string& id, const IncidentChange& change, const std::string& actor);
  // Takes a change back when its audit record could not be written:
  // `previous` is the incident as it was, or nullopt to remove a new one.
  Status undo(const std::string& id, const std::optional<Incident>& previous);
  // The open (not resolved or closed) incident that holds this item, if any.
  Result<std::optional<std::string>> find_open(const std::string& kind, const std::string& ref);

 private:
  store::Store& store_;
  Clock clock_;
};

// ------------------------------------------------------------------ grouping alerts

// What an alert in the audit log means for incidents: intel.hit,
// smish.campaign, access.shared_account, posture.state_change to
// quarantined, and high or critical ehr.alert. Anything else: nullopt.
struct AlertFacts {
  std::string title, type, severity;
  std::vector<IncidentItem> items;  // the alert itself, then its device, user or campaign
};
std::optional<AlertFacts> alert_facts(const siem::SecurityEvent& e);

// Follows the audit log and files each new alert: into the open incident
// that already holds its device, user or campaign, else into a new one.
// Where it stopped is kept in the store, so a restart resumes there; on the
// first run it starts at the end of the log (history is not replayed).
class IncidentGrouper {
 public:
  IncidentGrouper(store::Store& store, audit::AuditLog& log, IncidentBook& incidents,
                  std::shared_ptr<const std::vector<Runbook>> runbooks);
  // One pass over the entries recorded since the last; returns how many
  // alerts were filed. Each incident change is an incident.change event by
  // "system" through `record`.
  Result<int> run(const Recorder& record);

 private:
  store::Store& store_;
  audit::AuditLog& log_;
  IncidentBook& incidents_;
  std::shared_ptr<const std::vector<Runbook>> runbooks_;
};

}  // namespace wardline::response
