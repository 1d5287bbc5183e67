// Internal: the ledger's Merkle tree as the daemon holds it. Perfect
// subtrees of 16 leaves and up live in memory (and in audit_subtrees, so a
// restart never rehashes history); smaller ones are folded on demand from at
// most 16 leaf hashes read from audit_log. Every root and proof therefore
// costs O(log n) memory lookups plus one bounded range read.
#pragma once

#include <array>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "audit/merkle.h"
#include "store/store.h"

namespace wardline::audit {

constexpr int kStoredLevel = 4;  // 16 leaves
constexpr uint64_t kBlock = uint64_t{1} << kStoredLevel;

struct CompletedSubtree {
  int level;
  uint64_t index;
  Hash hash;
};

class TreeState : public SubtreeSource {
 public:
  explicit TreeState(store::Executor& reader) : reader_(&reader) {}

  uint64_t size() const { return size_; }
  // Adds a leaf; subtrees it completes (level >= kStoredLevel) go to `completed`.
  void append(const Hash& leaf, std::vector<CompletedSubtree>* completed);
  // Loads a stored subtree during start-up (must arrive in level, index order).
  Status load_subtree(int level, uint64_t index, const Hash& h);
  // Finishes start-up; fails if the stored subtrees do not cover `size` leaves.
  Status set_loaded(uint64_t size, std::vector<Hash> tail);

  struct Mark {
    uint64_t size;
    std::vector<Hash> tail;
  };
  Mark mark() const { return {size_, tail_}; }
  void rollback(const Mark& m);

  Result<Hash> perfect(int level, uint64_t index) override;
  // Reads lower-level hashes through `reader` (the pool, or a transaction).
  void set_reader(store::Executor& reader) { reader_ = &reader; }

 private:
  using Block = std::array<Hash, kBlock>;
  // The 16 leaf hashes of a complete block, from the cache or the store.
  Result<Block> block(uint64_t block_index);

  store::Executor* reader_;
  // Complete blocks never change, so recently read ones are kept: one proof
  // asks for up to four subtrees of the same block.
  std::mutex cache_mu_;
  std::unordered_map<uint64_t, Block> cache_;
  uint64_t size_ = 0;
  std::vector<std::vector<Hash>> upper_;  // upper_[j]: level kStoredLevel + j
  std::vector<Hash> tail_;                // leaf hashes after the last full block
};

// MTH of 2^k consecutive leaf hashes.
Hash fold_perfect(const Hash* leaves, size_t n);

}  // namespace wardline::audit
