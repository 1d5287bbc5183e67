#include "core/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <memory>

namespace wardline::crypto {
namespace {
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
constexpr size_t kKeyLen = 32;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

std::string sha256(std::string_view data) {
  // SHA256() looks the algorithm up by name on every call (OpenSSL 3), a
  // large share of hashing a short string: fetched once instead.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  if (!md || EVP_Digest(data.data(), data.size(), dst, nullptr, md, nullptr) != 1) SHA256(u8(data), data.size(), dst);
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

std::string sha1(std::string_view data) {
  std::string out(SHA_DIGEST_LENGTH, '\0');
  SHA1(u8(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), u8(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

std::string hmac_sha1(std::string_view key, std::string_view data) {
  std::string out(SHA_DIGEST_LENGTH, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), u8(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without a working CSPRNG no key, token or nonce is safe; refuse to continue.
    std::abort();
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hex_encode(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return make_error("invalid_hex", "hex string has odd length");
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return make_error("invalid_hex", "non-hex character at offset " + std::to_string(i));
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  static const char* alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = buf << 8 | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buf >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buf << (6 - bits)) & 63]);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out = base64url_encode(bytes);
  for (char& c : out) c = c == '-' ? '+' : c == '_' ? '/' : c;
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-' || c == '+') v = 62;
    else if (c == '_' || c == '/') v = 63;
    else if (c == '=') break;
    else return make_error("invalid_base64", "invalid base64url character at offset " + std::to_string(i));
    buf = buf << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buf >> bits) & 0xff));
    }
  }
  return out;
}

Result<std::string> aes256gcm_seal(std::string_view key, std::string_view plaintext,
                                   std::string_view aad) {
  if (key.size() != kKeyLen) return make_error("invalid_key", "AES-256-GCM needs a 32-byte key");
  std::string nonce = random_bytes(kNonceLen);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out = nonce;
  out.resize(kNonceLen + plaintext.size() + kTagLen);
  auto* dst = reinterpret_cast<unsigned char*>(out.data()) + kNonceLen;
  int len = 0, total = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(key), u8(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), dst, &len, u8(plaintext), static_cast<int>(plaintext.size())) != 1)
    return make_error("crypto_failed", "AES-256-GCM encryption failed");
  total = len;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagLen, dst + total + len) != 1)
    return make_error("crypto_failed", "AES-256-GCM finalisation failed");
  return out;
}

Result<std::string> aes256gcm_open(std::string_view key, std::string_view sealed,
                                   std::string_view aad) {
  if (key.size() != kKeyLen) return make_error("invalid_key", "AES-256-GCM needs a 32-byte key");
  if (sealed.size() < kNonceLen + kTagLen)
    return make_error("invalid_ciphertext", "ciphertext is shorter than nonce and tag");
  std::string_view nonce = sealed.substr(0, kNonceLen);
  std::string_view body = sealed.substr(kNonceLen, sealed.size() - kNonceLen - kTagLen);
  std::string tag(sealed.substr(sealed.size() - kTagLen));
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(body.size(), '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, u8(key), u8(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, u8(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, u8(body), static_cast<int>(body.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagLen, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) != 1)
    return make_error("decrypt_failed",
                      "ciphertext failed authentication: wrong key or tampered data");
  return out;
}

}  // namespace wardline::crypto
