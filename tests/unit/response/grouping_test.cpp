// Alerts in the audit log filed into incidents on both stores: one incident
// per device, user or campaign while it is open, a new one once it is closed,
// resuming where the last pass stopped, never replaying history.
#include <gtest/gtest.h>

#include "audit/audit.h"
#include "response/response.h"
#include "siem/siem.h"
#include "support/test_support.h"

namespace wardline::response {
namespace {

siem::SecurityEvent alert(const std::string& type, const std::string& subject, std::map<std::string, std::string> details) {
  auto e = siem::make_event(type, type == "posture.state_change" ? "success" : "failure");
  e.actor = "system";
  e.subject = subject;
  e.details = std::move(details);
  return e;
}

class Grouping : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    auto log = audit::AuditLog::open(*store_, dir_.path() + "/keys/audit.pem");
    ASSERT_TRUE(log) << log.error().message;
    log_ = std::move(*log);
    incidents_ = std::make_unique<IncidentBook>(*store_);
    Runbook intel;
    intel.name = "intel-hit";
    intel.incident_type = "intel_hit";
    grouper_ = std::make_unique<IncidentGrouper>(*store_, *log_, *incidents_,
                                                 std::make_shared<const std::vector<Runbook>>(std::vector<Runbook>{intel}));
  }

  void record(siem::SecurityEvent e) { ASSERT_TRUE(log_->record(std::move(e))); }

  int run() {
    auto n = grouper_->run([this](siem::SecurityEvent& e) -> Status {
      recorded_.push_back(e);
      auto r = log_->record(e);
      return r ? Status() : Status(r.error());
    });
    EXPECT_TRUE(n) << n.error().message;
    return n ? *n : -1;
  }

  std::vector<Incident> all() {
    auto page = incidents_->list({});
    EXPECT_TRUE(page);
    return page ? page->incidents : std::vector<Incident>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<audit::AuditLog> log_;
  std::unique_ptr<IncidentBook> incidents_;
  std::unique_ptr<IncidentGrouper> grouper_;
  std::vector<siem::SecurityEvent> recorded_;
};

TEST_P(Grouping, StartsAtTheEndOfTheLogThenFilesNewAlerts) {
  record(alert("intel.hit", "old.example", {{"indicator", "old.example"}, {"alert", "ia_old"}}));
  EXPECT_EQ(run(), 0);  // history is not replayed
  EXPECT_TRUE(all().empty());

  record(alert("intel.hit", "mychart-verify.example",
               {{"indicator", "mychart-verify.example"}, {"alert", "ia_1"}, {"feeds", "health-isac"}, {"device", "LMC-IPH-0101"},
                {"user", "nurse.demo@lakesidemed.org"}}));
  record(alert("posture.state_change", "LMC-IPH-0101",
               {{"from", "compliant"}, {"to", "quarantined"}, {"checks", "jailbreak"}, {"user", "nurse.demo@lakesidemed.org"}}));
  record(alert("posture.state_change", "LMC-IPH-0102", {{"from", "compliant"}, {"to", "noncompliant"}, {"checks", "encryption"}}));
  EXPECT_EQ(run(), 2);
  auto incidents = all();
  ASSERT_EQ(incidents.size(), 1u);  // the quarantine joins the hit on the same device; non-compliance is no alert
  const Incident& i = incidents[0];
  EXPECT_EQ(i.type, "intel_hit");
  EXPECT_EQ(i.runbook, "intel-hit");
  EXPECT_EQ(i.created_by, "system");
  EXPECT_NE(i.title.find("mychart-verify.example"), std::string::npos);
  std::vector<std::string> items;
  for (const auto& it : i.items) items.push_back(it.kind + ":" + it.ref);
  EXPECT_EQ(items, (std::vector<std::string>{"alert:ia_1", "device:LMC-IPH-0101", "user:nurse.demo@lakesidemed.org"}));
  EXPECT_EQ(i.timeline.back().entry, "note: Device LMC-IPH-0101 quarantined: jailbreak");
  ASSERT_EQ(recorded_.size(), 2u);
  EXPECT_EQ(recorded_[0].type, "incident.change");
  EXPECT_EQ(recorded_[0].actor, "system");
  EXPECT_EQ(recorded_[0].details.at("status"), "open");
  EXPECT_NE(recorded_[1].details.at("change").find("quarantined: jailbreak"), std::string::npos);
  EXPECT_EQ(run(), 0);  // nothing new since
}

TEST_P(Grouping, CampaignsUsersAndClosedIncidents) {
  EXPECT_EQ(run(), 0);
  record(alert("smish.campaign", "cmp_7", {{"reports", "3"}, {"reporters", "3"}, {"departments", "2"}, {"highest_verdict", "malicious"},
                                          {"summary", "new campaign: 3 reports from 3 staff in 2 departments"}}));
  // A hit on an indicator of that campaign joins it.
  record(alert("intel.hit", "payroll-update.example", {{"indicator", "payroll-update.example"}, {"alert", "ia_2"}, {"campaign", "cmp_7"}}));
  record(alert("access.shared_account", "nurse1", {{"reason", "generic account name"}, {"device", "LMC-TAB-0405"}}));
  EXPECT_EQ(run(), 3);
  auto incidents = all();
  ASSERT_EQ(incidents.size(), 2u);
  // Both opened within one second: their order in the list is not defined.
  const Incident& campaign = incidents[0].type == "smishing_campaign" ? incidents[0] : incidents[1];
  const Incident& shared = incidents[0].type == "smishing_campaign" ? incidents[1] : incidents[0];
  EXPECT_EQ(campaign.type, "smishing_campaign");
  EXPECT_EQ(campaign.severity, "high");
  ASSERT_EQ(campaign.items.size(), 2u);
  EXPECT_EQ(campaign.items[1].ref, "ia_2");
  EXPECT_EQ(shared.type, "other");
  EXPECT_EQ(shared.items[0].kind, "shared_account");

  IncidentChange close;
  close.status = IncidentStatus::closed;
  ASSERT_TRUE(incidents_->update(shared.id, close, "ana"));
  record(alert("access.shared_account", "nurse1", {{"reason", "one account on 3 devices at once"}}));
  EXPECT_EQ(run(), 1);
  EXPECT_EQ(all().size(), 3u);  // a closed incident is not reopened: a new one starts
}

TEST_P(Grouping, AnAlertWhoseIncidentCannotBeAuditedWaitsForTheNextPass) {
  EXPECT_EQ(run(), 0);
  record(alert("intel.hit", "evil.example", {{"indicator", "evil.example"}, {"alert", "ia_3"}, {"user", "dr.lee@lakesidemed.org"}}));
  auto refused = grouper_->run([](siem::SecurityEvent&) -> Status { return make_error("audit_unavailable", "read-only"); });
  ASSERT_FALSE(refused);
  EXPECT_TRUE(all().empty());  // taken back
  EXPECT_EQ(run(), 1);
  auto incidents = all();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].items.size(), 2u);
  auto open = incidents_->find_open("user", "dr.lee@lakesidemed.org");
  ASSERT_TRUE(open);
  EXPECT_EQ(open->value_or(""), incidents[0].id);
}

