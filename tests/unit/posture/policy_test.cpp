// The posture policy: parsing, each check on both platforms and both
// ownerships, rule precedence, unreported values, and the state machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "posture/posture.h"

namespace wardline::posture {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

const char* kPolicy = R"(
settings:
  grace: 72h
  quarantine_after: 14d
flagged_permissions: [microphone, camera, contacts, sms]
catalogue:
  - {id: com.epic.haiku, names: [Haiku], min_version: "10.4", permissions: [camera]}
  - {id: com.microsoft.teams, min_version: "1416.1", permissions: [microphone, camera]}
rules:
  - name: all
    checks:
      encryption: block
      jailbreak: {enforcement: block, quarantine: true}
      passcode: {min_length: 6, enforcement: grace, grace: 24h}
      biometrics: {enforcement: grace, grace: 7d}
      sideloading: block
      cloud_backup: block
      app_versions: {enforcement: grace, grace: 7d}
      app_catalogue: block
      app_permissions: block
      checkin_age: {max: 7d, enforcement: block}
      patch_sla: grace
  - name: ios
    match: {platform: [ios, ipados]}
    checks:
      os_version: {min: "17.6", enforcement: block}
  - name: android
    match: {platform: android}
    checks:
      os_version: {min: "13", max_patch_age: 90d, enforcement: block}
  - name: corporate
    match: {ownership: corporate}
    checks:
      management: {require: [mdm], enforcement: block}
  - name: byod
    match: {ownership: byod}
    checks:
      management: {require: [mam, work_profile], enforcement: block}
      ephi_cache: block
  - name: hah
    match: {tags: [hospital-at-home]}
    checks:
      segment: {allowed: [HAH-NET], enforcement: block}
      app_catalogue: report
)";

std::shared_ptr<const Policy> policy(const std::string& yaml = kPolicy) {
  auto p = Policy::parse(yaml, "test.yaml");
  EXPECT_TRUE(p) << p.error().message;
  return p ? *p : nullptr;
}

// A device that passes every check of kPolicy.
Device good_device(Platform platform, Ownership ownership) {
  Device d;
  d.id = "dev-1";
  d.platform = platform;
  d.os_version = platform == Platform::android ? "14" : "17.6.1";
  if (platform == Platform::android) d.patch_level = "2025-12-01";
  d.ownership = ownership;
  d.management = ownership == Ownership::corporate ? Management::mdm
                 : platform == Platform::android   ? Management::work_profile
                                                   : Management::mam;
  d.encrypted = true;
  d.passcode_present = true;
  d.passcode_length = 6;
  d.biometrics = true;
  d.jailbroken = false;
  d.unknown_sources = false;
  d.cloud_backup = false;
  d.last_checkin = kNow - 3600;
  d.apps.push_back({"com.epic.haiku", "Haiku", "10.5", AppSource::store, {"camera"}});
  return d;
}

std::vector<Finding> judge(const Policy& p, const Device& d, const AdvisoryIndex* adv = nullptr) {
  std::vector<Finding> out;
  p.evaluate(d, kNow, adv, out);
  return out;
}

const Finding* find(const std::vector<Finding>& f, const std::string& check) {
  auto it = std::find_if(f.begin(), f.end(), [&](const Finding& x) { return x.check == check; });
  return it == f.end() ? nullptr : &*it;
}

std::string checks_of(const std::vector<Finding>& f) {
  std::string out;
  for (const auto& x : f) out += x.check + "(" + std::string(name_of(x.enforcement)) + "): " + x.message + "; ";
  return out;
}

