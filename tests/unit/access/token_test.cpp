// Tokens: the RFC 7515 examples, tokens the tests sign themselves with RSA,
// P-256 and Ed25519 keys, every failure mode, key rotation, and AMR/ACR
// assurance levels.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "core/crypto.h"
#include "support/test_support.h"

namespace wardline::access {
namespace {

using json = nlohmann::json;
constexpr int64_t kNow = 1767225600;

std::string external(const std::string& name) {
  const char* dir = std::getenv("WARDLINE_EXTERNAL_DIR");
  return std::string(dir ? dir : "../shared/external") + "/jose/" + name;
}

// A key pair made for the test, with its public JWK.
struct TestKey {
  std::string alg, kid;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};

  static TestKey make(const std::string& alg, const std::string& kid) {
    TestKey k;
    k.alg = alg;
    k.kid = kid;
    if (alg == "RS256") k.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
    if (alg == "ES256") k.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (alg == "EdDSA") k.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    return k;
  }

  json jwk() const {
    json j{{"kid", kid}, {"use", "sig"}};
    if (alg == "RS256") {
      BIGNUM *n = nullptr, *e = nullptr;
      EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n);
      EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E, &e);
      auto bytes = [](BIGNUM* b) {
        std::string s(static_cast<size_t>(BN_num_bytes(b)), '\0');
        BN_bn2bin(b, reinterpret_cast<unsigned char*>(s.data()));
        BN_free(b);
        return crypto::base64url_encode(s);
      };
      j["kty"] = "RSA";
      j["n"] = bytes(n);
      j["e"] = bytes(e);
    } else if (alg == "ES256") {
      unsigned char point[65];
      size_t len = 0;
      EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len);
      j["kty"] = "EC";
      j["crv"] = "P-256";
      j["x"] = crypto::base64url_encode(std::string(reinterpret_cast<char*>(point) + 1, 32));
      j["y"] = crypto::base64url_encode(std::string(reinterpret_cast<char*>(point) + 33, 32));
    } else {
      unsigned char raw[32];
      size_t len = sizeof raw;
      EVP_PKEY_get_raw_public_key(key.get(), raw, &len);
      j["kty"] = "OKP";
      j["crv"] = "Ed25519";
      j["x"] = crypto::base64url_encode(std::string(reinterpret_cast<char*>(raw), len));
    }
    return j;
  }

  std::string sign(const json& payload, json header = json::object()) const {
    if (!header.contains("alg")) header["alg"] = alg;
    if (!header.contains("kid")) header["kid"] = kid;
    std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(payload.dump());
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, alg == "EdDSA" ? nullptr : EVP_sha256(), nullptr, key.get());
    size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (alg == "ES256") {  // DER -> r || s
      const unsigned char* p = reinterpret_cast<const unsigned char*>(sig.data());
      ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
      std::string raw(64, '\0');
      BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(raw.data()), 32);
      BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
      ECDSA_SIG_free(s);
      sig = raw;
    }
    return input + "." + crypto::base64url_encode(sig);
  }
};

KeySet keyset(const std::vector<const TestKey*>& keys) {
  json jwks{{"keys", json::array()}};
  for (const auto* k : keys) jwks["keys"].push_back(k->jwk());
  auto set = KeySet::parse(jwks.dump());
  EXPECT_TRUE(set) << set.error().message;
  return std::move(*set);
}

json claims(int64_t exp = kNow + 600) {
  return {{"iss", "https://idp.lakesidemed.org"}, {"sub", "u-17"}, {"preferred_username", "kim"},
          {"aud", "ehr-gateway"},                {"exp", exp},   {"iat", kNow - 10},
          {"auth_time", kNow - 60},              {"amr", {"hwk", "pin"}}};
}

const TokenRules kRules{"https://idp.lakesidemed.org", {"ehr-gateway"}, 60};

