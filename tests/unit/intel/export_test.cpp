#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "intel/intel.h"
#include "intel_fixtures.h"

namespace wardline::intel {
namespace {

std::shared_ptr<const IndicatorSet> export_set() {
  IndicatorSetBuilder b;
  auto add = [&](IndicatorType t, const char* v, std::vector<std::string> labels = {}) {
    Indicator i;
    i.type = t;
    i.value = *normalize(t, v);
    i.labels = std::move(labels);
    i.valid_from = 1709251200;
    EXPECT_TRUE(b.add(i, "isac", 80));
  };
  add(IndicatorType::domain, "lakeside-mychart-verify.com", {"smishing"});
  add(IndicatorType::domain, "login.lakeside-mychart-verify.com");  // covered by its parent in a Squid ACL
  add(IndicatorType::domain, "xn--e1awd7f.com");
  add(IndicatorType::ipv4, "198.51.100.0/24");
  add(IndicatorType::ipv4, "203.0.113.7");
  add(IndicatorType::ipv6, "2001:db8:dead::/48");
  add(IndicatorType::ipv6, "8888:0:0:4444:3333::");
  add(IndicatorType::ipv4, "10.20.1.17");  // internal: never exported
  add(IndicatorType::url, "http://x.example/it's");
  add(IndicatorType::sha256, "ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c");
  add(IndicatorType::phone, "+14155550123");
  return b.build();
}

ExportOptions options() {
  ExportOptions o;
  o.now = 1709290000;
  return o;
}

TEST(Export, RpzOwnerNamesFollowTheRpzEncoding) {
  std::string zone = export_indicators(*export_set(), ExportFormat::rpz, options());
  for (const char* line : {"lakeside-mychart-verify.com CNAME .\n", "*.lakeside-mychart-verify.com CNAME .\n",
                           "24.0.100.51.198.rpz-ip CNAME .\n", "32.7.113.0.203.rpz-ip CNAME .\n",
                           "48.zz.dead.db8.2001.rpz-ip CNAME .\n", "128.zz.3333.4444.0.0.8888.rpz-ip CNAME .\n"})
    EXPECT_NE(zone.find(line), std::string::npos) << line << "\n" << zone;
  EXPECT_EQ(zone.find("17.1.20.10"), std::string::npos);
  EXPECT_EQ(zone.find("x.example"), std::string::npos);  // URLs have no DNS trigger
  EXPECT_NE(zone.find("SOA localhost. hostmaster.localhost. ( 1709290000 "), std::string::npos);
}

TEST(Export, RpzZoneLoadsInNamedCheckzone) {
  if (std::system("command -v named-checkzone >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "named-checkzone not installed (Debian bind9-utils; scripts/setup-deps.sh installs it)";
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/intel.rpz";
  std::ofstream(path) << export_indicators(*export_set(), ExportFormat::rpz, options());
  std::string cmd = "named-checkzone -q rpz.wardline.local " + path;
  EXPECT_EQ(std::system(cmd.c_str()), 0) << wardline::testing::read_file(path);
}

TEST(Export, DomainsAndSquidAcl) {
  auto set = export_set();
  EXPECT_EQ(export_indicators(*set, ExportFormat::domains, options()),
            "lakeside-mychart-verify.com\nlogin.lakeside-mychart-verify.com\nxn--e1awd7f.com\n");
  std::string acl = export_indicators(*set, ExportFormat::squid_acl, options());
  EXPECT_NE(acl.find("\n.lakeside-mychart-verify.com\n"), std::string::npos);
  EXPECT_EQ(acl.find("login."), std::string::npos);
  EXPECT_NE(acl.find("\n.xn--e1awd7f.com\n"), std::string::npos);
}

TEST(Export, StixBundleRoundTripsAndSharesNoInternalAddresses) {
  auto set = export_set();
  std::string text = export_indicators(*set, ExportFormat::stix, options());
  auto bundle = nlohmann::json::parse(text);
  EXPECT_EQ(bundle["type"], "bundle");
  size_t indicators = 0;
  for (const auto& o : bundle["objects"]) {
    if (o["type"] != "indicator") continue;
    ++indicators;
    EXPECT_EQ(o["spec_version"], "2.1");
    EXPECT_EQ(o["valid_from"], "2024-03-01T00:00:00.000Z");
    EXPECT_EQ(o["confidence"], 80);
    EXPECT_EQ(o["id"].get<std::string>().substr(0, 11), "indicator--");
  }
  EXPECT_EQ(indicators, 9u);  // everything but the internal address and the phone number
  EXPECT_EQ(text.find("10.20.1.17"), std::string::npos);
  std::vector<Indicator> back;
  FeedStats stats;
  ASSERT_TRUE(read_stix_bundle(text, [&](Indicator&& i) { back.push_back(std::move(i)); return Status::Ok(); }, stats));
  EXPECT_EQ(back.size(), 9u);
  EXPECT_EQ(stats.rejected, 0u);
  bool quoted = false;
  for (const auto& i : back) quoted |= i.value == "http://x.example/it's";
  EXPECT_TRUE(quoted);
  // Deterministic ids: the same indicator keeps its id from one export to the next.
  EXPECT_EQ(nlohmann::json::parse(export_indicators(*set, ExportFormat::stix, options()))["objects"][2]["id"],
            bundle["objects"][2]["id"]);
}

}  // namespace
}  // namespace wardline::intel
