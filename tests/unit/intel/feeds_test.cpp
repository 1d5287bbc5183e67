#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>

#include "intel/intel.h"
#include "intel_fixtures.h"

namespace wardline::intel {
namespace {

using testing::external_dir;
using testing::fixture;

using Pairs = std::multiset<std::pair<std::string, std::string>>;

std::string read(const std::string& path) { return wardline::testing::read_file(path); }

// expected.json's types: "ipv4-addr", "domain-name", "url", "email-addr", "file:hashes.<ALGO>".
std::string our_type(const std::string& stix_type, const std::string& value) {
  if (stix_type == "ipv4-addr") return value.find(':') != std::string::npos ? "ipv6" : "ipv4";
  if (stix_type == "ipv6-addr") return "ipv6";
  if (stix_type == "domain-name") return "domain";
  if (stix_type == "email-addr") return "email";
  if (stix_type == "url") return "url";
  std::string algo;
  for (char c : stix_type.substr(stix_type.find('.') + 1))
    if (c != '-') algo += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return algo;
}

// Every pattern of every bundle: ours agrees with the independent extraction
// where the pattern can be matched value by value, and is refused (with a
// reason) where it needs correlation.
TEST(StixConformance, BundlePatternsAgreeWithTheReferenceExtraction) {
  SKIP_WITHOUT_EXTERNAL("stix/expected.json");
  auto expected = nlohmann::json::parse(read(external_dir() + "/stix/expected.json"));
  size_t indicators = 0, representable = 0;
  for (const auto& bundle : expected["bundles"]) {
    for (const auto& ind : bundle["indicators"]) {
      ++indicators;
      std::string pattern = ind["pattern"];
      auto ours = stix_pattern_iocs(pattern);
      ASSERT_TRUE(ours) << pattern << ": " << ours.error().message;
      bool compound = !ind["operators_between_observations"].empty() || !ind["qualifiers"].empty();
      bool inner_and = false;
      for (const auto& op : ind["operators_inside"]) inner_and |= op == "AND";
      bool inexact = false;
      for (const auto& c : ind["comparisons"])
        inexact |= c["operator"] != "=" && c["operator"] != "IN" && c["operator"] != "ISSUBSET";
      if (compound) {
        EXPECT_NE(ours->unsupported, "") << pattern;
        continue;
      }
      if (ours->unsupported.empty()) {
        ++representable;
        EXPECT_FALSE(inner_and && inexact) << pattern;
        Pairs want, got;
        for (const auto& ioc : ind["iocs"]) {
          std::string from = ioc["from"];
          if (from.find("to_refs") != std::string::npos) continue;
          want.insert({our_type(ioc["type"], ioc["value"]), ioc["value"]});
        }
        for (const auto& [t, v] : ours->iocs) got.insert({std::string(type_name(t)), v});
        EXPECT_EQ(got, want) << pattern;
      } else {
        EXPECT_TRUE(inner_and || inexact || ind["iocs"].empty()) << pattern << " refused: " << ours->unsupported;
      }
    }
  }
  EXPECT_EQ(indicators, 53u);
  EXPECT_GE(representable, 40u);
}

TEST(StixConformance, EverySpecificationExampleParses) {
  SKIP_WITHOUT_EXTERNAL("stix/spec_examples_v21.expected.json");
  auto expected = nlohmann::json::parse(read(external_dir() + "/stix/spec_examples_v21.expected.json"));
  ASSERT_EQ(expected["patterns"].size(), 23u);
  for (const auto& p : expected["patterns"]) {
    auto ours = stix_pattern_iocs(p["pattern"].get<std::string>());
    ASSERT_TRUE(ours) << p["pattern"] << ": " << ours.error().message;
    if (!ours->unsupported.empty()) continue;
    Pairs want, got;
    for (const auto& ioc : p["iocs"]) want.insert({our_type(ioc["type"], ioc["value"]), ioc["value"]});
    for (const auto& [t, v] : ours->iocs) got.insert({std::string(type_name(t)), v});
    EXPECT_EQ(got, want) << p["pattern"];
  }
  // The MISP-style type constraint is understood, qualifiers are refused.
  auto typed = stix_pattern_iocs("[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']");
  ASSERT_TRUE(typed);
  ASSERT_EQ(typed->iocs.size(), 1u);
  EXPECT_EQ(typed->iocs[0].first, IndicatorType::ipv4);
  auto repeats = stix_pattern_iocs("[domain-name:value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS");
  ASSERT_TRUE(repeats);
  EXPECT_NE(repeats->unsupported.find("qualifiers"), std::string::npos);
}

TEST(StixPattern, BadSyntaxIsAnErrorWithAPosition) {
  for (const std::string& bad : std::vector<std::string>{"", "[", "[domain-name:value = 'x'", "[domain-name:value = 'x'] AND", "[domain-name:value 'x']",
                          "[domain-name:value = 'unterminated]", "domain-name:value = 'x'", "[x = 'y']",
                          "[domain-name:value IN ('a', )]", std::string(100000, '('), std::string(5000, '[')}) {
    auto r = stix_pattern_iocs(bad);
    EXPECT_FALSE(r) << bad.substr(0, 40);
    if (!r) {
      EXPECT_NE(r.error().message.find("at character"), std::string::npos) << r.error().message;
    }
  }
  auto escaped = stix_pattern_iocs(R"([url:value = 'http://x.example/it\'s'])");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->iocs.at(0).second, "http://x.example/it's");
  auto negated = stix_pattern_iocs("[domain-name:value NOT = 'x.example']");
  ASSERT_TRUE(negated);
  EXPECT_NE(negated->unsupported.find("NOT"), std::string::npos);
  auto recipients = stix_pattern_iocs("[email-message:to_refs[*].value = 'nurse@lakesidemed.org']");
  ASSERT_TRUE(recipients);
  EXPECT_NE(recipients->unsupported.find("victims"), std::string::npos);
}

TEST(StixBundle, IndicatorsCarryConfidenceLabelsAndValidity) {
  std::string bundle = R"({"type":"bundle","id":"bundle--1","objects":[
    {"type":"indicator","spec_version":"2.1","id":"indicator--a","pattern_type":"stix","confidence":85,
     "labels":["smishing"],"indicator_types":["malicious-activity"],"valid_from":"2024-03-01T00:00:00Z",
     "valid_until":"2025-03-01T00:00:00.000Z","pattern":"[domain-name:value = 'MyChart-Verify.com' OR url:value = 'http://x.example/login']"},
    {"type":"indicator","id":"indicator--b","pattern_type":"sigma","pattern":"title: x"},
    {"type":"indicator","id":"indicator--c","pattern_type":"stix","revoked":true,"pattern":"[domain-name:value = 'old.example']"},
    {"type":"indicator","id":"indicator--d","pattern_type":"stix","pattern":"[domain-name:value = 'bad value.example']"},
    {"type":"indicator","id":"indicator--e","pattern_type":"stix","pattern":"[[["},
    {"type":"malware","id":"malware--1","name":"x"}, 42, "text"]})";
  std::vector<Indicator> got;
  FeedStats stats;
  ASSERT_TRUE(read_stix_bundle(bundle, [&](Indicator&& i) { got.push_back(std::move(i)); return Status::Ok(); }, stats));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value, "mychart-verify.com");
  EXPECT_EQ(got[0].confidence, 85);
  EXPECT_EQ(got[0].labels, (std::vector<std::string>{"smishing", "malicious-activity"}));
  EXPECT_EQ(got[0].valid_from, 1709251200);
  EXPECT_EQ(got[0].valid_until, 1740787200);
  EXPECT_EQ(got[1].type, IndicatorType::url);
  EXPECT_EQ(stats.ignored, 2u);
  EXPECT_EQ(stats.rejected, 2u);
  EXPECT_EQ(stats.rejects[0].where, "indicator--d");
  EXPECT_FALSE(read_stix_bundle("{\"type\":\"report\"}", [](Indicator&&) { return Status::Ok(); }, stats));
  EXPECT_FALSE(read_stix_bundle("{not json", [](Indicator&&) { return Status::Ok(); }, stats));
}

