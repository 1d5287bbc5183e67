// JWKS documents (RFC 7517) as OpenSSL public keys: RSA (n, e), EC P-256
// (x, y) and OKP Ed25519 (x). Private members, if present, are ignored.
#include <nlohmann/json.hpp>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "access/keys_impl.h"
#include "core/crypto.h"

namespace wardline::access {
namespace {

using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

Bn bignum(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr), BN_free);
}

std::optional<std::string> member(const nlohmann::json& k, const char* name) {
  auto it = k.find(name);
  if (it == k.end() || !it->is_string()) return std::nullopt;
  auto bytes = crypto::base64url_decode(it->get<std::string>());
  if (!bytes || bytes->empty()) return std::nullopt;
  return *bytes;
}

EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* bld) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY* key = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  if (ctx && params && EVP_PKEY_fromdata_init(ctx) > 0) EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return key;
}

EVP_PKEY* rsa_key(const nlohmann::json& k) {
  auto n = member(k, "n"), e = member(k, "e");
  if (!n || !e || n->size() < 256) return nullptr;  // below 2048 bits is refused
  Bn bn_n = bignum(*n), bn_e = bignum(*e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* key = nullptr;
  if (bld && bn_n && bn_e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()))
    key = from_params("RSA", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

EVP_PKEY* p256_key(const nlohmann::json& k) {
  auto x = member(k, "x"), y = member(k, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) return nullptr;
  std::string point = "\x04" + *x + *y;  // uncompressed SEC 1 point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  EVP_PKEY* key = nullptr;
  if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
    key = from_params("EC", bld);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

EVP_PKEY* ed25519_key(const nlohmann::json& k) {
  auto x = member(k, "x");
  if (!x || x->size() != 32) return nullptr;
  return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x->data()), 32);
}

}  // namespace

KeySet::KeySet() : impl_(std::make_unique<Impl>()) {}
KeySet::~KeySet() = default;
KeySet::KeySet(KeySet&&) noexcept = default;
KeySet& KeySet::operator=(KeySet&&) noexcept = default;
size_t KeySet::size() const { return impl_->keys.size(); }
size_t KeySet::skipped() const { return impl_->skipped; }

bool KeySet::has_kid(std::string_view kid) const {
  for (const auto& k : impl_->keys)
    if (k.kid == kid) return true;
  return false;
}

Result<KeySet> KeySet::parse(std::string_view jwks_json) {
  auto doc = nlohmann::json::parse(jwks_json, nullptr, false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array())
    return make_error("invalid_jwks", "a JWKS is a JSON object with a \"keys\" array (RFC 7517 section 5)");
  KeySet set;
  for (const auto& k : doc["keys"]) {
    if (!k.is_object()) {
      ++set.impl_->skipped;
      continue;
    }
    std::string kty = k.value("kty", ""), crv = k.value("crv", ""), use = k.value("use", "sig");
    if (use != "sig") {  // encryption keys never verify signatures
      ++set.impl_->skipped;
      continue;
    }
    PublicKey pk;
    pk.kid = k.contains("kid") && k["kid"].is_string() ? k["kid"].get<std::string>() : "";
    EVP_PKEY* key = nullptr;
    if (kty == "RSA") {
      pk.type = KeyType::rsa;
      key = rsa_key(k);
    } else if (kty == "EC" && crv == "P-256") {
      pk.type = KeyType::p256;
      key = p256_key(k);
    } else if (kty == "OKP" && crv == "Ed25519") {
      pk.type = KeyType::ed25519;
      key = ed25519_key(k);
    }
    // A key that names its algorithm (RFC 7517 section 4.4) is used for that
    // algorithm only: an RSA key marked HS256 verifies nothing here.
    static constexpr const char* kAlgOf[] = {"RS256", "ES256", "EdDSA"};
    if (key && k.contains("alg") && k["alg"] != kAlgOf[static_cast<int>(pk.type)]) {
      EVP_PKEY_free(key);
      key = nullptr;
    }
    if (!key) {
      ++set.impl_->skipped;
      continue;
    }
    pk.key.reset(key);
    set.impl_->keys.push_back(std::move(pk));
  }
  return set;
}

}  // namespace wardline::access
