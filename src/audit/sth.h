// Signed tree heads: Ed25519 over RFC 6962's TreeHeadSignature structure
// (version 0, signature type 1 = tree_hash, timestamp ms, tree size, root).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "audit/merkle.h"

namespace wardline::audit {

struct SignedTreeHead {
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;  // milliseconds since the Unix epoch
  Hash root{};
  std::string signature;      // 64 raw bytes (Ed25519)
  std::string key_id;         // hex SHA-256 of the public key (SubjectPublicKeyInfo DER)
};

// The 50 bytes that are signed (RFC 6962 §3.5 digitally-signed TreeHeadSignature).
std::string tree_head_signature_input(uint64_t timestamp_ms, uint64_t tree_size, const Hash& root);

// JSON as in RFC 6962 get-sth, plus key_id:
// {"tree_size","timestamp","sha256_root_hash"(base64),"tree_head_signature"(base64),"key_id"}
std::string sth_to_json(const SignedTreeHead& sth);
Result<SignedTreeHead> sth_from_json(const std::string& text);

class SigningKey {
 public:
  // Loads the PEM private key, creating it (mode 0600) if absent.
  static Result<std::shared_ptr<SigningKey>> open_or_create(const std::string& pem_path);
  ~SigningKey();
  SignedTreeHead sign(uint64_t tree_size, const Hash& root, uint64_t timestamp_ms) const;
  std::string public_key_pem() const;
  const std::string& key_id() const { return key_id_; }

 private:
  SigningKey() = default;
  void* key_ = nullptr;  // EVP_PKEY*
  std::string key_id_;
};

// Verifies an STH against a PEM public key.
Result<bool> verify_sth(const SignedTreeHead& sth, const std::string& public_key_pem);

}  // namespace wardline::audit
