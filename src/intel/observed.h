// Values as logs write them, made comparable with normalised indicators
// without allocating in the common case (already canonical).
#pragma once

#include <string>
#include <string_view>

namespace wardline::intel {

// Where the authority of a URL (from `from`) ends: the first '/', '?' or '#'.
// One pass; string_view::find_first_of calls memchr once per byte.
inline size_t authority_end(std::string_view url, size_t from = 0) {
  for (size_t i = from; i < url.size(); ++i)
    if (url[i] == '/' || url[i] == '?' || url[i] == '#') return i;
  return std::string_view::npos;
}

// Digits and dots only, or a ':' anywhere (IPv6): worth trying as an IP.
bool looks_like_ip(std::string_view host);
// Lowercase, no port, no trailing dot, IDNs in punycode; `buf` holds the
// result when it differs from the input.
std::string_view canonical_host(std::string_view host, std::string& buf);
// canonical_host(host_of_url(url)) in one pass over the URL.
std::string_view canonical_url_host(std::string_view url, std::string& buf);
// The URL as normalize() would write it; `buf` holds it when it differs.
std::string_view canonical_url(std::string_view url, std::string& buf);

}  // namespace wardline::intel
