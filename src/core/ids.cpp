#include "core/ids.h"

#include "core/crypto.h"

namespace wardline {

namespace {

constexpr size_t kIdBytes = 16;

// The CSPRNG is asked for many ids' bytes at once: one call per id was a
// visible share of a request's cost. Wardline never forks, so no two
// processes share a thread's pool.
std::string_view random_id_bytes() {
  thread_local std::string pool;
  thread_local size_t used = 0;
  if (used == pool.size()) pool = crypto::random_bytes(64 * kIdBytes), used = 0;
  used += kIdBytes;
  return std::string_view(pool).substr(used - kIdBytes, kIdBytes);
}

}  // namespace

std::string new_id(const std::string& prefix) {
  static const char* alphabet = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford base32
  std::string_view bytes = random_id_bytes();
  std::string out = prefix + "_";
  out.reserve(out.size() + 26);
  unsigned buf = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buf = buf << 8 | c;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(alphabet[(buf >> bits) & 31]);
    }
  }
  if (bits) out.push_back(alphabet[(buf << (5 - bits)) & 31]);
  return out;
}

std::string uuid_v5(std::string_view namespace_uuid, std::string_view name) {
  std::string ns;
  for (char c : namespace_uuid)
    if (c != '-') ns += c;
  auto raw = crypto::hex_decode(ns);
  std::string input = (raw ? *raw : std::string(16, '\0')) + std::string(name);
  std::string h = crypto::sha1(input).substr(0, 16);
  h[6] = static_cast<char>((h[6] & 0x0f) | 0x50);
  h[8] = static_cast<char>((h[8] & 0x3f) | 0x80);
  std::string hex = crypto::hex_encode(h);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace wardline
