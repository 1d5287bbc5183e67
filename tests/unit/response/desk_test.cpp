// The response desk on both stores: the wipe Wardline chooses, refusals, the
// two-person rule with expiry, idempotent requests, connector failures, and
// the audit trail of every stage with the right actor.
#include <gtest/gtest.h>

#include "posture/posture.h"
#include "response/response.h"
#include "siem/siem.h"
#include "support/test_support.h"

namespace wardline::response {
namespace {

constexpr int64_t kNow = 1796000000;  // 2026-11-29

// An MDM that answers what the test says and remembers what it was sent.
class FakeMdm : public Connector {
 public:
  explicit FakeMdm(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  DispatchResult send(const Command& c) override {
    sent.push_back(c);
    return next;
  }
  std::vector<Command> sent;
  DispatchResult next{Delivery::accepted, 1, 204, "accepted by the test MDM"};

 private:
  std::string name_;
};

posture::Device device(const std::string& id, posture::Ownership o, posture::Management m, const std::string& source = "intune") {
  posture::Device d;
  d.id = id;
  d.source = source;
  d.platform = posture::Platform::ios;
  d.os_version = "17.6";
  d.ownership = o;
  d.management = m;
  d.user = id + "@lakesidemed.org";
  return d;
}

ActionRequest lock_request(const std::string& device, const std::string& reason) {
  ActionRequest r;
  r.device_id = device;
  r.reason = reason;
  r.actor = "alice";
  return r;
}

class Desk : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = testing::open_test_store(GetParam(), dir_.path());
    ASSERT_NE(store_, nullptr);
    auto policy = posture::Policy::parse("rules:\n  - checks:\n      encryption: report\n", "test.yaml");
    ASSERT_TRUE(policy) << policy.error().message;
    inventory_ = std::make_unique<posture::DeviceInventory>(*store_, *policy, nullptr);
    using posture::Management;
    using posture::Ownership;
    ASSERT_TRUE(inventory_->put({device("corp-1", Ownership::corporate, Management::mdm),
                                 device("byod-1", Ownership::byod, Management::work_profile),
                                 device("byod-mam", Ownership::byod, Management::mam),
                                 device("corp-mam", Ownership::corporate, Management::mam),
                                 device("loose", Ownership::corporate, Management::unmanaged),
                                 device("whose", Ownership::unknown, Management::mdm),
                                 device("jamf-1", Ownership::corporate, Management::mdm, "jamf"),
                                 device("test-phone", Ownership::corporate, Management::mdm)},
                                kNow)
                    .ok());
    make_desk(true);
  }

  void make_desk(bool two_person) {
    ResponseConfig cfg;
    cfg.two_person_full_wipe = two_person;
    cfg.approval_ttl = std::chrono::seconds(3600);
    cfg.test_devices = {"test-phone"};
    auto mdm = std::make_unique<FakeMdm>("intune");
    mdm_ = mdm.get();
    std::vector<std::unique_ptr<Connector>> connectors;
    connectors.push_back(std::move(mdm));
    desk_ = std::make_unique<ResponseDesk>(*store_, *inventory_, cfg, std::move(connectors), [this] { return now_; });
  }

  Recorder recorder() {
    return [this](siem::SecurityEvent& e) -> Status {
      if (refuse_audit_) return make_error("audit_unavailable", "the audit log is read-only");
      events_.push_back(e);
      return {};
    };
  }

  Result<Action> wipe(const std::string& id, WipeAsk ask = WipeAsk::automatic, const std::string& actor = "alice",
                      const std::string& key = "") {
    ActionRequest r{id, true, ask, "reported stolen, ticket INC-1234", actor, key};
    return desk_->request(r, recorder());
  }

  std::vector<std::string> stages() const {
    std::vector<std::string> out;
    for (const auto& e : events_) out.push_back(e.details.at("stage") + ":" + e.actor);
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<posture::DeviceInventory> inventory_;
  std::unique_ptr<ResponseDesk> desk_;
  FakeMdm* mdm_ = nullptr;
  std::vector<siem::SecurityEvent> events_;
  bool refuse_audit_ = false;
  int64_t now_ = kNow;
};

TEST_P(Desk, ByodGetsASelectiveWipeAtOnce) {
  auto a = wipe("byod-1");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->kind, ActionKind::selective_wipe);
  EXPECT_EQ(a->state, ActionState::dispatched);
  ASSERT_EQ(mdm_->sent.size(), 1u);
  EXPECT_EQ(mdm_->sent[0].kind, ActionKind::selective_wipe);
  EXPECT_EQ(mdm_->sent[0].idempotency_key, a->id);
  EXPECT_EQ(mdm_->sent[0].platform, "ios");
  EXPECT_EQ(stages(), (std::vector<std::string>{"requested:alice", "dispatched:alice", "result:system"}));
  EXPECT_EQ(events_[0].type, "device.wipe");
  EXPECT_EQ(events_[0].details.at("wipe_type"), "selective");
  EXPECT_EQ(events_[0].details.at("reason"), "reported stolen, ticket INC-1234");
  EXPECT_EQ(events_[2].outcome, "success");
  auto stored = desk_->get(a->id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->state, ActionState::dispatched);
  EXPECT_EQ((*stored)->result, "accepted by the test MDM");
}

TEST_P(Desk, FullWipeOfAByodDeviceIsRefusedWithTheReason) {
  auto a = wipe("byod-1", WipeAsk::full);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "refused");
  EXPECT_NE(a.error().message.find("personally owned"), std::string::npos);
  EXPECT_NE(a.error().message.find("selective"), std::string::npos);
  EXPECT_TRUE(mdm_->sent.empty());
  EXPECT_TRUE(events_.empty());
}

