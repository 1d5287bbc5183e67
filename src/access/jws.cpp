// Compact JWS verification (RFC 7515) and OIDC token claims (RFC 7519,
// OpenID Connect Core 2). The algorithm is bound to the key type: a header
// cannot talk the verifier into "none", HMAC with a public key, or another
// key type.
#include <nlohmann/json.hpp>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "access/keys_impl.h"
#include "core/crypto.h"

namespace wardline::access {
namespace {

constexpr size_t kMaxTokenBytes = 16 * 1024;

Error invalid(const std::string& why) { return make_error("invalid_token", why); }

// JWS ES256 signatures are r || s (32 bytes each); OpenSSL wants DER.
std::string es256_der(std::string_view raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::string der;
  if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool verify_with(const PublicKey& k, std::string_view input, std::string_view signature) {
  std::string der;
  if (k.type == KeyType::p256) {
    if (signature.size() != 64) return false;
    der = es256_der(signature);
    if (der.empty()) return false;
    signature = der;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  const EVP_MD* md = k.type == KeyType::ed25519 ? nullptr : EVP_sha256();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, k.key.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

std::optional<KeyType> key_type_for(std::string_view alg) {
  if (alg == "RS256") return KeyType::rsa;
  if (alg == "ES256") return KeyType::p256;
  if (alg == "EdDSA") return KeyType::ed25519;
  return std::nullopt;
}

// A claim that is a string or an array of strings (aud, amr).
std::vector<std::string> strings_of(const nlohmann::json& v) {
  std::vector<std::string> out;
  if (v.is_string()) out.push_back(v.get<std::string>());
  if (v.is_array())
    for (const auto& s : v)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

int64_t time_of(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return -1;  // present but not a NumericDate
}

}  // namespace

Result<std::string> verify_jws(std::string_view compact, const KeySet& keys) {
  if (compact.size() > kMaxTokenBytes) return invalid("the token is larger than 16 KiB");
  size_t d1 = compact.find('.'), d2 = d1 == std::string_view::npos ? d1 : compact.find('.', d1 + 1);
  if (d2 == std::string_view::npos || compact.find('.', d2 + 1) != std::string_view::npos)
    return invalid("not a compact JWS: three base64url parts separated by '.' expected");
  auto header_bytes = crypto::base64url_decode(compact.substr(0, d1));
  auto payload = crypto::base64url_decode(compact.substr(d1 + 1, d2 - d1 - 1));
  auto signature = crypto::base64url_decode(compact.substr(d2 + 1));
  if (!header_bytes || !payload || !signature) return invalid("a part of the token is not base64url");
  auto header = nlohmann::json::parse(*header_bytes, nullptr, false);
  if (!header.is_object() || !header.contains("alg") || !header["alg"].is_string())
    return invalid("the JOSE header is not a JSON object with an \"alg\"");
  std::string alg = header["alg"].get<std::string>();
  auto type = key_type_for(alg);
  if (!type) return invalid("algorithm '" + alg + "' is not accepted; use RS256, ES256 or EdDSA");
  if (header.contains("crit")) return invalid("critical header parameters are not supported");
  std::string kid = header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  std::string_view input = compact.substr(0, d2);
  bool found = false;
  for (const auto& k : keys.impl_->keys) {
    if (k.type != *type || (!kid.empty() && k.kid != kid)) continue;
    found = true;
    if (verify_with(k, input, *signature)) return std::move(*payload);
  }
  if (!found)
    return invalid(kid.empty() ? "no " + alg + " key in the issuer's key set"
                               : "unknown key id '" + kid + "' for " + alg + " in the issuer's key set");
  return invalid("the signature does not verify");
}

Result<Claims> verify_token(std::string_view jwt, const KeySet& keys, const TokenRules& rules, int64_t now) {
  auto payload = verify_jws(jwt, keys);
  if (!payload) return payload.error();
  auto p = nlohmann::json::parse(*payload, nullptr, false);
  if (!p.is_object()) return invalid("the token's payload is not a JSON object");
  Claims c;
  c.iss = p.value("iss", "");
  if (p.contains("sub") && p["sub"].is_string()) c.sub = p["sub"].get<std::string>();
  if (p.contains("acr") && p["acr"].is_string()) c.acr = p["acr"].get<std::string>();
  if (p.contains("preferred_username") && p["preferred_username"].is_string())
    c.preferred_username = p["preferred_username"].get<std::string>();
  if (p.contains("aud")) c.aud = strings_of(p["aud"]);
  if (p.contains("amr")) c.amr = strings_of(p["amr"]);
  c.exp = time_of(p, "exp");
  c.nbf = time_of(p, "nbf");
  c.iat = time_of(p, "iat");
  c.auth_time = time_of(p, "auth_time");
  if (c.exp < 0 || c.nbf < 0 || c.iat < 0 || c.auth_time < 0) return invalid("exp, nbf, iat and auth_time must be numbers");
  if (c.iss != rules.issuer) return make_error("wrong_issuer", "the token's issuer '" + c.iss + "' is not '" + rules.issuer + "'");
  bool audience = rules.audiences.empty();
  for (const auto& a : c.aud)
    for (const auto& want : rules.audiences) audience = audience || a == want;
  if (!audience) return make_error("wrong_audience", "the token is not meant for this audience");
  if (c.exp == 0) return invalid("the token has no exp claim");
  if (now > c.exp + rules.skew) return make_error("token_expired", "the token expired at " + std::to_string(c.exp));
  if (c.nbf && now + rules.skew < c.nbf) return make_error("token_not_yet_valid", "the token is not valid before " + std::to_string(c.nbf));
  if (c.iat && now + rules.skew < c.iat) return make_error("token_not_yet_valid", "the token was issued in the future");
  return c;
}

}  // namespace wardline::access
