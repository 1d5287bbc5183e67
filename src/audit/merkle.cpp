#include "audit/merkle.h"

// SHA256_CTX is deprecated in OpenSSL 3 but remains its fastest way to hash
// short inputs (see leaf_hash).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>
#include <bit>

#include "core/crypto.h"

namespace wardline::audit {
namespace {

// Largest power of two strictly smaller than n (n >= 2).
uint64_t split_point(uint64_t n) { return std::bit_floor(n - 1); }

bool is_perfect(uint64_t lo, uint64_t n) { return std::has_single_bit(n) && lo % n == 0; }

Status path(SubtreeSource& src, uint64_t m, uint64_t lo, uint64_t hi, std::vector<Hash>& out) {
  uint64_t n = hi - lo;
  if (n <= 1) return {};
  uint64_t k = split_point(n);
  if (m < k) {
    if (Status s = path(src, m, lo, lo + k, out); !s) return s;
    auto h = range_hash(src, lo + k, hi);
    if (!h) return h.error();
    out.push_back(*h);
  } else {
    if (Status s = path(src, m - k, lo + k, hi, out); !s) return s;
    auto h = range_hash(src, lo, lo + k);
    if (!h) return h.error();
    out.push_back(*h);
  }
  return {};
}

Status subproof(SubtreeSource& src, uint64_t m, uint64_t lo, uint64_t hi, bool complete, std::vector<Hash>& out) {
  uint64_t n = hi - lo;
  if (m == n) {
    if (complete) return {};
    auto h = range_hash(src, lo, hi);
    if (!h) return h.error();
    out.push_back(*h);
    return {};
  }
  uint64_t k = split_point(n);
  if (m <= k) {
    if (Status s = subproof(src, m, lo, lo + k, complete, out); !s) return s;
    auto h = range_hash(src, lo + k, hi);
    if (!h) return h.error();
    out.push_back(*h);
  } else {
    if (Status s = subproof(src, m - k, lo + k, hi, false, out); !s) return s;
    auto h = range_hash(src, lo, lo + k);
    if (!h) return h.error();
    out.push_back(*h);
  }
  return {};
}

// SHA256_CTX, not SHA256(): OpenSSL 3's one-shot looks the algorithm up by
// name on every call, which costs more than hashing a 65-byte node.
Hash prefixed_hash(unsigned char prefix, const void* first, size_t first_len, const void* second = nullptr,
                   size_t second_len = 0) {
  Hash h;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &prefix, 1);
  SHA256_Update(&ctx, first, first_len);
  if (second_len) SHA256_Update(&ctx, second, second_len);
  SHA256_Final(h.data(), &ctx);
  return h;
}
}  // namespace

Hash leaf_hash(std::string_view data) { return prefixed_hash(0x00, data.data(), data.size()); }

Hash node_hash(const Hash& left, const Hash& right) {
  return prefixed_hash(0x01, left.data(), left.size(), right.data(), right.size());
}

Hash empty_root() {
  Hash h;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Final(h.data(), &ctx);
  return h;
}

std::string as_bytes(const Hash& h) { return std::string(h.begin(), h.end()); }
std::string to_hex(const Hash& h) { return crypto::hex_encode(as_bytes(h)); }

std::vector<std::string> to_hex(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  out.reserve(hashes.size());
  for (const auto& h : hashes) out.push_back(to_hex(h));
  return out;
}

namespace {
// Hex digit values, -1 for anything else: a table, because branching on
// digit-or-letter mispredicts on random hashes (verify decodes one per entry).
constexpr std::array<int8_t, 256> kNibble = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = t[c - 'a' + 'A'] = static_cast<int8_t>(c - 'a' + 10);
  return t;
}();
}  // namespace

