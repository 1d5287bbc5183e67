// JSON text written directly, for hot paths whose structure is fixed (an
// nlohmann::json tree costs an allocation per member).
#pragma once

#include <string>
#include <string_view>

namespace wardline {

// `s` as a JSON string literal: quotes, backslash and control characters
// escaped (\b \f \n \r \t, else \u00xx), other characters as UTF-8; an
// invalid UTF-8 byte becomes U+FFFD. This is also RFC 8785 (JCS) form.
void append_json_string(std::string& out, std::string_view s);

}  // namespace wardline
