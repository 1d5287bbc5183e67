// JSON lines: one access per line, with the fields of docs/ehr-analytics.md.
// Blank lines are skipped and unknown fields ignored, so exporters can add
// their own.
#include <simdjson.h>

#include "core/strings.h"
#include "core/time.h"
#include "ehr/parsers.h"

namespace wardline::ehr {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kValid = "a valid line has 'time' (RFC 3339 or Unix seconds) and 'user'";

bool is_hash(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!ascii_xdigit(c)) return false;
  return true;
}

// Reads the optional string `key` into `out`; a message when it is not a string.
std::string text_field(object o, const char* key, std::string& out) {
  element v;
  if (o[key].get(v) || v.is_null()) return {};
  std::string_view s;
  if (v.get(s)) return "'" + std::string(key) + "' is not a string";
  out = s;
  return {};
}

std::optional<int64_t> read_time(element v) {
  std::string_view s;
  if (!v.get(s)) {
    if (auto t = parse_rfc3339(s)) return t;
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    return std::stoll(std::string(s));
  }
  double d;  // whole seconds; checked before the conversion, which is undefined out of range
  if (!v.get(d) && d >= 0 && d <= static_cast<double>(kLatestTime)) return static_cast<int64_t>(d);
  return std::nullopt;
}

// A message when the line is not a valid access event.
std::string map_line(object o, const PatientKey& key, AccessEvent& e) {
  element v;
  if (o["time"].get(v)) return std::string("no 'time': ") + std::string(kValid);
  auto time = read_time(v);
  if (!time) return "'time' is neither an RFC 3339 time (2026-01-05T10:00:00Z) nor Unix seconds from 1970 to 2199";
  e.time = *time;
  for (auto [name, field] : text_fields(e))
    if (std::string error = text_field(o, name, *field); !error.empty()) return error;
  if (e.user.empty()) return std::string("no 'user': ") + std::string(kValid);

  std::string text;
  if (std::string error = text_field(o, "action", text); !error.empty()) return error;
  e.action = text.empty() ? "read" : action_name(text);
  if (e.action.empty()) return "'action' is " + quote(text) + ": expected create, read, update, delete or execute";
  text.clear();
  if (std::string error = text_field(o, "outcome", text); !error.empty()) return error;
  text = ascii_lowercase(text);
  if (!text.empty() && text != "success" && text != "failure")
    return "'outcome' is " + quote(text) + ": expected success or failure";
  e.outcome = text.empty() ? "success" : text;

  // Medical record numbers sometimes arrive as JSON numbers.
  int64_t number;
  std::string_view id;
  if (!o["patient"].get(v) && !v.is_null()) {
    if (!v.get(id))
      e.patient = id.empty() ? "" : key.hash(id);
    else if (!v.get(number))
      e.patient = key.hash(std::to_string(number));
    else
      return "'patient' is neither a string nor a whole number";
  } else if (!o["patient_hash"].get(v) && !v.is_null()) {
    if (v.get(id) || !is_hash(id)) return "'patient_hash' is not a keyed patient hash (32 hex characters)";
    e.patient = ascii_lowercase(id);
  }

  element lat, lon;
  bool has_lat = !o["latitude"].get(lat) && !lat.is_null(), has_lon = !o["longitude"].get(lon) && !lon.is_null();
  if (has_lat != has_lon) return "only one of 'latitude' and 'longitude': a position needs both";
  if (has_lat) {
    double la, lo;
    if (lat.get(la) || lon.get(lo) || !(la >= -90 && la <= 90) || !(lo >= -180 && lo <= 180))
      return "'latitude' and 'longitude' must be numbers in -90..90 and -180..180";
    e.position = std::pair{la, lo};
  }
  return {};
}

}  // namespace

void parse_jsonl(std::string_view text, ParseSink& sink) {
  simdjson::dom::parser parser;
  size_t line = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view row = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++line;
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    size_t record = sink.next_record();
    element doc;
    object o;
    if (auto err = parser.parse(row.data(), row.size()).get(doc)) {
      sink.problem(record, line,
                   std::string("not valid JSON (") + simdjson::error_message(err) + "): " + std::string(kValid));
      continue;
    }
    if (doc.get(o)) {
      sink.problem(record, line, std::string("not a JSON object: ") + std::string(kValid));
      continue;
    }
    AccessEvent e;
    std::string error = map_line(o, sink.key(), e);
    if (error.empty()) error = sink.deliver(e);
    if (!error.empty()) sink.problem(record, line, error);
  }
}

}  // namespace wardline::ehr