struct MispCounts {
  size_t indicators = 0, ignored = 0, rejected = 0;
};

TEST(MispConformance, EventsGiveTheirToIdsAttributes) {
  SKIP_WITHOUT_EXTERNAL("misp/expected.json");
  auto expected = nlohmann::json::parse(read(external_dir() + "/misp/expected.json"));
  const std::set<std::string> matchable = {"domain", "hostname", "ip-dst", "ip-src", "url", "link", "md5", "sha1", "sha256",
                                           "email-src", "email", "phone-number", "domain|ip", "ip-dst|port", "filename|sha256"};
  for (const auto& event : expected["events"]) {
    std::vector<Indicator> got;
    FeedStats stats;
    ASSERT_TRUE(read_misp_event(read(external_dir() + "/misp/" + event["file"].get<std::string>()),
                                [&](Indicator&& i) { got.push_back(std::move(i)); return Status::Ok(); }, stats));
    MispCounts want;
    Pairs want_values, got_values;
    for (const auto& a : event["attributes"]) {
      if (!a["to_ids"].get<bool>()) {
        ++want.ignored;
        continue;
      }
      if (!matchable.count(a["type"])) {
        ++want.rejected;
        continue;
      }
      ++want.indicators;
      std::string t = a["type"];
      want_values.insert({t == "ip-dst" ? "ipv4" : t, a["value"]});
    }
    for (const auto& i : got) got_values.insert({std::string(type_name(i.type)), i.value});
    EXPECT_EQ(stats.indicators, want.indicators) << event["file"];
    EXPECT_EQ(stats.ignored, want.ignored) << event["file"];
    EXPECT_EQ(stats.rejected, want.rejected) << event["file"];
    EXPECT_EQ(got_values, want_values) << event["file"];
    for (const auto& i : got) EXPECT_FALSE(i.labels.empty()) << "event tags become labels";
  }
}

