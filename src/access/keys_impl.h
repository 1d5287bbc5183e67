// Internal: the keys of a KeySet, shared by the JWKS reader and the JWS
// verifier.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "access/access.h"

namespace wardline::access {

enum class KeyType { rsa, p256, ed25519 };

struct PublicKey {
  KeyType type = KeyType::rsa;
  std::string kid;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

struct KeySet::Impl {
  std::vector<PublicKey> keys;
  size_t skipped = 0;
};

}  // namespace wardline::access
