#include <gtest/gtest.h>

#include <thread>

#include "intel/intel.h"

namespace wardline::intel {
namespace {

Indicator ind(IndicatorType t, const std::string& raw, int confidence = -1) {
  Indicator i;
  i.type = t;
  i.value = *normalize(t, raw);
  i.confidence = confidence;
  return i;
}

std::string matched(const std::optional<Match>& m) { return m ? m->value : "-"; }

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IndicatorSetBuilder b(WarningList{{"lakesidemed.org"}});
    ASSERT_TRUE(b.add(ind(IndicatorType::domain, "evil.example"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::domain, "mychart-verify.com"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::url, "http://bad.example/phish/"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::url, "http://bad.example/a"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::ipv4, "203.0.113.0/24"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::ipv4, "203.0.113.77"), "feed-b"));
    ASSERT_TRUE(b.add(ind(IndicatorType::ipv6, "2001:db8::/32"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::email, "payroll@evil.example"), "feed-a"));
    ASSERT_TRUE(b.add(ind(IndicatorType::sha256, std::string(64, 'a')), "feed-a"));
    set_ = b.build();
  }
  std::shared_ptr<const IndicatorSet> set_;
};

TEST_F(MatcherTest, DomainsMatchThemselvesAndTheirSubdomains) {
  EXPECT_EQ(matched(set_->match_host("evil.example")), "evil.example");
  EXPECT_EQ(matched(set_->match_host("login.sso.evil.example")), "evil.example");
  EXPECT_EQ(matched(set_->match_host("notevil.example")), "-");
  EXPECT_EQ(matched(set_->match_host("evil.example.com")), "-");
  EXPECT_EQ(matched(set_->match_host("example")), "-");
  EXPECT_EQ(matched(set_->match_host("203.0.113.9")), "203.0.113.0/24");  // an IP literal as host
}

TEST_F(MatcherTest, UrlsMatchExactlyOrBelowAPathBoundary) {
  EXPECT_EQ(matched(set_->match_url("http://bad.example/phish/")), "http://bad.example/phish/");
  EXPECT_EQ(matched(set_->match_url("http://bad.example/phish/step2?x=1")), "http://bad.example/phish/");
  EXPECT_EQ(matched(set_->match_url("http://bad.example/a?x=1")), "http://bad.example/a");
  EXPECT_EQ(matched(set_->match_url("http://bad.example/a/b/c")), "http://bad.example/a");
  EXPECT_EQ(matched(set_->match_url("http://bad.example/ab")), "-");
  EXPECT_EQ(matched(set_->match_url("http://bad.example/phishing")), "-");
  EXPECT_EQ(matched(set_->match_url("https://bad.example/phish/")), "-");
  // The URL's host is matched as a domain too.
  EXPECT_EQ(matched(set_->match_url("https://www.evil.example/x")), "evil.example");
  EXPECT_EQ(matched(set_->match_url("http://203.0.113.200:8080/")), "203.0.113.0/24");
}

TEST_F(MatcherTest, IpLongestPrefixWins) {
  EXPECT_EQ(matched(set_->match_ip("203.0.113.77")), "203.0.113.77");
  EXPECT_EQ(matched(set_->match_ip("203.0.113.78")), "203.0.113.0/24");
  EXPECT_EQ(matched(set_->match_ip("203.0.114.1")), "-");
  EXPECT_EQ(matched(set_->match_ip("2001:0db8:0000:0000:0000:0000:0000:0001")), "2001:db8::/32");
  EXPECT_EQ(matched(set_->match_ip("2001:db9::1")), "-");
  EXPECT_EQ(matched(set_->match_ip("not an ip")), "-");
  EXPECT_EQ(set_->match_ip("203.0.113.77")->provenance->feeds, std::vector<std::string>{"feed-b"});
}

TEST_F(MatcherTest, ExactTypes) {
  EXPECT_EQ(matched(set_->match_exact(IndicatorType::email, "payroll@evil.example")), "payroll@evil.example");
  EXPECT_EQ(matched(set_->match_exact(IndicatorType::sha256, std::string(64, 'a'))), std::string(64, 'a'));
  EXPECT_EQ(matched(set_->match_exact(IndicatorType::sha1, std::string(64, 'a'))), "-");
}

TEST(IndicatorSetBuilder, RefusesPublicSuffixesTooBroadNetworksAndWarningListedDomains) {
  IndicatorSetBuilder b(WarningList{{"LakesideMed.org", "epic.com"}});
  Status s = b.add(ind(IndicatorType::domain, "co.uk"), "f");
  EXPECT_EQ(s.error().code, "public_suffix");
  EXPECT_EQ(b.add(ind(IndicatorType::domain, "github.io"), "f").error().code, "public_suffix");
  EXPECT_EQ(b.add(ind(IndicatorType::ipv4, "0.0.0.0/0"), "f").error().code, "too_broad");
  EXPECT_EQ(b.add(ind(IndicatorType::domain, "lakesidemed.org"), "f").error().code, "warninglisted");
  EXPECT_TRUE(b.add(ind(IndicatorType::domain, "evil.co.uk"), "f"));
  EXPECT_TRUE(b.add(ind(IndicatorType::domain, "someone.github.io"), "f"));
  auto set = b.build();
  EXPECT_EQ(set->size(), 2u);
  EXPECT_EQ(set->warninglisted(), 1u);
  EXPECT_EQ(matched(set->match_host("www.evil.co.uk")), "evil.co.uk");
  EXPECT_EQ(matched(set->match_host("other.co.uk")), "-");
  EXPECT_EQ(matched(set->match_host("lakesidemed.org")), "-");
}