TEST(MispConformance, FeedDirectoryCsvAndFreeText) {
  SKIP_WITHOUT_EXTERNAL("misp/feed/manifest.json");
  std::vector<FeedReport> reports;
  auto set = load_indicator_set({{"circl", external_dir() + "/misp/feed", std::nullopt, 50},
                                 {"", external_dir() + "/misp/feed/csv/feed.csv", std::nullopt, 50},
                                 {"", external_dir() + "/misp/feed/freetext/feed.txt", std::nullopt, 50}},
                                {}, reports);
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].format, FeedFormat::misp);
  EXPECT_EQ(reports[0].stats.ignored, 1u);  // the one link has to_ids false
  EXPECT_EQ(reports[0].stats.indicators, 0u);
  EXPECT_EQ(reports[1].name, "feed.csv");
  EXPECT_EQ(reports[1].stats.indicators, 2u);
  EXPECT_EQ(reports[2].stats.indicators, 2u);
  EXPECT_TRUE((*set)->match_ip("1.0.0.1"));
  EXPECT_TRUE((*set)->match_ip("8.8.4.4"));
  EXPECT_EQ((*set)->size(), 4u);
}

TEST(TextFeeds, UrlhausCsvWithCommentsQuotesAndABrokenRow) {
  std::vector<FeedReport> reports;
  auto set = load_indicator_set({{"urlhaus", fixture("urlhaus_sample.csv"), std::nullopt, 70}}, {}, reports);
  ASSERT_TRUE(set) << set.error().message;
  const FeedStats& s = reports.at(0).stats;
  EXPECT_EQ(reports[0].format, FeedFormat::urlhaus);
  EXPECT_EQ(s.indicators, 4u);
  EXPECT_EQ(s.rejected, 2u);  // "not a url at all", and the row with a broken quote
  bool named_line = false;
  for (const auto& r : s.rejects) named_line |= r.reason.find(":12:") != std::string::npos || r.where == "line 11";
  EXPECT_TRUE(named_line);
  auto m = (*set)->match_url("https://payroll-update.example.org/direct-deposit");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->provenance->confidence, 70);
  EXPECT_EQ(m->provenance->labels, (std::vector<std::string>{"payroll", "smishing"}));
  EXPECT_EQ(m->provenance->valid_from, 1709286700);
  EXPECT_TRUE((*set)->match_url("http://after-broken.example/x"));  // reading went on after the broken row
  EXPECT_TRUE((*set)->match_url("http://198.51.100.77:4433/i.sh"));
}

TEST(TextFeeds, ListsGuessTypesAndReportWhatTheyCannotRead) {
  std::vector<Indicator> got;
  FeedStats stats;
  read_list_feed("# phishing domains\nevil.example\n198.51.100.7 2001:db8::1\r\n\nhttp://x.example/a # comment\nword\n",
                 [&](Indicator&& i) { got.push_back(std::move(i)); return Status::Ok(); }, stats);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[2].type, IndicatorType::ipv6);
  EXPECT_EQ(stats.rejected, 1u);
  EXPECT_EQ(stats.rejects[0].where, "line 6");
}

TEST(TextFeeds, CsvLayoutWithTypeColumnAndHeader) {
  CsvLayout layout;
  layout.header = true;
  layout.value_column = 1;
  layout.type_column = 0;
  std::vector<Indicator> got;
  FeedStats stats;
  read_csv_feed("type,value\ndomain,evil.example\nipv4,203.0.113.5\nbogus,x\n", layout,
                [&](Indicator&& i) { got.push_back(std::move(i)); return Status::Ok(); }, stats);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].type, IndicatorType::ipv4);
  EXPECT_EQ(stats.rejected, 1u);
}

