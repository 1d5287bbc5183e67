#include "api/json_body.h"

namespace wardline::api {

Result<nlohmann::json> parse_json_object(std::string_view body) {
  if (body.empty()) return make_error("invalid_json", "request body is empty; send a JSON object");
  try {
    auto j = nlohmann::json::parse(body);
    if (!j.is_object())
      return make_error("invalid_json", std::string("request body must be a JSON object, got ") + j.type_name());
    return j;
  } catch (const nlohmann::json::parse_error& e) {
    return make_error("invalid_json", "request body is not valid JSON at byte " + std::to_string(e.byte) +
                                          ": " + std::string(e.what()).substr(std::string(e.what()).find(':') + 2));
  } catch (const nlohmann::json::exception& e) {
    return make_error("invalid_json", std::string("request body is not valid JSON: ") + e.what());
  }
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& obj, const char* field, size_t max_len) {
  auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return make_error("invalid_field", std::string("'") + field + "' must be a string", field);
  std::string v = it->get<std::string>();
  if (v.size() > max_len)
    return make_error("invalid_field", std::string("'") + field + "' is longer than " + std::to_string(max_len) + " bytes", field);
  return std::optional<std::string>(std::move(v));
}

Result<std::string> required_string(const nlohmann::json& obj, const char* field, size_t max_len) {
  auto v = optional_string(obj, field, max_len);
  if (!v) return v.error();
  if (!v->has_value() || (*v)->empty())
    return make_error("missing_field", std::string("'") + field + "' is required", field);
  return std::move(**v);
}

}  // namespace wardline::api
