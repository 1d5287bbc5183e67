// Advisories: KEV, NVD CVE 2.0 and local YAML parsing, the SLA clock across
// time zones, matching devices, and merging in the store.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "posture/posture.h"
#include "support/test_support.h"

namespace wardline::posture {
namespace {

const std::string kNewYork = "America/New_York";

std::string fixture(const std::string& name) {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return wardline::testing::read_file(std::string(d ? d : ".") + "/tests/data/posture/advisories/" + name);
}

CpeProductMap cpe_map() {
  return {{"apple:iphone_os", "os:ios"},
          {"apple:ipados", "os:ipados"},
          {"apple:macos", "os:macos"},
          {"google:android", "os:android"},
          {"microsoft:teams", "app:com.microsoft.teams"},
          {"microsoft:teams", "app:com.microsoft.skype.teams"}};
}

AdvisoryBatch parse_ok(AdvisorySource source, const std::string& text, const std::string& file,
                       const std::string& timezone = kNewYork) {
  auto r = parse_advisories(source, text, file, cpe_map(), timezone);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(*r) : AdvisoryBatch{};
}

AdvisoryBatch fixture_batch(AdvisorySource source, const std::string& name) {
  return parse_ok(source, fixture(name), name);
}

const Advisory& find(const std::vector<Advisory>& list, const std::string& id) {
  auto it = std::find_if(list.begin(), list.end(), [&](const Advisory& a) { return a.id == id; });
  if (it == list.end()) throw std::runtime_error("no advisory " + id);
  return *it;
}

std::vector<std::string> ids(const std::vector<Advisory>& list) {
  std::vector<std::string> out;
  for (const auto& a : list) out.push_back(a.id);
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

AffectedRange range(std::string product) {
  AffectedRange r;
  r.product = std::move(product);
  return r;
}

Advisory advisory(std::string id, Severity severity, int64_t published, std::vector<AffectedRange> affected) {
  Advisory a;
  a.id = std::move(id);
  a.sources = {"local"};
  a.severity = severity;
  a.published = published;
  a.affected = std::move(affected);
  return a;
}

Device phone(Platform platform, std::string os_version, std::vector<App> apps = {}) {
  Device d;
  d.id = "dev-1";
  d.platform = platform;
  d.os_version = std::move(os_version);
  d.apps = std::move(apps);
  return d;
}

App app(std::string id, std::string version) {
  App a;
  a.id = std::move(id);
  a.version = std::move(version);
  return a;
}

std::vector<std::string> exposed(const AdvisoryIndex& index, const Device& d) {
  std::vector<Exposure> out;
  index.exposures(d, out);
  std::vector<std::string> names;
  for (const auto& e : out) names.push_back(e.advisory->id + " " + std::string(e.product) + " " + std::string(e.installed));
  return names;
}

// ------------------------------------------------------------------ KEV

TEST(AdvisoryKev, CatalogueEntriesAreExploitedCriticalsFromLocalMidnight) {
  auto batch = fixture_batch(AdvisorySource::kev, "kev.json");
  EXPECT_TRUE(batch.problems.empty());
  EXPECT_EQ(ids(batch.advisories),
            (std::vector<std::string>{"CVE-2024-29745", "CVE-2024-23222", "CVE-2024-0519", "CVE-2015-3864"}));
  const Advisory& a = find(batch.advisories, "CVE-2024-23222");
  EXPECT_EQ(a.sources, std::vector<std::string>{"kev"});
  EXPECT_EQ(a.severity, Severity::critical);
  EXPECT_TRUE(a.known_exploited);
  EXPECT_EQ(a.published, 1705986000);  // 2024-01-23 00:00 EST
  EXPECT_EQ(a.title, "Apple Multiple Products Type Confusion Vulnerability");
  EXPECT_TRUE(a.affected.empty());
  EXPECT_EQ(batch.unmapped, 0u);
}

TEST(AdvisoryKev, BadRecordsAreSkippedAndSayWhereAndWhy) {
  auto batch = parse_ok(AdvisorySource::kev, R"({"vulnerabilities": [
      {"cveID": "CVE-2024-23222", "dateAdded": "2024-01-23", "vulnerabilityName": "Apple Type Confusion"},
      {"vendorProject": "Apple", "dateAdded": "2024-01-23"},
      {"cveID": "CVE-2024-23225", "dateAdded": "2024-02-30"},
      42,
      {"cveID": 7, "dateAdded": "2024-03-06"}]})",
                        "kev.json");
  EXPECT_EQ(ids(batch.advisories), std::vector<std::string>{"CVE-2024-23222"});
  ASSERT_EQ(batch.problems.size(), 4u);
  EXPECT_EQ(batch.problems[0].where, "kev.json: vulnerabilities[1]");
  EXPECT_TRUE(contains(batch.problems[0].reason, "cveID"));
  EXPECT_EQ(batch.problems[1].where, "kev.json: vulnerabilities[2] (CVE-2024-23225)");
  EXPECT_TRUE(contains(batch.problems[1].reason, "dateAdded"));
  EXPECT_TRUE(contains(batch.problems[1].reason, "2024-02-30"));
  EXPECT_EQ(batch.problems[2].where, "kev.json: vulnerabilities[3]");
  EXPECT_EQ(batch.problems[3].where, "kev.json: vulnerabilities[4]");
}

