#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "siem/siem.h"

namespace wardline::siem {
namespace {

using namespace std::chrono_literals;

// A sink whose behaviour the test controls.
class ScriptedSink : public Sink {
 public:
  std::string name() const override { return "scripted"; }
  Status write(const SecurityEvent& e) override {
    while (blocked) std::this_thread::sleep_for(1ms);
    if (e.subject == "poison") return make_error("event_rejected", "too large");
    if (failing) return make_error("sink_unavailable", "collector down");
    std::lock_guard lock(mu);
    seen.push_back(e.subject);
    return {};
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mu);
    return seen;
  }
  std::atomic<bool> blocked{false}, failing{false};
  std::mutex mu;
  std::vector<std::string> seen;
};

SecurityEvent event(int i) {
  auto e = make_event("test", "success");
  e.subject = std::to_string(i);
  return e;
}

TEST(EventBus, DeliversInOrderAndFlushesOnShutdown) {
  EventBus bus;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  bus.add_sink(std::move(sink), 100);
  for (int i = 0; i < 50; ++i) bus.publish(event(i));
  bus.shutdown();
  auto got = s->received();
  ASSERT_EQ(got.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], std::to_string(i));
  EXPECT_EQ(bus.stats()[0].delivered, 50u);
}

TEST(EventBus, StuckSinkNeverBlocksPublishersAndDropsAreCounted) {
  EventBus bus;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  s->blocked = true;
  bus.add_sink(std::move(sink), 10);
  for (int i = 0; i < 1000; ++i) bus.publish(event(i));  // returns although nothing is delivered
  auto st = bus.stats()[0];
  EXPECT_GE(st.dropped, 989u);
  EXPECT_LE(st.queue_depth, 10u);
  s->blocked = false;
  bus.shutdown();
  EXPECT_EQ(bus.stats()[0].delivered + bus.stats()[0].dropped, 1000u);
}

TEST(EventBus, FailingSinkRetriesAndDeliversAfterRecovery) {
  EventBus bus;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  s->failing = true;
  bus.add_sink(std::move(sink), 100);
  bus.publish(event(1));
  bus.publish(event(2));
  while (bus.stats()[0].failures < 2) std::this_thread::sleep_for(5ms);
  s->failing = false;
  bus.shutdown();
  EXPECT_EQ(s->received(), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(bus.stats()[0].dropped, 0u);
}

TEST(EventBus, AnEventTheSinkRejectsIsDroppedAndDoesNotBlockTheRest) {
  EventBus bus;
  auto sink = std::make_unique<ScriptedSink>();
  auto* s = sink.get();
  bus.add_sink(std::move(sink), 100);
  bus.publish(event(1));
  auto poison = event(2);
  poison.subject = "poison";
  bus.publish(poison);
  bus.publish(event(3));
  bus.shutdown();
  EXPECT_EQ(s->received(), (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(bus.stats()[0].dropped, 1u);
}

TEST(EventBus, ShutdownGivesUpOnADeadSinkAfterTheGracePeriod) {
  EventBus bus;
  auto sink = std::make_unique<ScriptedSink>();
  sink->failing = true;
  bus.add_sink(std::move(sink), 100);
  bus.publish(event(1));
  bus.shutdown(200);  // returns; the undeliverable event is counted as dropped
  EXPECT_EQ(bus.stats()[0].dropped, 1u);
}

}  // namespace
}  // namespace wardline::siem
