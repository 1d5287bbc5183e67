// Whether each runbook has been drilled recently enough: an untested wipe
// procedure is one that fails at the worst possible moment.
#include "core/time.h"
#include "response/response.h"

namespace wardline::response {
namespace {

constexpr int64_t kDay = 24 * 3600;

std::string counted(int64_t n, const std::string& unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s"); }

// "12 months" for 365 days or 360, "45 days", "12 hours": as people set the interval.
std::string span(std::chrono::seconds interval) {
  int64_t s = interval.count();
  if (s % kDay != 0) return s % 3600 == 0 ? counted(s / 3600, "hour") : counted(s, "second");
  int64_t days = s / kDay;
  if (days % 365 == 0) return counted(days / 365 * 12, "month");
  if (days % 30 == 0) return counted(days / 30, "month");
  return counted(days, "day");
}

std::string date_of(int64_t unix_seconds) { return to_rfc3339(unix_seconds).substr(0, 10); }

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items)
    if (!i.empty()) out += (out.empty() ? "" : "; ") + i;
  return out;
}

}  // namespace

std::vector<RunbookStatus> runbook_status(const std::vector<Runbook>& runbooks,
                                          const std::map<std::string, Drill>& latest, int64_t now,
                                          std::chrono::seconds interval) {
  std::vector<RunbookStatus> out;
  for (const auto& rb : runbooks) {
    RunbookStatus st;
    st.runbook = rb.name;
    const std::string quoted = "'" + rb.name + "'";
    auto it = latest.find(rb.name);
    if (it == latest.end()) {
      st.overdue = true;
      st.warning = "runbook " + quoted + " has never been drilled; record a drill (POST /api/v1/drills)";
      out.push_back(std::move(st));
      continue;
    }
    const Drill& d = it->second;
    st.last_tested = d.started_at;
    st.last_result = std::string(name_of(d.result));
    st.due = d.started_at + interval.count();
    st.overdue = now >= st.due;
    if (st.overdue)
      st.warning = "runbook " + quoted + " was last drilled on " + date_of(d.started_at) + ", more than " +
                   span(interval) + " ago (due " + date_of(st.due) + "); run a drill and record it (POST /api/v1/drills)";
    // A failed drill still counts as a test: the runbook is not overdue, but what failed needs fixing.
    if (d.result == DrillResult::failed) {
      std::string failures = joined(d.failures);
      st.warning += (st.warning.empty() ? "" : "; also ") + std::string("the last drill of runbook ") + quoted +
                    " failed" + (failures.empty() ? "" : ": " + failures) + "; fix what failed and drill it again";
    }
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace wardline::response
