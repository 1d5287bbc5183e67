#include "core/time.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

namespace wardline {
namespace {

// The reference: the C library's calendar.
std::string libc_rfc3339(int64_t secs, int ms) {
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

TEST(Rfc3339, KnownInstants) {
  EXPECT_EQ(to_rfc3339(int64_t{0}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(to_rfc3339(int64_t{951782400}), "2000-02-29T00:00:00.000Z");   // leap day of a century leap year
  EXPECT_EQ(to_rfc3339(int64_t{1767225599}), "2025-12-31T23:59:59.000Z");
  EXPECT_EQ(to_rfc3339(Clock::time_point(std::chrono::milliseconds(1709251200123))), "2024-03-01T00:00:00.123Z");
  EXPECT_EQ(to_rfc3339(int64_t{-1}), "1969-12-31T23:59:59.000Z");
}

TEST(Rfc3339, UnixSecondsPastTheYear2262) {
  // A nanosecond clock overflows in 2262; seconds must not.
  EXPECT_EQ(to_rfc3339(int64_t{9999999999}), "2286-11-20T17:46:39.000Z");
  EXPECT_EQ(to_rfc3339(int64_t{253402300799}), "9999-12-31T23:59:59.000Z");
  EXPECT_EQ(to_rfc3339(INT64_MAX), "9999-12-31T23:59:59.999Z") << "clamped, never wrapped";
  EXPECT_EQ(to_rfc3339(INT64_MIN), "0000-01-01T00:00:00.000Z");
}

TEST(Rfc3339, AgreesWithTheCLibraryAndRoundTrips) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 200000; ++i) {
    int64_t secs = static_cast<int64_t>(rng() % 7258118400ULL);  // 1970 .. 2200 (the clock counts nanoseconds)
    int ms = static_cast<int>(rng() % 1000);
    std::string ours = to_rfc3339(Clock::time_point(std::chrono::milliseconds(secs * 1000 + ms)));
    ASSERT_EQ(ours, libc_rfc3339(secs, ms)) << secs;
    ASSERT_EQ(parse_rfc3339(ours), secs) << ours;
  }
}

}  // namespace
}  // namespace wardline
