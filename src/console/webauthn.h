// Internal: the WebAuthn Level 2 data structures Wardline verifies
// (https://www.w3.org/TR/webauthn-2/ sections 6.1, 6.5, 7.1, 7.2) and the
// COSE public keys passkeys carry (RFC 9053: ES256, EdDSA; RFC 8812: RS256).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wardline::console::webauthn {

// COSE algorithm identifiers Wardline accepts.
constexpr int kES256 = -7;
constexpr int kEdDSA = -8;
constexpr int kRS256 = -257;

// Authenticator data flags (section 6.1).
constexpr uint8_t kUserPresent = 0x01;
constexpr uint8_t kUserVerified = 0x04;
constexpr uint8_t kAttestedData = 0x40;
constexpr uint8_t kExtensionData = 0x80;

struct PublicKey {
  int algorithm = 0;
  std::string spki_der;  // SubjectPublicKeyInfo: what is stored and verified against
};

struct AuthenticatorData {
  std::string rp_id_hash;  // 32 bytes
  uint8_t flags = 0;
  uint32_t sign_count = 0;
  // Present when flags has kAttestedData (registration).
  std::string aaguid;
  std::string credential_id;
  PublicKey public_key;
};

// Parses authenticator data; the attested credential's COSE key becomes an
// SPKI public key. Errors name the field that is wrong. Only a registration
// carries a credential: for a sign-in (`registration` false) attested data is
// refused before any CBOR is read.
Result<AuthenticatorData> parse_authenticator_data(std::string_view bytes, bool registration = true);

struct AttestationObject {
  std::string format;              // "none", "packed", ...: not evaluated (options ask for none)
  std::string authenticator_data;  // raw bytes
};
Result<AttestationObject> parse_attestation_object(std::string_view cbor);

// A COSE_Key (CBOR map) -> SPKI DER.
Result<PublicKey> parse_cose_key(std::string_view cbor, size_t* consumed = nullptr);

// Checks clientDataJSON: type ("webauthn.create" / "webauthn.get"), the
// challenge (base64url, as issued), the origin, and that it is not cross-origin.
Status check_client_data(std::string_view client_data_json, std::string_view type, std::string_view challenge_b64url,
                         std::string_view origin);

// Verifies `signature` over authenticator data || SHA-256(clientDataJSON)
// with the stored key (ES256: DER ECDSA; EdDSA: Ed25519; RS256: PKCS#1 v1.5).
Status verify_assertion_signature(const PublicKey& key, std::string_view authenticator_data,
                                  std::string_view client_data_json, std::string_view signature);

}  // namespace wardline::console::webauthn
