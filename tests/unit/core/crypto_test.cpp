#include "core/crypto.h"

#include <gtest/gtest.h>

namespace wardline::crypto {
namespace {

TEST(Crypto, Sha256KnownAnswer) {
  // FIPS 180-2 example "abc".
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, HexAndBase64urlRoundTrip) {
  std::string bytes = random_bytes(33);
  EXPECT_EQ(*hex_decode(hex_encode(bytes)), bytes);
  EXPECT_EQ(*base64url_decode(base64url_encode(bytes)), bytes);
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(hex_decode("abc").ok());
  EXPECT_FALSE(hex_decode("zz").ok());
  EXPECT_FALSE(base64url_decode("a*b").ok());
}

TEST(Crypto, AesGcmRoundTripAndTamperDetection) {
  std::string key = random_bytes(32);
  auto sealed = aes256gcm_seal(key, "+1 617 555 0142", "users.phone");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->size(), 12 + 15 + 16u);
  EXPECT_EQ(*aes256gcm_open(key, *sealed, "users.phone"), "+1 617 555 0142");
  // Same plaintext twice: different nonces, different ciphertexts.
  EXPECT_NE(*aes256gcm_seal(key, "x", "f"), *aes256gcm_seal(key, "x", "f"));

  std::string flipped = *sealed;
  flipped[14] ^= 1;
  EXPECT_FALSE(aes256gcm_open(key, flipped, "users.phone").ok());
  EXPECT_FALSE(aes256gcm_open(key, *sealed, "other.field").ok());
  EXPECT_FALSE(aes256gcm_open(random_bytes(32), *sealed, "users.phone").ok());
  EXPECT_FALSE(aes256gcm_open(key, "short", "users.phone").ok());
  EXPECT_FALSE(aes256gcm_seal("short key", "x", "").ok());
}

TEST(Crypto, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

}  // namespace
}  // namespace wardline::crypto