TEST(PolicyParse, ShippedPolicyLoads) {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  auto p = Policy::load(std::string(src) + "/policies/posture.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)->timezone(), "America/Chicago");
  EXPECT_EQ((*p)->sla().critical, 72 * 3600);
  EXPECT_EQ((*p)->cpe_products().count("apple:iphone_os"), 2u);
  // The shipped policy passes a well-kept corporate iPhone.
  Device d = good_device(Platform::ios, Ownership::corporate);
  d.apps.clear();
  std::vector<Finding> f;
  (*p)->evaluate(d, kNow, nullptr, f);
  for (const auto& x : f) EXPECT_EQ(x.enforcement, Enforcement::report) << x.check << ": " << x.message;
}

TEST(PolicyParse, ErrorsNameFileLineAndFix) {
  auto unknown = Policy::parse("rules:\n  - name: a\n    checks:\n      encyption: block\n", "p.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("p.yaml:4"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("unknown check 'encyption'"), std::string::npos);
  EXPECT_NE(unknown.error().message.find("encryption"), std::string::npos);  // lists the valid ones

  auto no_require = Policy::parse("rules:\n  - checks:\n      management: {enforcement: block}\n", "p.yaml");
  ASSERT_FALSE(no_require);
  EXPECT_NE(no_require.error().message.find("require"), std::string::npos);

  auto bad_level = Policy::parse("rules:\n  - checks:\n      encryption: {enforcement: strict}\n", "p.yaml");
  ASSERT_FALSE(bad_level);
  EXPECT_NE(bad_level.error().message.find("report, grace or block"), std::string::npos);

  auto bad_platform = Policy::parse("rules:\n  - match: {platform: symbian}\n    checks: {encryption: block}\n", "p.yaml");
  ASSERT_FALSE(bad_platform);
  EXPECT_NE(bad_platform.error().message.find("symbian"), std::string::npos);

  auto bad_tz = Policy::parse("settings: {timezone: Mars/Olympus}\nrules:\n  - checks: {encryption: block}\n", "p.yaml");
  ASSERT_FALSE(bad_tz);

  EXPECT_FALSE(Policy::parse("settings: {}\n", "p.yaml"));         // no rules
  EXPECT_FALSE(Policy::parse("rules: [\n", "p.yaml"));              // not YAML
  EXPECT_FALSE(Policy::parse("rules:\n  - checks: {encryption: block}\n    extra: 1\n", "p.yaml"));
}

struct Combo {
  Platform platform;
  Ownership ownership;
};

class PolicyChecks : public ::testing::TestWithParam<Combo> {
 protected:
  Device good() const { return good_device(GetParam().platform, GetParam().ownership); }
  void expect_fails(const Device& d, const std::string& check, Enforcement e) {
    auto f = judge(*policy_, d);
    const Finding* x = find(f, check);
    ASSERT_NE(x, nullptr) << "expected " << check << " to fail; findings: " << checks_of(f);
    EXPECT_EQ(x->enforcement, e) << check;
    EXPECT_FALSE(x->message.empty());
    EXPECT_FALSE(explain_check(x->check).why.empty());
    EXPECT_FALSE(explain_check(x->check).fix.empty());
  }
  std::shared_ptr<const Policy> policy_ = policy();
};

TEST_P(PolicyChecks, GoodDevicePassesEveryCheck) {
  auto f = judge(*policy_, good());
  EXPECT_TRUE(f.empty()) << checks_of(f);
}

TEST_P(PolicyChecks, EachCheckFailsOnItsOwn) {
  Device d = good();
  d.encrypted = false;
  expect_fails(d, "encryption", Enforcement::block);

  d = good();
  d.jailbroken = true;
  expect_fails(d, "jailbreak", Enforcement::block);
  EXPECT_TRUE(find(judge(*policy_, d), "jailbreak")->quarantine);

  d = good();
  d.passcode_length = 4;
  expect_fails(d, "passcode", Enforcement::grace);
  d.passcode_present = false;
  d.passcode_length.reset();
  expect_fails(d, "passcode", Enforcement::grace);

  d = good();
  d.biometrics = false;
  expect_fails(d, "biometrics", Enforcement::grace);

  d = good();
  d.unknown_sources = true;
  expect_fails(d, "sideloading", Enforcement::block);
  d = good();
  d.apps.push_back({"com.example.free", "Free", "1.0", AppSource::sideloaded, {}});
  expect_fails(d, "sideloading", Enforcement::block);
  d.unknown_sources = true;  // both at once: one finding that says both
  auto both = judge(*policy_, d);
  EXPECT_EQ(std::count_if(both.begin(), both.end(), [](const Finding& x) { return x.check == "sideloading"; }), 1);
  EXPECT_NE(find(both, "sideloading")->message.find("com.example.free"), std::string::npos);

  d = good();
  d.cloud_backup = true;
  expect_fails(d, "cloud_backup", Enforcement::block);

  d = good();
  d.apps[0].version = "10.3.9";
  expect_fails(d, "app_versions", Enforcement::grace);

  d = good();
  d.apps.push_back({"com.games.candy", "Candy", "3", AppSource::store, {}});
  expect_fails(d, "app_catalogue", Enforcement::block);

  d = good();
  d.apps[0].permissions.push_back("microphone");  // Haiku is approved for the camera only
  expect_fails(d, "app_permissions", Enforcement::block);
  EXPECT_NE(find(judge(*policy_, d), "app_permissions")->message.find("com.epic.haiku (microphone)"), std::string::npos);

  d = good();
  d.last_checkin = kNow - 8 * kDay;
  expect_fails(d, "checkin_age", Enforcement::block);
  d.last_checkin = 0;
  expect_fails(d, "checkin_age", Enforcement::block);

  d = good();
  d.os_version = GetParam().platform == Platform::android ? "12" : "17.5.1";
  expect_fails(d, "os_version", Enforcement::block);
  EXPECT_NE(find(judge(*policy_, d), "os_version")->message.find("older than the minimum"), std::string::npos);

  if (GetParam().platform == Platform::android) {
    d = good();
    d.patch_level = "2025-09-01";  // 122 days before kNow
    expect_fails(d, "os_version", Enforcement::block);
  }

  d = good();
  if (GetParam().ownership == Ownership::corporate) {
    d.management = Management::mam;
    expect_fails(d, "management", Enforcement::block);
  } else {
    d.management = Management::mdm;
    expect_fails(d, "management", Enforcement::block);
    d = good();
    d.app_config["com.epic.haiku.offline_ephi_cache"] = "true";
    expect_fails(d, "ephi_cache", Enforcement::block);
  }
  d.management = Management::unmanaged;
  expect_fails(d, "management", Enforcement::block);
}

TEST_P(PolicyChecks, OwnershipDecidesWhichChecksApply) {
  Device d = good();
  d.app_config["offline_ephi_cache"] = "true";
  bool byod = GetParam().ownership == Ownership::byod;
  EXPECT_EQ(find(judge(*policy_, d), "ephi_cache") != nullptr, byod);
}

TEST_P(PolicyChecks, HospitalAtHomeDevicesNeedTheirSegment) {
  Device d = good();
  d.tags = {"hospital-at-home"};
  d.network_segment = "GUEST";
  expect_fails(d, "segment", Enforcement::block);
  d.network_segment = "HAH-NET";
  EXPECT_EQ(find(judge(*policy_, d), "segment"), nullptr);
  // The tag rule comes last: it relaxes the catalogue check to report-only.
  d.apps.push_back({"org.hah.scale", "Scale", "2", AppSource::enterprise, {}});
  expect_fails(d, "app_catalogue", Enforcement::report);
  // Devices without the tag are not judged on their segment.
  Device plain = good();
  plain.network_segment = "GUEST";
  EXPECT_EQ(find(judge(*policy_, plain), "segment"), nullptr);
}

TEST_P(PolicyChecks, UnreportedValuesAreReportedUnlessThePolicySaysFail) {
  Device d = good();
  d.encrypted.reset();
  const Finding* x = nullptr;
  auto f = judge(*policy_, d);
  ASSERT_NE(x = find(f, "encryption"), nullptr);
  EXPECT_EQ(x->enforcement, Enforcement::report);
  EXPECT_NE(x->message.find("did not report"), std::string::npos);

  auto strict = policy(std::string("settings: {unreported: fail}\n") + std::string(kPolicy).substr(std::string(kPolicy).find("flagged")));
  auto g = judge(*strict, d);
  ASSERT_NE(x = find(g, "encryption"), nullptr);
  EXPECT_EQ(x->enforcement, Enforcement::block);
}

INSTANTIATE_TEST_SUITE_P(BothPlatformsBothOwnerships, PolicyChecks,
                         ::testing::Values(Combo{Platform::ios, Ownership::corporate}, Combo{Platform::ios, Ownership::byod},
                                           Combo{Platform::android, Ownership::corporate},
                                           Combo{Platform::android, Ownership::byod}),
                         [](const auto& info) {
                           return std::string(name_of(info.param.platform)) + "_" + std::string(name_of(info.param.ownership));
                         });

TEST(PolicyRules, LaterRulesOverrideAndOffDisables) {
  auto p = policy(R"(
rules:
  - checks: {encryption: block, biometrics: block}
  - match: {ownership: byod}
    checks: {encryption: report, biometrics: off}
)");
  Device d = good_device(Platform::ios, Ownership::byod);
  d.encrypted = false;
  d.biometrics = false;
  auto f = judge(*p, d);
  ASSERT_NE(find(f, "encryption"), nullptr);
  EXPECT_EQ(find(f, "encryption")->enforcement, Enforcement::report);
  EXPECT_EQ(find(f, "biometrics"), nullptr);
  d.ownership = Ownership::corporate;
  f = judge(*p, d);
  EXPECT_EQ(find(f, "encryption")->enforcement, Enforcement::block);
  EXPECT_NE(find(f, "biometrics"), nullptr);
}

TEST(PolicyApps, VerdictsForTheAppAudit) {
  auto p = policy();
  auto v = p->judge_app({"com.microsoft.teams", "Teams", "1416.0.9", AppSource::store, {"microphone", "contacts"}});
  EXPECT_TRUE(v.approved);
  EXPECT_TRUE(v.outdated);
  EXPECT_EQ(v.min_version, "1416.1");
  EXPECT_EQ(v.excessive_permissions, std::vector<std::string>{"contacts"});
  auto unknown = p->judge_app({"com.x", "X", "1", AppSource::sideloaded, {"sms", "bluetooth"}});
  EXPECT_FALSE(unknown.approved);
  EXPECT_TRUE(unknown.sideloaded);
  EXPECT_EQ(unknown.excessive_permissions, std::vector<std::string>{"sms"});  // bluetooth is not flagged
  // Intune names apps by display name only: the catalogue's names find them.
  auto by_name = p->judge_app({"Haiku", "Haiku", "10.3", AppSource::unknown, {"camera"}});
  EXPECT_TRUE(by_name.approved);
  EXPECT_TRUE(by_name.outdated);
  EXPECT_TRUE(by_name.excessive_permissions.empty());
}

TEST(PolicyParse, CpeProductNamesAreCaseInsensitive) {
  auto p = policy("cpe_products: {Apple:IPhone_OS: os:ios}\nrules:\n  - checks: {encryption: block}\n");
  EXPECT_EQ(p->cpe_products().count("apple:iphone_os"), 1u);
}

TEST(Versions, CompareNumericallyAndIgnoreTrailingZeros) {
  EXPECT_LT(compare_versions("10.2", "10.10"), 0);
  EXPECT_EQ(compare_versions("17", "17.0.0"), 0);
  EXPECT_GT(compare_versions("17.0.1", "17"), 0);
  EXPECT_LT(compare_versions("1416.1.0", "1416.1.0.1"), 0);
  EXPECT_GT(compare_versions("10.0.19045.3803", "10.0.19045.3570"), 0);
  EXPECT_LT(compare_versions("2024.1-beta", "2024.1-rc"), 0);
  EXPECT_EQ(compare_versions("007", "7"), 0);
}

// ------------------------------------------------------------------ state machine

Finding failing(const std::string& check, Enforcement e, int64_t grace = 0, bool quarantine = false) {
  Finding f;
  f.check = check;
  f.enforcement = e;
  f.grace = grace;
  f.quarantine = quarantine;
  return f;
}

TEST(StateMachine, GraceThenNoncompliantThenQuarantined) {
  auto p = policy();
  Standing s;  // new device
  s = next_standing(s, {failing("biometrics", Enforcement::grace, 7 * kDay)}, kNow, *p);
  EXPECT_EQ(s.state, State::grace);
  EXPECT_EQ(s.deadline, kNow + 7 * kDay);
  EXPECT_EQ(s.failing_since.at("biometrics"), kNow);

  // Still failing a day later: same deadline, same since.
  auto later = next_standing(s, {failing("biometrics", Enforcement::grace, 7 * kDay)}, kNow + kDay, *p);
  EXPECT_EQ(later.state, State::grace);
  EXPECT_EQ(later.deadline, kNow + 7 * kDay);
  EXPECT_EQ(later.since, kNow);

  // The deadline passes: noncompliant.
  auto overdue = next_standing(later, {failing("biometrics", Enforcement::grace, 7 * kDay)}, kNow + 7 * kDay, *p);
  EXPECT_EQ(overdue.state, State::noncompliant);
  EXPECT_EQ(overdue.since, kNow + 7 * kDay);

  // Noncompliant for quarantine_after (14 d): quarantined, and it stays so.
  auto q = next_standing(overdue, {failing("biometrics", Enforcement::grace, 7 * kDay)}, kNow + 21 * kDay, *p);
  EXPECT_EQ(q.state, State::quarantined);
  auto still = next_standing(q, {failing("encryption", Enforcement::block)}, kNow + 22 * kDay, *p);
  EXPECT_EQ(still.state, State::quarantined);

  // Fixed: compliant again, no failing checks remembered.
  auto fixed = next_standing(still, {}, kNow + 23 * kDay, *p);
  EXPECT_EQ(fixed.state, State::compliant);
  EXPECT_TRUE(fixed.failing_since.empty());
  EXPECT_EQ(fixed.since, kNow + 23 * kDay);
}

TEST(StateMachine, BlockQuarantineAndReportLevels) {
  auto p = policy();
  Standing s;
  EXPECT_EQ(next_standing(s, {failing("app_catalogue", Enforcement::report)}, kNow, *p).state, State::compliant);
  EXPECT_EQ(next_standing(s, {failing("encryption", Enforcement::block)}, kNow, *p).state, State::noncompliant);
  EXPECT_EQ(next_standing(s, {failing("jailbreak", Enforcement::block, 0, true)}, kNow, *p).state, State::quarantined);
  // A grace check whose clock started long ago is overdue at once.
  Standing old;
  old.failing_since["passcode"] = kNow - 2 * kDay;
  EXPECT_EQ(next_standing(old, {failing("passcode", Enforcement::grace, kDay)}, kNow, *p).state, State::noncompliant);
  // A check with its own deadline (patch SLA) uses it.
  Finding sla = failing("patch_sla", Enforcement::grace);
  sla.deadline = kNow + 3600;
  auto g = next_standing(s, {sla}, kNow, *p);
  EXPECT_EQ(g.state, State::grace);
  EXPECT_EQ(g.deadline, kNow + 3600);
  EXPECT_EQ(next_standing(g, {sla}, kNow + 3600, *p).state, State::noncompliant);
}

TEST(StateMachine, PatchSlaFromAdvisories) {
  auto p = policy();
  Advisory a;
  a.id = "CVE-2025-0001";
  a.severity = Severity::high;
  a.published = kNow - kDay;
  a.affected.push_back({"os:ios", "", "", "", "", "17.6.2", ""});  // before 17.6.2
  AdvisoryIndex index({a}, p->sla());
  Device d = good_device(Platform::ios, Ownership::corporate);
  auto f = judge(*p, d, &index);
  const Finding* x = find(f, "patch_sla");
  ASSERT_NE(x, nullptr) << checks_of(f);
  EXPECT_EQ(x->deadline, kNow - kDay + 7 * kDay);
  EXPECT_NE(x->message.find("CVE-2025-0001"), std::string::npos);
  auto s = next_standing({}, f, kNow, *p);
  EXPECT_EQ(s.state, State::grace);
  EXPECT_EQ(s.deadline, kNow + 6 * kDay);
  d.os_version = "17.6.2";
  EXPECT_EQ(find(judge(*p, d, &index), "patch_sla"), nullptr);
}

}  // namespace
}  // namespace wardline::posture
