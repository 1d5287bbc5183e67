// The WebAuthn parsers and verifiers on their own: COSE keys, authenticator
// data, attestation objects, client data and assertion signatures.
#include "console/webauthn.h"

#include <gtest/gtest.h>

#include "core/crypto.h"
#include "unit/console/soft_authenticator.h"

namespace wardline::console::webauthn {
namespace {

using testing::CoseEntry;
using testing::KeyKind;
using testing::SoftAuthenticator;

constexpr const char* kOrigin = "https://localhost:8443";

// The error's message, after checking it failed with `code`.
template <typename R>
std::string refusal(const R& r, const std::string& code) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, code) << r.error().message;
  return r.error().message;
}

std::string with_len(std::string data, size_t pos, size_t len) {
  data[pos] = static_cast<char>(len >> 8);
  data[pos + 1] = static_cast<char>(len & 0xff);
  return data;
}

class AllKeys : public ::testing::TestWithParam<KeyKind> {};

TEST_P(AllKeys, CoseKeyParsesToSpkiAndVerifiesSignatures) {
  SoftAuthenticator a(GetParam()), other(GetParam());
  auto key = parse_cose_key(a.cose_key());
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->algorithm, a.algorithm());
  EXPECT_EQ(key->spki_der, a.spki_der());

  std::string ad = a.authenticator_data(false);
  std::string cd = a.client_data("webauthn.get", "Y2hhbGxlbmdl");
  std::string sig = a.sign(ad + crypto::sha256(cd));
  Status ok = verify_assertion_signature(*key, ad, cd, sig);
  EXPECT_TRUE(ok.ok()) << ok.error().message;

  std::string altered_ad = ad;
  altered_ad[32] ^= 0x04;  // UV flag
  std::string altered_cd = cd;
  altered_cd.replace(altered_cd.find("localhost"), 9, "evil.test");
  EXPECT_EQ(refusal(verify_assertion_signature(*key, altered_ad, cd, sig), "invalid_signature"),
            "the passkey's signature does not verify");
  refusal(verify_assertion_signature(*key, ad, altered_cd, sig), "invalid_signature");
  refusal(verify_assertion_signature(*key, ad, cd, other.sign(ad + crypto::sha256(cd))), "invalid_signature");
  refusal(verify_assertion_signature(*key, ad, cd, ""), "invalid_signature");
}

INSTANTIATE_TEST_SUITE_P(Algorithms, AllKeys, ::testing::Values(KeyKind::es256, KeyKind::ed25519, KeyKind::rs256),
                         [](const auto& info) { return testing::to_string(info.param); });

// The key's COSE entries with `label` replaced (or removed when value is nullopt).
std::vector<CoseEntry> with(std::vector<CoseEntry> entries, int64_t label, std::optional<testing::CborValue> value) {
  std::erase_if(entries, [&](const CoseEntry& e) { return e.first == label; });
  if (value) entries.emplace_back(label, *value);
  return entries;
}

