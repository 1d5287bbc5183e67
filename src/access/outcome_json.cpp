// Decisions and facts as JSON: the API's answer and `access explain`.
#include <nlohmann/json.hpp>

#include "access/access.h"

namespace wardline::access {

std::string to_json(const Outcome& o) {
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

std::string to_json(const Facts& f) {
  nlohmann::json j{{"user", f.user},
                   {"role", f.role},
                   {"groups", f.groups},
                   {"category", f.category},
                   {"action", f.action},
                   {"resource", f.resource},
                   {"device_state", f.device_state},
                   {"ownership", f.ownership},
                   {"zones", f.zones},
                   {"country", f.country},
                   {"assurance", name_of(f.assurance)},
                   {"auth_age", f.auth_age},
                   {"signals", f.signals},
                   {"local_hour", f.hour},
                   {"weekday", f.weekday}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Facts> facts_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return make_error("invalid_facts", "facts must be a JSON object");
  Facts f;
  try {
    f.user = j.value("user", "");
    f.role = j.value("role", "");
    f.category = j.value("category", "");
    f.action = j.value("action", "");
    f.resource = j.value("resource", "");
    f.groups = j.value("groups", std::vector<std::string>{});
    f.device_state = j.value("device_state", "unknown");
    f.ownership = j.value("ownership", "unknown");
    f.zones = j.value("zones", std::vector<std::string>{});
    f.country = j.value("country", "");
    f.assurance = parse_assurance(j.value("assurance", "none")).value_or(Assurance::none);
    f.auth_age = j.value("auth_age", int64_t{-1});
    f.signals = j.value("signals", std::vector<std::string>{});
    f.hour = j.value("local_hour", 0);
    f.weekday = j.value("weekday", 0);
  } catch (const nlohmann::json::exception& e) {
    return make_error("invalid_facts", std::string("a fact has the wrong type: ") + e.what());
  }
  return f;
}

}  // namespace wardline::access
