#include "unit/console/soft_authenticator.h"

#include <cbor.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>

#include <cstdlib>
#include <ostream>
#include <stdexcept>

#include "core/crypto.h"

namespace wardline::testing {
namespace {

struct ItemFree {
  void operator()(cbor_item_t* i) const { cbor_decref(&i); }
};
using Item = std::unique_ptr<cbor_item_t, ItemFree>;

cbor_item_t* build_int(int64_t v) {
  uint64_t m = v >= 0 ? static_cast<uint64_t>(v) : static_cast<uint64_t>(-1 - v);
  bool neg = v < 0;
  if (m <= 0xff) return neg ? cbor_build_negint8(static_cast<uint8_t>(m)) : cbor_build_uint8(static_cast<uint8_t>(m));
  if (m <= 0xffff) return neg ? cbor_build_negint16(static_cast<uint16_t>(m)) : cbor_build_uint16(static_cast<uint16_t>(m));
  if (m <= 0xffffffff) return neg ? cbor_build_negint32(static_cast<uint32_t>(m)) : cbor_build_uint32(static_cast<uint32_t>(m));
  return neg ? cbor_build_negint64(m) : cbor_build_uint64(m);
}

cbor_item_t* build_bytes(const std::string& b) {
  return cbor_build_bytestring(reinterpret_cast<cbor_data>(b.data()), b.size());
}

void add(cbor_item_t* map, cbor_item_t* key, cbor_item_t* value) {
  if (!cbor_map_add(map, cbor_pair{cbor_move(key), cbor_move(value)})) throw std::runtime_error("cbor_map_add failed");
}

std::string serialize(const Item& item) {
  unsigned char* buf = nullptr;
  size_t cap = 0;
  size_t len = cbor_serialize_alloc(item.get(), &buf, &cap);
  std::string out(reinterpret_cast<char*>(buf), len);
  free(buf);
  return out;
}

std::string bn_param(EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(std::string("no key parameter ") + name);
  std::string out(pad_to ? pad_to : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

std::string b64(const std::string& bytes) { return crypto::base64url_encode(bytes); }

}  // namespace

std::string to_string(KeyKind k) {
  switch (k) {
    case KeyKind::es256: return "ES256";
    case KeyKind::ed25519: return "EdDSA";
    case KeyKind::rs256: return "RS256";
  }
  return "?";
}

void PrintTo(KeyKind k, std::ostream* os) { *os << to_string(k); }

std::string cbor_map(const std::vector<CoseEntry>& entries) {
  Item map(cbor_new_definite_map(entries.size()));
  for (const auto& [label, value] : entries)
    add(map.get(), build_int(label),
        std::holds_alternative<int64_t>(value) ? build_int(std::get<int64_t>(value)) : build_bytes(std::get<std::string>(value)));
  return serialize(map);
}

std::string attestation_cbor(const std::optional<std::string>& fmt, const std::optional<std::string>& auth_data) {
  Item map(cbor_new_definite_map(3));
  if (fmt) add(map.get(), cbor_build_string("fmt"), cbor_build_stringn(fmt->data(), fmt->size()));
  add(map.get(), cbor_build_string("attStmt"), cbor_new_definite_map(0));
  if (auth_data) add(map.get(), cbor_build_string("authData"), build_bytes(*auth_data));
  return serialize(map);
}

SoftAuthenticator::SoftAuthenticator(KeyKind kind, int rsa_bits)
    : credential_id(crypto::random_bytes(16)), kind_(kind) {
  EVP_PKEY* k = kind == KeyKind::es256     ? EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")
                : kind == KeyKind::ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits));
  if (!k) throw std::runtime_error("key generation failed");
  key_.reset(k, EVP_PKEY_free);
}

int SoftAuthenticator::algorithm() const {
  return kind_ == KeyKind::es256 ? -7 : kind_ == KeyKind::ed25519 ? -8 : -257;
}

std::vector<CoseEntry> SoftAuthenticator::cose_entries() const {
  EVP_PKEY* k = key_.get();
  switch (kind_) {
    case KeyKind::es256:
      return {{1, int64_t{2}}, {3, int64_t{-7}}, {-1, int64_t{1}},
              {-2, bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, 32)}, {-3, bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, 32)}};
    case KeyKind::ed25519: {
      std::string x(32, '\0');
      size_t len = x.size();
      EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(x.data()), &len);
      return {{1, int64_t{1}}, {3, int64_t{-8}}, {-1, int64_t{6}}, {-2, x}};
    }
    case KeyKind::rs256:
      return {{1, int64_t{3}}, {3, int64_t{-257}}, {-1, bn_param(k, OSSL_PKEY_PARAM_RSA_N)}, {-2, bn_param(k, OSSL_PKEY_PARAM_RSA_E)}};
  }
  return {};
}

std::string SoftAuthenticator::spki_der() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key_.get(), &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string SoftAuthenticator::client_data(const std::string& default_type, const std::string& options_challenge) const {
  nlohmann::ordered_json cd = {{"type", type.value_or(default_type)},
                               {"challenge", challenge.value_or(options_challenge)},
                               {"origin", origin},
                               {"crossOrigin", cross_origin}};
  return cd.dump();
}

std::string SoftAuthenticator::authenticator_data(bool attested) const {
  std::string d = crypto::sha256(rp_id);
  d += static_cast<char>(attested ? (flags | 0x40) : flags);
  for (int shift = 24; shift >= 0; shift -= 8) d += static_cast<char>((sign_count >> shift) & 0xff);
  if (attested) {
    d += aaguid;
    d += static_cast<char>((credential_id.size() >> 8) & 0xff);
    d += static_cast<char>(credential_id.size() & 0xff);
    d += credential_id;
    d += cose_key();
  }
  return d;
}

std::string SoftAuthenticator::sign(const std::string& data) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = kind_ == KeyKind::ed25519 ? nullptr : EVP_sha256();
  size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(data.data());
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1)
    throw std::runtime_error("signing failed");
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) != 1)
    throw std::runtime_error("signing failed");
  sig.resize(len);
  return sig;
}

nlohmann::json SoftAuthenticator::make_registration(const std::string& options_json) {
  auto options = nlohmann::json::parse(options_json);
  user_handle = crypto::base64url_decode(options["user"]["id"].get<std::string>()).value();
  std::string cd = client_data("webauthn.create", options["challenge"].get<std::string>());
  std::string att = attestation_cbor("none", authenticator_data(true));
  return {{"id", b64(credential_id)},
          {"rawId", b64(credential_id)},
          {"type", "public-key"},
          {"response", {{"clientDataJSON", b64(cd)}, {"attestationObject", b64(att)}}}};
}

nlohmann::json SoftAuthenticator::make_assertion(const std::string& options_json) {
  auto options = nlohmann::json::parse(options_json);
  sign_count += counter_step;
  std::string cd = client_data("webauthn.get", options["challenge"].get<std::string>());
  std::string ad = authenticator_data(false);
  nlohmann::json response = {{"clientDataJSON", b64(cd)}, {"authenticatorData", b64(ad)},
                             {"signature", b64(sign(ad + crypto::sha256(cd)))}};
  if (user_handle) response["userHandle"] = b64(*user_handle);
  return {{"id", b64(credential_id)}, {"rawId", b64(credential_id)}, {"type", "public-key"}, {"response", response}};
}

}  // namespace wardline::testing
