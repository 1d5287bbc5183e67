// Runbooks and drills: the shipped runbooks load and cover every incident
// type, a bad runbook says where and how to fix it, drills on both stores,
// and when a runbook is overdue for a drill.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include "response/response.h"
#include "support/test_support.h"

namespace wardline::response {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kDay = 86400;
constexpr std::chrono::seconds kYear{365 * kDay};

const char* kMinimal = R"(title: Lost device
incident_type: lost_device
owner: IT Service Desk
steps:
  - id: lock
    title: Lock it
    action: device.lock
  - id: tell
    title: Tell the Privacy Officer
    owner: Privacy Officer
)";

std::string source_dir() {
  const char* d = std::getenv("WARDLINE_SOURCE_DIR");
  return d ? d : "";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// The parse error of `yaml`, or a failure when it parses.
std::string error_of(const std::string& yaml) {
  auto rb = parse_runbook(yaml, "test", "runbooks/test.yaml");
  if (rb) {
    ADD_FAILURE() << "parsed, expected an error:\n" << yaml;
    return {};
  }
  EXPECT_EQ(rb.error().code, "invalid_runbook");
  return rb.error().message;
}

// ------------------------------------------------------------------ runbooks

TEST(RunbookShipped, EveryShippedRunbookLoadsAndTheyCoverEveryIncidentType) {
  ASSERT_FALSE(source_dir().empty()) << "set WARDLINE_SOURCE_DIR to the source tree";
  auto all = load_runbooks(source_dir() + "/runbooks");
  ASSERT_TRUE(all) << all.error().message;
  std::vector<std::string> names;
  std::set<std::string> types;
  for (const auto& rb : *all) {
    names.push_back(rb.name);
    types.insert(rb.incident_type);
    EXPECT_GE(rb.steps.size(), 5u) << rb.name;
    EXPECT_LE(rb.steps.size(), 10u) << rb.name;
    EXPECT_FALSE(rb.description.empty()) << rb.name;
    bool acts = false;
    for (const auto& s : rb.steps) {
      EXPECT_FALSE(s.details.empty()) << rb.name << "/" << s.id;
      acts = acts || !s.action.empty();
    }
    EXPECT_TRUE(acts) << rb.name << " uses no Wardline action";
  }
  EXPECT_EQ(names, (std::vector<std::string>{"credential-compromise", "intel-hit", "lost-device", "malicious-app",
                                             "smishing-campaign"}));
  EXPECT_EQ(types, std::set<std::string>(incident_types().begin(), incident_types().end()));
}

TEST(RunbookShipped, LostDeviceLocksBeforeItWipesAndEndsWithThePrivacyOfficer) {
  auto all = load_runbooks(source_dir() + "/runbooks");
  ASSERT_TRUE(all) << all.error().message;
  const Runbook* lost = nullptr;
  for (const auto& rb : *all)
    if (rb.name == "lost-device") lost = &rb;
  ASSERT_NE(lost, nullptr);
  std::vector<std::string> actions;
  bool privacy = false;
  for (const auto& s : lost->steps) {
    if (!s.action.empty()) actions.push_back(s.action);
    privacy = privacy || s.owner == "Privacy Officer";
  }
  auto at = [&](const std::string& a) { return std::find(actions.begin(), actions.end(), a) - actions.begin(); };
  EXPECT_LT(at("device.lock"), at("device.wipe"));
  EXPECT_LT(at("device.wipe"), static_cast<long>(actions.size()));
  EXPECT_TRUE(privacy);
}

TEST(RunbookParse, ReadsEveryFieldAndStepsDefaultToTheRunbookOwner) {
  auto rb = parse_runbook(kMinimal, "lost-device", "lost-device.yaml");
  ASSERT_TRUE(rb) << rb.error().message;
  EXPECT_EQ(rb->name, "lost-device");
  EXPECT_EQ(rb->title, "Lost device");
  EXPECT_EQ(rb->incident_type, "lost_device");
  ASSERT_EQ(rb->steps.size(), 2u);
  EXPECT_EQ(rb->steps[0].id, "lock");
  EXPECT_EQ(rb->steps[0].owner, "IT Service Desk");
  EXPECT_EQ(rb->steps[0].action, "device.lock");
  EXPECT_EQ(rb->steps[1].owner, "Privacy Officer");
  EXPECT_EQ(rb->steps[1].action, "");
}

TEST(RunbookParse, TheActionCatalogueNamesEachApiCall) {
  std::set<std::string> names;
  for (const auto& a : runbook_actions()) {
    EXPECT_TRUE(names.insert(a.name).second) << a.name;
    EXPECT_TRUE(a.method == "GET" || a.method == "POST") << a.name;
    EXPECT_TRUE(a.path.starts_with("/api/v1/")) << a.name;
    EXPECT_FALSE(a.what.empty()) << a.name;
  }
  EXPECT_EQ(names.size(), 11u);
  EXPECT_TRUE(names.count("device.wipe"));
}

TEST(RunbookParse, UnknownKeyNamesTheLineAndTheKeysAllowed) {
  std::string e = error_of(std::string(kMinimal) + "    colour: red\n");
  EXPECT_NE(e.find("runbooks/test.yaml:11:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'colour'"), std::string::npos) << e;
  EXPECT_NE(e.find("id, title, owner, action, details"), std::string::npos) << e;
  e = error_of(std::string(kMinimal) + "severity: high\n");
  EXPECT_NE(e.find("runbooks/test.yaml:11:1: unknown key 'severity'"), std::string::npos) << e;
}

TEST(RunbookParse, MistypedActionSuggestsTheRightOne) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("device.lock"), 11, "device.wpie");
  std::string e = error_of(yaml);
  EXPECT_NE(e.find("runbooks/test.yaml:7:13:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown action 'device.wpie'; did you mean 'device.wipe'?"), std::string::npos) << e;
  EXPECT_NE(e.find("audit.search"), std::string::npos) << "lists the actions: " << e;
  yaml.replace(yaml.find("device.wpie"), 11, "reboot");
  e = error_of(yaml);
  EXPECT_EQ(e.find("did you mean"), std::string::npos) << "nothing is close to 'reboot': " << e;
}

