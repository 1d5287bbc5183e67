#include "store/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>

namespace wardline::store {

WalCheckpointer::WalCheckpointer(std::unique_ptr<Connection> connection, std::chrono::milliseconds period)
    : connection_(std::move(connection)), period_(period), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void WalCheckpointer::run() {
  bool failing = false;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, period_, [this] { return stop_; })) {
    lock.unlock();
    auto r = connection_->query("PRAGMA wal_checkpoint(PASSIVE)");
    // Logged once per failure streak: commits still checkpoint at the safety-net threshold.
    if (!r && !failing) spdlog::warn("SQLite checkpoint failed (commits will checkpoint themselves): {}", r.error().message);
    failing = !r;
    lock.lock();
  }
}

}  // namespace wardline::store
