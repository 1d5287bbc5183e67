// Keeping PHI and secrets out of logs. Log lines are built from values that
// are either known-safe or passed through these helpers first.
#pragma once

#include <string>
#include <string_view>

namespace wardline {

// A fixed placeholder that says a value existed and how long it was, never what it was.
std::string redacted(std::string_view sensitive_value);

// Scrubs free text (e.g. an error message that may quote input) of bearer
// tokens, e-mail addresses and phone-number-like digit runs.
std::string redact_text(std::string_view text);

}  // namespace wardline