TEST(RunbookParse, DuplicateStepIdIsAnError) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("id: tell"), 8, "id: lock");
  std::string e = error_of(yaml);
  EXPECT_NE(e.find("runbooks/test.yaml:8:9:"), std::string::npos) << e;
  EXPECT_NE(e.find("step id 'lock' is used twice"), std::string::npos) << e;
}

TEST(RunbookParse, MissingRequiredFieldsSayWhatToAdd) {
  std::string yaml = kMinimal;
  yaml.erase(0, yaml.find('\n') + 1);  // no title
  std::string e = error_of(yaml);
  EXPECT_NE(e.find("runbooks/test.yaml:1:1: the runbook has no 'title'; add title:"), std::string::npos) << e;

  yaml = kMinimal;
  yaml.erase(yaml.find("    title: Lock it\n"), 19);
  e = error_of(yaml);
  EXPECT_NE(e.find("step 'lock' has no 'title'"), std::string::npos) << e;

  yaml = kMinimal;
  yaml.replace(yaml.find("owner: IT Service Desk"), 22, "owner:");
  e = error_of(yaml);
  EXPECT_NE(e.find("'owner' of the runbook is empty"), std::string::npos) << e;
}

TEST(RunbookParse, UnknownIncidentTypeListsTheTypes) {
  std::string yaml = kMinimal;
  yaml.replace(yaml.find("lost_device"), 11, "lost_devices");
  std::string e = error_of(yaml);
  EXPECT_NE(e.find("runbooks/test.yaml:2:16: unknown incident_type 'lost_devices'; did you mean 'lost_device'?"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("Use one of: smishing_campaign, credential_compromise"), std::string::npos) << e;
}

TEST(RunbookParse, StepsMustBeANonEmptyListOfWellNamedSteps) {
  std::string head = "title: t\nincident_type: intel_hit\nowner: o\n";
  EXPECT_NE(error_of(head + "steps: []\n").find("test.yaml:4:8: steps must be a non-empty list"), std::string::npos);
  EXPECT_NE(error_of(head).find("has no steps"), std::string::npos);
  EXPECT_NE(error_of(head + "steps: lock it\n").find("non-empty list"), std::string::npos);
  EXPECT_NE(error_of(head + "steps:\n  - just text\n").find("step 1 must be a map"), std::string::npos);
  EXPECT_NE(error_of(head + "steps:\n  - {id: Lock Now, title: x}\n").find("a-z, 0-9"), std::string::npos);
  EXPECT_NE(error_of(head + "steps:\n  - {id: a, title: x, title: y}\n").find("'title' appears twice"), std::string::npos);
  std::string many = head + "steps:\n";
  for (int i = 0; i < 201; ++i) many += "  - {id: s" + std::to_string(i) + ", title: x}\n";
  EXPECT_NE(error_of(many).find("at most 200 steps"), std::string::npos);
}

TEST(RunbookParse, NotYamlOrNotAMapOrTooLargeIsAnErrorNotAThrow) {
  std::string e = error_of("title: [unclosed\nowner: x\n");
  EXPECT_NE(e.find("runbooks/test.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("not a valid runbook"), std::string::npos) << e;
  EXPECT_NE(error_of("- a\n- b\n").find("a runbook is a map"), std::string::npos);
  EXPECT_NE(error_of("").find("runbooks/test.yaml: a runbook is a map"), std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "description: \"" + std::string(1 << 20, 'x') + "\"\n").find("1 MiB"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(100000, '[')).find("runbooks/test.yaml"), std::string::npos);
}

TEST(RunbookLoad, ReadsYamlFilesSortedByNameAndSkipsOthers) {
  testing::TempDir dir;
  std::string b = kMinimal, a = kMinimal;
  write(dir.path() + "/b-lost.yaml", b);
  write(dir.path() + "/a-lost.yaml", a);
  write(dir.path() + "/README.md", "not a runbook");
  write(dir.path() + "/c-lost.yaml.orig", "not: [yaml");
  auto all = load_runbooks(dir.path());
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a-lost");
  EXPECT_EQ((*all)[1].name, "b-lost");
}

TEST(RunbookLoad, ABadFileNamesItself) {
  testing::TempDir dir;
  write(dir.path() + "/good.yaml", kMinimal);
  write(dir.path() + "/typo.yaml", std::string(kMinimal) + "ownr: x\n");
  auto all = load_runbooks(dir.path());
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().message.find(dir.path() + "/typo.yaml:11:1: unknown key 'ownr' in the runbook; did you mean 'owner'?"),
            std::string::npos)
      << all.error().message;
}

TEST(RunbookLoad, TwoRunbooksWithOneNameAreRefused) {
  testing::TempDir dir;
  write(dir.path() + "/lost-device.yaml", kMinimal);
  write(dir.path() + "/Lost-Device.yaml", kMinimal);
  auto all = load_runbooks(dir.path());
  ASSERT_FALSE(all);
  EXPECT_NE(all.error().message.find("'Lost-Device.yaml' and 'lost-device.yaml'"), std::string::npos)
      << all.error().message;
  EXPECT_NE(all.error().message.find("rename or remove one"), std::string::npos) << all.error().message;
}

TEST(RunbookLoad, AMissingDirectoryIsAClearError) {
  testing::TempDir dir;
  auto all = load_runbooks(dir.path() + "/nowhere");
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, "unreadable");
  EXPECT_NE(all.error().message.find("cannot read the runbooks directory '" + dir.path() + "/nowhere'"),
            std::string::npos)
      << all.error().message;
  EXPECT_NE(all.error().message.find("response.runbooks_dir"), std::string::npos) << all.error().message;
}

