// The device inventory on both stores: put and evaluate, filters and paging,
// re-evaluation as time passes, undo, and the reports.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "posture/posture.h"
#include "support/test_support.h"

namespace wardline::posture {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kDay = 86400;

const char* kPolicy = R"(
flagged_permissions: [microphone, contacts]
catalogue:
  - {id: com.epic.haiku, min_version: "10.4"}
rules:
  - checks:
      encryption: block
      jailbreak: {enforcement: block, quarantine: true}
      biometrics: {enforcement: grace, grace: 7d}
      app_versions: report
      app_catalogue: report
      app_permissions: report
      sideloading: report
      patch_sla: grace
  - match: {ownership: byod}
    checks:
      management: {require: [mam, work_profile]}
)";

Device device(const std::string& id, Platform platform, Ownership ownership) {
  Device d;
  d.id = id;
  d.source = "json";
  d.platform = platform;
  d.os_version = platform == Platform::android ? "14" : "17.6";
  d.ownership = ownership;
  d.management = ownership == Ownership::byod ? Management::mam : Management::mdm;
  d.user = id + "@lakesidemed.org";
  d.encrypted = true;
  d.biometrics = true;
  d.jailbroken = false;
  d.apps.push_back({"com.epic.haiku", "Haiku", "10.5", AppSource::store, {}});
  return d;
}

class Inventory : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    auto p = Policy::parse(kPolicy, "test.yaml");
    ASSERT_TRUE(p) << p.error().message;
    policy_ = *p;
    Advisory a;
    a.id = "CVE-2025-1111";
    a.sources = {"nvd"};
    a.severity = Severity::medium;
    a.published = kNow - 40 * kDay;  // medium: 30 d, so overdue
    a.affected.push_back({"app:com.epic.haiku", "", "", "", "", "10.6", ""});
    advisories_ = std::make_shared<const AdvisoryIndex>(std::vector<Advisory>{a}, policy_->sla());
    inv_ = std::make_unique<DeviceInventory>(*store_, policy_, nullptr);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<const Policy> policy_;
  std::shared_ptr<const AdvisoryIndex> advisories_;
  std::unique_ptr<DeviceInventory> inv_;
};

TEST_P(Inventory, PutEvaluatesAndReportsOnlyStateChanges) {
  Device ok = device("a-ok", Platform::ios, Ownership::corporate);
  Device bad = device("b-bad", Platform::android, Ownership::byod);
  bad.encrypted = false;
  Device soon = device("c-grace", Platform::ios, Ownership::byod);
  soon.biometrics = false;
  auto changes = inv_->put({ok, bad, soon}, kNow);
  ASSERT_TRUE(changes) << changes.error().message;
  // New compliant devices are no change; the other two are.
  ASSERT_EQ(changes->size(), 2u);
  EXPECT_EQ((*changes)[0].device_id, "b-bad");
  EXPECT_FALSE((*changes)[0].from.has_value());
  EXPECT_EQ((*changes)[0].to, State::noncompliant);
  EXPECT_EQ((*changes)[0].checks, std::vector<std::string>{"encryption"});
  EXPECT_EQ((*changes)[1].to, State::grace);

  auto got = inv_->get("c-grace");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->standing.state, State::grace);
  EXPECT_EQ((*got)->standing.deadline, kNow + 7 * kDay);
  EXPECT_EQ((*got)->device.user, "c-grace@lakesidemed.org");
  ASSERT_EQ((*got)->device.apps.size(), 1u);
  EXPECT_EQ((*got)->device.apps[0].version, "10.5");
  EXPECT_FALSE(explain_check((*got)->standing.findings.at(0).check).why.empty());

  // The same device again, unchanged: no change to report.
  auto again = inv_->put({soon}, kNow + kDay);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
  auto summary = inv_->summary("b-bad");
  ASSERT_TRUE(summary && *summary);
  EXPECT_EQ((*summary)->state, State::noncompliant);
  EXPECT_EQ((*summary)->ownership, Ownership::byod);
  EXPECT_EQ((*summary)->user, "b-bad@lakesidemed.org");
  EXPECT_FALSE(inv_->summary("nope")->has_value());
  auto missing = inv_->get("nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

// Summaries (what access decisions read) are kept in memory: a write through
// the same inventory shows at once, one by another daemon once they expire.
TEST_P(Inventory, SummariesFollowOwnWritesAtOnceAndOthersAfterTheirTimeToLive) {
  using namespace std::chrono_literals;
  auto state_of = [](DeviceInventory& inv, const std::string& id) {
    auto s = inv.summary(id);
    EXPECT_TRUE(s) << s.error().message;
    return s && *s ? std::optional<State>((*s)->state) : std::nullopt;
  };
  DeviceInventory other(*store_, policy_, nullptr, 0ms);  // another daemon: reads the store every time
  Device d = device("a-dev", Platform::ios, Ownership::corporate);
  EXPECT_EQ(state_of(*inv_, "a-dev"), std::nullopt);
  ASSERT_TRUE(inv_->put({d}, kNow));
  auto read_at = std::chrono::steady_clock::now();
  EXPECT_EQ(state_of(*inv_, "a-dev"), State::compliant) << "an unknown device enrolled here is known at once";

  d.encrypted = false;
  ASSERT_TRUE(other.put({d}, kNow));
  EXPECT_EQ(state_of(other, "a-dev"), State::noncompliant);
  if (std::chrono::steady_clock::now() - read_at < DeviceInventory::kSummaryTtl) {
    EXPECT_EQ(state_of(*inv_, "a-dev"), State::compliant) << "answered from memory";
  }
  ASSERT_TRUE(inv_->put({device("b-dev", Platform::ios, Ownership::corporate)}, kNow));
  EXPECT_EQ(state_of(*inv_, "a-dev"), State::noncompliant) << "a write here drops what was kept";

  DeviceInventory brief(*store_, policy_, nullptr, 100ms);
  EXPECT_EQ(state_of(brief, "a-dev"), State::noncompliant);
  d.encrypted = true;
  ASSERT_TRUE(other.put({d}, kNow));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(state_of(brief, "a-dev"), State::compliant) << "expired: read again";
}

TEST_P(Inventory, ReevaluationMovesGraceToNoncompliantAndFixesClear) {
  Device d = device("d1", Platform::ios, Ownership::corporate);
  d.biometrics = false;
  ASSERT_TRUE(inv_->put({d}, kNow));
  auto quiet = inv_->reevaluate(kNow + kDay);
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(quiet->empty());
  auto overdue = inv_->reevaluate(kNow + 8 * kDay);
  ASSERT_TRUE(overdue) << overdue.error().message;
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].from, State::grace);
  EXPECT_EQ((*overdue)[0].to, State::noncompliant);

  // Undo puts the previous standing back (an audit write failed).
  ASSERT_TRUE(inv_->undo(*overdue));
  EXPECT_EQ((*inv_->get("d1"))->standing.state, State::grace);

  d.biometrics = true;
  auto fixed = inv_->put({d}, kNow + 9 * kDay);
  ASSERT_TRUE(fixed);
  ASSERT_EQ(fixed->size(), 1u);
  EXPECT_EQ((*fixed)[0].to, State::compliant);
}

