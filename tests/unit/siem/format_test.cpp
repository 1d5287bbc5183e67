#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>

#include "siem/siem.h"

namespace wardline::siem {
namespace {

SecurityEvent sample() {
  SecurityEvent e;
  e.id = "evt_1";
  e.time = "2026-11-28T12:00:00.000Z";
  e.type = "auth.attempt";
  e.severity = "warning";
  e.actor = "anonymous";
  e.source_ip = "10.1.2.3";
  e.outcome = "failure";
  e.details = {{"reason", "bad \"token\" ] \\ here"}, {"route", "GET /api/v1/users"}};
  return e;
}

TEST(Format, JsonLineCarriesEveryField) {
  auto j = nlohmann::json::parse(to_json_line(sample()));
  EXPECT_EQ(j["type"], "auth.attempt");
  EXPECT_EQ(j["outcome"], "failure");
  EXPECT_EQ(j["source_ip"], "10.1.2.3");
  EXPECT_EQ(j["details"]["route"], "GET /api/v1/users");
}

TEST(Format, JsonLineSurvivesInvalidUtf8) {
  auto e = sample();
  e.details["reason"] = "\xff\xfe";
  EXPECT_NO_THROW(nlohmann::json::parse(to_json_line(e)));
}

TEST(Format, Rfc5424HeaderAndEscapedStructuredData) {
  std::string m = to_rfc5424(sample(), "host1", "wardline", false);
  // <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD
  std::regex header(R"(^<(\d+)>1 2026-11-28T12:00:00\.000Z host1 wardline - auth\.attempt \[wardline@32473 .*)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(m, match, header)) << m;
  EXPECT_EQ(match[1], "36");  // facility 4 (auth) * 8 + severity 4 (warning)
  EXPECT_NE(m.find(R"(outcome="failure")"), std::string::npos);
  EXPECT_NE(m.find(R"([details@32473 reason="bad \"token\" \] \\ here" route="GET /api/v1/users"])"), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(Format, CefEscapesHeaderAndExtension) {
  auto e = sample();
  e.type = "weird|type";
  e.details = {{"k", "a=b\\c\nd"}};
  std::string cef = to_cef(e);
  EXPECT_EQ(cef.rfind("CEF:0|Wardline|Wardline|1.0|weird\\|type|", 0), 0u) << cef;
  EXPECT_NE(cef.find("|6|"), std::string::npos) << cef;  // warning -> 6
  EXPECT_NE(cef.find("cs1Label=k cs1=a\\=b\\\\c\\nd"), std::string::npos) << cef;
  EXPECT_NE(cef.find("src=10.1.2.3"), std::string::npos);
  std::string m = to_rfc5424(sample(), "h", "wardline", true);
  EXPECT_NE(m.find(" auth.attempt - CEF:0|"), std::string::npos) << m;
}

TEST(Format, HeaderFieldsAreSanitised) {
  auto e = sample();
  e.type = "type with spaces and far too long for an RFC 5424 MSGID";
  std::string m = to_rfc5424(e, "", "", false);
  EXPECT_NE(m.find(" - - - type_with_spaces_and_far_too_lon "), std::string::npos) << m;
}

}  // namespace
}  // namespace wardline::siem
