// Campaign templates: what stays the same across one lure's many copies.
#include <algorithm>

#include "core/strings.h"
#include "smish/smish.h"
#include "smish/tokens.h"
#include "smish/unicode.h"

namespace wardline::smish {

std::string message_template(std::string_view text, const std::vector<std::string>& names) {
  return template_of_normalized(normalize(text), names);
}

std::string template_of_normalized(std::string_view norm, const std::vector<std::string>& names) {
  std::string out;
  out.reserve(norm.size());
  auto emit = [&](std::string_view w) {
    if (w.empty()) return;
    if (!out.empty()) out.push_back(' ');
    out.append(w);
  };
  for (auto chunk : split_chunks(norm)) {
    Link link;
    if (parse_link(chunk, link)) {
      emit("#URL");
      continue;
    }
    if (chunk.find('@') != std::string_view::npos && chunk.find('.') != std::string_view::npos) {
      emit("#EMAIL");
      continue;
    }
    // Words: letters (any non-ASCII byte counts as a letter); a run holding a
    // digit is a number or code; everything else is a separator.
    size_t i = 0;
    bool number_here = false;  // "77-01-99" or "10:45" is one number
    while (i < chunk.size()) {
      auto letter = [&](char c) { return ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80 || c == '\''; };
      if (!letter(chunk[i])) {
        ++i;
        continue;
      }
      size_t start = i;
      bool digit = false, non_ascii = false;
      while (i < chunk.size() && (letter(chunk[i]) || ((chunk[i] == '.' || chunk[i] == ',') && digit))) {
        digit |= ascii_digit(chunk[i]);
        non_ascii |= static_cast<unsigned char>(chunk[i]) >= 0x80;
        ++i;
      }
      std::string word(chunk.substr(start, i - start));
      if (digit) {
        if (!number_here) emit("#NUM");
        number_here = true;
        continue;
      }
      number_here = false;
      word = non_ascii ? skeleton(word) : ascii_lowercase(word);
      word.erase(std::remove(word.begin(), word.end(), '\''), word.end());
      if (std::binary_search(names.begin(), names.end(), word)) emit("#NAME");
      else emit(word);
    }
  }
  return out;
}

}  // namespace wardline::smish
