// RFC 6962 / RFC 9162 Merkle trees: hashing, roots, inclusion and
// consistency proofs and their verification, over any source of
// perfect-subtree hashes (in memory, or the ledger's stored tiles).
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace wardline::audit {

using Hash = std::array<uint8_t, 32>;

Hash leaf_hash(std::string_view leaf_data);         // SHA-256(0x00 || data)
Hash node_hash(const Hash& left, const Hash& right); // SHA-256(0x01 || left || right)
Hash empty_root();                                   // SHA-256("")
std::string to_hex(const Hash& h);
std::vector<std::string> to_hex(const std::vector<Hash>& hashes);
Result<Hash> hash_from_hex(std::string_view hex);
std::string as_bytes(const Hash& h);

// Hashes of perfect subtrees: level L, index i covers leaves
// [i * 2^L, (i + 1) * 2^L). Only complete subtrees are ever asked for.
class SubtreeSource {
 public:
  virtual ~SubtreeSource() = default;
  virtual Result<Hash> perfect(int level, uint64_t index) = 0;
};

// MTH(D[lo:hi]) from O(log n) perfect subtrees.
Result<Hash> range_hash(SubtreeSource& src, uint64_t lo, uint64_t hi);
Result<Hash> root(SubtreeSource& src, uint64_t size);
// PATH(index, D[size]) (RFC 6962 §2.1.1), leaf-side first.
Result<std::vector<Hash>> inclusion_proof(SubtreeSource& src, uint64_t index, uint64_t size);
// PROOF(first, D[second]) (RFC 6962 §2.1.2).
Result<std::vector<Hash>> consistency_proof(SubtreeSource& src, uint64_t first, uint64_t second);

// RFC 9162 §2.1.3.2 and §2.1.4.2.
bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                      const Hash& root);
bool verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                        const std::vector<Hash>& proof);

// The right edge of a growing tree: the perfect subtrees (largest first)
// whose concatenation is the tree so far. O(log n) memory; the tool for
// streaming verification and for archives, which carry the edge of the
// entries before them instead of the entries themselves.
class CompactRange {
 public:
  CompactRange() = default;
  // Starts after `size` leaves whose perfect-subtree decomposition is
  // `edge` (one hash per set bit of size, largest first).
  static Result<CompactRange> from_edge(uint64_t size, const std::vector<Hash>& edge);
  void append(const Hash& leaf) {
    append(leaf, [](int, uint64_t, const Hash&) {});
  }
  // Appends a leaf; reports each perfect subtree it completes (level, index, hash).
  template <class OnPerfect>
  void append(const Hash& leaf, OnPerfect&& on_perfect) {
    ++size_;
    stack_.push_back({leaf, 0});
    on_perfect(0, size_ - 1, leaf);
    while (stack_.size() >= 2 && stack_[stack_.size() - 2].level == stack_.back().level) {
      int level = stack_.back().level + 1;
      Hash h = node_hash(stack_[stack_.size() - 2].hash, stack_.back().hash);
      stack_.pop_back();
      stack_.back() = {h, level};
      on_perfect(level, (size_ >> level) - 1, h);
    }
  }
  Hash root() const;
  uint64_t size() const { return size_; }
  std::vector<Hash> edge() const;

 private:
  struct Node {
    Hash hash;
    int level;
  };
  std::vector<Node> stack_;
  uint64_t size_ = 0;
};

// A whole tree in memory: every perfect-subtree hash, appended leaf by leaf
// in O(1) amortised time. For tools, archives and tests.
class MemoryTree : public SubtreeSource {
 public:
  void append(const Hash& leaf);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  Result<Hash> perfect(int level, uint64_t index) override;
  Hash root() { return *audit::root(*this, size()); }

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace wardline::audit
