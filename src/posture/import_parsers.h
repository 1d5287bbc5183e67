// Internals shared by the device importers and the generic device format:
// one parser per source, the generic format's field by field, and safe
// readers of vendor JSON (absent or mistyped members read as "not reported").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "posture/posture.h"

namespace wardline::posture::detail {

using Json = nlohmann::json;

Result<ImportBatch> parse_intune(std::string_view text, const std::string& file);
Result<ImportBatch> parse_jamf(std::string_view text, const std::string& file);
Result<ImportBatch> parse_generic_csv(std::string_view text, const std::string& file);
Result<ImportBatch> parse_generic_json(std::string_view text, const std::string& file);

// Parses JSON text; the error says where the text stops being JSON.
Result<Json> parse_json(std::string_view text);
// The same for a whole file: the error names the file and what was expected.
Result<Json> parse_json_file(std::string_view text, const std::string& file, const std::string& expected);

// Lowercase without spaces, '-', '_' and '.': "Mac OS X" -> "macosx",
// "work-profile" -> "workprofile", "User Enrollment" -> "userenrollment".
std::string squashed(std::string_view text);
// Without leading and trailing spaces and tabs.
std::string_view trimmed(std::string_view text);

// ---- the generic format (docs/devices.md)

// Every field name of the generic device format, in document order.
const std::vector<std::string_view>& generic_fields();
// "did you mean ..." text for a field name that is not one of `known`.
std::string unknown_field_hint(std::string_view name, const std::vector<std::string_view>& known);
// Sets one field from its text form (a CSV cell; a JSON string for the
// enumerations and last_checkin). Empty text is never passed. Returns why the
// text is not valid for that field.
std::optional<std::string> set_field_from_text(Device& d, std::string_view field, std::string_view text);
// A device from one parsed JSON object; errors name the field, not the record.
Result<Device> device_from_value(const Json& value);

// true/false, yes/no, 1/0 (any case); nullopt for anything else.
std::optional<bool> parse_flag(std::string_view text);
// A check-in time Wardline can store and print: after 1970, before 2200.
bool plausible_time(int64_t unix_seconds);
// An RFC 3339 check-in time, when it is one and plausible.
std::optional<int64_t> parse_checkin(std::string_view text);

// ---- vendor JSON, read leniently: vendors leave members out or null

// The member if `obj` is an object holding one of that type, else nullptr.
const Json* object_at(const Json& obj, const char* key);
const Json* array_at(const Json& obj, const char* key);
// A string member, or an integer member as decimal text; "" otherwise.
std::string text_at(const Json& obj, const char* key);
// The first non-empty of text_at(obj, keys...).
std::string first_text(const Json& obj, std::initializer_list<const char*> keys);
std::optional<bool> flag_at(const Json& obj, const char* key);

}  // namespace wardline::posture::detail
