// UTC time helpers: RFC 3339 text and Unix seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wardline {

using Clock = std::chrono::system_clock;

int64_t unix_now();
// "2026-11-28T12:45:26.123Z" (millisecond precision, always UTC).
std::string to_rfc3339(Clock::time_point t);
std::string to_rfc3339(int64_t unix_seconds);
std::string now_rfc3339();
// Unix seconds of "2014-05-08T09:00:00.000000Z" or "...+02:00" (fractions
// dropped); nullopt when it is not RFC 3339.
std::optional<int64_t> parse_rfc3339(std::string_view text);

}  // namespace wardline