TEST(CoseKey, RefusesUnsupportedAlgorithmsCurvesAndSizes) {
  SoftAuthenticator ec(KeyKind::es256), ed(KeyKind::ed25519), rsa(KeyKind::rs256);
  auto msg = [](const std::vector<CoseEntry>& e) { return refusal(parse_cose_key(testing::cbor_map(e)), "invalid_public_key"); };
  auto ece = ec.cose_entries(), ede = ed.cose_entries(), rsae = rsa.cose_entries();
  std::string x = std::get<std::string>(ece[3].second);

  EXPECT_EQ(msg(with(ece, 3, int64_t{-35})),
            "the passkey's COSE public key uses an unsupported algorithm -35; Wardline accepts ES256 (-7), EdDSA (-8) and RS256 (-257)");
  EXPECT_EQ(msg(with(ece, 1, std::nullopt)), "the passkey's COSE public key has no key type (label 1)");
  EXPECT_EQ(msg(with(ece, 3, std::nullopt)), "the passkey's COSE public key has no algorithm (label 3)");
  EXPECT_NE(msg(with(ece, -1, int64_t{2})).find("must be an EC2 key on P-256"), std::string::npos);  // P-384
  EXPECT_NE(msg(with(ece, 1, int64_t{1})).find("must be an EC2 key on P-256"), std::string::npos);
  EXPECT_NE(msg(with(ece, -2, x.substr(1))).find("no 32-byte x and y"), std::string::npos);
  EXPECT_NE(msg(with(ece, -3, std::nullopt)).find("no 32-byte x and y"), std::string::npos);
  EXPECT_NE(msg(with(ece, -2, int64_t{5})).find("no 32-byte x and y"), std::string::npos);
  EXPECT_NE(msg(with(ece, -3, std::string(32, '\x01'))).find("is not a valid EC key"), std::string::npos);  // off the curve

  EXPECT_NE(msg(with(ede, -1, int64_t{7})).find("must be an OKP key on Ed25519"), std::string::npos);  // Ed448
  EXPECT_NE(msg(with(ede, -2, std::string(33, 'x'))).find("no 32-byte x coordinate"), std::string::npos);
  EXPECT_NE(msg(with(ede, 1, int64_t{2})).find("must be an OKP key on Ed25519"), std::string::npos);

  const std::string rsa_shape = "for RS256 must be an RSA key with modulus n (-1) and exponent e (-2)";
  EXPECT_NE(msg(with(rsae, -1, std::string())).find(rsa_shape), std::string::npos);
  EXPECT_NE(msg(with(rsae, -2, std::string(9, '\x01'))).find(rsa_shape), std::string::npos);
  EXPECT_NE(msg(with(rsae, -1, std::string(1025, '\xff'))).find(rsa_shape), std::string::npos);
  EXPECT_NE(msg(with(rsae, 1, int64_t{2})).find(rsa_shape), std::string::npos);
  SoftAuthenticator weak(KeyKind::rs256, 1024);
  EXPECT_EQ(msg(weak.cose_entries()), "the passkey's COSE public key is an RSA key under 2048 bits");
}

TEST(CoseKey, RefusesWhatIsNotOneCborMap) {
  SoftAuthenticator ec(KeyKind::es256);
  std::string cose = ec.cose_key();
  EXPECT_EQ(refusal(parse_cose_key("\x82\x01\x02"), "invalid_public_key"), "the passkey's COSE public key is not a CBOR map");
  EXPECT_NE(refusal(parse_cose_key(cose.substr(0, cose.size() - 1)), "invalid_public_key").find("not valid CBOR"), std::string::npos);
  std::string padded = cose + std::string(2, '\0');
  EXPECT_EQ(refusal(parse_cose_key(padded), "invalid_public_key"), "public_key has 2 bytes after its CBOR value");
  size_t used = 0;  // inside authenticator data the caller takes what follows
  ASSERT_TRUE(parse_cose_key(padded, &used).ok());
  EXPECT_EQ(used, cose.size());
}

TEST(AuthenticatorData, ReadsFieldsAndAttestedCredential) {
  SoftAuthenticator a(KeyKind::ed25519);
  a.sign_count = 0x01020304;
  auto plain = parse_authenticator_data(a.authenticator_data(false));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->rp_id_hash, crypto::sha256("localhost"));
  EXPECT_EQ(plain->flags, kUserPresent | kUserVerified);
  EXPECT_EQ(plain->sign_count, 0x01020304u);  // big-endian
  EXPECT_TRUE(plain->credential_id.empty());

  a.aaguid = std::string(16, '\x7a');
  auto full = parse_authenticator_data(a.authenticator_data(true));
  ASSERT_TRUE(full.ok()) << full.error().message;
  EXPECT_EQ(full->flags, kUserPresent | kUserVerified | kAttestedData);
  EXPECT_EQ(full->aaguid, a.aaguid);
  EXPECT_EQ(full->credential_id, a.credential_id);
  EXPECT_EQ(full->public_key.algorithm, kEdDSA);
  EXPECT_EQ(full->public_key.spki_der, a.spki_der());
}

