// Small string algorithms shared across modules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wardline {

// Levenshtein distance (insertions, deletions, substitutions), O(|a|·|b|).
size_t edit_distance(std::string_view a, std::string_view b);

// ASCII-only case and class tests: locale-free, inlined, and leave UTF-8
// bytes alone (the libc versions are a call per character).
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
inline bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool ascii_alnum(char c) { return ascii_alpha(c) || ascii_digit(c); }
inline bool ascii_xdigit(char c) { return ascii_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f'); }
// At most `bytes` bytes of `s`, never cutting a UTF-8 character in two.
inline std::string_view utf8_prefix(std::string_view s, size_t bytes) {
  if (s.size() <= bytes) return s;
  while (bytes > 0 && (static_cast<unsigned char>(s[bytes]) & 0xC0) == 0x80) --bytes;
  return s.substr(0, bytes);
}

inline std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

}  // namespace wardline
