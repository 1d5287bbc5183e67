// When an advisory's SLA clock starts. Feeds write times three ways: RFC 3339
// with an offset, NVD's offsetless UTC "2024-01-23T01:15:10.083", and bare
// dates (KEV's dateAdded, local YAML), which start at local midnight in the
// hospital's time zone. ICU resolves the zone (per call, so thread-safe; no
// TZ environment games) and gets DST days right.
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <chrono>
#include <memory>

#include "core/strings.h"
#include "core/time.h"
#include "posture/posture.h"

namespace wardline::posture {
namespace {

struct Date {
  int year = 0, month = 0, day = 0;
};

// "YYYY-MM-DD" at the start of `text`, a real calendar day.
std::optional<Date> leading_date(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto number = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!ascii_digit(text[i])) return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  Date d{number(0, 4), number(5, 2), number(8, 2)};
  if (d.year < 0 || d.month < 0 || d.day < 0) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year{d.year}, std::chrono::month{static_cast<unsigned>(d.month)},
                                  std::chrono::day{static_cast<unsigned>(d.day)}};
  if (!ymd.ok()) return std::nullopt;
  return d;
}

Result<int64_t> local_midnight(const Date& d, const std::string& timezone) {
  std::string zone = timezone.empty() ? "UTC" : timezone;
  std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(zone)));
  // ICU answers an unknown name with the "Etc/Unknown" zone (GMT) instead of failing.
  if (!tz || *tz == icu::TimeZone::getUnknown())
    return make_error("invalid_timezone", "unknown time zone '" + zone +
                                              "': set the posture policy's 'timezone' to an IANA name such as "
                                              "America/New_York, Europe/Berlin or Asia/Kolkata");
  UErrorCode status = U_ZERO_ERROR;
  icu::GregorianCalendar calendar(tz.release(), status);  // adopts the zone
  if (U_FAILURE(status))
    return make_error("invalid_timezone", "cannot build a calendar for time zone '" + zone + "': " + u_errorName(status));
  calendar.clear();
  // A midnight skipped by a DST jump (e.g. America/Santiago) resolves to the
  // first instant of that day, ICU's default for skipped wall times.
  calendar.set(d.year, d.month - 1, d.day, 0, 0, 0);
  UDate ms = calendar.getTime(status);
  if (U_FAILURE(status))
    return make_error("invalid_time", "cannot place midnight of that date in time zone '" + zone + "': " + u_errorName(status));
  return static_cast<int64_t>(ms / 1000);
}

Error bad_time(std::string_view text) {
  return make_error("invalid_time", "'" + std::string(text) +
                                        "' is not a time: write a date (2024-01-23), an RFC 3339 time "
                                        "(2024-01-23T01:15:10Z, 2024-01-23T06:45:10+05:30) or NVD's UTC form "
                                        "(2024-01-23T01:15:10.083)");
}

}  // namespace

Result<int64_t> parse_advisory_time(std::string_view text, const std::string& timezone) {
  auto date = leading_date(text);
  if (!date) return bad_time(text);
  if (text.size() == 10) return local_midnight(*date, timezone);
  if (auto t = parse_rfc3339(text)) return *t;
  // NVD writes UTC without saying so.
  if (auto t = parse_rfc3339(std::string(text) + "Z")) return *t;
  return bad_time(text);
}

}  // namespace wardline::posture
