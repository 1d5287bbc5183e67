// Drills: proof that a runbook works, one row per drill in response_drills
// with the whole drill as JSON (docs/runbooks.md).
#include <nlohmann/json.hpp>

#include "core/ids.h"
#include "response/response.h"
#include "store/store.h"

namespace wardline::response {
namespace {

using Json = nlohmann::json;

std::string to_json(const Drill& d) {
  return Json{{"id", d.id},
              {"runbook", d.runbook},
              {"started_at", d.started_at},
              {"finished_at", d.finished_at},
              {"participants", d.participants},
              {"recorded_by", d.recorded_by},
              {"result", name_of(d.result)},
              {"failures", d.failures},
              {"notes", d.notes},
              {"action_id", d.action_id}}
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Drill> from_json(const std::string& id, const std::string& text) {
  auto bad = [&] {
    return make_error("corrupt_record", "drill '" + id + "' in response_drills is not a drill Wardline wrote; "
                                                         "restore the row from a backup or delete it");
  };
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object()) return bad();
  try {
    Drill d;
    d.id = id;
    d.runbook = j.value("runbook", "");
    d.started_at = j.value("started_at", int64_t{0});
    d.finished_at = j.value("finished_at", int64_t{0});
    d.participants = j.value("participants", std::vector<std::string>{});
    d.recorded_by = j.value("recorded_by", "");
    auto result = parse_drill_result(j.value("result", ""));
    if (!result) return bad();
    d.result = *result;
    d.failures = j.value("failures", std::vector<std::string>{});
    d.notes = j.value("notes", "");
    d.action_id = j.value("action_id", "");
    return d;
  } catch (const Json::exception&) {
    return bad();
  }
}

Result<std::vector<Drill>> drills_of(const Result<store::Rows>& rows) {
  if (!rows) return rows.error();
  std::vector<Drill> out;
  for (const auto& r : rows.value()) {
    auto d = from_json(r.text(0), r.text(1));
    if (!d) return d.error();
    out.push_back(std::move(*d));
  }
  return out;
}

Status check(const Drill& d) {
  if (d.runbook.empty()) return make_error("invalid_drill", "name the runbook the drill tested", "runbook");
  if (d.started_at <= 0) return make_error("invalid_drill", "give the time the drill started", "started_at");
  if (d.finished_at != 0 && d.finished_at < d.started_at)
    return make_error("invalid_drill", "the drill cannot finish before it started; check finished_at", "finished_at");
  if (d.recorded_by.empty()) return make_error("invalid_drill", "name who recorded the drill", "recorded_by");
  bool failure_listed = false;
  for (const auto& f : d.failures) failure_listed = failure_listed || !f.empty();
  if (d.result == DrillResult::failed && !failure_listed)
    return make_error("invalid_drill", "a failed drill must list what did not work, so it can be fixed", "failures");
  return {};
}

}  // namespace

std::string_view name_of(DrillResult r) { return r == DrillResult::passed ? "passed" : "failed"; }

std::optional<DrillResult> parse_drill_result(std::string_view text) {
  if (text == "passed") return DrillResult::passed;
  if (text == "failed") return DrillResult::failed;
  return std::nullopt;
}

Result<Drill> DrillBook::record(Drill d) {
  if (Status s = check(d); !s) return s.error();
  d.id = new_id("drl");
  auto n = store_.execute("INSERT INTO response_drills (id, runbook, started_at, drill) VALUES (?, ?, ?, ?)",
                          {d.id, d.runbook, d.started_at, to_json(d)});
  if (!n) return n.error();
  return d;
}

Result<std::vector<Drill>> DrillBook::list(const std::string& runbook, int limit) {
  if (limit < 1 || limit > 1000)
    return make_error("invalid_limit", "the number of drills to list must be from 1 to 1000", "limit");
  // id breaks ties between drills started in the same second, so pages are stable.
  if (runbook.empty())
    return drills_of(store_.query("SELECT id, drill FROM response_drills ORDER BY started_at DESC, id DESC LIMIT ?",
                                  {int64_t{limit}}));
  return drills_of(store_.query(
      "SELECT id, drill FROM response_drills WHERE runbook = ? ORDER BY started_at DESC, id DESC LIMIT ?",
      {runbook, int64_t{limit}}));
}

Result<std::map<std::string, Drill>> DrillBook::latest() {
  auto drills = drills_of(store_.query(
      "SELECT id, drill FROM response_drills d WHERE started_at = "
      "(SELECT MAX(started_at) FROM response_drills m WHERE m.runbook = d.runbook) ORDER BY id"));
  if (!drills) return drills.error();
  std::map<std::string, Drill> out;
  // Two drills of one runbook in the same second: the greater id wins, as in list().
  for (auto& d : *drills) out[d.runbook] = std::move(d);
  return out;
}

}  // namespace wardline::response