TEST_P(Desk, OtherRefusals) {
  EXPECT_EQ(wipe("loose").error().code, "refused");                  // nothing enrolled
  EXPECT_EQ(wipe("whose").error().code, "refused");                  // ownership unknown
  EXPECT_EQ(wipe("corp-mam", WipeAsk::full).error().code, "refused"); // app protection only
  EXPECT_EQ(wipe("nowhere").error().code, "not_found");
  auto no_connector = wipe("jamf-1");
  ASSERT_FALSE(no_connector);
  EXPECT_NE(no_connector.error().message.find("response.connectors"), std::string::npos);
  ActionRequest lock = lock_request("byod-mam", "lost");
  EXPECT_EQ(desk_->request(lock, recorder()).error().code, "refused");
  ActionRequest no_reason = lock_request("corp-1", "");
  EXPECT_EQ(desk_->request(no_reason, recorder()).error().code, "invalid_request");
  EXPECT_TRUE(mdm_->sent.empty());
  EXPECT_TRUE(events_.empty());
}

TEST_P(Desk, CorporateMamDeviceGetsASelectiveWipe) {
  auto a = wipe("corp-mam");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->kind, ActionKind::selective_wipe);
}

TEST_P(Desk, FullWipeWaitsForASecondAdministrator) {
  auto a = wipe("corp-1");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->kind, ActionKind::full_wipe);
  EXPECT_EQ(a->state, ActionState::awaiting_approval);
  EXPECT_EQ(a->expires_at, kNow + 3600);
  EXPECT_TRUE(mdm_->sent.empty());
  EXPECT_EQ(events_.back().details.at("approval"), "required");

  auto self = desk_->approve(a->id, "alice", recorder());
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, "forbidden");
  EXPECT_NE(self.error().message.find("two-person"), std::string::npos);
  EXPECT_TRUE(mdm_->sent.empty());

  // A second request for the same wipe does not queue another one.
  EXPECT_EQ(wipe("corp-1", WipeAsk::automatic, "carol").error().code, "conflict");

  now_ += 600;
  auto ok = desk_->approve(a->id, "bob", recorder());
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->state, ActionState::dispatched);
  EXPECT_EQ(ok->approved_by, "bob");
  EXPECT_EQ(ok->approved_at, kNow + 600);
  ASSERT_EQ(mdm_->sent.size(), 1u);
  EXPECT_EQ(mdm_->sent[0].kind, ActionKind::full_wipe);
  EXPECT_EQ(mdm_->sent[0].approved_by, "bob");
  EXPECT_EQ(stages(), (std::vector<std::string>{"requested:alice", "approved:bob", "dispatched:bob", "result:system"}));
  EXPECT_EQ(events_[1].details.at("wipe_type"), "full");
  EXPECT_EQ(events_[1].details.at("requested_by"), "alice");

  auto again = desk_->approve(a->id, "carol", recorder());
  EXPECT_EQ(again.error().code, "conflict");
  EXPECT_EQ(mdm_->sent.size(), 1u);
}

TEST_P(Desk, ApprovalsExpire) {
  auto a = wipe("corp-1");
  ASSERT_TRUE(a) << a.error().message;
  now_ += 3600;
  auto late = desk_->approve(a->id, "bob", recorder());
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "expired");
  EXPECT_TRUE(mdm_->sent.empty());
  auto stored = desk_->get(a->id);
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->state, ActionState::expired);
  EXPECT_EQ(stages(), (std::vector<std::string>{"requested:alice", "expired:system"}));
  // Once expired, a new request may be made.
  EXPECT_TRUE(wipe("corp-1"));
}