TEST_P(Inventory, UndoRemovesDevicesThatWereNew) {
  Device d = device("new1", Platform::ios, Ownership::corporate);
  d.jailbroken = true;
  auto changes = inv_->put({d}, kNow);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].to, State::quarantined);
  ASSERT_TRUE(inv_->undo(*changes));
  EXPECT_FALSE(inv_->get("new1")->has_value());
}

TEST_P(Inventory, AddressesNameTheDeviceThatReportedThemLast) {
  Device a = device("addr-a", Platform::ios, Ownership::corporate);
  a.ip_addresses = {"10.20.1.17", "FE80::1"};
  ASSERT_TRUE(inv_->put({a}, kNow));
  auto found = inv_->find_by_address(" fe80::1");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->device.id, "addr-a");
  EXPECT_EQ((*found)->device.user, "addr-a@lakesidemed.org");
  // DHCP gives the address to another device: the newer report wins.
  Device b = device("addr-b", Platform::android, Ownership::byod);
  b.ip_addresses = {"10.20.1.17"};
  ASSERT_TRUE(inv_->put({b}, kNow + 60));
  EXPECT_EQ((*inv_->find_by_address("10.20.1.17"))->device.id, "addr-b");
  // A device that stops reporting an address lets it go.
  a.ip_addresses = {"10.20.1.99"};
  ASSERT_TRUE(inv_->put({a}, kNow + 120));
  EXPECT_FALSE(inv_->find_by_address("fe80::1")->has_value());
  EXPECT_EQ((*inv_->find_by_address("10.20.1.99"))->device.id, "addr-a");
  EXPECT_FALSE(inv_->find_by_address("192.0.2.1")->has_value());
}

