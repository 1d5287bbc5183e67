#include "intel/logs/json_fields.h"

namespace wardline::intel {

bool parse_json_line(simdjson::dom::parser& parser, std::string_view line, simdjson::dom::element& doc, std::string& error) {
  if (auto err = parser.parse(line.data(), line.size()).get(doc)) {
    error = std::string("not valid JSON: ") + simdjson::error_message(err);
    return false;
  }
  if (!doc.is_object()) {
    error = "expected one JSON object per line";
    return false;
  }
  return true;
}

bool json_at(simdjson::dom::element doc, std::string_view dotted, simdjson::dom::element& out) {
  if (!doc.at_key(dotted).get(out)) return true;
  simdjson::dom::element cur = doc;
  for (size_t start = 0;;) {
    size_t dot = dotted.find('.', start);
    std::string_view key = dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!cur.is_object() || cur.at_key(key).get(cur)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  out = cur;
  return true;
}

std::string_view json_string(simdjson::dom::element doc, std::string_view dotted) {
  simdjson::dom::element e;
  std::string_view s;
  if (!json_at(doc, dotted, e) || e.get(s)) return {};
  return s;
}

void add_json_strings(simdjson::dom::element doc, std::string_view dotted, ObservedKind kind, LogRecord& out) {
  simdjson::dom::element e;
  if (!json_at(doc, dotted, e)) return;
  std::string_view s;
  if (!e.get(s)) {
    if (!s.empty()) out.observed.push_back({dotted, kind, s});
    return;
  }
  simdjson::dom::array items;
  if (e.get(items)) return;
  for (simdjson::dom::element item : items)
    if (!item.get(s) && !s.empty()) out.observed.push_back({dotted, kind, s});
}

}  // namespace wardline::intel
