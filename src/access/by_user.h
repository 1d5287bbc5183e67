// Internal: a bounded map from user name to a small record, for the
// in-memory trackers (impossible travel, failed sign-ins). Sharded by the
// name's hash so concurrent decisions rarely wait for one another; a full
// shard forgets its least recently updated user.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace wardline::access {

template <class V>
class ByUser {
 public:
  // At most `max_users` (rounded up to a multiple of the shard count).
  explicit ByUser(size_t max_users) : per_shard_(std::max<size_t>(1, (max_users + kShards - 1) / kShards)) {}

  // f(V&) under the shard's lock, on the user's record (a new, value-
  // initialised one when the user is not known), which becomes the most
  // recently updated. Only a new user allocates.
  template <class F>
  auto update(const std::string& user, F&& f) {
    Shard& s = shard(user);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(user);
    if (it == s.index.end()) {
      if (s.order.size() >= per_shard_) {
        s.index.erase(s.order.back().first);
        s.order.pop_back();
      }
      s.order.emplace_front(user, V{});
      it = s.index.emplace(s.order.front().first, s.order.begin()).first;
    } else {
      s.order.splice(s.order.begin(), s.order, it->second);
    }
    return f(it->second->second);
  }

  // f(const V*) under the shard's lock; null when the user is not known.
  // Neither creates a record nor changes the order.
  template <class F>
  auto read(const std::string& user, F&& f) const {
    const Shard& s = shard(user);
    std::lock_guard lock(s.mu);
    auto it = s.index.find(user);
    return f(it == s.index.end() ? static_cast<const V*>(nullptr) : &it->second->second);
  }

 private:
  static constexpr size_t kShards = 16;
  using Entries = std::list<std::pair<std::string, V>>;
  struct Shard {
    mutable std::mutex mu;
    Entries order;  // most recently updated first
    std::unordered_map<std::string_view, typename Entries::iterator> index;  // keys view the names in `order`
  };
  Shard& shard(std::string_view user) { return shards_[std::hash<std::string_view>{}(user) % kShards]; }
  const Shard& shard(std::string_view user) const { return shards_[std::hash<std::string_view>{}(user) % kShards]; }

  size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace wardline::access
