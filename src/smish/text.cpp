#include <algorithm>
#include <array>
#include <cctype>

#include "core/strings.h"
#include "smish/smish.h"
#include "smish/tokens.h"
#include "smish/unicode.h"

namespace wardline::smish {
namespace {

// Invisible format characters used to break up words and links (UTF-8).
bool invisible_at(std::string_view s, size_t i, size_t& len) {
  auto b = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  if (b(0) == 0xC2 && b(1) == 0xAD) return len = 2, true;                                  // soft hyphen
  if (b(0) == 0xE1 && b(1) == 0xA0 && b(2) == 0x8E) return len = 3, true;                  // Mongolian vowel separator
  if (b(0) == 0xE2 && b(1) == 0x80 && ((b(2) >= 0x8B && b(2) <= 0x8F) || (b(2) >= 0xAA && b(2) <= 0xAE)))
    return len = 3, true;                                                                   // ZW*, LRM/RLM, bidi embeddings
  if (b(0) == 0xE2 && b(1) == 0x81 && ((b(2) >= 0xA0 && b(2) <= 0xA4) || (b(2) >= 0xA6 && b(2) <= 0xA9)))
    return len = 3, true;                                                                   // word joiner, bidi isolates
  if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return len = 3, true;                  // BOM / ZWNBSP
  return false;
}

bool starts_with_ci(std::string_view s, size_t i, std::string_view p) {
  if (i + p.size() > s.size()) return false;
  for (size_t k = 0; k < p.size(); ++k)
    if (ascii_lower(s[i + k]) != p[k]) return false;
  return true;
}

// Tokens for the shape of numbers and amounts, which say more than the digits
// themselves: a phone number to call (9+ digits, separators allowed), a short
// code to text ("txt WIN to 87066"), a sum of money ("£1000", "$6.85", "Rs.2366").
template <class Emit>
void shape_tokens(std::string_view text, Emit&& emit) {
  bool phone = false, short_code = false, money = false;
  for (size_t i = 0; i < text.size();) {
    if (!ascii_digit(text[i])) {
      ++i;
      continue;
    }
    size_t start = i, digits = 0, run_end = i;
    bool separated = false;
    while (i < text.size()) {
      if (ascii_digit(text[i])) {
        ++digits;
        run_end = ++i;
      } else if ((text[i] == ' ' || text[i] == '-' || text[i] == '.' || text[i] == ')' || text[i] == '(') &&
                 i + 1 < text.size() && ascii_digit(text[i + 1])) {
        separated = true;
        ++i;
      } else {
        break;
      }
    }
    bool glued = (start > 0 && ascii_alpha(text[start - 1])) || (run_end < text.size() && ascii_alpha(text[run_end]));
    if (digits >= 9) phone = true;
    else if (!separated && !glued && (digits == 5 || digits == 6)) short_code = true;
    std::string_view before = text.substr(start >= 4 ? start - 4 : 0, start >= 4 ? 4 : start);
    if (before.find('$') != std::string_view::npos || before.find("\xc2\xa3") != std::string_view::npos ||
        before.find("\xe2\x82\xac") != std::string_view::npos || before.find("\xe2\x82\xb9") != std::string_view::npos ||
        starts_with_ci(before, before.size() >= 3 ? before.size() - 3 : 0, "rs.") ||
        starts_with_ci(before, before.size() >= 3 ? before.size() - 3 : 0, "rs "))
      money = true;
  }
  if (phone) emit("__phone__");
  if (short_code) emit("__shortcode__");
  if (money) emit("__money__");
}

}  // namespace

std::string normalize(std::string_view raw) {
  // NFKC first: fullwidth dots, brackets and letters become the ASCII ones the
  // rest of this function (and every rule) looks for.
  const std::string folded = nfkc(raw);
  std::string_view in = folded;
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size();) {
    size_t len = 0;
    if (invisible_at(in, i, len)) {
      i += len;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) == 0xA0) {  // no-break space
      out.push_back(' ');
      i += 2;
      continue;
    }
    // Defanged links: hxxp(s), [.] (.) {.} [dot] (dot), [:], [://]
    static const std::array<std::pair<std::string_view, std::string_view>, 9> defangs = {{
        {"hxxps", "https"}, {"hxxp", "http"}, {"[.]", "."}, {"(.)", "."}, {"{.}", "."},
        {"[dot]", "."}, {"(dot)", "."}, {"[://]", "://"}, {"[:]", ":"}}};
    bool replaced = false;
    for (const auto& [from, to] : defangs) {
      if (starts_with_ci(in, i, from)) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<char>(c));
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (!out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

std::string model_tokens(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  auto emit = [&](std::string_view t) {
    if (t.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(t);
  };
  for (const auto& chunk : split_chunks(text)) {
    Link link;
    if (parse_link(chunk, link)) {
      emit("__url__");
      size_t start = 0;
      while (start < link.host.size()) {
        size_t dot = link.host.find('.', start);
        if (dot == std::string::npos) dot = link.host.size();
        emit(std::string_view(link.host).substr(start, dot - start));
        start = dot + 1;
      }
      continue;
    }
    // Letters/digits (and any non-ASCII byte) form words; other characters stand alone.
    std::string word;
    for (char ch : chunk) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (ascii_alnum(ch) || c >= 0x80 || c == '\'') {
        word.push_back(ascii_lower(ch));
      } else {
        emit(word);
        word.clear();
        emit(std::string(1, static_cast<char>(c)));
      }
    }
    emit(word);
  }
  shape_tokens(text, emit);
  return out;
}

}  // namespace wardline::smish
