// The registry of log formats: names, detection from a first line, factories.
#include <array>

#include "core/strings.h"
#include "intel/logs/parsers.h"

namespace wardline::intel {
namespace {

struct FormatEntry {
  LogFormat format;
  std::string_view name;
  std::unique_ptr<LogParser> (*make)();
};
constexpr std::array<FormatEntry, 5> kFormats = {{
    {LogFormat::zeek, "zeek", make_zeek_parser},
    {LogFormat::squid, "squid", make_squid_parser},
    {LogFormat::eve, "eve", make_eve_parser},
    {LogFormat::cef, "cef", make_cef_parser},
    {LogFormat::ecs, "ecs", make_ecs_parser},
}};

}  // namespace

std::optional<LogFormat> parse_log_format(std::string_view name) {
  for (const auto& f : kFormats)
    if (f.name == name) return f.format;
  return std::nullopt;
}

std::string_view log_format_name(LogFormat format) { return kFormats[static_cast<size_t>(format)].name; }

std::unique_ptr<LogParser> make_log_parser(LogFormat format) { return kFormats[static_cast<size_t>(format)].make(); }

std::optional<LogFormat> detect_log_format(std::string_view line) {
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return std::nullopt;
  line.remove_prefix(start);
  if (line.starts_with("#separator") || line.starts_with("#fields") || line.starts_with("#path") ||
      line.starts_with("### BTest") || line.starts_with("#set_separator"))
    return LogFormat::zeek;
  if (line[0] == '{') return line.find("\"event_type\"") != std::string_view::npos ? LogFormat::eve : LogFormat::ecs;
  if (line.find("CEF:") != std::string_view::npos) return LogFormat::cef;
  // Squid: a Unix time with milliseconds, then more space-separated fields.
  size_t sp = line.find(' ');
  std::string_view first = line.substr(0, sp);
  bool time = first.size() >= 10 && first.find('.') != std::string_view::npos;
  for (char c : first) time &= ascii_digit(c) || c == '.';
  if (time && sp != std::string_view::npos) return LogFormat::squid;
  return std::nullopt;
}

}  // namespace wardline::intel
