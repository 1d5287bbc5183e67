// Client data and assertion signatures (WebAuthn Level 2, sections 7.1 and 7.2).
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "console/webauthn.h"
#include "core/crypto.h"

namespace wardline::console::webauthn {

Status check_client_data(std::string_view client_data_json, std::string_view type, std::string_view challenge_b64url,
                         std::string_view origin) {
  auto bad = [](const std::string& why) { return make_error("invalid_client_data", "client data " + why); };
  nlohmann::json cd = nlohmann::json::parse(client_data_json, nullptr, false);
  if (cd.is_discarded() || !cd.is_object()) return bad("is not a JSON object");
  auto text = [&](const char* k) { return cd.contains(k) && cd[k].is_string() ? cd[k].get<std::string>() : std::string(); };
  if (text("type") != type) return bad("has type '" + text("type") + "', expected '" + std::string(type) + "'");
  // Compare decoded bytes: some clients pad or re-encode base64url.
  auto got = crypto::base64url_decode(text("challenge"));
  auto want = crypto::base64url_decode(challenge_b64url);
  if (!got || !want || !crypto::constant_time_equal(*got, *want)) return bad("answers a different challenge");
  if (text("origin") != origin)
    return bad("comes from origin '" + text("origin") + "', not '" + std::string(origin) +
               "' (open the dashboard at that address, or set console.origin)");
  if (cd.contains("crossOrigin") && cd["crossOrigin"] == true) return bad("comes from a cross-origin frame");
  return {};
}

Status verify_assertion_signature(const PublicKey& key, std::string_view authenticator_data,
                                  std::string_view client_data_json, std::string_view signature) {
  const auto* der = reinterpret_cast<const unsigned char*>(key.spki_der.data());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(d2i_PUBKEY(nullptr, &der, static_cast<long>(key.spki_der.size())),
                                                           EVP_PKEY_free);
  if (!pkey) return make_error("invalid_public_key", "the stored public key cannot be read");
  std::string signed_data(authenticator_data);
  signed_data += crypto::sha256(client_data_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  // Ed25519 signs the message itself (no separate digest).
  const EVP_MD* md = key.algorithm == kEdDSA ? nullptr : EVP_sha256();
  if (key.algorithm != kES256 && key.algorithm != kEdDSA && key.algorithm != kRS256)
    return make_error("invalid_public_key", "unsupported COSE algorithm " + std::to_string(key.algorithm));
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, pkey.get()) <= 0)
    return make_error("invalid_public_key", "the stored public key does not fit its algorithm");
  int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(signed_data.data()), signed_data.size());
  if (ok != 1) return make_error("invalid_signature", "the passkey's signature does not verify");
  return {};
}

}  // namespace wardline::console::webauthn
