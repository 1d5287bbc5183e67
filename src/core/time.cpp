#include "core/time.h"

#include <algorithm>
#include <ctime>
#include <cstdio>

namespace wardline {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

namespace {

// Writes `v` as `width` digits at `out`.
void put_digits(char* out, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) out[i] = static_cast<char>('0' + v % 10);
}

// Formatted by hand (civil-from-days, H. Hinnant's algorithm): reports and
// evaluations format many timestamps, and gmtime_r + snprintf dominated.
std::string format_millis(int64_t ms) {
  // RFC 3339 has four-digit years: earlier and later instants are clamped to 0000 and 9999.
  ms = std::clamp<int64_t>(ms, -62167219200000, 253402300799999);
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int64_t millis = ms - secs * 1000;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t sod = secs - days * 86400;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  std::string out = "0000-00-00T00:00:00.000Z";
  put_digits(&out[0], year, 4);
  put_digits(&out[5], month, 2);
  put_digits(&out[8], day, 2);
  put_digits(&out[11], sod / 3600, 2);
  put_digits(&out[14], sod / 60 % 60, 2);
  put_digits(&out[17], sod % 60, 2);
  put_digits(&out[20], millis, 3);
  return out;
}

}  // namespace

std::string to_rfc3339(Clock::time_point t) {
  return format_millis(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

// Not through Clock::time_point: its nanoseconds overflow after 2262.
std::string to_rfc3339(int64_t unix_seconds) {
  constexpr int64_t kLimit = int64_t{1} << 50;  // far past year 9999 either way, and * 1000 cannot overflow
  return format_millis(std::clamp(unix_seconds, -kLimit, kLimit) * 1000);
}

std::string now_rfc3339() { return to_rfc3339(Clock::now()); }

std::optional<int64_t> parse_rfc3339(std::string_view t) {
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > t.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      out = out * 10 + (t[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second;
  if (!num(0, 4, year) || t.size() < 20 || t[4] != '-' || !num(5, 2, month) || t[7] != '-' || !num(8, 2, day) ||
      (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !num(11, 2, hour) || t[13] != ':' || !num(14, 2, minute) ||
      t[16] != ':' || !num(17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  size_t i = 19;
  if (t[i] == '.') {
    ++i;
    size_t digits = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == digits) return std::nullopt;
  }
  int offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    int oh, om;
    if (!num(i + 1, 2, oh) || i + 3 >= t.size() || t[i + 3] != ':' || !num(i + 4, 2, om)) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (t[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm)) - offset;
}

}  // namespace wardline
