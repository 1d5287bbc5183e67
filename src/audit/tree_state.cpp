#include "audit/tree_state.h"

namespace wardline::audit {

Hash fold_perfect(const Hash* leaves, size_t n) {
  if (n == 1) return leaves[0];
  return node_hash(fold_perfect(leaves, n / 2), fold_perfect(leaves + n / 2, n / 2));
}

void TreeState::append(const Hash& leaf, std::vector<CompletedSubtree>* completed) {
  tail_.push_back(leaf);
  ++size_;
  if (tail_.size() < kBlock) return;
  Hash h = fold_perfect(tail_.data(), kBlock);
  tail_.clear();
  for (size_t j = 0;; ++j) {
    if (upper_.size() == j) upper_.emplace_back();
    upper_[j].push_back(h);
    if (completed) completed->push_back({kStoredLevel + static_cast<int>(j), upper_[j].size() - 1, h});
    if (upper_[j].size() % 2) break;
    h = node_hash(upper_[j][upper_[j].size() - 2], upper_[j].back());
  }
}

Status TreeState::load_subtree(int level, uint64_t index, const Hash& h) {
  size_t j = static_cast<size_t>(level - kStoredLevel);
  if (level < kStoredLevel) return make_error("audit_corrupt", "stored subtree below level 4");
  while (upper_.size() <= j) upper_.emplace_back();
  if (upper_[j].size() != index)
    return make_error("audit_corrupt", "stored subtree " + std::to_string(level) + "/" + std::to_string(index) +
                                           " is out of sequence (expected index " + std::to_string(upper_[j].size()) +
                                           "); run 'wardline audit verify'");
  upper_[j].push_back(h);
  return {};
}

Status TreeState::set_loaded(uint64_t size, std::vector<Hash> tail) {
  for (int level = kStoredLevel; (size >> level) > 0; ++level) {
    size_t j = static_cast<size_t>(level - kStoredLevel);
    uint64_t have = j < upper_.size() ? upper_[j].size() : 0;
    if (have != (size >> level))
      return make_error("audit_corrupt", "the audit log holds " + std::to_string(size) + " entries but " +
                                             std::to_string(have) + " stored subtrees at level " + std::to_string(level) +
                                             " (expected " + std::to_string(size >> level) + "); run 'wardline audit verify'");
  }
  if (tail.size() != size % kBlock)
    return make_error("audit_corrupt", "audit entries after index " + std::to_string(size - size % kBlock) +
                                           " are missing; run 'wardline audit verify'");
  size_ = size;
  tail_ = std::move(tail);
  return {};
}

void TreeState::rollback(const Mark& m) {
  size_ = m.size;
  tail_ = m.tail;
  for (size_t j = 0; j < upper_.size(); ++j) upper_[j].resize(m.size >> (kStoredLevel + j));
  while (!upper_.empty() && upper_.back().empty()) upper_.pop_back();
}

Result<Hash> TreeState::perfect(int level, uint64_t index) {
  if (level >= kStoredLevel) {
    size_t j = static_cast<size_t>(level - kStoredLevel);
    if (j >= upper_.size() || index >= upper_[j].size())
      return make_error("internal", "subtree " + std::to_string(level) + "/" + std::to_string(index) + " is not complete");
    return upper_[j][index];
  }
  uint64_t n = uint64_t{1} << level, start = index * n;
  if (start + n > size_) return make_error("internal", "subtree beyond the tree");
  uint64_t tail_start = size_ - tail_.size();
  if (start >= tail_start) return fold_perfect(tail_.data() + (start - tail_start), n);
  auto leaves = block(start / kBlock);
  if (!leaves) return leaves.error();
  return fold_perfect(leaves->data() + start % kBlock, n);
}

Result<TreeState::Block> TreeState::block(uint64_t block_index) {
  {
    std::lock_guard lock(cache_mu_);
    if (auto it = cache_.find(block_index); it != cache_.end()) return it->second;
  }
  uint64_t start = block_index * kBlock;
  auto rows = reader_->query("SELECT leaf_hash FROM audit_log WHERE seq >= ? AND seq < ? ORDER BY seq",
                             {static_cast<int64_t>(start), static_cast<int64_t>(start + kBlock)});
  if (!rows) return rows.error();
  if (rows->size() != kBlock)
    return make_error("audit_corrupt", "audit entries " + std::to_string(start) + ".." + std::to_string(start + kBlock - 1) +
                                           " are missing; run 'wardline audit verify'");
  Block b;
  for (size_t i = 0; i < kBlock; ++i) {
    auto h = hash_from_hex((*rows)[i].text(0));
    if (!h) return make_error("audit_corrupt", "stored leaf hash is not hex: " + h.error().message);
    b[i] = *h;
  }
  std::lock_guard lock(cache_mu_);
  if (cache_.size() >= 4096) cache_.clear();  // 512 KiB at most
  cache_.emplace(block_index, b);
  return b;
}

}  // namespace wardline::audit
