// Paths of the shared vectors and our fixtures, and log parsing into owned values.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "intel/intel.h"
#include "support/test_support.h"

namespace wardline::intel::testing {

inline std::string external_dir() {
  const char* d = std::getenv("WARDLINE_EXTERNAL_DIR");
  return d ? d : "../shared/external";
}
inline std::string fixture(const std::string& name) {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return std::string(d ? d : ".") + "/tests/data/intel/" + name;
}

#define SKIP_WITHOUT_EXTERNAL(sub)                                                                          \
  if (!std::filesystem::exists(external_dir() + "/" + sub))                                                 \
  GTEST_SKIP() << "external vectors not found in " << external_dir() << "/" << sub                         \
               << " (set WARDLINE_EXTERNAL_DIR to the shared external folder to run this conformance test)"

struct OwnedObserved {
  std::string field;
  ObservedKind kind;
  std::string value;
};
struct OwnedLine {
  size_t line;
  LineResult result;
  std::string timestamp;
  std::vector<OwnedObserved> observed;
  std::string error;
  std::string client;

  // The first value observed in `field`, or "".
  std::string value(const std::string& field) const {
    for (const auto& o : observed)
      if (o.field == field) return o.value;
    return "";
  }
  std::vector<std::string> values(const std::string& field) const {
    std::vector<std::string> out;
    for (const auto& o : observed)
      if (o.field == field) out.push_back(o.value);
    return out;
  }
};

inline std::vector<OwnedLine> parse_all(LogFormat format, const std::string& text) {
  auto parser = make_log_parser(format);
  std::vector<OwnedLine> out;
  size_t n = 0, start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    std::string_view line(text.data() + start, (nl == std::string::npos ? text.size() : nl) - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    LogRecord rec;
    OwnedLine o{++n, parser->parse(line, rec), {}, {}, {}, {}};
    if (o.result == LineResult::record) {
      o.timestamp = std::string(rec.timestamp);
      o.client = std::string(rec.client);
      for (const auto& v : rec.observed) o.observed.push_back({std::string(v.field), v.kind, std::string(v.value)});
    }
    if (o.result == LineResult::malformed) o.error = parser->error();
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace wardline::intel::testing