TEST(AdvisoryKev, AFileThatIsNotACatalogueIsAnError) {
  auto not_json = parse_advisories(AdvisorySource::kev, "{\"vulnerabilities\": [", "kev.json", cpe_map(), kNewYork);
  ASSERT_FALSE(not_json);
  EXPECT_EQ(not_json.error().code, "invalid_advisories");
  EXPECT_TRUE(contains(not_json.error().message, "kev.json"));
  EXPECT_TRUE(contains(not_json.error().message, "not valid JSON"));
  auto nvd = parse_advisories(AdvisorySource::kev, fixture("nvd.json"), "nvd.json", cpe_map(), kNewYork);
  ASSERT_FALSE(nvd);
  EXPECT_TRUE(contains(nvd.error().message, "--source nvd"));
  for (const char* text : {"[]", "{}", "{\"vulnerabilities\": {}}", "null", ""})
    EXPECT_FALSE(parse_advisories(AdvisorySource::kev, text, "kev.json", cpe_map(), kNewYork)) << text;
}

// ------------------------------------------------------------------ NVD

TEST(AdvisoryNvd, MappedVulnerableCpeMatchesBecomeRanges) {
  auto batch = fixture_batch(AdvisorySource::nvd, "nvd.json");
  EXPECT_TRUE(batch.problems.empty());
  // Chrome (running on Android, which is not the flaw) maps to nothing; the
  // rejected CVE is dropped.
  EXPECT_EQ(ids(batch.advisories),
            (std::vector<std::string>{"CVE-2024-23222", "CVE-2024-0031", "CVE-2015-3864", "CVE-2024-21448"}));
  EXPECT_EQ(batch.unmapped, 1u);

  const Advisory& apple = find(batch.advisories, "CVE-2024-23222");
  EXPECT_EQ(apple.sources, std::vector<std::string>{"nvd"});
  EXPECT_EQ(apple.published, 1705972510);  // offsetless NVD time is UTC
  EXPECT_EQ(apple.severity, Severity::high);
  EXPECT_DOUBLE_EQ(apple.cvss, 8.8);
  EXPECT_TRUE(apple.known_exploited);  // cisaExploitAdd
  EXPECT_EQ(apple.title, "Apple Multiple Products Type Confusion Vulnerability");
  ASSERT_EQ(apple.affected.size(), 5u);  // Safari is not mapped
  EXPECT_EQ(apple.affected[0].product, "os:ipados");
  EXPECT_EQ(apple.affected[0].end_excluding, "16.7.5");
  EXPECT_EQ(apple.affected[3].product, "os:ios");
  EXPECT_EQ(apple.affected[3].start_including, "17.0");
  EXPECT_EQ(apple.affected[3].end_excluding, "17.3");
  EXPECT_EQ(apple.affected[4].product, "os:macos");

  const Advisory& android = find(batch.advisories, "CVE-2024-0031");
  EXPECT_EQ(android.severity, Severity::high);  // CVSS 4.0 outranks 3.1
  EXPECT_DOUBLE_EQ(android.cvss, 8.7);
  EXPECT_FALSE(android.known_exploited);
  EXPECT_TRUE(android.title.starts_with("In attp_build_read_by_type_value_cmd"));
  std::vector<std::string> versions;
  for (const auto& r : android.affected) versions.push_back(r.product + " " + r.version);
  EXPECT_EQ(versions, (std::vector<std::string>{"os:android 12.0", "os:android 12.1", "os:android 13.0", "os:android 14.0"}));

  const Advisory& stagefright = find(batch.advisories, "CVE-2015-3864");
  EXPECT_EQ(stagefright.severity, Severity::high);  // v2 names it beside cvssData
  EXPECT_DOUBLE_EQ(stagefright.cvss, 9.3);
  EXPECT_EQ(stagefright.affected.at(0).end_including, "5.1.1");
  EXPECT_TRUE(stagefright.affected.at(0).version.empty());

  const Advisory& teams = find(batch.advisories, "CVE-2024-21448");
  EXPECT_DOUBLE_EQ(teams.cvss, 6.5);  // NVD's Primary metric over Microsoft's
  EXPECT_EQ(teams.severity, Severity::medium);
  ASSERT_EQ(teams.affected.size(), 2u);  // one CPE, two app ids
  EXPECT_EQ(teams.affected[0].product, "app:com.microsoft.teams");
  EXPECT_EQ(teams.affected[1].product, "app:com.microsoft.skype.teams");
  EXPECT_EQ(teams.affected[1].start_excluding, "1.0.0.2023101201");
  EXPECT_EQ(teams.affected[1].end_including, "1.0.0.2024061601");
}

