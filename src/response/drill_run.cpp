// A drill: the record that a runbook was rehearsed, and optionally the wipe
// path run for real against a designated test device, because "an untested
// wipe procedure is a procedure that will fail at the worst possible moment".
#include <algorithm>

#include "response/response.h"
#include "siem/siem.h"

namespace wardline::response {

Result<Drill> run_drill(ResponseDesk& desk, DrillBook& drills, const std::vector<Runbook>& runbooks, Drill drill,
                        const std::string& test_device, const Recorder& record) {
  if (std::none_of(runbooks.begin(), runbooks.end(), [&](const Runbook& r) { return r.name == drill.runbook; }))
    return make_error("invalid_drill", "there is no runbook '" + drill.runbook + "' (GET /api/v1/runbooks lists them)", "runbook");
  if (!test_device.empty()) {
    ActionRequest wipe{test_device, true, WipeAsk::automatic, "drill of runbook " + drill.runbook, drill.recorded_by, "", true};
    auto a = desk.request(wipe, record);
    if (!a) return a.error();
    drill.action_id = a->id;
    if (a->state != ActionState::dispatched) {
      drill.result = DrillResult::failed;
      drill.failures.push_back("wipe of test device " + test_device + " through " + a->connector + ": " +
                               std::string(name_of(a->state)) + " (" + a->result + ")");
    }
  }
  auto saved = drills.record(drill);
  if (!saved) return saved.error();
  auto e = siem::make_event("response.drill", saved->result == DrillResult::passed ? "success" : "failure");
  e.actor = saved->recorded_by;
  e.subject = saved->runbook;
  e.severity = saved->result == DrillResult::passed ? "info" : "warning";
  e.details["runbook"] = saved->runbook;
  e.details["result"] = std::string(name_of(saved->result));
  e.details["drill"] = saved->id;
  if (!saved->failures.empty()) {
    std::string failures;
    for (const auto& f : saved->failures) failures += (failures.empty() ? "" : "; ") + f;
    e.details["failures"] = failures;
  }
  if (!saved->action_id.empty()) e.details["action"] = saved->action_id;
  if (Status s = record(e); !s) return s.error();
  return *saved;
}

}  // namespace wardline::response
