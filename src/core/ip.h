// IP addresses and networks in binary form, for normalisation and
// longest-prefix matching.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wardline {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4; host bits are zero
  int prefix = 0;                   // 32 or 128 for a single address

  size_t size() const { return v6 ? 16 : 4; }
};

// "192.0.2.1", "2001:db8::/32", "10.0.0.5/8" (host bits cleared). Also takes
// the fully expanded IPv6 that Suricata writes.
std::optional<IpNetwork> parse_ip_network(std::string_view text);
// Shortest text form; "/len" only for networks.
std::string format_ip_network(const IpNetwork& net);
// Zeroes the bits after `prefix`.
void mask_to(IpNetwork& net, int prefix);
// Whether `address` lies in `net` (same family, first `net.prefix` bits equal).
bool network_contains(const IpNetwork& net, const IpNetwork& address);
// Loopback, RFC 1918 / RFC 4193 private, link-local, CGNAT: never shared outside.
bool is_internal(const IpNetwork& net);

}  // namespace wardline