TEST(AuthenticatorData, RefusesTruncatedOrPaddedData) {
  SoftAuthenticator a(KeyKind::es256);
  std::string full = a.authenticator_data(true), plain = a.authenticator_data(false);
  const size_t id_len_at = 37 + 16;
  auto msg = [](const std::string& d) { return refusal(parse_authenticator_data(d), "invalid_authenticator_data"); };
  EXPECT_EQ(msg(plain.substr(0, 36)), "authenticator data is 36 bytes; at least 37 are required");
  EXPECT_EQ(msg(""), "authenticator data is 0 bytes; at least 37 are required");
  EXPECT_EQ(msg(full.substr(0, id_len_at + 1)), "authenticator data ends inside the attested credential data");
  EXPECT_EQ(msg(full.substr(0, id_len_at + 2 + 10)), "authenticator data ends inside the credential id");
  EXPECT_EQ(msg(with_len(full, id_len_at, 0)), "authenticator data has a credential id of 0 bytes (1 to 1023 allowed)");
  EXPECT_EQ(msg(with_len(full, id_len_at, 1024)), "authenticator data has a credential id of 1024 bytes (1 to 1023 allowed)");
  EXPECT_EQ(msg(full + "abc"), "authenticator data has 3 unexpected trailing bytes");
  EXPECT_EQ(msg(plain + "abc"), "authenticator data has 3 unexpected trailing bytes");
  // The COSE key cut short: the key's own error.
  refusal(parse_authenticator_data(full.substr(0, full.size() - 5)), "invalid_public_key");
}

TEST(AuthenticatorData, ExtensionsOnlyWithTheirFlag) {
  SoftAuthenticator a(KeyKind::es256);
  std::string extensions = "\xa1\x63" "foo" "\xf5";  // {"foo": true}
  a.flags |= kExtensionData;
  auto ok = parse_authenticator_data(a.authenticator_data(true) + extensions);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->credential_id, a.credential_id);
  EXPECT_TRUE(parse_authenticator_data(a.authenticator_data(false) + extensions).ok());

  auto msg = [](const std::string& d) { return refusal(parse_authenticator_data(d), "invalid_authenticator_data"); };
  EXPECT_NE(msg(a.authenticator_data(false)).find("has unreadable extensions: extensions is not valid CBOR"), std::string::npos);
  EXPECT_EQ(msg(a.authenticator_data(false) + extensions + "z"), "authenticator data has 1 unexpected trailing bytes");
  a.flags &= static_cast<uint8_t>(~kExtensionData);
  EXPECT_EQ(msg(a.authenticator_data(true) + extensions), "authenticator data has 6 unexpected trailing bytes");
}

TEST(AttestationObject, ReadsFormatAndAuthenticatorData) {
  SoftAuthenticator a(KeyKind::es256);
  std::string ad = a.authenticator_data(true);
  auto att = parse_attestation_object(testing::attestation_cbor("none", ad));
  ASSERT_TRUE(att.ok()) << att.error().message;
  EXPECT_EQ(att->format, "none");
  EXPECT_EQ(att->authenticator_data, ad);

  auto msg = [](const std::string& cbor) { return refusal(parse_attestation_object(cbor), "invalid_attestation_object"); };
  EXPECT_EQ(msg(testing::attestation_cbor(std::nullopt, ad)), "the attestation object has no 'fmt' text");
  EXPECT_EQ(msg(testing::attestation_cbor("none", std::nullopt)), "the attestation object has no 'authData' bytes");
  EXPECT_EQ(msg("\x82\x01\x02"), "the attestation object has no 'fmt' text");  // an array
  EXPECT_NE(msg(R"({"fmt":"none"})").find("attestation_object is not valid CBOR"), std::string::npos);
  EXPECT_NE(msg("").find("not valid CBOR"), std::string::npos);
  EXPECT_EQ(msg(testing::attestation_cbor("none", ad) + "x"), "attestation_object has 1 bytes after its CBOR value");
}

class ClientData : public ::testing::Test {
 protected:
  std::string challenge = crypto::base64url_encode(crypto::random_bytes(32));
  SoftAuthenticator a{KeyKind::es256};
  std::string check(const std::string& cd, const std::string& type = "webauthn.create") {
    return refusal(check_client_data(cd, type, challenge, kOrigin), "invalid_client_data");
  }
};

