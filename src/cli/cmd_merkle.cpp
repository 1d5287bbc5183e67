// wardline merkle ...: RFC 6962 tools for auditors. They need no database:
// leaf data comes from stdin, one hex-encoded leaf per line.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>

#include "audit/audit.h"
#include "cli/context.h"
#include "core/crypto.h"

namespace wardline::cli {
namespace {

using audit::Hash;

// Every line is one leaf (an empty line is an empty leaf); a final newline
// ends the last line rather than starting another.
Result<audit::MemoryTree> read_leaves(std::istream& in) {
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  audit::MemoryTree tree;
  if (all.empty()) return tree;
  if (all.back() == '\n') all.pop_back();
  size_t start = 0, line = 1;
  for (;;) {
    size_t end = all.find('\n', start);
    std::string_view text(all.data() + start, (end == std::string::npos ? all.size() : end) - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    auto data = crypto::hex_decode(text);
    if (!data)
      return make_error("invalid_leaf", "stdin line " + std::to_string(line) + ": " + data.error().message +
                                            "; each line must be one leaf's data in hex");
    tree.append(audit::leaf_hash(*data));
    if (end == std::string::npos) break;
    start = end + 1;
    ++line;
  }
  return tree;
}

std::string json_hashes(const std::vector<Hash>& hashes) { return nlohmann::json(audit::to_hex(hashes)).dump(); }

// A proof given as a JSON array (as `merkle inclusion` prints it), or as
// comma- or space-separated hex hashes. CLI11 may already have split a JSON
// array into its elements, so brackets and quotes are simply separators.
Result<std::vector<Hash>> parse_proof(const std::vector<std::string>& args) {
  std::vector<Hash> out;
  for (const auto& a : args) {
    size_t start = 0;
    while (start < a.size()) {
      size_t end = a.find_first_of("[]\", \t\n", start);
      if (end == std::string::npos) end = a.size();
      if (end > start) {
        auto h = audit::hash_from_hex(std::string_view(a).substr(start, end - start));
        if (!h)
          return make_error("invalid_proof", "proof element " + std::to_string(out.size()) + ": " + h.error().message, "proof");
        out.push_back(*h);
      }
      start = end + 1;
    }
  }
  return out;
}

struct VerifyOptions {
  uint64_t index = 0, size = 0, first = 0, second = 0;
  std::string leaf, leaf_hash, root, first_root, second_root;
  std::vector<std::string> proof;
};

int verify_inclusion(const VerifyOptions& o) {
  Hash leaf;
  if (!o.leaf_hash.empty()) {  // else: --leaf, possibly empty
    auto h = audit::hash_from_hex(o.leaf_hash);
    if (!h) return fail(h.error());
    leaf = *h;
  } else {
    auto data = crypto::hex_decode(o.leaf);
    if (!data) return fail(make_error("invalid_leaf", "--leaf: " + data.error().message));
    leaf = audit::leaf_hash(*data);
  }
  auto root = audit::hash_from_hex(o.root);
  if (!root) return fail(root.error());
  auto proof = parse_proof(o.proof);
  if (!proof) return fail(proof.error());
  bool ok = audit::verify_inclusion(leaf, o.index, o.size, *proof, *root);
  std::cout << (ok ? "valid" : "invalid") << "\n";
  return ok ? kOk : kFailure;
}

int verify_consistency(const VerifyOptions& o) {
  auto r1 = audit::hash_from_hex(o.first_root);
  if (!r1) return fail(r1.error());
  auto r2 = audit::hash_from_hex(o.second_root);
  if (!r2) return fail(r2.error());
  auto proof = parse_proof(o.proof);
  if (!proof) return fail(proof.error());
  bool ok = audit::verify_consistency(o.first, o.second, *r1, *r2, *proof);
  std::cout << (ok ? "valid" : "invalid") << "\n";
  return ok ? kOk : kFailure;
}

}  // namespace

void add_merkle_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("merkle", "RFC 6962 Merkle tools for auditors (leaves as hex lines on stdin)");
  group->require_subcommand(1);

  group->add_subcommand("root", "Print the root hash of the leaves on stdin")->callback([&rc] {
    auto tree = read_leaves(std::cin);
    if (!tree) return void(rc = fail(tree.error()));
    std::cout << audit::to_hex(tree->root()) << "\n";
    rc = kOk;
  });

  auto index = std::make_shared<uint64_t>(0);
  auto* incl = group->add_subcommand("inclusion", "Print the inclusion proof of leaf --index as a JSON array");
  incl->add_option("--index", *index, "0-based leaf index")->required();
  incl->callback([index, &rc] {
    auto tree = read_leaves(std::cin);
    if (!tree) return void(rc = fail(tree.error()));
    auto proof = audit::inclusion_proof(*tree, *index, tree->size());
    if (!proof) return void(rc = fail(proof.error()));
    std::cout << json_hashes(*proof) << "\n";
    rc = kOk;
  });

  auto first = std::make_shared<uint64_t>(0);
  auto* cons = group->add_subcommand("consistency",
                                     "Print the consistency proof from the first --first leaves to all leaves as a JSON array");
  cons->add_option("--first", *first, "size of the earlier tree (1..N)")->required();
  cons->callback([first, &rc] {
    auto tree = read_leaves(std::cin);
    if (!tree) return void(rc = fail(tree.error()));
    if (*first == 0 || *first > tree->size())
      return void(rc = fail(make_error("invalid_size", "--first must be between 1 and the number of leaves (" +
                                                           std::to_string(tree->size()) + ")")));
    auto proof = audit::consistency_proof(*tree, *first, tree->size());
    if (!proof) return void(rc = fail(proof.error()));
    std::cout << json_hashes(*proof) << "\n";
    rc = kOk;
  });

  auto v = std::make_shared<VerifyOptions>();
  auto* vi = group->add_subcommand("verify-inclusion", "Check an inclusion proof against a root (exit 0 valid, 1 invalid)");
  auto* leaf = vi->add_option("--leaf", v->leaf, "the leaf's data, hex");
  auto* leaf_hash = vi->add_option("--leaf-hash", v->leaf_hash, "or the leaf's hash, hex");
  leaf->excludes(leaf_hash);
  vi->add_option("--index", v->index, "0-based leaf index")->required();
  vi->add_option("--size", v->size, "tree size")->required();
  vi->add_option("--root", v->root, "root hash, hex")->required();
  vi->add_option("--proof,proof", v->proof, "proof: a JSON array or hex hashes")->expected(0, 4096);
  vi->callback([v, leaf, leaf_hash, &rc] {
    // An empty --leaf is a real leaf (the empty string), so presence is what counts.
    if (leaf->count() == 0 && leaf_hash->count() == 0)
      return void(rc = fail(make_error("usage", "give the leaf as --leaf HEX (its data) or --leaf-hash HEX")));
    rc = verify_inclusion(*v);
  });

  auto* vc = group->add_subcommand("verify-consistency", "Check a consistency proof between two roots (exit 0 valid, 1 invalid)");
  vc->add_option("--first", v->first, "earlier tree size")->required();
  vc->add_option("--second", v->second, "later tree size")->required();
  vc->add_option("--first-root", v->first_root, "earlier root hash, hex")->required();
  vc->add_option("--second-root", v->second_root, "later root hash, hex")->required();
  vc->add_option("--proof,proof", v->proof, "proof: a JSON array or hex hashes")->expected(0, 4096);
  vc->callback([v, &rc] { rc = verify_consistency(*v); });
}

}  // namespace wardline::cli
