// Authenticator data, attestation objects and COSE keys, read with libcbor.
#include <cbor.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

#include "console/webauthn.h"

namespace wardline::console::webauthn {
namespace {

struct ItemFree {
  void operator()(cbor_item_t* i) const { cbor_decref(&i); }
};
using Item = std::unique_ptr<cbor_item_t, ItemFree>;

// libcbor allocates what a definite array or map declares before reading
// its items: a 9-byte header could ask for gigabytes, and nested headers
// multiply that. Every item takes at least one byte and belongs to exactly
// one container, so all containers together may declare at most as many
// items as there are bytes.
bool declared_sizes_fit(std::string_view bytes) {
  struct Scan {
    size_t budget = 0, declared = 0;
    bool fits = true;
  } scan;
  scan.budget = bytes.size();
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.array_start = [](void* c, size_t n) {
    auto* s = static_cast<Scan*>(c);
    s->fits = s->fits && n <= s->budget - s->declared;
    if (s->fits) s->declared += n;
  };
  cb.map_start = [](void* c, size_t n) {
    auto* s = static_cast<Scan*>(c);
    s->fits = s->fits && n <= (s->budget - s->declared) / 2;
    if (s->fits) s->declared += 2 * n;
  };
  for (size_t pos = 0; pos < bytes.size() && scan.fits;) {
    auto r = cbor_stream_decode(reinterpret_cast<cbor_data>(bytes.data() + pos), bytes.size() - pos, &cb, &scan);
    if (r.status != CBOR_DECODER_FINISHED || r.read == 0) break;  // cbor_load reports what is wrong
    pos += r.read;
  }
  return scan.fits;
}

// Loads one CBOR data item from the start of `bytes`.
Result<Item> load(std::string_view bytes, const std::string& what, size_t* consumed) {
  if (!declared_sizes_fit(bytes))
    return make_error("invalid_" + what, what + " declares more CBOR items than it holds");
  cbor_load_result r{};
  Item item(cbor_load(reinterpret_cast<cbor_data>(bytes.data()), bytes.size(), &r));
  if (!item || r.error.code != CBOR_ERR_NONE)
    return make_error("invalid_" + what, what + " is not valid CBOR (error at byte " + std::to_string(r.error.position) + ")");
  if (consumed) *consumed = r.read;
  else if (r.read != bytes.size())
    return make_error("invalid_" + what, what + " has " + std::to_string(bytes.size() - r.read) + " bytes after its CBOR value");
  return item;
}

// The value under an integer key (COSE labels) or a text key, or null.
cbor_item_t* map_get(cbor_item_t* map, int64_t int_key, std::string_view text_key = {}) {
  if (!cbor_isa_map(map) || !cbor_map_is_definite(map)) return nullptr;
  cbor_pair* pairs = cbor_map_handle(map);
  for (size_t i = 0; i < cbor_map_size(map); ++i) {
    cbor_item_t* k = pairs[i].key;
    if (!text_key.empty()) {
      if (cbor_isa_string(k) && cbor_string_is_definite(k) &&
          std::string_view(reinterpret_cast<const char*>(cbor_string_handle(k)), cbor_string_length(k)) == text_key)
        return pairs[i].value;
    } else if (cbor_isa_uint(k) && int_key >= 0 && cbor_get_int(k) == static_cast<uint64_t>(int_key)) {
      return pairs[i].value;
    } else if (cbor_isa_negint(k) && int_key < 0 && cbor_get_int(k) == static_cast<uint64_t>(-1 - int_key)) {
      return pairs[i].value;
    }
  }
  return nullptr;
}

bool as_int(cbor_item_t* v, int64_t& out) {
  if (!v) return false;
  if (cbor_isa_uint(v) && cbor_get_int(v) <= INT64_MAX) out = static_cast<int64_t>(cbor_get_int(v));
  else if (cbor_isa_negint(v) && cbor_get_int(v) < INT64_MAX) out = -1 - static_cast<int64_t>(cbor_get_int(v));
  else return false;
  return true;
}

bool as_bytes(cbor_item_t* v, std::string& out) {
  if (!v || !cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v)) return false;
  out.assign(reinterpret_cast<const char*>(cbor_bytestring_handle(v)), cbor_bytestring_length(v));
  return true;
}

bool as_text(cbor_item_t* v, std::string& out) {
  if (!v || !cbor_isa_string(v) || !cbor_string_is_definite(v)) return false;
  out.assign(reinterpret_cast<const char*>(cbor_string_handle(v)), cbor_string_length(v));
  return true;
}

Error key_error(const std::string& why) { return make_error("invalid_public_key", "the passkey's COSE public key " + why); }

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

Result<std::string> to_spki(EVP_PKEY* pkey) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(pkey, &der);
  if (len <= 0) return key_error("cannot be encoded");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

// An EVP_PKEY from OSSL_PARAMs built by `fill`.
template <typename Fill>
Result<std::string> spki_from_params(const char* type, Fill fill) {
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || !fill(bld.get())) return key_error("cannot be built");
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr),
                                                                  EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return key_error("is not a valid " + std::string(type) + " key");
  PkeyPtr pkey(raw, EVP_PKEY_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(EVP_PKEY_CTX_new(pkey.get(), nullptr), EVP_PKEY_CTX_free);
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) return key_error("fails OpenSSL's public key check");
  if (std::string(type) == "RSA" && EVP_PKEY_get_bits(pkey.get()) < 2048) return key_error("is an RSA key under 2048 bits");
  return to_spki(pkey.get());
}

}  // namespace

