// The compliance state machine: compliant -> grace (with a deadline) ->
// noncompliant -> quarantined, driven by the checks a device fails and how
// long it has failed them.
#include <algorithm>

#include "posture/posture.h"

namespace wardline::posture {

std::string_view name_of(State s) {
  switch (s) {
    case State::compliant: return "compliant";
    case State::grace: return "grace";
    case State::noncompliant: return "noncompliant";
    case State::quarantined: return "quarantined";
  }
  return "compliant";
}

std::optional<State> parse_state(std::string_view text) {
  for (State s : {State::compliant, State::grace, State::noncompliant, State::quarantined})
    if (name_of(s) == text) return s;
  return std::nullopt;
}

Standing next_standing(const Standing& previous, std::vector<Finding> findings, int64_t now, const Policy& policy) {
  Standing next;
  bool blocked = false, quarantine = false;
  int64_t deadline = 0;
  for (auto& f : findings) {
    // A check keeps the time it began failing for as long as it fails.
    auto was = previous.failing_since.find(f.check);
    int64_t since = was != previous.failing_since.end() ? was->second : now;
    next.failing_since.emplace(f.check, since);
    if (f.enforcement == Enforcement::report) continue;
    if (f.enforcement == Enforcement::grace) {
      if (f.deadline == 0) f.deadline = since + f.grace;
      if (f.deadline > now) {
        deadline = deadline == 0 ? f.deadline : std::min(deadline, f.deadline);
        continue;
      }
    }
    blocked = true;  // a block check, or a grace period that has run out
    quarantine = quarantine || f.quarantine;
  }
  next.findings = std::move(findings);

  if (quarantine) {
    next.state = State::quarantined;
  } else if (blocked) {
    // Noncompliant for longer than the policy tolerates: quarantined, and
    // it stays quarantined until nothing blocks it any more.
    bool overdue = previous.state == State::noncompliant && now - previous.since >= policy.quarantine_after();
    next.state = overdue || previous.state == State::quarantined ? State::quarantined : State::noncompliant;
  } else if (deadline != 0) {
    next.state = State::grace;
    next.deadline = deadline;
  } else {
    next.state = State::compliant;
  }
  next.since = next.state == previous.state && previous.since != 0 ? previous.since : now;
  return next;
}

}  // namespace wardline::posture
