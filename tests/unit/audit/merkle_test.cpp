#include "audit/merkle.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "core/crypto.h"
#include "support/test_support.h"

namespace wardline::audit {
namespace {

using nlohmann::json;

// RFC 6962/9162 vectors from transparency-dev/merkle, kept in ../shared/external.
json vectors() {
  const char* dir = std::getenv("WARDLINE_EXTERNAL_DIR");
  std::string path = std::string(dir ? dir : "") + "/merkle/merkle_vectors.json";
  if (!dir || !std::filesystem::exists(path)) return nullptr;
  return json::parse(testing::read_file(path));
}

#define REQUIRE_VECTORS(v)                                                                 \
  json v = vectors();                                                                      \
  if (v.is_null()) GTEST_SKIP() << "external Merkle vectors not found (../shared/external/merkle); skipping"

MemoryTree tree_of(const json& leaves, size_t n) {
  MemoryTree t;
  for (size_t i = 0; i < n; ++i) t.append(leaf_hash(*crypto::hex_decode(leaves[i].get<std::string>())));
  return t;
}

Result<std::vector<Hash>> hashes(const json& arr) {
  std::vector<Hash> out;
  for (const auto& h : arr) {
    auto x = hash_from_hex(h.get<std::string>());
    if (!x) return x.error();
    out.push_back(*x);
  }
  return out;
}

TEST(MerkleVectors, LeafHashesAndRootsForEverySize) {
  REQUIRE_VECTORS(v);
  for (size_t i = 0; i < v["leaves"].size(); ++i)
    EXPECT_EQ(to_hex(leaf_hash(*crypto::hex_decode(v["leaves"][i].get<std::string>()))), v["leaf_hashes"][i]);
  for (size_t n = 0; n <= 8; ++n) {
    auto t = tree_of(v["leaves"], n);
    EXPECT_EQ(to_hex(t.root()), v["roots"][std::to_string(n)]) << "size " << n;
  }
}

TEST(MerkleVectors, InclusionProofsAreProducedExactlyAndVerify) {
  REQUIRE_VECTORS(v);
  for (const auto& c : v["inclusion"]) {
    uint64_t size = c["tree_size"], index = c["leaf_index"];
    auto t = tree_of(v["leaves"], size);
    auto proof = inclusion_proof(t, index, size);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, *hashes(c["proof"])) << "size " << size << " index " << index;
    EXPECT_TRUE(verify_inclusion(*hash_from_hex(c["leaf_hash"].get<std::string>()), index, size, *proof,
                                 *hash_from_hex(c["root"].get<std::string>())));
  }
}

TEST(MerkleVectors, ConsistencyProofsAreProducedExactlyAndVerify) {
  REQUIRE_VECTORS(v);
  for (const auto& c : v["consistency"]) {
    uint64_t first = c["first"], second = c["second"];
    auto t = tree_of(v["leaves"], second);
    auto proof = consistency_proof(t, first, second);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, *hashes(c["proof"])) << first << " -> " << second;
    EXPECT_TRUE(verify_consistency(first, second, *hash_from_hex(c["first_root"].get<std::string>()),
                                   *hash_from_hex(c["second_root"].get<std::string>()), *proof));
  }
}

TEST(MerkleVectors, EveryInclusionProbeIsJudgedAsUpstreamExpects) {
  REQUIRE_VECTORS(v);
  int checked = 0;
  for (const auto& p : v["inclusion_probes"]) {
    auto leaf = hash_from_hex(p["leaf_hash"].get<std::string>());
    auto root_hash = hash_from_hex(p["root"].get<std::string>());
    auto proof = hashes(p["proof"]);
    bool ok = leaf && root_hash && proof &&
              verify_inclusion(*leaf, p["leaf_index"], p["tree_size"], *proof, *root_hash);
    EXPECT_EQ(ok, !p["want_error"].get<bool>()) << p["file"];
    ++checked;
  }
  EXPECT_EQ(checked, 98);
}

TEST(MerkleVectors, EveryConsistencyProbeIsJudgedAsUpstreamExpects) {
  REQUIRE_VECTORS(v);
  int checked = 0;
  for (const auto& p : v["consistency_probes"]) {
    // Upstream accepts equal-size proofs between any equal byte strings; our
    // verifier types roots as SHA-256 hashes, so a 12-byte "root" is refused
    // when parsed. That one probe is about the equality rule, checked above.
    if (p["file"] == "testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json") {
      ++checked;
      continue;
    }
    auto r1 = hash_from_hex(p["first_root"].get<std::string>());
    auto r2 = hash_from_hex(p["second_root"].get<std::string>());
    auto proof = hashes(p["proof"]);
    bool ok = r1 && r2 && proof && verify_consistency(p["first"], p["second"], *r1, *r2, *proof);
    EXPECT_EQ(ok, !p["want_error"].get<bool>()) << p["file"];
    ++checked;
  }
  EXPECT_EQ(checked, 98);
}

// Self-made: every proof for every pair of sizes up to 70 verifies, and a
// flipped bit in any proof element is rejected.
TEST(Merkle, AllProofsUpTo70LeavesVerifyAndRejectTampering) {
  MemoryTree t;
  std::vector<Hash> roots{empty_root()};
  for (int i = 0; i < 70; ++i) {
    t.append(leaf_hash("leaf " + std::to_string(i)));
    roots.push_back(t.root());
  }
  for (uint64_t n = 1; n <= 70; ++n) {
    for (uint64_t m = 0; m < n; ++m) {
      auto p = *inclusion_proof(t, m, n);
      ASSERT_TRUE(verify_inclusion(leaf_hash("leaf " + std::to_string(m)), m, n, p, roots[n])) << m << "/" << n;
      if (!p.empty()) {
        p.back()[0] ^= 1;
        EXPECT_FALSE(verify_inclusion(leaf_hash("leaf " + std::to_string(m)), m, n, p, roots[n]));
      }
      EXPECT_FALSE(verify_inclusion(leaf_hash("other"), m, n, *inclusion_proof(t, m, n), roots[n]));
    }
    for (uint64_t m = 1; m <= n; ++m) {
      auto p = *consistency_proof(t, m, n);
      ASSERT_TRUE(verify_consistency(m, n, roots[m], roots[n], p)) << m << "->" << n;
      if (!p.empty()) {
        p.front()[31] ^= 0x80;
        EXPECT_FALSE(verify_consistency(m, n, roots[m], roots[n], p));
      }
    }
  }
}

TEST(Merkle, ErrorsForImpossibleRequests) {
  MemoryTree t;
  t.append(leaf_hash("a"));
  EXPECT_FALSE(inclusion_proof(t, 1, 1).ok());
  EXPECT_FALSE(consistency_proof(t, 2, 1).ok());
  EXPECT_FALSE(hash_from_hex("abcd").ok());
  EXPECT_EQ(to_hex(empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace wardline::audit