TEST(LoadFeeds, UnreadableAndUnknownFeedsAreErrors) {
  std::vector<FeedReport> reports;
  auto missing = load_indicator_set({{"", "/nonexistent/feed.txt", std::nullopt, 50}}, {}, reports);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nonexistent/feed.txt"), std::string::npos);
  wardline::testing::TempDir dir;
  auto not_misp = load_indicator_set({{"", dir.path(), std::nullopt, 50}}, {}, reports);
  ASSERT_FALSE(not_misp);
  EXPECT_NE(not_misp.error().message.find("manifest.json"), std::string::npos);
  std::ofstream(dir.path() + "/bad.json") << "{\"type\":\"bundle\",\"objects\":5}";
  auto bad = load_indicator_set({{"", dir.path() + "/bad.json", std::nullopt, 50}}, {}, reports);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\"objects\" must be an array"), std::string::npos);
}

}  // namespace
}  // namespace wardline::intel

namespace wardline::intel {
namespace {

// Expiry and decay when a set is compiled: confidence halves every
// half-life since valid_from or the last sighting, whichever is later.
TEST(Lifecycle, ExpiryDecayAndRefreshBySighting) {
  const int64_t now = 1764288000;  // 2025-11-28T00:00:00Z
  wardline::testing::TempDir dir;
  std::string path = dir.path() + "/isac.json";
  std::ofstream(path) << R"({"type":"bundle","id":"bundle--x","objects":[
    {"type":"indicator","id":"indicator--fresh","pattern_type":"stix","confidence":80,"valid_from":"2025-11-28T00:00:00Z","pattern":"[domain-name:value = 'fresh.example']"},
    {"type":"indicator","id":"indicator--month","pattern_type":"stix","confidence":80,"valid_from":"2025-10-29T00:00:00Z","pattern":"[domain-name:value = 'month.example']"},
    {"type":"indicator","id":"indicator--old","pattern_type":"stix","confidence":80,"valid_from":"2025-07-31T00:00:00Z","pattern":"[domain-name:value = 'old.example']"},
    {"type":"indicator","id":"indicator--seen","pattern_type":"stix","confidence":80,"valid_from":"2025-07-31T00:00:00Z","pattern":"[domain-name:value = 'seen.example']"},
    {"type":"indicator","id":"indicator--gone","pattern_type":"stix","confidence":80,"valid_from":"2025-01-01T00:00:00Z","valid_until":"2025-11-01T00:00:00Z","pattern":"[domain-name:value = 'gone.example']"}]})";
  Lifecycle lc;
  lc.now = now;
  lc.min_confidence = 10;
  lc.last_sighting = [&](IndicatorType, std::string_view v) -> int64_t { return v == "seen.example" ? now - 86400 : 0; };
  std::vector<FeedReport> reports;
  auto set = load_indicator_set({{"isac", path, std::nullopt, 50, 30 * 86400}}, {}, reports, {}, lc);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ((*set)->match_host("fresh.example")->provenance->confidence, 80);
  EXPECT_EQ((*set)->match_host("month.example")->provenance->confidence, 40);  // one half-life
  EXPECT_FALSE((*set)->match_host("old.example"));                             // 4 half-lives: 5 < 10
  EXPECT_EQ((*set)->match_host("seen.example")->provenance->confidence, 78);   // seen yesterday
  EXPECT_FALSE((*set)->match_host("gone.example"));
  EXPECT_EQ(reports[0].stats.decayed, 1u);
  EXPECT_EQ(reports[0].stats.expired, 1u);
  EXPECT_EQ(reports[0].stats.indicators, 3u);

  // Without a half-life nothing decays; expiry still applies. Without a clock (offline scans) neither.
  reports.clear();
  auto flat = load_indicator_set({{"isac", path, std::nullopt, 50, 0}}, {}, reports, {}, lc);
  EXPECT_EQ((*flat)->match_host("old.example")->provenance->confidence, 80);
  EXPECT_FALSE((*flat)->match_host("gone.example"));
  reports.clear();
  auto offline = load_indicator_set({{"isac", path, std::nullopt, 50, 30 * 86400}}, {}, reports);
  EXPECT_TRUE((*offline)->match_host("gone.example"));
}

}  // namespace
}  // namespace wardline::intel