TEST(JwsConformance, Rfc7515ExamplesVerifyAndTamperedOnesDoNot) {
  std::ifstream in(external("rfc7515_jws_examples.json"));
  if (!in) GTEST_SKIP() << "shared/external/jose not present: RFC 7515 vectors skipped";
  json doc = json::parse(in);
  std::map<std::string, json> jwk_of;
  int verified = 0;
  for (const auto& v : doc["vectors"]) {
    jwk_of[v["name"]] = v.contains("jwk_public") ? v["jwk_public"] : v["jwk"];
    auto set = KeySet::parse(json{{"keys", {jwk_of[v["name"]]}}}.dump());
    ASSERT_TRUE(set);
    auto payload = verify_jws(v["compact"].get<std::string>(), *set);
    if (v["alg"] == "HS256") {
      EXPECT_FALSE(payload) << "HMAC must never be accepted from a token header";
      continue;
    }
    ASSERT_TRUE(payload) << v["name"] << ": " << payload.error().message;
    EXPECT_EQ(*payload, v["payload_utf8"].get<std::string>());
    ++verified;
  }
  EXPECT_EQ(verified, 2);  // A.2 RS256 and A.3 ES256
  for (const auto& v : doc["negative_vectors"]) {
    // The vector's alg is the verifier's: the key is bound to it.
    json jwk = jwk_of[v["jwk_ref"]];
    jwk["alg"] = v["alg"];
    auto set = KeySet::parse(json{{"keys", {jwk}}}.dump());
    ASSERT_TRUE(set);
    EXPECT_FALSE(verify_jws(v["compact"].get<std::string>(), *set)) << v["name"];
  }
}

class SignedTokens : public ::testing::TestWithParam<std::string> {};

TEST_P(SignedTokens, VerifyAndEveryFailureMode) {
  TestKey key = TestKey::make(GetParam(), "k1");
  ASSERT_NE(key.key, nullptr);
  KeySet keys = keyset({&key});
  auto c = verify_token(key.sign(claims()), keys, kRules, kNow);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->preferred_username, "kim");
  EXPECT_EQ(c->amr, (std::vector<std::string>{"hwk", "pin"}));
  EXPECT_EQ(c->auth_time, kNow - 60);

  std::string good = key.sign(claims());
  std::string bad_sig = good.substr(0, good.size() - 2) + (good[good.size() - 2] == 'A' ? "B" : "A") + good.back();
  EXPECT_EQ(verify_token(bad_sig, keys, kRules, kNow).error().code, "invalid_token");
  json other = claims();
  other["aud"] = "billing-portal";
  EXPECT_EQ(verify_token(key.sign(other), keys, kRules, kNow).error().code, "wrong_audience");
  other = claims();
  other["iss"] = "https://evil.example";
  EXPECT_EQ(verify_token(key.sign(other), keys, kRules, kNow).error().code, "wrong_issuer");
  EXPECT_EQ(verify_token(key.sign(claims(kNow - 61)), keys, kRules, kNow).error().code, "token_expired");
  EXPECT_TRUE(verify_token(key.sign(claims(kNow - 30)), keys, kRules, kNow));  // within the skew
  other = claims();
  other["nbf"] = kNow + 3600;
  EXPECT_EQ(verify_token(key.sign(other), keys, kRules, kNow).error().code, "token_not_yet_valid");
  auto unknown = verify_token(key.sign(claims(), {{"kid", "k9"}}), keys, kRules, kNow);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown key id 'k9'"), std::string::npos);
  // alg none: an unsigned token with an empty signature.
  std::string none = crypto::base64url_encode(R"({"alg":"none"})") + "." + crypto::base64url_encode(claims().dump()) + ".";
  auto n = verify_token(none, keys, kRules, kNow);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("'none' is not accepted"), std::string::npos);
  // The header cannot switch algorithms on the key.
  std::string other_alg = GetParam() == "RS256" ? "ES256" : "RS256";
  EXPECT_FALSE(verify_token(key.sign(claims(), {{"alg", other_alg}}), keys, kRules, kNow));
  for (const std::string& junk : std::vector<std::string>{"", "a.b", "a.b.c.d", "!!.??.##", std::string(20000, 'a')})
    EXPECT_EQ(verify_token(junk, keys, kRules, kNow).error().code, "invalid_token") << junk.substr(0, 20);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignedTokens, ::testing::Values("RS256", "ES256", "EdDSA"));