Result<Hash> hash_from_hex(std::string_view hex) {
  Hash h;
  int bad = hex.size() == 64 ? 0 : -1;
  for (size_t i = 0; !bad && i < 32; ++i) {
    int hi = kNibble[static_cast<unsigned char>(hex[2 * i])], lo = kNibble[static_cast<unsigned char>(hex[2 * i + 1])];
    bad = (hi | lo) & ~0xf;  // nonzero when either is -1
    h[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  if (bad) return make_error("invalid_hash", "'" + std::string(hex.substr(0, 80)) + "' is not a SHA-256 hash (64 hex digits)");
  return h;
}

Result<Hash> range_hash(SubtreeSource& src, uint64_t lo, uint64_t hi) {
  uint64_t n = hi - lo;
  if (n == 0) return empty_root();
  if (is_perfect(lo, n)) return src.perfect(std::countr_zero(n), lo / n);
  uint64_t k = split_point(n);
  auto left = range_hash(src, lo, lo + k);
  if (!left) return left;
  auto right = range_hash(src, lo + k, hi);
  if (!right) return right;
  return node_hash(*left, *right);
}

Result<Hash> root(SubtreeSource& src, uint64_t size) { return range_hash(src, 0, size); }

Result<std::vector<Hash>> inclusion_proof(SubtreeSource& src, uint64_t index, uint64_t size) {
  if (index >= size)
    return make_error("invalid_index", "leaf index " + std::to_string(index) + " is outside a tree of size " +
                                           std::to_string(size), "index");
  std::vector<Hash> out;
  if (Status s = path(src, index, 0, size, out); !s) return s.error();
  return out;
}

Result<std::vector<Hash>> consistency_proof(SubtreeSource& src, uint64_t first, uint64_t second) {
  if (first > second)
    return make_error("invalid_size", "first tree size " + std::to_string(first) + " is larger than second " +
                                          std::to_string(second), "first");
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  if (Status s = subproof(src, first, 0, second, true, out); !s) return s.error();
  return out;
}

bool verify_inclusion(const Hash& leaf, uint64_t index, uint64_t size, const std::vector<Hash>& proof,
                      const Hash& root_hash) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1))
        while (fn != 0 && !(fn & 1)) fn >>= 1, sn >>= 1;
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root_hash;
}

bool verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                        const std::vector<Hash>& proof) {
  if (first > second) return false;
  if (first == 0) return false;  // a proof from the empty tree proves nothing (RFC 9162 leaves it to us)
  if (first == second) return proof.empty() && first_root == second_root;
  if (proof.empty()) return false;
  std::vector<Hash> path = proof;
  if (std::has_single_bit(first)) path.insert(path.begin(), first_root);
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) fn >>= 1, sn >>= 1;
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1))
        while (fn != 0 && !(fn & 1)) fn >>= 1, sn >>= 1;
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

Result<CompactRange> CompactRange::from_edge(uint64_t size, const std::vector<Hash>& edge) {
  CompactRange r;
  size_t next = 0;
  for (int level = 63; level >= 0; --level) {
    if (!(size >> level & 1)) continue;
    if (next == edge.size())
      return make_error("invalid_edge", "a tree of " + std::to_string(size) + " leaves needs " +
                                            std::to_string(std::popcount(size)) + " edge hashes, got " + std::to_string(edge.size()));
    r.stack_.push_back({edge[next++], level});
  }
  if (next != edge.size())
    return make_error("invalid_edge", "a tree of " + std::to_string(size) + " leaves needs " +
                                          std::to_string(std::popcount(size)) + " edge hashes, got " + std::to_string(edge.size()));
  r.size_ = size;
  return r;
}

Hash CompactRange::root() const {
  if (stack_.empty()) return empty_root();
  Hash r = stack_.back().hash;
  for (size_t i = stack_.size() - 1; i-- > 0;) r = node_hash(stack_[i].hash, r);
  return r;
}

std::vector<Hash> CompactRange::edge() const {
  std::vector<Hash> out;
  for (const auto& n : stack_) out.push_back(n.hash);
  return out;
}

void MemoryTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each completed pair produces its parent.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const auto& row = levels_[level];
    levels_[level + 1].push_back(node_hash(row[row.size() - 2], row.back()));
  }
}

Result<Hash> MemoryTree::perfect(int level, uint64_t index) {
  if (static_cast<size_t>(level) >= levels_.size() || index >= levels_[static_cast<size_t>(level)].size())
    return make_error("internal", "subtree " + std::to_string(level) + "/" + std::to_string(index) + " is not complete");
  return levels_[static_cast<size_t>(level)][index];
}

}  // namespace wardline::audit
