#include "identity/token_cache.h"

namespace wardline {

uint64_t TokenCache::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::optional<Principal> TokenCache::get(const std::string& token_hash, int64_t now) const {
  auto at = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(token_hash);
  if (it == entries_.end() || it->second.stale_at <= at || it->second.expires_at <= now) return std::nullopt;
  return it->second.principal;
}

void TokenCache::put(const std::string& token_hash, const Principal& p, int64_t expires_at, uint64_t generation) {
  auto at = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  if (entries_.size() >= kMaxEntries) std::erase_if(entries_, [&](const auto& kv) { return kv.second.stale_at <= at; });
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_.insert_or_assign(token_hash, Entry{p, expires_at, at + ttl_});
}

void TokenCache::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  ++generation_;
}

}  // namespace wardline
