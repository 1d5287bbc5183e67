// Parsing request bodies: the one place untrusted JSON enters the API.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.h"

namespace wardline::api {

// Parses a JSON object; errors name the byte offset and what was expected.
Result<nlohmann::json> parse_json_object(std::string_view body);

// Typed field access with errors that name the field.
Result<std::string> required_string(const nlohmann::json& obj, const char* field, size_t max_len = 1024);
Result<std::optional<std::string>> optional_string(const nlohmann::json& obj, const char* field, size_t max_len = 1024);

}  // namespace wardline::api
