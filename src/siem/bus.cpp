#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "siem/siem.h"

namespace wardline::siem {

using namespace std::chrono;

// One sink, its bounded queue and the thread that drains it. A failed write
// keeps the event at the head and retries with exponential backoff (100 ms
// to 30 s), so a short outage loses nothing; a long one fills the queue and
// newer events are dropped and counted.
struct EventBus::Worker {
  std::unique_ptr<Sink> sink;
  size_t capacity;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<SecurityEvent> queue;
  bool stopping = false;
  steady_clock::time_point give_up_at = steady_clock::time_point::max();
  std::atomic<uint64_t> delivered{0}, dropped{0}, failures{0};
  uint64_t dropped_reported = 0;
  steady_clock::time_point last_drop_log{};
  std::thread thread;

  Worker(std::unique_ptr<Sink> s, size_t cap) : sink(std::move(s)), capacity(cap) {
    thread = std::thread([this] { run(); });
  }

  void push(const SecurityEvent& e) {
    {
      std::lock_guard lock(mu);
      if (queue.size() >= capacity || stopping) {
        ++dropped;
        log_drops_once_per_interval();
        return;
      }
      queue.push_back(e);
    }
    cv.notify_one();
  }

  void log_drops_once_per_interval() {
    auto now = steady_clock::now();
    if (now - last_drop_log < seconds(10)) return;
    last_drop_log = now;
    spdlog::warn("siem sink '{}': queue full ({} events), {} events dropped since last report",
                 sink->name(), capacity, dropped - dropped_reported);
    dropped_reported = dropped;
  }

  void run() {
    milliseconds backoff(100);
    std::unique_lock lock(mu);
    for (;;) {
      cv.wait(lock, [&] { return stopping || !queue.empty(); });
      if (queue.empty() || steady_clock::now() >= give_up_at) break;
      SecurityEvent e = queue.front();
      lock.unlock();
      Status s = sink->write(e);
      bool rejected = !s && s.error().code == "event_rejected";  // this event can never be delivered
      if (s) {
        ++delivered;
        backoff = milliseconds(100);
        if (queue_empty()) (void)sink->flush();
      } else if (rejected) {
        ++dropped;
        spdlog::warn("siem sink '{}': dropped an event it can never deliver: {}", sink->name(), s.error().message);
      } else {
        ++failures;
        spdlog::warn("siem sink '{}': {}; retrying in {} ms", sink->name(), s.error().message, backoff.count());
      }
      lock.lock();
      if (s || rejected) {
        queue.pop_front();
      } else {
        cv.wait_for(lock, backoff, [&] { return steady_clock::now() >= give_up_at; });
        backoff = std::min(backoff * 2, duration_cast<milliseconds>(seconds(30)));
      }
    }
    dropped += queue.size();  // undeliverable at shutdown
    queue.clear();
    lock.unlock();
    (void)sink->flush();
  }

  bool queue_empty() const {
    std::lock_guard lock(mu);
    return queue.empty();
  }

  void stop(int grace_ms) {
    {
      std::lock_guard lock(mu);
      if (stopping && !thread.joinable()) return;
      stopping = true;
      give_up_at = steady_clock::now() + milliseconds(grace_ms);
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
  }
};

EventBus::EventBus() = default;
EventBus::~EventBus() { shutdown(); }

void EventBus::add_sink(std::unique_ptr<Sink> sink, size_t queue_size) {
  workers_.push_back(std::make_unique<Worker>(std::move(sink), queue_size));
}

void EventBus::publish(const SecurityEvent& e) {
  for (auto& w : workers_) w->push(e);
}

std::vector<SinkStats> EventBus::stats() const {
  std::vector<SinkStats> out;
  for (const auto& w : workers_) {
    SinkStats s;
    s.name = w->sink->name();
    {
      std::lock_guard lock(w->mu);
      s.queue_depth = w->queue.size();
    }
    s.delivered = w->delivered;
    s.dropped = w->dropped;
    s.failures = w->failures;
    out.push_back(s);
  }
  return out;
}

void EventBus::shutdown(int grace_ms) {
  for (auto& w : workers_) w->stop(grace_ms);
}

Result<std::unique_ptr<EventBus>> make_event_bus(const std::vector<SinkConfig>& sinks) {
  auto bus = std::make_unique<EventBus>();
  for (const auto& c : sinks) {
    auto sink = make_sink(c);
    if (!sink) return sink.error();
    bus->add_sink(std::move(*sink), c.queue_size);
  }
  return bus;
}

}  // namespace wardline::siem