// ------------------------------------------------------------------ drills

Drill drill(const std::string& runbook, int64_t started_at, DrillResult result = DrillResult::passed) {
  Drill d;
  d.runbook = runbook;
  d.started_at = started_at;
  d.finished_at = started_at + 3600;
  d.participants = {"kim", "lee"};
  d.recorded_by = "kim";
  d.result = result;
  if (result == DrillResult::failed) d.failures = {"the wipe reached the MDM only after 40 minutes"};
  return d;
}

TEST(DrillResultNames, RoundTrip) {
  for (auto r : {DrillResult::passed, DrillResult::failed}) EXPECT_EQ(parse_drill_result(name_of(r)), r);
  EXPECT_FALSE(parse_drill_result("ok"));
}

class DrillStore : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    book_ = std::make_unique<DrillBook>(*store_);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<DrillBook> book_;
};

TEST_P(DrillStore, RecordFillsAnIdAndKeepsEveryField) {
  Drill d = drill("lost-device", kNow - 10 * kDay, DrillResult::failed);
  d.notes = "ran the wipe on the test iPhone";
  d.action_id = "act_TEST";
  auto r = book_->record(d);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->id.starts_with("drl_")) << r->id;
  auto got = book_->list("lost-device", 10);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  const Drill& g = got->front();
  EXPECT_EQ(g.id, r->id);
  EXPECT_EQ(g.runbook, "lost-device");
  EXPECT_EQ(g.started_at, d.started_at);
  EXPECT_EQ(g.finished_at, d.finished_at);
  EXPECT_EQ(g.participants, d.participants);
  EXPECT_EQ(g.recorded_by, "kim");
  EXPECT_EQ(g.result, DrillResult::failed);
  EXPECT_EQ(g.failures, d.failures);
  EXPECT_EQ(g.notes, d.notes);
  EXPECT_EQ(g.action_id, "act_TEST");
}