TEST(IndicatorSetBuilder, DuplicatesMergeProvenance) {
  IndicatorSetBuilder b;
  Indicator a = ind(IndicatorType::domain, "evil.example", 40);
  a.labels = {"phishing"};
  a.valid_from = 1000;
  Indicator c = ind(IndicatorType::domain, "EVIL.example.", 80);
  c.labels = {"smishing", "phishing"};
  c.valid_from = 500;
  ASSERT_TRUE(b.add(a, "isac"));
  ASSERT_TRUE(b.add(c, "urlhaus"));
  ASSERT_TRUE(b.add(ind(IndicatorType::domain, "other.example"), "isac", 55));
  auto set = b.build();
  EXPECT_EQ(set->size(), 2u);
  auto m = set->match_host("evil.example");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->provenance->feeds, (std::vector<std::string>{"isac", "urlhaus"}));
  EXPECT_EQ(m->provenance->confidence, 80);
  EXPECT_EQ(m->provenance->labels, (std::vector<std::string>{"phishing", "smishing"}));
  EXPECT_EQ(m->provenance->valid_from, 500);
  EXPECT_EQ(set->match_host("other.example")->provenance->confidence, 55);
  std::vector<std::string> order;
  set->for_each([&](IndicatorType, std::string_view v, const Provenance&) { order.emplace_back(v); });
  EXPECT_EQ(order, (std::vector<std::string>{"evil.example", "other.example"}));
}

// The 1.5x-of-the-feed-file memory bound, checked on the structure's own
// accounting (bench/intel_scan.sh measures the process).
TEST(IndicatorSetBuilder, MemoryStaysWithinOneAndAHalfTimesTheFeedFile) {
  const size_t n = 200000;
  size_t file_bytes = 0;
  IndicatorSetBuilder b;
  b.reserve(n, n * 22);
  for (size_t i = 0; i < n; ++i) {
    Indicator d;
    d.type = IndicatorType::domain;
    d.value = "host" + std::to_string(i * 7919 % 1000003) + ".phish-" + std::to_string(i % 997) + ".example";
    file_bytes += d.value.size() + 1;
    ASSERT_TRUE(b.add(d, "bulk"));
  }
  auto set = b.build();
  EXPECT_EQ(set->size(), n);
  EXPECT_LE(static_cast<double>(set->memory_bytes()), 1.5 * static_cast<double>(file_bytes));
  EXPECT_EQ(matched(set->match_host("a.host7919.phish-1.example")), "host7919.phish-1.example");
}

TEST(IndicatorSetBuilder, GrowsWithoutReserve) {
  IndicatorSetBuilder b;
  for (int i = 0; i < 5000; ++i) {
    Indicator d;
    d.type = IndicatorType::domain;
    d.value = "d" + std::to_string(i) + ".example";
    ASSERT_TRUE(b.add(d, "f"));
  }
  auto set = b.build();
  for (int i = 0; i < 5000; i += 97) EXPECT_TRUE(set->match_host("x.d" + std::to_string(i) + ".example"));
}

TEST(LiveIndicators, ReplaceSwapsWhileScansRunAndFreesTheOldSet) {
  auto make = [](const std::string& domain) {
    IndicatorSetBuilder b;
    Indicator d;
    d.type = IndicatorType::domain;
    d.value = domain;
    EXPECT_TRUE(b.add(d, "f"));
    return b.build();
  };
  LiveIndicators live;
  live.replace(make("old.example"));
  std::weak_ptr<const IndicatorSet> old = live.current();
  std::atomic<bool> stop{false};
  std::atomic<int> consistent{0}, inconsistent{0};
  std::vector<std::thread> scanners;
  for (int t = 0; t < 2; ++t)
    scanners.emplace_back([&] {
      while (!stop) {
        auto set = live.current();
        bool a = set->match_host("old.example").has_value(), b = set->match_host("new.example").has_value();
        (a != b ? consistent : inconsistent)++;
      }
    });
  while (consistent < 1000) std::this_thread::yield();
  live.replace(make("new.example"));
  int before = consistent;
  while (consistent < before + 1000) std::this_thread::yield();
  stop = true;
  for (auto& t : scanners) t.join();
  EXPECT_EQ(inconsistent, 0);
  EXPECT_TRUE(old.expired());
  EXPECT_TRUE(live.current()->match_host("new.example"));
}

}  // namespace
}  // namespace wardline::intel
