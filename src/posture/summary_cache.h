// Internal: the device summaries access decisions read, kept in memory for
// a short time. A conditional-access gateway asks about the same devices
// thousands of times a second; reading each from the store costs a read
// transaction that the audit log's constant commits make expensive (SQLite
// drops its page cache and remaps a growing file).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "posture/posture.h"

namespace wardline::posture {

class SummaryCache {
 public:
  using Summary = DeviceInventory::Summary;
  explicit SummaryCache(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  // What to pass to put() with the summary read after this call.
  uint64_t generation() const;
  // A summary (or "no such device") younger than the time to live.
  std::optional<std::optional<Summary>> get(const std::string& id) const;
  // Keeps what was read, unless a write came in between (its generation is
  // older): that read may predate the write.
  void put(const std::string& id, const std::optional<Summary>& summary, uint64_t generation);
  // After this process wrote devices: everything cached may be out of date.
  void invalidate();

 private:
  struct Entry {
    std::optional<Summary> summary;
    std::chrono::steady_clock::time_point read_at;
  };
  static constexpr size_t kMaxEntries = 100000;
  std::chrono::milliseconds ttl_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace wardline::posture
