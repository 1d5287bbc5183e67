// Internal: SQLite checkpoints off the request path.
//
// A commit that takes SQLite's write-ahead log past its auto-checkpoint
// threshold copies the log into the database file and fsyncs it before it
// returns: one request in a few hundred waited for that (the report API's
// p99). This thread checkpoints on its own connection instead, PASSIVE (it
// never blocks readers or writers), every `period`; the connections keep a
// far higher auto-checkpoint threshold as a safety net.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "store/connection.h"

namespace wardline::store {

inline constexpr int kSafetyNetCheckpointPages = 10000;  // about 40 MB of log

class WalCheckpointer {
 public:
  WalCheckpointer(std::unique_ptr<Connection> connection, std::chrono::milliseconds period);
  ~WalCheckpointer();  // stops the thread
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  void run();

  std::unique_ptr<Connection> connection_;
  std::chrono::milliseconds period_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace wardline::store
