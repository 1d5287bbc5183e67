// Internal: per-address throttling of failed authentications.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace wardline::api {

// Failed authentications per source address and minute. Past the limit the
// address gets 429 and one audit event for the whole burst, so a password
// sprayer cannot make every guess an fsync'd audit row.
class AuthThrottle {
 public:
  static constexpr int kFailuresPerMinute = 20;
  enum class Verdict { record, first_throttled, throttled };

  Verdict failure(const std::string& ip) {
    std::lock_guard lock(mu_);
    int64_t minute = std::chrono::duration_cast<std::chrono::minutes>(std::chrono::steady_clock::now().time_since_epoch()).count();
    if (windows_.size() > 10000) windows_.clear();  // bounded memory under a wide spray
    auto& w = windows_[ip];
    if (w.minute != minute) w = {minute, 0};
    ++w.count;
    if (w.count <= kFailuresPerMinute) return Verdict::record;
    return w.count == kFailuresPerMinute + 1 ? Verdict::first_throttled : Verdict::throttled;
  }

 private:
  struct Window {
    int64_t minute = -1;
    int count = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace wardline::api