TEST_P(Inventory, ListFiltersAndPages) {
  std::vector<Device> all;
  for (int i = 0; i < 7; ++i) {
    Device d = device("dev-" + std::to_string(i), i % 2 ? Platform::android : Platform::ios,
                      i < 4 ? Ownership::corporate : Ownership::byod);
    if (i == 5) d.encrypted = false;
    all.push_back(d);
  }
  ASSERT_TRUE(inv_->put(all, kNow));
  std::vector<std::string> seen;
  std::string cursor;
  do {
    auto page = inv_->list({}, cursor, 3);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_LE(page->devices.size(), 3u);
    for (const auto& r : page->devices) seen.push_back(r.device.id);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  auto android = inv_->list({"", "", "android", "", ""}, "", 100);
  EXPECT_EQ(android->devices.size(), 3u);
  auto byod = inv_->list({"", "byod", "", "", ""}, "", 100);
  EXPECT_EQ(byod->devices.size(), 3u);
  auto bad = inv_->list({"noncompliant", "", "", "", ""}, "", 100);
  ASSERT_EQ(bad->devices.size(), 1u);
  EXPECT_EQ(bad->devices[0].device.id, "dev-5");
  auto by_check = inv_->list({"", "", "", "", "encryption"}, "", 100);
  ASSERT_EQ(by_check->devices.size(), 1u);
  auto by_user = inv_->list({"", "", "", "dev-2@lakesidemed.org", ""}, "", 100);
  ASSERT_EQ(by_user->devices.size(), 1u);
  EXPECT_EQ(*inv_->count(), 7u);
}

TEST_P(Inventory, NewAdvisoriesApplyOnReevaluation) {
  Device d = device("p1", Platform::ios, Ownership::corporate);
  ASSERT_TRUE(inv_->put({d}, kNow));
  inv_->use(policy_, advisories_);
  auto changes = inv_->reevaluate(kNow);
  ASSERT_TRUE(changes);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->at(0).to, State::noncompliant);  // the SLA passed 10 days ago
  EXPECT_EQ(changes->at(0).checks, std::vector<std::string>{"patch_sla"});
}

TEST_P(Inventory, Reports) {
  inv_->use(policy_, advisories_);
  Device a = device("r1", Platform::ios, Ownership::corporate);
  a.apps.push_back({"com.whatsapp", "WhatsApp", "2.24", AppSource::store, {"contacts", "microphone"}});
  Device b = device("r2", Platform::android, Ownership::byod);
  b.apps[0].version = "10.3";
  b.apps.push_back({"com.whatsapp", "WhatsApp", "2.25", AppSource::store, {}});
  b.apps.push_back({"net.sideloaded.tool", "Tool", "1", AppSource::sideloaded, {}});
  Device c = device("r3", Platform::android, Ownership::byod);
  c.encrypted = false;
  c.apps[0].version = "10.6";  // patched
  ASSERT_TRUE(inv_->put({a, b, c}, kNow));

  auto fleet = render_report(*inv_, ReportKind::fleet, ReportFormat::json, kNow);
  ASSERT_TRUE(fleet) << fleet.error().message;
  auto fj = nlohmann::json::parse(*fleet);
  EXPECT_EQ(fj["report"], "fleet");
  EXPECT_EQ(fj["summary"]["devices"], 3);
  EXPECT_EQ(fj["summary"]["noncompliant"], 3);  // two overdue patches, one unencrypted
  ASSERT_EQ(fj["rows"].size(), 2u);
  EXPECT_EQ(fj["rows"][0]["ownership"], "byod");
  EXPECT_EQ(fj["rows"][0]["devices"], 2);

  auto apps = render_report(*inv_, ReportKind::app_audit, ReportFormat::csv, kNow);
  ASSERT_TRUE(apps);
  EXPECT_EQ(apps->substr(0, apps->find('\n')), "app_id,app_name,finding,devices,versions,detail");
  EXPECT_NE(apps->find("com.whatsapp,WhatsApp,outside_catalogue,2,2.24 2.25,"), std::string::npos) << *apps;
  EXPECT_NE(apps->find("com.epic.haiku,Haiku,outdated,1,10.3,minimum 10.4"), std::string::npos) << *apps;
  EXPECT_NE(apps->find("net.sideloaded.tool,Tool,sideloaded,1"), std::string::npos) << *apps;
  EXPECT_NE(apps->find("com.whatsapp,WhatsApp,excessive_permissions,1,2.24,contacts microphone"), std::string::npos) << *apps;

  auto sla = render_report(*inv_, ReportKind::patch_sla, ReportFormat::json, kNow);
  ASSERT_TRUE(sla);
  auto sj = nlohmann::json::parse(*sla);
  ASSERT_EQ(sj["rows"].size(), 1u);
  EXPECT_EQ(sj["rows"][0]["advisory"], "CVE-2025-1111");
  EXPECT_EQ(sj["rows"][0]["devices"], 2);
  EXPECT_EQ(sj["rows"][0]["status"], "overdue");
  EXPECT_EQ(sj["summary"]["medium"]["overdue"], 2);

  auto text = render_report(*inv_, ReportKind::patch_sla, ReportFormat::text, kNow);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("patch-sla report"), std::string::npos);
  EXPECT_NE(text->find("CVE-2025-1111"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, Inventory, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::posture
