// Internal: word-level phrase matching, the language of the phrases in
// rules/lures.yaml (lures and notices) and of VIP names.
//
// A phrase is a list of words. Text and phrase are cut into words the same
// way (letters, digits and non-ASCII runs; hyphens split, apostrophes drop:
// "sign-in" = "sign in", "I’m" = "im"), so spelling variants match. A phrase
// word of three letters or more also matches it with -s, -es, -ing or -ed
// ("gift card" finds "gift cards", "text back" finds "texting back"). The word
// "..." stands for a gap of up to three words that does not cross the end
// of a sentence ("reply with the ... code" finds "reply with the 6-digit
// code"). A phrase right after a negation in the same sentence ("never share
// the code") is advice, not a lure, and does not match.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wardline::smish {

struct Word {
  std::string text;          // lower case
  bool after_break = false;  // a sentence ends between this word and the one before
};
std::vector<Word> words_of(std::string_view text);

// Why `phrase` cannot be used (e.g. "'...' cannot start a phrase"), or "".
std::string phrase_problem(std::string_view phrase);

// Phrases in numbered groups (one lure rule, one notice, one VIP), found in
// one pass over a message's words.
class PhraseSet {
 public:
  void add(std::string_view phrase, size_t group);
  // For each group below `groups`, the words of its first match in reading
  // order ("" when none of its phrases occurs).
  std::vector<std::string> first_matches(const std::vector<Word>& words, size_t groups) const;

 private:
  struct Compiled {
    std::vector<std::string> tokens;  // "" is a gap
    size_t group;
  };
  std::vector<Compiled> phrases_;
  // Looked up by string_view: no string built per word of every message.
  struct WordHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<size_t>, WordHash, std::equal_to<>> by_first_word_;
};

}  // namespace wardline::smish
