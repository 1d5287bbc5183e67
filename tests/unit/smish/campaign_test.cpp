#include <gtest/gtest.h>

#include <cstdlib>

#include "smish/smish.h"

namespace wardline::smish {
namespace {

std::string source_dir() {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return d ? d : ".";
}

const std::vector<std::string> kNames = {"dana", "luis", "mei"};  // sorted

TEST(CampaignTemplate, FoldsTheThingsThatChangeBetweenCopies) {
  EXPECT_EQ(message_template("Hi Dana, your code is 482913. Visit hxxps://evil[.]com/x now!!", kNames),
            "hi #NAME your code is #NUM visit #URL now");
  // Padding, invisible characters, case and another name, number and link.
  EXPECT_EQ(message_template("HI   luis,\xe2\x80\x8b your CODE is 77-01-99.  Visit https://other.example/y NOW", kNames),
            "hi #NAME your code is #NUM visit #URL now");
  EXPECT_EQ(message_template("Pay $4.15 to ops@pay-toll.com today", kNames), "pay #NUM to #EMAIL today");
  // Cyrillic look-alike letters read as the Latin word (confusable skeleton).
  EXPECT_EQ(message_template("\xd1\x80\xd0\xb0yroll update", kNames), message_template("payroll update", kNames));
  EXPECT_EQ(message_template("", kNames), "");
  EXPECT_EQ(message_template("!!! ...", kNames), "");
}

class ClustererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = load_rules(source_dir() + "/rules");
    auto o = load_organization(source_dir() + "/examples/organization.yaml");
    ASSERT_TRUE(r.ok() && o.ok());
    rules_ = *r;
    org_ = *o;
  }
  std::vector<size_t> cluster(const std::vector<ClusterMessage>& msgs, ClusterParams p = {}) {
    CampaignClusterer c(p, org_, rules_);
    for (const auto& m : msgs) c.add(m);
    std::vector<size_t> out;
    for (size_t i = 0; i < msgs.size(); ++i) out.push_back(c.campaign_of(i));
    return out;
  }
  Rules rules_;
  Organization org_;
};

TEST_F(ClustererTest, CopiesOfOneLureAreOneCampaignAndOthersStayApart) {
  auto c = cluster({
      {"Hi Dana, your Epic access expires today. Re-verify at https://epic-a1.top/login to keep access, ref 3381", "", 0},
      {"Your parcel is held at our depot. Pay the 1.99 fee: https://parcel-fee.xyz/p", "", 0},
      {"Hi Luis, your Epic access expires today. Re-verify at https://epic-b7.top/login to keep access, ref 9912", "", 0},
      {"Running late, start the huddle without me", "", 0},
      {"Hi Mei,  your EPIC access expires today! Re-verify at https://epic-c3.click/login to keep access, ref 0044", "", 0},
  });
  EXPECT_EQ(c, (std::vector<size_t>{0, 1, 0, 3, 0}));
}

TEST_F(ClustererTest, SharedLinkDomainJoinsDifferentWording) {
  auto c = cluster({{"Toll notice: unpaid balance, pay at https://pay.ezpass-balance.top/a", "", 0},
                    {"Final reminder before penalties https://www.ezpass-balance.top/b", "", 0},
                    {"See the new parking map https://lakesidemed.org/parking", "", 0},
                    {"Cafeteria menu this week https://lakesidemed.org/menu", "", 0},
                    {"USPS tracking https://tools.usps.com/go/1", "", 0},
                    {"Your order shipped https://tools.usps.com/go/2", "", 0}});
  EXPECT_EQ(c[1], c[0]);
  // Our own and brands' own domains are shared by unrelated messages: no link.
  EXPECT_NE(c[3], c[2]);
  EXPECT_NE(c[5], c[4]);
}

TEST_F(ClustererTest, ShortenersLinkOnlyTheSameShortUrl) {
  auto c = cluster({{"claim your reward bit.ly/3abcXYZ", "", 0},
                    {"unrelated notice bit.ly/9qqq", "", 0},
                    {"totally different words here bit.ly/3abcXYZ", "", 0}});
  EXPECT_EQ(c, (std::vector<size_t>{0, 1, 0}));
}

TEST_F(ClustererTest, PhoneSendersLinkWithinTheWindowOnly) {
  ClusterParams p;
  p.sender_window_seconds = 3600;
  auto c = cluster({{"first text about something", "+1 (415) 555-0177", 1000},
                    {"second, quite unrelated words", "+14155550177", 2000},
                    {"third message two days later", "+14155550177", 2000 + 172800},
                    {"brand sender one", "USPS", 1000},
                    {"brand sender two", "USPS", 1001}},
                   p);
  EXPECT_EQ(c[1], c[0]);
  EXPECT_NE(c[2], c[0]);
  EXPECT_NE(c[4], c[3]);  // sender IDs are shared by brands and scammers alike
}

TEST_F(ClustererTest, SameInputOrderSameCampaigns) {
  std::vector<ClusterMessage> msgs;
  for (int i = 0; i < 300; ++i)
    msgs.push_back({"Lure " + std::to_string(i % 7) + " variant text number " + std::to_string(i % 7) + " pay now to keep going " +
                        std::string(static_cast<size_t>(i % 3), 'x'),
                    "", 0});
  EXPECT_EQ(cluster(msgs), cluster(msgs));
}

}  // namespace
}  // namespace wardline::smish
