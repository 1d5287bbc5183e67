// Reading JSON log lines with simdjson: one parser reused for every line.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "intel/intel.h"

namespace wardline::intel {

// Parses `line`; on failure `error` says why.
bool parse_json_line(simdjson::dom::parser& parser, std::string_view line, simdjson::dom::element& doc, std::string& error);

// The value at a dotted path, nested ({"a":{"b":..}}) or flattened ({"a.b":..})
// as ECS allows both; false when absent.
bool json_at(simdjson::dom::element doc, std::string_view dotted, simdjson::dom::element& out);
// The string at `dotted`, or empty.
std::string_view json_string(simdjson::dom::element doc, std::string_view dotted);
// Adds the string, or each string of an array, at `dotted`.
void add_json_strings(simdjson::dom::element doc, std::string_view dotted, ObservedKind kind, LogRecord& out);

}  // namespace wardline::intel