TEST_P(DrillStore, RecordRefusesAnIncompleteDrill) {
  auto refused = [&](Drill d, const std::string& field) {
    auto r = book_->record(std::move(d));
    ASSERT_FALSE(r) << field;
    EXPECT_EQ(r.error().code, "invalid_drill");
    EXPECT_EQ(r.error().field, field);
  };
  Drill d = drill("lost-device", kNow);
  d.runbook = "";
  refused(d, "runbook");
  d = drill("lost-device", 0);
  refused(d, "started_at");
  d = drill("lost-device", kNow);
  d.finished_at = kNow - 1;
  refused(d, "finished_at");
  d = drill("lost-device", kNow);
  d.recorded_by = "";
  refused(d, "recorded_by");
  d = drill("lost-device", kNow, DrillResult::failed);
  d.failures = {""};
  refused(d, "failures");
  d = drill("lost-device", kNow);
  d.finished_at = 0;  // still running: fine
  EXPECT_TRUE(book_->record(d));
  auto all = book_->list("", 10);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 1u);
}

TEST_P(DrillStore, ListIsNewestFirstFilteredAndLimited) {
  for (int64_t at : {kNow - 300, kNow - 100, kNow - 200}) ASSERT_TRUE(book_->record(drill("lost-device", at)));
  ASSERT_TRUE(book_->record(drill("intel-hit", kNow - 50)));
  auto lost = book_->list("lost-device", 10);
  ASSERT_TRUE(lost) << lost.error().message;
  ASSERT_EQ(lost->size(), 3u);
  EXPECT_EQ((*lost)[0].started_at, kNow - 100);
  EXPECT_EQ((*lost)[1].started_at, kNow - 200);
  EXPECT_EQ((*lost)[2].started_at, kNow - 300);
  auto all = book_->list("", 2);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].runbook, "intel-hit");
  EXPECT_EQ((*all)[1].started_at, kNow - 100);
  EXPECT_FALSE(book_->list("", 0));
}

TEST_P(DrillStore, LatestIsTheNewestDrillOfEachRunbook) {
  auto empty = book_->latest();
  ASSERT_TRUE(empty) << empty.error().message;
  EXPECT_TRUE(empty->empty());
  ASSERT_TRUE(book_->record(drill("lost-device", kNow - 400 * kDay)));
  ASSERT_TRUE(book_->record(drill("lost-device", kNow - 30 * kDay, DrillResult::failed)));
  ASSERT_TRUE(book_->record(drill("lost-device", kNow - 200 * kDay)));
  ASSERT_TRUE(book_->record(drill("intel-hit", kNow - 5 * kDay)));
  auto latest = book_->latest();
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ(latest->at("lost-device").started_at, kNow - 30 * kDay);
  EXPECT_EQ(latest->at("lost-device").result, DrillResult::failed);
  EXPECT_EQ(latest->at("intel-hit").started_at, kNow - 5 * kDay);
}

INSTANTIATE_TEST_SUITE_P(Stores, DrillStore, ::testing::ValuesIn(testing::kStoreKinds));

// ------------------------------------------------------------------ status