TEST(GroupingFacts, HighEhrAlertsBecomeIncidentsLowOnesDoNot) {
  auto travel = alert("ehr.alert", "jdoe", {{"alert", "ehr_1"}, {"kind", "impossible_travel"}, {"alert_severity", "high"},
                                            {"user", "jdoe"}, {"explanation", "accessed from Lagos 12 min after Main Campus"}});
  auto facts = alert_facts(travel);
  ASSERT_TRUE(facts);
  EXPECT_EQ(facts->type, "credential_compromise");
  EXPECT_EQ(facts->severity, "high");
  EXPECT_EQ(facts->title, "EHR access (impossible_travel) by jdoe: accessed from Lagos 12 min after Main Campus");
  ASSERT_EQ(facts->items.size(), 2u);
  EXPECT_EQ(facts->items[0].kind, "alert");
  EXPECT_EQ(facts->items[0].ref, "ehr_1");
  EXPECT_EQ(facts->items[1].kind, "user");

  auto snooping = alert("ehr.alert", "ann", {{"alert", "ehr_2"}, {"kind", "vip_snooping"}, {"alert_severity", "critical"},
                                             {"explanation", std::string(400, 'x')}});
  auto snoop_facts = alert_facts(snooping);
  ASSERT_TRUE(snoop_facts);
  EXPECT_EQ(snoop_facts->type, "other");
  EXPECT_LE(snoop_facts->title.size(), 300u) << "an incident title has at most 300 bytes";
  snooping.details["likely_compromised"] = "reported a credential-harvesting text";
  EXPECT_EQ(alert_facts(snooping)->type, "credential_compromise");

  auto device = alert("ehr.alert", "bob", {{"alert", "ehr_3"}, {"kind", "new_device"}, {"alert_severity", "low"}});
  EXPECT_FALSE(alert_facts(device)) << "a low alert stays in the EHR alert list";
}

INSTANTIATE_TEST_SUITE_P(Stores, Grouping, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::response