TEST(AdvisoryNvd, EscapedCpeCharactersAreUnescaped) {
  CpeProductMap map{{"apple:swiftnio_http/2", "app:com.example.nio"}, {"acme:vpn:client", "app:com.acme.vpn"}};
  auto r = parse_advisories(AdvisorySource::nvd, R"({"format": "NVD_CVE", "vulnerabilities": [
      {"cve": {"id": "CVE-2024-1111", "published": "2024-05-01T10:00:00.000", "configurations": [{"nodes": [{"cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:2.3:a:apple:swiftnio_http\\/2:1.19.0\\(1\\):*:*:*:*:*:*:*"},
        {"vulnerable": true, "criteria": "cpe:2.3:a:acme:vpn\\:client:\\*:*:*:*:*:*:*:*"},
        {"vulnerable": true, "criteria": "cpe:2.3:a:acme:vpn\\:client:-:*:*:*:*:*:*:*"}]}]}]}}]})",
                            "nvd.json", map, "UTC");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->advisories.size(), 1u);
  const auto& affected = r->advisories[0].affected;
  ASSERT_EQ(affected.size(), 3u);
  EXPECT_EQ(affected[0].product, "app:com.example.nio");
  EXPECT_EQ(affected[0].version, "1.19.0(1)");
  EXPECT_EQ(affected[1].product, "app:com.acme.vpn");
  EXPECT_EQ(affected[1].version, "*");  // an escaped asterisk is a literal, not "any"
  EXPECT_EQ(affected[2].version, "");   // "-": not applicable, so every version
  EXPECT_EQ(r->advisories[0].severity, Severity::medium);  // no metrics yet
}

TEST(AdvisoryNvd, MalformedRecordsAreProblemsAndTheRestImports) {
  auto batch = parse_ok(AdvisorySource::nvd, R"({"format": "NVD_CVE", "version": "2.0", "vulnerabilities": [
      "CVE-2024-0001",
      {"id": "CVE-2024-0002"},
      {"cve": {"published": "2024-01-02T00:00:00.000"}},
      {"cve": {"id": "CVE-2024-0004", "published": "last tuesday"}},
      {"cve": {"id": "CVE-2024-0005", "published": "2024-01-05T00:00:00.000", "configurations": {"nodes": []}}},
      {"cve": {"id": "CVE-2024-0006", "published": "2024-01-06T00:00:00.000", "configurations": [{"nodes": [{"cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:/o:apple:iphone_os:17.0"}]}]}]}},
      {"cve": {"id": "CVE-2024-0007", "published": "2024-01-07T00:00:00.000", "configurations": [{"nodes": [{"cpeMatch": [
        {"criteria": "cpe:2.3:o:apple:iphone_os:*:*:*:*:*:*:*:*"}]}]}]}},
      {"cve": {"id": "CVE-2024-0008", "published": "2024-01-08T00:00:00.000", "configurations": [{"nodes": [{"cpeMatch": [
        {"vulnerable": true, "criteria": "cpe:2.3:o:apple:iphone_os:*:*:*:*:*:*:*:*\\"}]}]}]}},
      {"cve": {"id": "CVE-2024-0009", "published": "2024-01-09T00:00:00.000",
               "metrics": {"cvssMetricV30": [{"type": "Secondary", "cvssData": {"baseScore": 9.1}}], "cvssMetricV2": "x"},
               "configurations": [{"nodes": [{"negate": true, "cpeMatch": [
                  {"vulnerable": true, "criteria": "cpe:2.3:o:google:android:*:*:*:*:*:*:*:*"}]},
                 {"cpeMatch": [{"vulnerable": true, "criteria": "cpe:2.3:o:apple:iphone_os:*:*:*:*:*:*:*:*",
                                "versionEndExcluding": 17}]}]}]}}]})",
                        "nvd.json");
  ASSERT_EQ(ids(batch.advisories), std::vector<std::string>{"CVE-2024-0009"});
  const Advisory& ok = batch.advisories[0];
  EXPECT_EQ(ok.severity, Severity::critical);  // from the score when unnamed
  ASSERT_EQ(ok.affected.size(), 1u);            // the negated node is not affected
  EXPECT_EQ(ok.affected[0].product, "os:ios");
  EXPECT_EQ(ok.affected[0].end_excluding, "");  // a number where text belongs is ignored
  std::vector<std::string> where;
  for (const auto& p : batch.problems) where.push_back(p.where);
  EXPECT_EQ(where, (std::vector<std::string>{
                       "nvd.json: vulnerabilities[0]", "nvd.json: vulnerabilities[1]", "nvd.json: vulnerabilities[2]",
                       "nvd.json: vulnerabilities[3] (CVE-2024-0004)", "nvd.json: vulnerabilities[4] (CVE-2024-0005)",
                       "nvd.json: vulnerabilities[5] (CVE-2024-0006)", "nvd.json: vulnerabilities[6] (CVE-2024-0007)",
                       "nvd.json: vulnerabilities[7] (CVE-2024-0008)"}));
  EXPECT_TRUE(contains(batch.problems[5].reason, "cpe:/o:apple:iphone_os:17.0"));
  EXPECT_TRUE(contains(batch.problems[6].reason, "vulnerable"));
}

