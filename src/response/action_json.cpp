// Wipe and lock actions as JSON: one shape for the API, the CLI and storage.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "response/response.h"
#include "response/stored_json.h"

namespace wardline::response {
using detail::time_of;
using detail::time_or_null;

std::string to_json(const Action& a) {
  nlohmann::json j{{"id", a.id},
                   {"device", a.device_id},
                   {"user", a.device_user},
                   {"kind", name_of(a.kind)},
                   {"state", name_of(a.state)},
                   {"reason", a.reason},
                   {"requested_by", a.requested_by},
                   {"requested_at", time_or_null(a.requested_at)},
                   {"approved_by", a.approved_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.approved_by)},
                   {"approved_at", time_or_null(a.approved_at)},
                   {"expires_at", time_or_null(a.expires_at)},
                   {"connector", a.connector},
                   {"dispatched_at", time_or_null(a.dispatched_at)},
                   {"attempts", a.attempts},
                   {"http_status", a.http_status},
                   {"result", a.result},
                   {"drill", a.drill}};
  if (!a.request_key.empty()) j["request_key"] = a.request_key;
  return j.dump();
}

Result<Action> action_from_json(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return make_error("store_corrupt", "a stored response action is not a JSON object");
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  Action a;
  a.id = str("id");
  a.device_id = str("device");
  a.device_user = str("user");
  auto kind = parse_action_kind(str("kind"));
  if (!kind) return make_error("store_corrupt", "response action '" + a.id + "' has an unknown kind");
  a.kind = *kind;
  std::string state = str("state");
  bool known = false;
  for (ActionState s : {ActionState::awaiting_approval, ActionState::dispatched, ActionState::failed, ActionState::unknown,
                        ActionState::expired})
    if (name_of(s) == state) a.state = s, known = true;
  if (!known) return make_error("store_corrupt", "response action '" + a.id + "' has an unknown state");
  a.reason = str("reason");
  a.requested_by = str("requested_by");
  a.requested_at = time_of(j, "requested_at");
  a.approved_by = str("approved_by");
  a.approved_at = time_of(j, "approved_at");
  a.expires_at = time_of(j, "expires_at");
  a.connector = str("connector");
  a.dispatched_at = time_of(j, "dispatched_at");
  a.attempts = j.value("attempts", 0);
  a.http_status = j.value("http_status", 0);
  a.result = str("result");
  a.request_key = str("request_key");
  a.drill = j.value("drill", false);
  return a;
}

}  // namespace wardline::response
