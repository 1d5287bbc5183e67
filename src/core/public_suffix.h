// The public suffix list (libpsl, kept current by Debian's publicsuffix package).
#pragma once

#include <string>

namespace wardline {

// "example.co.uk" for "login.example.co.uk"; the host itself when it has no
// registrable part (a public suffix, an IP literal, a bare name).
std::string registrable_domain(const std::string& host);
// "com", "co.uk", "github.io": suffixes under which anyone can register.
bool is_public_suffix(const std::string& host);

}  // namespace wardline