TEST(AdvisoryNvd, OtherFilesAreErrorsThatSayWhatToDo) {
  auto kev = parse_advisories(AdvisorySource::nvd, fixture("kev.json"), "kev.json", cpe_map(), kNewYork);
  ASSERT_FALSE(kev);
  EXPECT_TRUE(contains(kev.error().message, "--source kev"));
  auto legacy = parse_advisories(AdvisorySource::nvd, R"({"CVE_data_type": "CVE", "CVE_Items": []})", "old.json",
                                 cpe_map(), kNewYork);
  ASSERT_FALSE(legacy);
  EXPECT_TRUE(contains(legacy.error().message, "API 2.0"));
  EXPECT_FALSE(parse_advisories(AdvisorySource::nvd, "\xff\xfe", "x.json", cpe_map(), kNewYork));
}

// ------------------------------------------------------------------ local YAML

TEST(AdvisoryLocal, FixtureParsesInOurProductTerms) {
  auto batch = fixture_batch(AdvisorySource::local, "local.yaml");
  EXPECT_TRUE(batch.problems.empty());
  ASSERT_EQ(ids(batch.advisories), (std::vector<std::string>{"WL-2024-001", "WL-2024-002", "CVE-2024-21448"}));
  const Advisory& haiku = batch.advisories[0];
  EXPECT_EQ(haiku.sources, std::vector<std::string>{"local"});
  EXPECT_EQ(haiku.severity, Severity::high);
  EXPECT_EQ(haiku.published, 1710046800);  // 2024-03-10 00:00 EST, the day clocks spring forward
  EXPECT_EQ(haiku.title, "Epic Haiku caches photos outside the app sandbox");
  ASSERT_EQ(haiku.affected.size(), 1u);
  EXPECT_EQ(haiku.affected[0].product, "app:com.epic.haiku");
  EXPECT_EQ(haiku.affected[0].end_excluding, "10.4");
  const Advisory& patch = batch.advisories[1];
  EXPECT_EQ(patch.severity, Severity::critical);
  EXPECT_DOUBLE_EQ(patch.cvss, 9.8);
  EXPECT_EQ(patch.published, 1709562600);  // the explicit offset wins over the zone
  EXPECT_EQ(patch.affected.at(0).fixed_patch_level, "2024-03-01");
  EXPECT_EQ(patch.affected.at(0).start_including, "12");
  const Advisory& teams = batch.advisories[2];
  EXPECT_TRUE(teams.known_exploited);
  EXPECT_EQ(teams.published, 1730606400);  // 2024-11-03 00:00 EDT, the day clocks fall back
  EXPECT_EQ(teams.affected.at(0).version, "1.0.0.2024061601");
}

TEST(AdvisoryLocal, BadRecordsAreProblemsNamingTheRecord) {
  auto batch = parse_ok(AdvisorySource::local, R"(advisories:
  - {id: WL-1, severity: low, published: 2024-01-01}
  - {severity: low, published: 2024-01-01}
  - {id: WL-3, severity: urgent, published: 2024-01-01}
  - {id: WL-4, severty: low, published: 2024-01-01}
  - {id: WL-5, severity: low, published: 2024-01-01, affected: [{product: ios}]}
  - {id: WL-6, severity: low, published: 2024-01-01,
     affected: [{product: "os:ios", version_start_including: "17", version_start_excluding: "16"}]}
  - {id: WL-7, severity: low, published: 2024-01-01, affected: [{product: "os:android", fixed_patch_level: March 2024}]}
  - {id: WL-8, severity: low, published: 2024-01-01, affected: {product: "os:ios"}}
  - {id: WL-9, severity: low, published: 2024-01-01, cvss: 11}
  - {id: WL-10, severity: low, published: 2024-01-01, known_exploited: maybe}
  - {id: WL-11, severity: low}
  - {id: [WL-12], severity: low, published: 2024-01-01}
  - {id: WL-13, severity: low, published: 2024-01-01, affected: [{product: "app:x", version: "1", version_end_excluding: "2"}]}
  - just text
)",
                        "local.yaml");
  EXPECT_EQ(ids(batch.advisories), std::vector<std::string>{"WL-1"});
  ASSERT_EQ(batch.problems.size(), 13u);
  EXPECT_EQ(batch.problems[0].where, "local.yaml: advisories[1] (line 3)");
  EXPECT_TRUE(contains(batch.problems[0].reason, "no 'id'"));
  EXPECT_TRUE(contains(batch.problems[1].reason, "urgent"));
  EXPECT_TRUE(contains(batch.problems[2].reason, "unknown key 'severty'"));
  EXPECT_TRUE(contains(batch.problems[3].reason, "os:<platform> or app:<app id>"));
  EXPECT_TRUE(contains(batch.problems[4].reason, "not both"));
  EXPECT_TRUE(contains(batch.problems[5].reason, "YYYY-MM-DD"));
  EXPECT_TRUE(contains(batch.problems[6].reason, "'affected' must be a list"));
  EXPECT_TRUE(contains(batch.problems[7].reason, "0 to 10"));
  EXPECT_TRUE(contains(batch.problems[8].reason, "true or false"));
  EXPECT_TRUE(contains(batch.problems[9].reason, "no 'published'"));
  EXPECT_TRUE(contains(batch.problems[10].reason, "single value"));
  EXPECT_TRUE(contains(batch.problems[11].reason, "not both"));
  EXPECT_EQ(batch.problems[12].where, "local.yaml: advisories[13] (line 16)");
}

