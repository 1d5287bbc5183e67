// Staff targeted by credential theft: a smishing report with a credential or
// MFA lure, within the window, found through any identity the user files as.
#include <gtest/gtest.h>

#include "smish/smish.h"
#include "support/test_support.h"

namespace wardline::smish {
namespace {

constexpr int64_t kNow = 1796000000;

class Targeted : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store("sqlite", dir_.path());
    ASSERT_NE(store_, nullptr);
  }
  void report(const std::string& id, const std::string& reporter, int64_t at, const std::string& cls, const std::string& categories) {
    auto r = store_->execute(
        "INSERT INTO smish_reports (id, reporter, channel, body_enc, body_fingerprint, received_at, created_at, verdict, class, "
        "score, analysis) VALUES (?, ?, 'sms', 'x', ?, '2026-11-28T00:00:00Z', ?, 'malicious', ?, 80, ?)",
        {id, reporter, id, at, cls, R"({"verdict":"malicious","class":")" + cls + R"(","categories":[)" + categories + "]}"});
    ASSERT_TRUE(r) << r.error().message;
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(Targeted, CredentialLuresWithinTheWindowThroughEveryIdentity) {
  StaffMember nurse{"S-104", "Dana Cho", "+15551230104", "4 North", "nurse", "dana.cho@lakesidemed.org"};
  TargetedStaff staff(*store_, {nurse}, 14 * 86400);
  report("r1", "staff:S-104", kNow - 3 * 86400, "smishing", R"("lookalike_domain","credential_harvesting")");
  report("r2", "jlee", kNow - 86400, "smishing", R"("mfa_code_theft")");
  report("r3", "pat.kim@lakesidemed.org", kNow - 86400, "smishing", R"("delivery")");
  report("r4", "old.timer@lakesidemed.org", kNow - 30 * 86400, "smishing", R"("credential_harvesting")");
  report("r5", "sam", kNow - 86400, "spam", R"("credential_harvesting")");
  EXPECT_TRUE(staff.targeted("Dana.Cho@lakesidemed.org", kNow));  // through the directory's e-mail
  EXPECT_TRUE(staff.targeted("jlee@lakesidemed.org", kNow));       // through the Wardline user name
  EXPECT_FALSE(staff.targeted("pat.kim@lakesidemed.org", kNow));   // a parcel lure is not credential theft
  EXPECT_FALSE(staff.targeted("old.timer@lakesidemed.org", kNow)); // outside the window
  EXPECT_FALSE(staff.targeted("sam@lakesidemed.org", kNow));       // not read as smishing
  EXPECT_FALSE(staff.targeted("", kNow));
}

TEST_F(Targeted, AnswersAreCachedAMinute) {
  TargetedStaff staff(*store_, {}, 14 * 86400);
  EXPECT_FALSE(staff.targeted("jlee@lakesidemed.org", kNow));
  report("r1", "jlee", kNow, "smishing", R"("credential_harvesting")");
  EXPECT_FALSE(staff.targeted("jlee@lakesidemed.org", kNow + 30));
  EXPECT_TRUE(staff.targeted("jlee@lakesidemed.org", kNow + 61));
}

}  // namespace
}  // namespace wardline::smish
