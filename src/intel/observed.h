// Values as logs write them, made comparable with normalised indicators
// without allocating in the common case (already canonical).
#pragma once

#include <string>
#include <string_view>

namespace wardline::intel {

// Digits and dots only, or a ':' anywhere (IPv6): worth trying as an IP.
bool looks_like_ip(std::string_view host);
// Lowercase, no port, no trailing dot, IDNs in punycode; `buf` holds the
// result when it differs from the input.
std::string_view canonical_host(std::string_view host, std::string& buf);
// The URL as normalize() would write it; `buf` holds it when it differs.
std::string_view canonical_url(std::string_view url, std::string& buf);

}  // namespace wardline::intel