TEST(AdvisoryLocal, MalformedFileIsAnErrorWithTheLine) {
  auto broken = parse_advisories(AdvisorySource::local, "advisories:\n  - id: [WL-1\n", "local.yaml", cpe_map(), kNewYork);
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "invalid_advisories");
  EXPECT_TRUE(contains(broken.error().message, "local.yaml: line"));
  EXPECT_TRUE(contains(broken.error().message, "YAML syntax error"));
  for (const char* text : {"", "advisories: 3", "- id: WL-1", "advisory: []"}) {
    auto r = parse_advisories(AdvisorySource::local, text, "local.yaml", cpe_map(), kNewYork);
    ASSERT_FALSE(r) << text;
    EXPECT_TRUE(contains(r.error().message, "'advisories' list")) << r.error().message;
  }
}

// ------------------------------------------------------------------ matching

TEST(AdvisoryMatch, OsVersionBoundsFollowNvd) {
  AdvisoryIndex index(fixture_batch(AdvisorySource::nvd, "nvd.json").advisories, SlaPolicy{});
  auto ios = [&](const char* v) { return exposed(index, phone(Platform::ios, v)); };
  EXPECT_EQ(ios("17.2.1"), std::vector<std::string>{"CVE-2024-23222 os:ios 17.2.1"});
  EXPECT_EQ(ios("17.0").size(), 1u);    // start including
  EXPECT_TRUE(ios("17.3").empty());     // end excluding
  EXPECT_TRUE(ios("17.3.1").empty());
  EXPECT_EQ(ios("16.7.4").size(), 1u);  // the 16.x range
  EXPECT_TRUE(ios("16.7.5").empty());
  EXPECT_TRUE(ios("").empty());  // unreported versions do not match a bounded range
  EXPECT_EQ(exposed(index, phone(Platform::ipados, "17.1")), std::vector<std::string>{"CVE-2024-23222 os:ipados 17.1"});
  EXPECT_TRUE(exposed(index, phone(Platform::unknown, "17.1")).empty());
  // Stagefright ends including 5.1.1.
  EXPECT_EQ(exposed(index, phone(Platform::android, "5.1.1")), std::vector<std::string>{"CVE-2015-3864 os:android 5.1.1"});
  EXPECT_TRUE(exposed(index, phone(Platform::android, "5.1.2")).empty());
}

TEST(AdvisoryMatch, ExactVersionsAndExclusiveStart) {
  AdvisoryIndex index(fixture_batch(AdvisorySource::nvd, "nvd.json").advisories, SlaPolicy{});
  auto android = [&](const char* v) { return exposed(index, phone(Platform::android, v)); };
  EXPECT_EQ(android("13"), std::vector<std::string>{"CVE-2024-0031 os:android 13"});  // "13" == "13.0"
  EXPECT_EQ(android("12.1").size(), 1u);
  EXPECT_TRUE(android("13.1").empty());
  EXPECT_TRUE(android("11").empty());
  auto teams = [&](const char* v) {
    return exposed(index, phone(Platform::android, "15", {app("com.microsoft.teams", v)}));
  };
  EXPECT_TRUE(teams("1.0.0.2023101201").empty());  // start excluding
  EXPECT_EQ(teams("1.0.0.2023101202"), std::vector<std::string>{"CVE-2024-21448 app:com.microsoft.teams 1.0.0.2023101202"});
  EXPECT_EQ(teams("1.0.0.2024061601").size(), 1u);  // end including
  EXPECT_TRUE(teams("1.0.0.2024061602").empty());
}

TEST(AdvisoryMatch, AppIdsMatchWithoutCaseAndOnceEach) {
  AdvisoryIndex index({advisory("WL-1", Severity::high, 1000, {[] {
                                  auto r = range("app:com.epic.haiku");
                                  r.end_excluding = "10.4";
                                  return r;
                                }()})},
                      SlaPolicy{});
  Device d = phone(Platform::ios, "17.4", {app("COM.Epic.Haiku", "10.3.2"), app("com.epic.rover", "10.3"),
                                           app("com.epic.haiku", "10.1")});
  std::vector<Exposure> out(1);  // appended to, never cleared
  index.exposures(d, out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].advisory->id, "WL-1");
  EXPECT_EQ(out[1].product, "app:com.epic.haiku");
  EXPECT_EQ(out[1].installed, "10.3.2");
  EXPECT_TRUE(exposed(index, phone(Platform::ios, "17.4", {app("com.epic.haiku", "10.4")})).empty());
}

