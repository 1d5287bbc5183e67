// RFC 8785 JSON Canonicalization Scheme: the one byte string a JSON value
// canonically serialises to, so anyone can recompute an audit leaf's hash.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace wardline::audit {

// Object members sorted by UTF-16 code units, no whitespace, minimal string
// escapes, numbers as ECMAScript prints them. Invalid UTF-8 is replaced by
// U+FFFD (JCS requires valid Unicode).
std::string canonical_json(const nlohmann::json& value);

// The building blocks, for writers that know their structure:
// a string literal as JCS writes it, and JCS's member-name order.
void append_canonical_string(std::string& out, std::string_view s);
bool canonical_key_less(std::string_view a, std::string_view b);

}  // namespace wardline::audit
