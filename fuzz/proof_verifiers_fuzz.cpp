// Arbitrary proofs, sizes and indices into the RFC 9162 verifiers, and a
// differential check: whatever the generator proves must verify.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "audit/merkle.h"

using wardline::audit::Hash;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 17) return 0;
  uint64_t a, b;
  std::memcpy(&a, data, 8);
  std::memcpy(&b, data + 8, 8);
  uint8_t mode = data[16];
  data += 17;
  size -= 17;
  std::vector<Hash> proof;
  Hash first{}, second{};
  if (size >= 64) {
    std::memcpy(first.data(), data, 32);
    std::memcpy(second.data(), data + 32, 32);
    data += 64;
    size -= 64;
  }
  for (; size >= 32 && proof.size() < 80; data += 32, size -= 32) {
    Hash h;
    std::memcpy(h.data(), data, 32);
    proof.push_back(h);
  }
  // Raw inputs: must return, whatever they are.
  (void)wardline::audit::verify_inclusion(first, a, b, proof, second);
  (void)wardline::audit::verify_consistency(a, b, first, second, proof);

  // Differential: a small real tree; its own proofs must verify.
  uint64_t n = 1 + b % 300, m = a % n;
  wardline::audit::MemoryTree tree;
  for (uint64_t i = 0; i < n; ++i) tree.append(wardline::audit::leaf_hash(std::string(1, static_cast<char>(i ^ mode))));
  Hash root = tree.root();
  auto incl = wardline::audit::inclusion_proof(tree, m, n);
  if (!incl || !wardline::audit::verify_inclusion(*tree.perfect(0, m), m, n, *incl, root)) __builtin_trap();
  uint64_t k = 1 + m;
  wardline::audit::MemoryTree prefix;
  for (uint64_t i = 0; i < k; ++i) prefix.append(*tree.perfect(0, i));
  auto cons = wardline::audit::consistency_proof(tree, k, n);
  if (!cons || !wardline::audit::verify_consistency(k, n, prefix.root(), root, *cons)) __builtin_trap();
  return 0;
}