TEST(AdvisoryMatch, UnboundedRangeCoversEveryVersionEvenUnreported) {
  AdvisoryIndex index({advisory("WL-1", Severity::low, 1000, {range("os:windows"), range("app:com.example.legacy")})},
                      SlaPolicy{});
  EXPECT_EQ(exposed(index, phone(Platform::windows, "")), std::vector<std::string>{"WL-1 os:windows "});
  EXPECT_EQ(exposed(index, phone(Platform::macos, "14.4", {app("com.example.legacy", "0.1")})),
            std::vector<std::string>{"WL-1 app:com.example.legacy 0.1"});
}

TEST(AdvisoryMatch, AndroidPatchLevelBeforeTheFixIsExposed) {
  AdvisoryIndex index(fixture_batch(AdvisorySource::local, "local.yaml").advisories, SlaPolicy{});
  auto android = [&](const char* version, const char* patch) {
    Device d = phone(Platform::android, version);
    d.patch_level = patch;
    return exposed(index, d);
  };
  EXPECT_EQ(android("14", "2024-02-05"), std::vector<std::string>{"WL-2024-002 os:android 2024-02-05"});
  EXPECT_TRUE(android("14", "2024-03-01").empty());
  EXPECT_TRUE(android("14", "2024-04-05").empty());
  EXPECT_TRUE(android("14", "").empty());            // unreported: not matched
  EXPECT_TRUE(android("11", "2023-01-01").empty());  // below version_start_including 12
}

TEST(AdvisoryMatch, KnownExploitedCountsAsCriticalForTheDeadline) {
  Advisory a = advisory("CVE-2024-21448", Severity::medium, 1720545313, {range("app:com.microsoft.teams")});
  a.known_exploited = true;
  Advisory b = advisory("WL-2", Severity::medium, 1720545313, {range("app:com.microsoft.teams")});
  AdvisoryIndex index({a, b}, SlaPolicy{});
  std::vector<Exposure> out;
  index.exposures(phone(Platform::android, "14", {app("com.microsoft.teams", "1.0")}), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::critical);
  EXPECT_EQ(out[0].deadline, 1720545313 + 72 * 3600);
  EXPECT_EQ(out[1].severity, Severity::medium);
  EXPECT_EQ(out[1].deadline, 1720545313 + 30 * 86400);
  EXPECT_EQ(index.advisories().size(), 2u);
}

// The index finds ranges through version slots; it must agree with testing
// each range the plain way.
TEST(AdvisoryMatch, AgreesWithTestingEveryRangeOneByOne) {
  const std::vector<std::string> pool = {"1", "1.0.1", "1.2", "1.10", "2", "2.0.0.1", "10", "10.4", "10.4.1", "17.3", "17.3.1"};
  auto in_range = [](const std::string& v, const AffectedRange& r) {
    if (!r.version.empty()) return compare_versions(v, r.version) == 0;
    return (r.start_including.empty() || compare_versions(v, r.start_including) >= 0) &&
           (r.start_excluding.empty() || compare_versions(v, r.start_excluding) > 0) &&
           (r.end_including.empty() || compare_versions(v, r.end_including) <= 0) &&
           (r.end_excluding.empty() || compare_versions(v, r.end_excluding) < 0);
  };
  std::mt19937 random(7);
  auto maybe = [&]() { return random() % 3 == 0 ? pool[random() % pool.size()] : std::string(); };
  std::vector<Advisory> advisories;
  for (int i = 0; i < 400; ++i) {
    AffectedRange r = range("os:ios");
    if (random() % 5 == 0) {
      r.version = pool[random() % pool.size()];
    } else {
      (random() % 2 ? r.start_including : r.start_excluding) = maybe();
      (random() % 2 ? r.end_including : r.end_excluding) = maybe();
    }
    advisories.push_back(advisory("A" + std::to_string(i), Severity::low, 0, {r}));
  }
  AdvisoryIndex index(advisories, SlaPolicy{});
  std::vector<std::string> versions = pool;
  for (const char* v : {"0.9", "1.0", "1.5", "1.9", "3", "10.4.0", "17.3.0.1", "99"}) versions.push_back(v);
  for (const auto& v : versions) {
    std::vector<std::string> expected;
    for (const auto& a : advisories)
      if (in_range(v, a.affected[0])) expected.push_back(a.id + " os:ios " + v);
    EXPECT_EQ(exposed(index, phone(Platform::ios, v)), expected) << v;
  }
}

// ------------------------------------------------------------------ SLA clock

