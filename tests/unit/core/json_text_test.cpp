#include "core/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wardline {
namespace {

std::string json_literal(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, EscapesWhatJsonRequiresAndKeepsUtf8) {
  EXPECT_EQ(json_literal(""), "\"\"");
  EXPECT_EQ(json_literal("plain text"), "\"plain text\"");
  EXPECT_EQ(json_literal("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_literal("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(json_literal(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\x7f\"");
  EXPECT_EQ(json_literal(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(json_literal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST(JsonText, ReplacesInvalidUtf8) {
  EXPECT_EQ(json_literal("a\xff" "b"), "\"a\xEF\xBF\xBD" "b\"");
  EXPECT_EQ(json_literal("\xc3"), "\"\xEF\xBF\xBD\"");                  // truncated sequence
  EXPECT_EQ(json_literal("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong '/'
  EXPECT_EQ(json_literal("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
}

TEST(JsonText, MatchesNlohmannForValidText) {
  for (std::string s : {"", "x", "quote \" and \\ slash /", "line\nbreak\ttab", "\xc3\xa9t\xc3\xa9", "\x1b[0m", "\x7f"}) {
    EXPECT_EQ(json_literal(s), nlohmann::json(s).dump()) << s;
    EXPECT_EQ(nlohmann::json::parse(json_literal(s)).get<std::string>(), s);
  }
}

}  // namespace
}  // namespace wardline
