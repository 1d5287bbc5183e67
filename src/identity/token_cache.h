// Internal: bearer tokens this daemon verified in the last few seconds, so a
// request does not cost a database query. Keyed by the token's SHA-256 (the
// secret itself is never kept). A revocation or user change made through the
// same Identity empties the cache at once; one made elsewhere (another daemon
// on the same PostgreSQL, the CLI on the same SQLite file) takes effect here
// when the entry expires, at most `ttl` later.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "identity/identity.h"

namespace wardline {

class TokenCache {
 public:
  explicit TokenCache(std::chrono::steady_clock::duration ttl) : ttl_(ttl) {}

  // Taken before the store is read and passed to put(): an entry read
  // before a clear() is never stored after it.
  uint64_t generation() const;
  // The principal of a token verified less than ttl ago and not expired at `now` (Unix seconds).
  std::optional<Principal> get(const std::string& token_hash, int64_t now) const;
  void put(const std::string& token_hash, const Principal& p, int64_t expires_at, uint64_t generation);
  void clear();

 private:
  struct Entry {
    Principal principal;
    int64_t expires_at;                             // the token's own expiry (Unix seconds)
    std::chrono::steady_clock::time_point stale_at;  // verified_at + ttl
  };
  static constexpr size_t kMaxEntries = 10000;  // only valid tokens get in; a bound all the same

  std::chrono::steady_clock::duration ttl_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t generation_ = 0;
};

}  // namespace wardline