TEST(SlaDeadline, DatesStartAtLocalMidnightAcrossNewYorkDst) {
  auto at = [](const char* date) { return *parse_advisory_time(date, kNewYork); };
  EXPECT_EQ(at("2024-03-10"), 1710046800);  // 05:00Z: still EST at midnight
  EXPECT_EQ(at("2024-03-11"), 1710129600);  // 04:00Z: EDT
  EXPECT_EQ(at("2024-03-11") - at("2024-03-10"), 23 * 3600);
  EXPECT_EQ(at("2024-11-03"), 1730606400);  // 04:00Z: still EDT at midnight
  EXPECT_EQ(at("2024-11-04"), 1730696400);  // 05:00Z: EST
  EXPECT_EQ(at("2024-11-04") - at("2024-11-03"), 25 * 3600);
}

TEST(SlaDeadline, SlaIsElapsedTimeSoDeadlinesShiftAnHourAcrossDst) {
  Advisory spring = advisory("WL-S", Severity::critical, *parse_advisory_time("2024-03-10", kNewYork), {range("os:ios")});
  Advisory fall = advisory("WL-F", Severity::high, *parse_advisory_time("2024-11-01", kNewYork), {range("os:ios")});
  AdvisoryIndex index({spring, fall}, SlaPolicy{});
  std::vector<Exposure> out;
  index.exposures(phone(Platform::ios, "17.4"), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].deadline, 1710306000);  // 72 h later: 2024-03-13 01:00 EDT
  EXPECT_EQ(out[1].deadline, 1731038400);  // 7 days later: 2024-11-07 23:00 EST
}

TEST(SlaDeadline, KolkataExplicitOffsetsAndUtc) {
  EXPECT_EQ(*parse_advisory_time("2024-01-23", "Asia/Kolkata"), 1705948200);  // 2024-01-22T18:30Z
  EXPECT_EQ(*parse_advisory_time("2024-01-23", "UTC"), 1705968000);
  EXPECT_EQ(*parse_advisory_time("2024-01-23", ""), 1705968000);
  for (const char* zone : {"Asia/Kolkata", "America/New_York", "UTC"}) {
    EXPECT_EQ(*parse_advisory_time("2024-01-23T06:45:10+05:30", zone), 1705972510) << zone;
    EXPECT_EQ(*parse_advisory_time("2024-01-22T20:15:10-05:00", zone), 1705972510) << zone;
    EXPECT_EQ(*parse_advisory_time("2024-01-23T01:15:10Z", zone), 1705972510) << zone;
    EXPECT_EQ(*parse_advisory_time("2024-01-23T01:15:10.083", zone), 1705972510) << zone;  // NVD: UTC
    EXPECT_EQ(*parse_advisory_time("2024-01-23T01:15:10", zone), 1705972510) << zone;
  }
  auto kev = parse_ok(AdvisorySource::kev, fixture("kev.json"), "kev.json", "Asia/Kolkata");
  EXPECT_EQ(find(kev.advisories, "CVE-2024-23222").published, 1705948200);
}

TEST(SlaDeadline, UnknownZonesAndBadTimesAreErrors) {
  auto zone = parse_advisory_time("2024-01-23", "Mars/Olympus_Mons");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code, "invalid_timezone");
  EXPECT_TRUE(contains(zone.error().message, "Mars/Olympus_Mons"));
  EXPECT_TRUE(contains(zone.error().message, "IANA"));
  auto file = parse_advisories(AdvisorySource::kev, fixture("kev.json"), "kev.json", cpe_map(), "Eastern");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, "invalid_timezone");
  for (const char* bad : {"", "2024-02-30", "2024-13-01", "23/01/2024", "2024-01-23T25:00:00Z", "2024-01-23T01:15",
                          "2024-01-23 garbage", "2024-01-23T01:15:10+0530"}) {
    auto r = parse_advisory_time(bad, kNewYork);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, "invalid_time");
    EXPECT_TRUE(contains(r.error().message, "2024-01-23")) << r.error().message;  // shows the accepted forms
  }
}

TEST(SlaDeadline, DurationsBySeverity) {
  SlaPolicy sla;
  EXPECT_EQ(sla.for_severity(Severity::critical), 72 * 3600);
  EXPECT_EQ(sla.for_severity(Severity::high), 7 * 86400);
  EXPECT_EQ(sla.for_severity(Severity::medium), 30 * 86400);
  EXPECT_EQ(sla.for_severity(Severity::low), 90 * 86400);
  sla.high = 86400;
  EXPECT_EQ(sla.for_severity(Severity::high), 86400);
  EXPECT_EQ(name_of(Severity::high), "high");
  EXPECT_EQ(parse_severity("CRITICAL"), Severity::critical);
  EXPECT_FALSE(parse_severity("urgent"));
  EXPECT_EQ(parse_advisory_source("nvd"), AdvisorySource::nvd);
  EXPECT_FALSE(parse_advisory_source("osv"));
}

// ------------------------------------------------------------------ the book

class AdvisoryBookTest : public ::testing::TestWithParam<std::string> {};

