// Decisions and facts as JSON: the API's answer and `access explain`.
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "core/json_text.h"

namespace wardline::access {

// Written member by member: every decision is answered with it, and an
// nlohmann tree cost an allocation per member. Members in byte order, as
// nlohmann::json writes an object (the unit tests compare the two).
std::string to_json(const Outcome& o) {
  std::string out;
  out.reserve(256);
  auto text = [&out](std::string_view s) { append_json_string(out, s); };
  auto list = [&out](const std::vector<std::string>& items) {
    out.push_back('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(out, items[i]);
    }
    out.push_back(']');
  };
  out += "{\"decision\":";
  text(name_of(o.decision));
  out += ",\"decision_id\":";
  text(o.id);
  out += ",\"matched_rules\":";
  list(o.matched);
  out += ",\"presented\":";
  text(name_of(o.presented));
  out += ",\"reasons\":";
  list(o.reasons);
  out += ",\"reauth_after\":" + std::to_string(o.reauth_after);
  out += ",\"report_only\":";
  list(o.report_only);
  out += ",\"required\":";
  if (o.decision == Decision::step_up) text(name_of(o.required));
  else out += "null";
  out += ",\"risk\":";
  text(name_of(o.risk));
  out += ",\"session_max_age\":" + std::to_string(o.session_max_age);
  out += ",\"shared_account\":";
  if (o.shared_account.empty()) out += "null";
  else text(o.shared_account);
  out += "}";
  return out;
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
