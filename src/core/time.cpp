#include "core/time.h"

#include <ctime>
#include <cstdio>

namespace wardline {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

std::string to_rfc3339(Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string to_rfc3339(int64_t unix_seconds) {
  return to_rfc3339(Clock::time_point(std::chrono::seconds(unix_seconds)));
}

std::string now_rfc3339() { return to_rfc3339(Clock::now()); }

}  // namespace wardline