TEST_P(AdvisoryBookTest, SourcesMergeByIdAndNothingIsLost) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  AdvisoryBook book(*store);
  auto kev = fixture_batch(AdvisorySource::kev, "kev.json");
  auto nvd = fixture_batch(AdvisorySource::nvd, "nvd.json");
  auto local = fixture_batch(AdvisorySource::local, "local.yaml");

  auto first = book.upsert(kev.advisories);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->added, 4u);
  auto second = book.upsert(nvd.advisories);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->added, 2u);    // CVE-2024-0031, CVE-2024-21448
  EXPECT_EQ(second->updated, 2u);  // CVE-2024-23222, CVE-2015-3864
  auto third = book.upsert(local.advisories);
  ASSERT_TRUE(third) << third.error().message;
  EXPECT_EQ(third->added, 2u);
  EXPECT_EQ(third->updated, 1u);
  auto again = book.upsert(nvd.advisories);  // nothing new
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->added + again->updated, 0u);

  auto all = book.all();
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), 8u);
  const Advisory& apple = find(*all, "CVE-2024-23222");
  EXPECT_EQ(apple.sources, (std::vector<std::string>{"kev", "nvd"}));
  EXPECT_TRUE(apple.known_exploited);
  EXPECT_EQ(apple.severity, Severity::critical);  // KEV's
  EXPECT_DOUBLE_EQ(apple.cvss, 8.8);              // NVD's
  EXPECT_EQ(apple.published, 1705972510);         // NVD's 01:15Z before KEV's local midnight 05:00Z
  EXPECT_EQ(apple.title, "Apple Multiple Products Type Confusion Vulnerability");
  EXPECT_EQ(apple.affected.size(), 5u);
  EXPECT_EQ(apple.affected[3].start_including, "17.0");

  const Advisory& teams = find(*all, "CVE-2024-21448");
  EXPECT_EQ(teams.sources, (std::vector<std::string>{"nvd", "local"}));
  EXPECT_TRUE(teams.known_exploited);  // said only by the local advisory
  EXPECT_EQ(teams.title, "Microsoft Teams for Android Information Disclosure Vulnerability");
  EXPECT_EQ(teams.published, 1720545313);
  ASSERT_EQ(teams.affected.size(), 3u);
  EXPECT_EQ(teams.affected[2].version, "1.0.0.2024061601");

  const Advisory& patch = find(*all, "WL-2024-002");
  EXPECT_EQ(patch.affected.at(0).fixed_patch_level, "2024-03-01");
  EXPECT_DOUBLE_EQ(patch.cvss, 9.8);

  // What the book holds is what devices are matched against.
  AdvisoryIndex index(std::move(*all), SlaPolicy{});
  std::vector<Exposure> out;
  index.exposures(phone(Platform::ios, "17.2", {app("com.microsoft.teams", "1.0.0.2024061601")}), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].advisory->id, "CVE-2024-23222");
  EXPECT_EQ(out[0].deadline, 1705972510 + 72 * 3600);
  EXPECT_EQ(out[1].advisory->id, "CVE-2024-21448");
  EXPECT_EQ(out[1].severity, Severity::critical);
}

TEST_P(AdvisoryBookTest, TheSameIdTwiceInOneBatchIsOneAdvisory) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  AdvisoryBook book(*store);
  Advisory a = advisory("WL-9", Severity::low, 2000, {range("os:ios")});
  Advisory b = advisory("WL-9", Severity::high, 1000, {range("os:ios"), range("os:ipados")});
  b.title = "later title";
  b.sources = {"nvd"};
  auto counts = book.upsert({a, b});
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->added, 1u);
  EXPECT_EQ(counts->updated, 0u);
  auto all = book.all();
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 1u);
  const Advisory& m = all->front();
  EXPECT_EQ(m.severity, Severity::high);
  EXPECT_EQ(m.published, 1000);
  EXPECT_EQ(m.title, "later title");  // the first non-empty one
  EXPECT_EQ(m.sources, (std::vector<std::string>{"local", "nvd"}));
  EXPECT_EQ(m.affected.size(), 2u);
}

TEST_P(AdvisoryBookTest, ACorruptRowIsAnErrorNotASilentLoss) {
  wardline::testing::TempDir dir;
  auto store = wardline::testing::open_test_store(GetParam(), dir.path());
  ASSERT_TRUE(store->execute("INSERT INTO posture_advisories (id, advisory, updated_at) VALUES (?, ?, ?)",
                             {std::string("CVE-2024-0001"), std::string("{not json"), int64_t{1}}));
  AdvisoryBook book(*store);
  auto all = book.all();
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, "corrupt_advisory");
  EXPECT_TRUE(contains(all.error().message, "CVE-2024-0001"));
  EXPECT_FALSE(book.upsert({advisory("CVE-2024-0001", Severity::low, 1, {})}));
}

INSTANTIATE_TEST_SUITE_P(AdvisoryStores, AdvisoryBookTest, ::testing::ValuesIn(wardline::testing::kStoreKinds));

}  // namespace
}  // namespace wardline::posture
