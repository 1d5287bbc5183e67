// Thin, typed wrappers over OpenSSL 3: hashing, randomness, encodings, AEAD.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wardline::crypto {

std::string sha256(std::string_view data);           // 32 raw bytes
std::string sha256_hex(std::string_view data);       // 64 hex chars
std::string sha1(std::string_view data);             // 20 raw bytes: name-based UUIDs only, never for security
std::string hmac_sha256(std::string_view key, std::string_view data);
// Only where a third party mandates it (Twilio webhook signatures).
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string random_bytes(size_t n);                  // CSPRNG; aborts if unavailable
bool constant_time_equal(std::string_view a, std::string_view b);

std::string hex_encode(std::string_view bytes);
Result<std::string> hex_decode(std::string_view hex);
std::string base64url_encode(std::string_view bytes);  // no padding
std::string base64_encode(std::string_view bytes);     // RFC 4648 section 4, padded
Result<std::string> base64url_decode(std::string_view text);

// AES-256-GCM. Output layout: 12-byte nonce || ciphertext || 16-byte tag.
// `aad` is authenticated but not encrypted (binds a ciphertext to its context).
Result<std::string> aes256gcm_seal(std::string_view key, std::string_view plaintext,
                                   std::string_view aad);
Result<std::string> aes256gcm_open(std::string_view key, std::string_view sealed,
                                   std::string_view aad);

}  // namespace wardline::crypto