TEST_F(ClientData, AcceptsTheCeremonyAsIssued) {
  Status s = check_client_data(a.client_data("webauthn.create", challenge), "webauthn.create", challenge, kOrigin);
  EXPECT_TRUE(s.ok()) << s.error().message;
  // Some clients pad the challenge: the decoded bytes are compared.
  Status padded = check_client_data(a.client_data("webauthn.get", challenge + "="), "webauthn.get", challenge, kOrigin);
  EXPECT_TRUE(padded.ok()) << padded.error().message;
}

TEST_F(ClientData, RefusesWrongTypeChallengeOriginAndCrossOrigin) {
  EXPECT_EQ(check(a.client_data("webauthn.create", challenge), "webauthn.get"),
            "client data has type 'webauthn.create', expected 'webauthn.get'");
  EXPECT_EQ(check(a.client_data("payment.get", challenge)), "client data has type 'payment.get', expected 'webauthn.create'");
  EXPECT_EQ(check(a.client_data("webauthn.create", crypto::base64url_encode(crypto::random_bytes(32)))),
            "client data answers a different challenge");
  EXPECT_EQ(check(a.client_data("webauthn.create", challenge.substr(0, 40))), "client data answers a different challenge");
  EXPECT_EQ(check(R"({"type":"webauthn.create","origin":"https://localhost:8443"})"), "client data answers a different challenge");

  a.origin = "https://evil.example";
  std::string origin_msg = check(a.client_data("webauthn.create", challenge));
  EXPECT_NE(origin_msg.find("comes from origin 'https://evil.example', not 'https://localhost:8443'"), std::string::npos) << origin_msg;
  a.origin = "https://localhost:8443/";
  EXPECT_NE(check(a.client_data("webauthn.create", challenge)).find("not 'https://localhost:8443'"), std::string::npos);

  a.origin = kOrigin;
  a.cross_origin = true;
  EXPECT_EQ(check(a.client_data("webauthn.create", challenge)), "client data comes from a cross-origin frame");
  EXPECT_EQ(check("not json"), "client data is not a JSON object");
  EXPECT_EQ(check("[1,2]"), "client data is not a JSON object");
}

TEST(AssertionSignature, RefusesUnusableStoredKeys) {
  SoftAuthenticator ed(KeyKind::ed25519);
  std::string ad = ed.authenticator_data(false), cd = "{}";
  std::string sig = ed.sign(ad + crypto::sha256(cd));
  EXPECT_EQ(refusal(verify_assertion_signature({kEdDSA, "junk"}, ad, cd, sig), "invalid_public_key"),
            "the stored public key cannot be read");
  EXPECT_EQ(refusal(verify_assertion_signature({-35, ed.spki_der()}, ad, cd, sig), "invalid_public_key"),
            "unsupported COSE algorithm -35");
  // An Ed25519 key stored as ES256 is not used with SHA-256 ECDSA.
  EXPECT_EQ(refusal(verify_assertion_signature({kES256, ed.spki_der()}, ad, cd, sig), "invalid_public_key"),
            "the stored public key does not fit its algorithm");
}

}  // namespace
}  // namespace wardline::console::webauthn

namespace wardline::console::webauthn {
namespace {

// libcbor would allocate what a header declares before reading the items.
TEST(Cbor, HeadersDeclaringMoreItemsThanTheInputHoldsAreRefused) {
  const std::string huge_map("\xba\xff\xfc\x00\x00", 5);
  const std::string huge_array("\x9b\x00\x00\x00\x00\x08\x00\x00\x00", 9);
  for (const auto& bytes : {huge_map, huge_array}) {
    auto key = parse_cose_key(bytes);
    ASSERT_FALSE(key.ok());
    EXPECT_EQ(key.error().message, "public_key declares more CBOR items than it holds");
    EXPECT_FALSE(parse_attestation_object(bytes).ok());
  }
  // Nested headers each within the input, together far beyond it.
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += std::string("\x9a\x00\x00\x03\xe8", 5);  // array of 1000
  nested += std::string(2000, '\0');
  auto key = parse_cose_key(nested);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().message, "public_key declares more CBOR items than it holds");
}

}  // namespace
}  // namespace wardline::console::webauthn