TEST_P(Desk, ExpireSweepsStaleRequests) {
  ASSERT_TRUE(wipe("corp-1"));
  now_ += 1800;
  auto none = desk_->expire(recorder());
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0);
  now_ += 1800;
  auto one = desk_->expire(recorder());
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(events_.back().details.at("stage"), "expired");
  EXPECT_EQ(*desk_->expire(recorder()), 0);
}

TEST_P(Desk, TwoPersonRuleCanBeTurnedOff) {
  make_desk(false);
  auto a = wipe("corp-1");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->state, ActionState::dispatched);
  EXPECT_EQ(mdm_->sent.size(), 1u);
}

TEST_P(Desk, ARepeatedRequestKeyNeverWipesTwice) {
  auto first = wipe("byod-1", WipeAsk::automatic, "alice", "key-1");
  ASSERT_TRUE(first) << first.error().message;
  auto second = wipe("byod-1", WipeAsk::automatic, "alice", "key-1");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(mdm_->sent.size(), 1u);
  EXPECT_EQ(events_.size(), 3u);
  // Another administrator's key is another request.
  EXPECT_NE(wipe("byod-1", WipeAsk::automatic, "bob", "key-1")->id, first->id);
}

TEST_P(Desk, ConnectorFailuresAreSurfaced) {
  mdm_->next = {Delivery::failed, 4, 503, "Microsoft Graph answered 503 four times: service unavailable"};
  auto a = wipe("byod-1");
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->state, ActionState::failed);
  EXPECT_EQ(a->attempts, 4);
  EXPECT_EQ(a->http_status, 503);
  EXPECT_NE(a->result.find("503"), std::string::npos);
  EXPECT_EQ(events_.back().outcome, "failure");
  EXPECT_EQ(events_.back().details.at("delivery"), "failed");
  EXPECT_EQ(events_.back().details.at("attempts"), "4");

  mdm_->next = {Delivery::unknown, 1, 0, "no answer after sending; check the Intune admin center"};
  ActionRequest lock = lock_request("corp-1", "lost in cafeteria");
  auto l = desk_->request(lock, recorder());
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_EQ(l->state, ActionState::unknown);
  EXPECT_EQ(events_.back().type, "device.lock");
  EXPECT_EQ(events_.back().details.at("delivery"), "unknown");
}

TEST_P(Desk, NothingIsSentWhenTheRequestCannotBeAudited) {
  refuse_audit_ = true;
  auto a = wipe("byod-1");
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "audit_unavailable");
  EXPECT_TRUE(mdm_->sent.empty());
  auto page = desk_->list({});
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->actions.empty());
}

TEST_P(Desk, DrillsOnlyTouchTestDevicesAndSkipTheSecondApproval) {
  ActionRequest drill{"corp-1", true, WipeAsk::automatic, "annual lost-device drill", "alice", "", true};
  auto refused = desk_->request(drill, recorder());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "refused");
  EXPECT_NE(refused.error().message.find("test device"), std::string::npos);
  drill.device_id = "test-phone";
  auto a = desk_->request(drill, recorder());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->kind, ActionKind::full_wipe);
  EXPECT_EQ(a->state, ActionState::dispatched);
  EXPECT_TRUE(a->drill);
  ASSERT_EQ(mdm_->sent.size(), 1u);
  EXPECT_TRUE(mdm_->sent[0].drill);
  EXPECT_EQ(events_[0].details.at("drill"), "true");
}

TEST_P(Desk, ListsNewestFirstWithCursors) {
  for (const char* id : {"byod-1", "corp-mam", "test-phone"}) {
    ActionRequest lock = lock_request(id, "drill");
    if (std::string(id) == "corp-mam") lock.wipe = true;
    ASSERT_TRUE(desk_->request(lock, recorder()));
    now_ += 10;
  }
  auto first = desk_->list({"", "", 2, ""});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->actions.size(), 2u);
  EXPECT_EQ(first->actions[0].device_id, "test-phone");
  EXPECT_FALSE(first->next_cursor.empty());
  auto second = desk_->list({"", "", 2, first->next_cursor});
  ASSERT_TRUE(second);
  ASSERT_EQ(second->actions.size(), 1u);
  EXPECT_EQ(second->actions[0].device_id, "byod-1");
  EXPECT_TRUE(second->next_cursor.empty());
  auto by_device = desk_->list({"corp-mam", "", 10, ""});
  ASSERT_TRUE(by_device);
  ASSERT_EQ(by_device->actions.size(), 1u);
  EXPECT_EQ(by_device->actions[0].kind, ActionKind::selective_wipe);
  EXPECT_FALSE(desk_->list({"", "", 2, "garbage"}));
}

INSTANTIATE_TEST_SUITE_P(Stores, Desk, ::testing::ValuesIn(testing::kStoreKinds));

}  // namespace
}  // namespace wardline::response