TEST(IssuerKeys, RotationFetchesTheNewKeySet) {
  testing::TempDir dir;
  std::string file = dir.path() + "/jwks.json";
  TestKey old_key = TestKey::make("ES256", "2025"), new_key = TestKey::make("ES256", "2026");
  std::ofstream(file) << json{{"keys", {old_key.jwk()}}}.dump();
  IssuerKeys keys(file);
  EXPECT_TRUE(keys.verify(old_key.sign(claims()), kRules, kNow));
  std::ofstream(file) << json{{"keys", {old_key.jwk(), new_key.jwk()}}}.dump();
  // Within a minute of the last fetch the cached set answers...
  EXPECT_FALSE(keys.verify(new_key.sign(claims(kNow + 3600)), kRules, kNow + 30));
  // ...after it, an unknown key id fetches the set again.
  EXPECT_TRUE(keys.verify(new_key.sign(claims(kNow + 3600)), kRules, kNow + 90));
  IssuerKeys missing(dir.path() + "/nope.json");
  EXPECT_FALSE(missing.verify(old_key.sign(claims()), kRules, kNow));
}

TEST(KeySets, ForeignKeysAreSkippedAndBadDocumentsRefused) {
  auto set = KeySet::parse(R"({"keys":[{"kty":"oct","k":"AAAA"},{"kty":"EC","crv":"P-384","x":"AA","y":"AA"},
                                        {"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"OKP","crv":"Ed25519","x":"short","use":"enc"}]})");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->size(), 0u);
  EXPECT_EQ(set->skipped(), 4u);
  EXPECT_FALSE(KeySet::parse("[]"));
  EXPECT_FALSE(KeySet::parse("not json"));
  std::ifstream in(external("rfc7517_example_jwks.json"));
  if (!in) GTEST_SKIP() << "shared/external/jose not present";
  json doc = json::parse(in);
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it->is_object() && it->contains("keys")) {
      auto s = KeySet::parse(it->dump());
      EXPECT_TRUE(s) << it.key();
    }
}

TEST(Assurance, AmrAndAcrLevels) {
  AcrLevels acr{{"urn:lmc:acr:phr", Assurance::phishing_resistant}, {"c1", Assurance::multi_factor}};
  EXPECT_EQ(assurance_of({"hwk"}, "", acr), Assurance::phishing_resistant);
  EXPECT_EQ(assurance_of({"pwd", "webauthn"}, "", acr), Assurance::phishing_resistant);
  EXPECT_EQ(assurance_of({"pwd", "otp"}, "", acr), Assurance::multi_factor);
  EXPECT_EQ(assurance_of({"mfa", "sms"}, "", acr), Assurance::multi_factor);
  EXPECT_EQ(assurance_of({"pwd"}, "", acr), Assurance::single_factor);
  EXPECT_EQ(assurance_of({}, "", acr), Assurance::none);
  EXPECT_EQ(assurance_of({"pwd"}, "c1", acr), Assurance::multi_factor);
  // A phone-network code is never phishing-resistant, whatever the ACR says.
  EXPECT_EQ(assurance_of({"pwd", "sms"}, "urn:lmc:acr:phr", acr), Assurance::multi_factor);
  EXPECT_EQ(assurance_of({"tel"}, "urn:lmc:acr:phr", acr), Assurance::multi_factor);
  EXPECT_EQ(assurance_of({"pwd"}, "urn:lmc:acr:phr", acr), Assurance::phishing_resistant);

  std::ifstream in(external("rfc8176_amr_values.json"));
  if (!in) GTEST_SKIP() << "shared/external/jose not present";
  json doc = json::parse(in);
  size_t values = 0;
  for (const auto& v : doc["rfc8176_values"]) {
    std::string amr = v["amr"];
    Assurance a = assurance_of({amr}, "", {});
    ++values;
    Assurance want = amr == "hwk" ? Assurance::phishing_resistant : amr == "mfa" ? Assurance::multi_factor : Assurance::single_factor;
    EXPECT_EQ(a, want) << amr;
  }
  EXPECT_EQ(values, 20u);
}

}  // namespace
}  // namespace wardline::access
