// Internal: splitting text into whitespace chunks and recognising links.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wardline::smish {

std::vector<std::string_view> split_chunks(std::string_view text);

struct Link {
  std::string url;   // with a scheme
  std::string host;  // lower case
  bool is_ip = false;
};
// A chunk that is a URL, "www." name or bare domain with a known top-level
// domain (trailing punctuation ignored).
bool parse_link(std::string_view chunk, Link& out);
bool known_tld(std::string_view tld);
// `host` is `domain` or one of its subdomains.
inline bool on_domain(const std::string& host, const std::string& domain) {
  return host == domain || (host.size() > domain.size() && host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
                            host[host.size() - domain.size() - 1] == '.');
}

// message_template() of text that normalize() has already been through.
std::string template_of_normalized(std::string_view normalized, const std::vector<std::string>& names);

}  // namespace wardline::smish
