#include "cli/periodic.h"

namespace wardline::cli {

Periodic::Periodic(std::chrono::seconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)) {
  if (interval_.count() > 0) thread_ = std::thread([this] { run(); });
}

Periodic::~Periodic() { stop(); }

void Periodic::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Periodic::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    task_();
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace wardline::cli
