#include "cli/periodic.h"

namespace wardline::cli {

Periodic::Periodic(std::chrono::seconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this] { run(); }) {}

Periodic::~Periodic() { stop(); }

void Periodic::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Periodic::trigger() {
  {
    std::lock_guard lock(mu_);
    triggered_ = true;
  }
  cv_.notify_all();
}

void Periodic::run() {
  std::unique_lock lock(mu_);
  bool due = interval_.count() > 0;  // a scheduled task also runs at start
  auto woken = [this] { return stopping_ || triggered_; };
  while (!stopping_) {
    if (due) {
      lock.unlock();
      task_();
      lock.lock();
    }
    if (interval_.count() > 0) cv_.wait_for(lock, interval_, woken);
    else cv_.wait(lock, woken);
    due = !stopping_;
    triggered_ = false;
  }
}

}  // namespace wardline::cli
