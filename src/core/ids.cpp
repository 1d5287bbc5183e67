#include "core/ids.h"

#include "core/crypto.h"

namespace wardline {

std::string new_id(const std::string& prefix) {
  static const char* alphabet = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford base32
  std::string bytes = crypto::random_bytes(16);
  std::string out = prefix + "_";
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

}  // namespace wardline