Result<PublicKey> parse_cose_key(std::string_view cbor, size_t* consumed) {
  auto item = load(cbor, "public_key", consumed);
  if (!item) return item.error();
  cbor_item_t* m = item->get();
  if (!cbor_isa_map(m)) return key_error("is not a CBOR map");
  int64_t kty = 0, alg = 0, crv = 0;
  if (!as_int(map_get(m, 1), kty)) return key_error("has no key type (label 1)");
  if (!as_int(map_get(m, 3), alg)) return key_error("has no algorithm (label 3)");
  PublicKey key;
  key.algorithm = static_cast<int>(alg);
  std::string x, y;
  Result<std::string> spki = key_error("uses an unsupported algorithm " + std::to_string(alg) +
                                       "; Wardline accepts ES256 (-7), EdDSA (-8) and RS256 (-257)");
  if (alg == kES256) {
    if (kty != 2 || !as_int(map_get(m, -1), crv) || crv != 1) return key_error("for ES256 must be an EC2 key on P-256");
    if (!as_bytes(map_get(m, -2), x) || !as_bytes(map_get(m, -3), y) || x.size() != 32 || y.size() != 32)
      return key_error("has no 32-byte x and y coordinates");
    std::string point = "\x04" + x + y;
    spki = spki_from_params("EC", [&](OSSL_PARAM_BLD* b) {
      return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
             OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    });
  } else if (alg == kEdDSA) {
    if (kty != 1 || !as_int(map_get(m, -1), crv) || crv != 6) return key_error("for EdDSA must be an OKP key on Ed25519");
    if (!as_bytes(map_get(m, -2), x) || x.size() != 32) return key_error("has no 32-byte x coordinate");
    PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), 32),
                 EVP_PKEY_free);
    spki = pkey ? to_spki(pkey.get()) : Result<std::string>(key_error("is not a valid Ed25519 key"));
  } else if (alg == kRS256) {
    std::string n, e;
    if (kty != 3 || !as_bytes(map_get(m, -1), n) || !as_bytes(map_get(m, -2), e) || n.empty() || e.empty() ||
        n.size() > 1024 || e.size() > 8)
      return key_error("for RS256 must be an RSA key with modulus n (-1) and exponent e (-2)");
    // The builder refers to the BIGNUMs until it makes the params: they outlive the call.
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr), BN_free);
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr), BN_free);
    spki = spki_from_params("RSA", [&](OSSL_PARAM_BLD* b) {
      return bn_n && bn_e && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) &&
             OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, bn_e.get());
    });
  }
  if (!spki) return spki.error();
  key.spki_der = std::move(*spki);
  return key;
}

Result<AuthenticatorData> parse_authenticator_data(std::string_view bytes, bool registration) {
  auto bad = [](const std::string& why) { return make_error("invalid_authenticator_data", "authenticator data " + why); };
  if (bytes.size() < 37) return bad("is " + std::to_string(bytes.size()) + " bytes; at least 37 are required");
  AuthenticatorData d;
  d.rp_id_hash.assign(bytes.substr(0, 32));
  d.flags = static_cast<uint8_t>(bytes[32]);
  for (int i = 0; i < 4; ++i) d.sign_count = (d.sign_count << 8) | static_cast<uint8_t>(bytes[33 + i]);
  size_t pos = 37;
  if ((d.flags & kAttestedData) && !registration)
    return make_error("invalid_authenticator_data", "a sign-in carries attested credential data, which only a registration may");
  if (d.flags & kAttestedData) {
    if (bytes.size() < pos + 18) return bad("ends inside the attested credential data");
    d.aaguid.assign(bytes.substr(pos, 16));
    size_t len = (static_cast<size_t>(static_cast<uint8_t>(bytes[pos + 16])) << 8) | static_cast<uint8_t>(bytes[pos + 17]);
    pos += 18;
    if (len == 0 || len > 1023) return bad("has a credential id of " + std::to_string(len) + " bytes (1 to 1023 allowed)");
    if (bytes.size() < pos + len) return bad("ends inside the credential id");
    d.credential_id.assign(bytes.substr(pos, len));
    pos += len;
    size_t used = 0;
    auto key = parse_cose_key(bytes.substr(pos), &used);
    if (!key) return key.error();
    d.public_key = std::move(*key);
    pos += used;
  }
  if (d.flags & kExtensionData) {
    size_t used = 0;
    auto ext = load(bytes.substr(pos), "extensions", &used);
    if (!ext) return bad("has unreadable extensions: " + ext.error().message);
    pos += used;
  }
  if (pos != bytes.size()) return bad("has " + std::to_string(bytes.size() - pos) + " unexpected trailing bytes");
  return d;
}

Result<AttestationObject> parse_attestation_object(std::string_view cbor) {
  auto item = load(cbor, "attestation_object", nullptr);
  if (!item) return item.error();
  AttestationObject a;
  if (!as_text(map_get(item->get(), 0, "fmt"), a.format))
    return make_error("invalid_attestation_object", "the attestation object has no 'fmt' text");
  if (!as_bytes(map_get(item->get(), 0, "authData"), a.authenticator_data))
    return make_error("invalid_attestation_object", "the attestation object has no 'authData' bytes");
  return a;
}

}  // namespace wardline::console::webauthn
