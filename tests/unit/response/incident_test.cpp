// Incidents on both stores: opening with the runbook of the type, items,
// status changes on the timeline, paging, and finding the open incident of an alert.
#include <gtest/gtest.h>

#include "response/response.h"
#include "support/test_support.h"

namespace wardline::response {
namespace {

constexpr int64_t kNow = 1796000000;

NewIncident incident(const std::string& title, const std::string& type, const std::string& severity = "medium",
                     const std::string& runbook = "") {
  NewIncident n;
  n.title = title;
  n.type = type;
  n.severity = severity;
  n.runbook = runbook;
  return n;
}

class Incidents : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    book_ = std::make_unique<IncidentBook>(*store_, [this] { return now_; });
    Runbook lost;
    lost.name = "lost-device";
    lost.incident_type = "lost_device";
    runbooks_.push_back(lost);
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<IncidentBook> book_;
  std::vector<Runbook> runbooks_;
  int64_t now_ = kNow;
};

TEST_P(Incidents, OpenWithItemsAndTheRunbookOfItsType) {
  NewIncident n = incident("Stolen iPhone of a 4 North nurse", "lost_device", "high");
  n.owner = "sam";
  n.items.push_back({"device", "corp-1", "quarantined: jailbreak", 0});
  auto i = book_->create(n, "alice", runbooks_);
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->runbook, "lost-device");
  EXPECT_EQ(i->status, IncidentStatus::open);
  EXPECT_EQ(i->created_by, "alice");
  ASSERT_EQ(i->timeline.size(), 2u);
  EXPECT_NE(i->timeline[0].entry.find("opened"), std::string::npos);
  EXPECT_EQ(i->timeline[1].entry, "added device corp-1: quarantined: jailbreak");

  auto got = book_->get(i->id);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ(to_json(**got), to_json(*i));
  auto open = book_->find_open("device", "corp-1");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->value_or(""), i->id);
}

TEST_P(Incidents, BadInputIsRefusedWithTheField) {
  EXPECT_EQ(book_->create(incident("", "lost_device"), "alice", runbooks_).error().field, "title");
  EXPECT_EQ(book_->create(incident("x", "earthquake"), "alice", runbooks_).error().field, "type");
  EXPECT_EQ(book_->create(incident("x", "other", "urgent"), "alice", runbooks_).error().field, "severity");
  EXPECT_EQ(book_->create(incident("x", "other", "low", "no-such-runbook"), "alice", runbooks_).error().field, "runbook");
  NewIncident bad_item = incident("x", "other");
  bad_item.items.push_back({"rumour", "r1", "", 0});
  EXPECT_EQ(book_->create(bad_item, "alice", runbooks_).error().field, "items");
}

TEST_P(Incidents, ChangesLandOnTheTimeline) {
  auto i = book_->create(incident("Payroll smishing wave", "smishing_campaign"), "alice", runbooks_);
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->runbook, "");
  now_ += 60;
  IncidentChange c;
  c.status = IncidentStatus::investigating;
  c.owner = "bob";
  c.note = "HR confirms two direct-deposit change requests";
  c.add_items.push_back({"campaign", "cmp_1", "14 reports", 0});
  c.add_items.push_back({"alert", "alr_9", "", 0});
  auto u = book_->update(i->id, c, "bob");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->status, IncidentStatus::investigating);
  EXPECT_EQ(u->owner, "bob");
  EXPECT_EQ(u->items.size(), 2u);
  EXPECT_EQ(u->updated_at, kNow + 60);
  std::vector<std::string> entries;
  for (const auto& t : u->timeline) entries.push_back(t.actor + ": " + t.entry);
  EXPECT_EQ(entries, (std::vector<std::string>{"alice: opened: Payroll smishing wave", "bob: status open -> investigating",
                                               "bob: owner set to bob", "bob: added campaign cmp_1: 14 reports",
                                               "bob: added alert alr_9",
                                               "bob: note: HR confirms two direct-deposit change requests"}));
  // Adding an item twice does nothing.
  IncidentChange again;
  again.add_items.push_back({"alert", "alr_9", "", 0});
  EXPECT_EQ(book_->update(i->id, again, "bob")->timeline.size(), entries.size());

  IncidentChange close;
  close.status = IncidentStatus::closed;
  ASSERT_TRUE(book_->update(i->id, close, "bob"));
  auto open = book_->find_open("alert", "alr_9");
  ASSERT_TRUE(open);
  EXPECT_FALSE(open->has_value());
  EXPECT_EQ(book_->update("inc_nope", close, "bob").error().code, "not_found");
}

TEST_P(Incidents, ListFiltersAndPages) {
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(book_->create(incident("incident " + std::to_string(k), k % 2 ? "intel_hit" : "malicious_app"), "alice", runbooks_));
    now_ += 1;
  }
  auto first = book_->list({"", "", "", 3, ""});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->incidents.size(), 3u);
  EXPECT_EQ(first->incidents[0].title, "incident 4");
  auto rest = book_->list({"", "", "", 3, first->next_cursor});
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->incidents.size(), 2u);
  EXPECT_EQ(rest->incidents[1].title, "incident 0");
  EXPECT_TRUE(rest->next_cursor.empty());
  auto hits = book_->list({"open", "intel_hit", "", 10, ""});
  ASSERT_TRUE(hits);
  EXPECT_EQ(hits->incidents.size(), 2u);
  EXPECT_EQ(book_->list({"", "", "", 3, "x.y"}).error().code, "invalid_cursor");
}

INSTANTIATE_TEST_SUITE_P(Stores, Incidents, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::response
