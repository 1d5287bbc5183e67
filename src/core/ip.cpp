// IP parsing through inet_pton: strict dotted quads and every IPv6 spelling.
#include "core/ip.h"

#include <arpa/inet.h>

#include <cstring>

namespace wardline {

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  IpNetwork net;
  std::string_view addr = text;
  int prefix = -1;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
  }
  char buf[65];
  std::memcpy(buf, addr.data(), addr.size());
  buf[addr.size()] = '\0';
  net.v6 = addr.find(':') != std::string_view::npos;
  if (inet_pton(net.v6 ? AF_INET6 : AF_INET, buf, net.bytes.data()) != 1) return std::nullopt;
  int max = net.v6 ? 128 : 32;
  if (prefix > max) return std::nullopt;
  mask_to(net, prefix < 0 ? max : prefix);
  return net;
}

void mask_to(IpNetwork& net, int prefix) {
  net.prefix = prefix;
  for (size_t i = 0; i < net.size(); ++i) {
    int bits = prefix - static_cast<int>(i) * 8;
    if (bits >= 8) continue;
    net.bytes[i] &= bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
}

std::string format_ip_network(const IpNetwork& net) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(net.v6 ? AF_INET6 : AF_INET, net.bytes.data(), buf, sizeof buf);
  std::string out = buf;
  if (net.prefix != (net.v6 ? 128 : 32)) out += "/" + std::to_string(net.prefix);
  return out;
}

bool is_internal(const IpNetwork& n) {
  const auto& b = n.bytes;
  if (!n.v6)
    return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
  static const uint8_t loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || std::memcmp(b.data(), loopback, 16) == 0;
}

bool network_contains(const IpNetwork& net, const IpNetwork& address) {
  if (net.v6 != address.v6 || address.prefix < net.prefix) return false;
  int full = net.prefix / 8, rest = net.prefix % 8;
  if (std::memcmp(net.bytes.data(), address.bytes.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (net.bytes[static_cast<size_t>(full)] & mask) == (address.bytes[static_cast<size_t>(full)] & mask);
}

}  // namespace wardline
