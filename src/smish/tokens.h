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

}  // namespace wardline::smish