std::vector<Runbook> lost_device_only() {
  auto rb = parse_runbook(kMinimal, "lost-device", "lost-device.yaml");
  EXPECT_TRUE(rb);
  return {*rb};
}

TEST(RunbookStatus, NeverDrilledIsOverdue) {
  auto st = runbook_status(lost_device_only(), {}, kNow, kYear);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].runbook, "lost-device");
  EXPECT_EQ(st[0].last_tested, 0);
  EXPECT_EQ(st[0].last_result, "");
  EXPECT_EQ(st[0].due, 0);
  EXPECT_TRUE(st[0].overdue);
  EXPECT_EQ(st[0].warning, "runbook 'lost-device' has never been drilled; record a drill (POST /api/v1/drills)");
}

TEST(RunbookStatus, DrilledElevenMonthsAgoIsFine) {
  std::map<std::string, Drill> latest{{"lost-device", drill("lost-device", kNow - 335 * kDay)}};
  auto st = runbook_status(lost_device_only(), latest, kNow, kYear);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].last_tested, kNow - 335 * kDay);
  EXPECT_EQ(st[0].last_result, "passed");
  EXPECT_EQ(st[0].due, kNow + 30 * kDay);
  EXPECT_FALSE(st[0].overdue);
  EXPECT_EQ(st[0].warning, "");
}

TEST(RunbookStatus, DrilledThirteenMonthsAgoIsOverdueWithDates) {
  std::map<std::string, Drill> latest{{"lost-device", drill("lost-device", kNow - 395 * kDay)}};
  auto st = runbook_status(lost_device_only(), latest, kNow, kYear);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_TRUE(st[0].overdue);
  EXPECT_EQ(st[0].due, kNow - 30 * kDay);
  EXPECT_EQ(st[0].warning,
            "runbook 'lost-device' was last drilled on 2024-12-02, more than 12 months ago (due 2025-12-02); "
            "run a drill and record it (POST /api/v1/drills)");
  // Due is due: a drill exactly one interval ago is overdue.
  latest["lost-device"].started_at = kNow - kYear.count();
  EXPECT_TRUE(runbook_status(lost_device_only(), latest, kNow, kYear)[0].overdue);
}

TEST(RunbookStatus, AnIntervalThatIsNotWholeMonthsIsSaidInDays) {
  std::map<std::string, Drill> latest{{"lost-device", drill("lost-device", kNow - 50 * kDay)}};
  auto st = runbook_status(lost_device_only(), latest, kNow, std::chrono::seconds(45 * kDay));
  EXPECT_NE(st[0].warning.find("more than 45 days ago"), std::string::npos) << st[0].warning;
  st = runbook_status(lost_device_only(), latest, kNow, std::chrono::seconds(30 * kDay));
  EXPECT_NE(st[0].warning.find("more than 1 month ago"), std::string::npos) << st[0].warning;
}

TEST(RunbookStatus, AFailedLastDrillWarnsButIsNotOverdue) {
  std::map<std::string, Drill> latest{{"lost-device", drill("lost-device", kNow - 30 * kDay, DrillResult::failed)}};
  auto st = runbook_status(lost_device_only(), latest, kNow, kYear);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_FALSE(st[0].overdue);
  EXPECT_EQ(st[0].last_result, "failed");
  EXPECT_EQ(st[0].warning,
            "the last drill of runbook 'lost-device' failed: the wipe reached the MDM only after 40 minutes; "
            "fix what failed and drill it again");
  // Failed and overdue: both are said.
  st = runbook_status(lost_device_only(), latest, kNow + kYear.count(), kYear);
  EXPECT_TRUE(st[0].overdue);
  EXPECT_NE(st[0].warning.find("more than 12 months ago"), std::string::npos) << st[0].warning;
  EXPECT_NE(st[0].warning.find("; also the last drill of runbook 'lost-device' failed"), std::string::npos)
      << st[0].warning;
}

TEST(RunbookStatus, DrillsOfOtherRunbooksDoNotCount) {
  std::map<std::string, Drill> latest{{"intel-hit", drill("intel-hit", kNow - kDay)}};
  auto st = runbook_status(lost_device_only(), latest, kNow, kYear);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_TRUE(st[0].overdue);
}

}  // namespace
}  // namespace wardline::response
