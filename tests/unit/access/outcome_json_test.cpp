// The decision answer is written by hand; it must be the text nlohmann::json
// writes for the same object (what the API sent before).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "access/access.h"

namespace wardline::access {
namespace {

std::string by_nlohmann(const Outcome& o) {
  nlohmann::json j{{"decision_id", o.id},
                   {"decision", name_of(o.decision)},
                   {"required", o.decision == Decision::step_up ? nlohmann::json(name_of(o.required)) : nlohmann::json(nullptr)},
                   {"presented", name_of(o.presented)},
                   {"risk", name_of(o.risk)},
                   {"session_max_age", o.session_max_age},
                   {"reauth_after", o.reauth_after},
                   {"matched_rules", o.matched},
                   {"reasons", o.reasons},
                   {"report_only", o.report_only},
                   {"shared_account", o.shared_account.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.shared_account)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(OutcomeJson, IsTheTextNlohmannWrites) {
  Outcome allow;
  allow.id = "ad_0123";
  allow.decision = Decision::allow;
  allow.presented = Assurance::multi_factor;
  allow.session_max_age = 28800;
  allow.reauth_after = 3600;
  allow.matched = {"clinical-read"};

  Outcome step_up = allow;
  step_up.decision = Decision::step_up;
  step_up.required = Assurance::phishing_resistant;
  step_up.risk = Risk::high;
  step_up.matched = {"imaging", "off-network"};
  step_up.reasons = {"signed in from \"203.0.113.9\"\toutside\nthe hospital", "caf\xc3\xa9 \\ r\xc3\xa9seau"};
  step_up.report_only = {"night-shift"};
  step_up.shared_account = "active on 2 devices within 10 minutes";

  Outcome deny;  // all defaults: empty lists, nulls, zeros

  for (const Outcome* o : {&allow, &step_up, &deny}) {
    EXPECT_EQ(to_json(*o), by_nlohmann(*o));
    EXPECT_TRUE(nlohmann::json::parse(to_json(*o)).is_object());
  }
}

}  // namespace
}  // namespace wardline::access
