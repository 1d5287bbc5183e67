// Little-endian u64 fields of the snapshot format (intel-snapshot-format.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wardline::intel {

inline void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// Reads and consumes 8 bytes; false when fewer are left.
inline bool get_u64(std::string_view& in, uint64_t& v) {
  if (in.size() < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in[static_cast<size_t>(i)])) << (8 * i);
  in.remove_prefix(8);
  return true;
}

}  // namespace wardline::intel
