// RFC 8785 JSON Canonicalization Scheme: the one byte string a JSON value
// canonically serialises to, so anyone can recompute an audit leaf's hash.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace wardline::audit {

// Object members sorted by UTF-16 code units, no whitespace, minimal string
// escapes, numbers as ECMAScript prints them. Invalid UTF-8 is replaced by
// U+FFFD (JCS requires valid Unicode).
std::string canonical_json(const nlohmann::json& value);

}  // namespace wardline::audit
