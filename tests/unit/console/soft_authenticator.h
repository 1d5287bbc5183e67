// A software WebAuthn authenticator for tests: an OpenSSL key pair that
// answers registration and authentication ceremonies with exactly what a
// browser sends (credential JSON, binary fields base64url without padding).
// Every knob a test may want to tamper with is a public member.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace wardline::testing {

enum class KeyKind { es256, ed25519, rs256 };
std::string to_string(KeyKind k);
void PrintTo(KeyKind k, std::ostream* os);  // test names and failure messages

// CBOR built with libcbor's builder API, shortest integer encodings.
using CborValue = std::variant<int64_t, std::string>;  // an integer, or a byte string
using CoseEntry = std::pair<int64_t, CborValue>;       // COSE label -> value
std::string cbor_map(const std::vector<CoseEntry>& entries);
// {"fmt": fmt, "attStmt": {}, "authData": auth_data}; a missing argument leaves its key out.
std::string attestation_cbor(const std::optional<std::string>& fmt, const std::optional<std::string>& auth_data);

class SoftAuthenticator {
 public:
  explicit SoftAuthenticator(KeyKind kind, int rsa_bits = 2048);

  // What goes into authenticator data and client data; tests change these to tamper.
  std::string rp_id = "localhost";
  std::string origin = "https://localhost:8443";
  std::optional<std::string> type;       // default: webauthn.create / webauthn.get
  std::optional<std::string> challenge;  // default: the one in the options
  bool cross_origin = false;
  uint8_t flags = 0x01 | 0x04;  // UP | UV; AT is added to registrations
  uint32_t sign_count = 0;      // the counter in the next authenticator data
  uint32_t counter_step = 1;    // added to sign_count before each assertion
  std::string credential_id;    // 16 random bytes
  std::string aaguid = std::string(16, '\0');
  std::optional<std::string> user_handle;  // raw user id; set by make_registration from options.user.id

  KeyKind kind() const { return kind_; }
  int algorithm() const;                      // COSE: -7, -8, -257
  std::vector<CoseEntry> cose_entries() const;  // the public key as COSE_Key entries
  std::string cose_key() const { return cbor_map(cose_entries()); }
  std::string spki_der() const;

  std::string client_data(const std::string& default_type, const std::string& options_challenge) const;
  std::string authenticator_data(bool attested) const;
  // ES256: DER ECDSA over SHA-256; Ed25519: pure; RS256: PKCS#1 v1.5 over SHA-256.
  std::string sign(const std::string& data) const;

  // navigator.credentials.create() with PublicKeyCredentialCreationOptions JSON.
  nlohmann::json make_registration(const std::string& options_json);
  // navigator.credentials.get() with PublicKeyCredentialRequestOptions JSON;
  // advances sign_count by counter_step first.
  nlohmann::json make_assertion(const std::string& options_json);

 private:
  KeyKind kind_;
  std::shared_ptr<EVP_PKEY> key_;
};

}  // namespace wardline::testing
