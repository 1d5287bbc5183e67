// Recent activity per user, for shared-account detection.
#include <algorithm>

#include "access/access.h"

namespace wardline::access {

namespace {
constexpr size_t kKeptAlerts = 1000;
constexpr size_t kKeptPerUser = 16;
}  // namespace

std::vector<std::string> ActivityTracker::observe(const std::string& user, const std::string& device, int64_t at, int64_t window) {
  std::lock_guard lock(mu_);
  auto& seen = recent_[user];
  std::erase_if(seen, [&](const Seen& s) { return at - s.at > window || s.device == device; });
  std::vector<std::string> others;
  for (const auto& s : seen) others.push_back(s.device);
  seen.push_back({device, at});
  if (seen.size() > kKeptPerUser) seen.erase(seen.begin());
  // Users idle past the window are forgotten now and then, so memory stays bounded.
  if (recent_.size() > 100000)
    std::erase_if(recent_, [&](const auto& kv) { return kv.second.empty() || at - kv.second.back().at > window; });
  return others;
}

void ActivityTracker::remember(SharedAccountAlert alert) {
  std::lock_guard lock(mu_);
  alerts_.push_front(std::move(alert));
  if (alerts_.size() > kKeptAlerts) alerts_.pop_back();
}

std::vector<SharedAccountAlert> ActivityTracker::alerts(size_t limit) const {
  std::lock_guard lock(mu_);
  return {alerts_.begin(), alerts_.begin() + static_cast<std::ptrdiff_t>(std::min(limit, alerts_.size()))};
}

}  // namespace wardline::access
