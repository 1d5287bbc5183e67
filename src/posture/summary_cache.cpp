#include "posture/summary_cache.h"

namespace wardline::posture {

uint64_t SummaryCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::optional<std::optional<SummaryCache::Summary>> SummaryCache::get(const std::string& id) const {
  if (ttl_.count() <= 0) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || std::chrono::steady_clock::now() - it->second.read_at >= ttl_) return std::nullopt;
  return it->second.summary;
}

void SummaryCache::put(const std::string& id, const std::optional<Summary>& summary, uint64_t generation) {
  if (ttl_.count() <= 0) return;
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[id] = {summary, std::chrono::steady_clock::now()};
}

void SummaryCache::invalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
  entries_.clear();
}

}  // namespace wardline::posture
