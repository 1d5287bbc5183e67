#include "core/redact.h"

#include <gtest/gtest.h>

namespace wardline {
namespace {

TEST(Redact, RemovesTokensEmailsAndPhoneNumbers) {
  std::string out = redact_text(
      "Authorization: Bearer wl_abcDEF123-_xyz from nurse.kim@lakesidemed.org at +1 (617) 555-0142.");
  EXPECT_EQ(out.find("wl_abcDEF123"), std::string::npos) << out;
  EXPECT_EQ(out.find("nurse.kim"), std::string::npos) << out;
  EXPECT_EQ(out.find("555-0142"), std::string::npos) << out;
  EXPECT_NE(out.find("[redacted token]"), std::string::npos);
  EXPECT_NE(out.find("[redacted email]"), std::string::npos);
  EXPECT_NE(out.find("[redacted number]."), std::string::npos) << out;
}

TEST(Redact, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(redact_text("GET /api/v1/users returned 404 after 12 ms"),
            "GET /api/v1/users returned 404 after 12 ms");
  EXPECT_EQ(redacted("+16175550142"), "[redacted 12 bytes]");
}

}  // namespace
}  // namespace wardline
