// A background task the daemon runs at start and then every `interval`
// until stopped (an interval of zero: only when triggered).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace wardline::cli {

class Periodic {
 public:
  Periodic(std::chrono::seconds interval, std::function<void()> task);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;
  // Waits for a running task to finish; no task starts afterwards.
  void stop();
  // Runs the task as soon as possible (once, however often it is called
  // meanwhile), then the schedule goes on.
  void trigger();

 private:
  void run();
  std::chrono::seconds interval_;
  std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool triggered_ = false;
  std::thread thread_;
};

}  // namespace wardline::cli
