#include "smish/phrases.h"

#include <algorithm>
#include <array>

#include "core/strings.h"

namespace wardline::smish {
namespace {

constexpr size_t kMaxGap = 3;  // words a "..." may skip

bool sentence_end(char c) { return c == '.' || c == '!' || c == '?' || c == ';' || c == ':'; }

// Endings a phrase word may take in the text: plurals and verb forms
// ("card" finds "cards", "text back" finds "texting back").
constexpr std::array<std::string_view, 4> kEndings = {"s", "es", "ing", "ed"};

bool word_matches(const std::string& phrase_word, const std::string& word) {
  if (word == phrase_word) return true;
  if (phrase_word.size() < 3 || word.compare(0, phrase_word.size(), phrase_word) != 0) return false;
  std::string_view rest = std::string_view(word).substr(phrase_word.size());
  return std::find(kEndings.begin(), kEndings.end(), rest) != kEndings.end();
}

bool negation(const std::string& w) {
  static const std::array<std::string_view, 8> words = {"not", "never", "dont", "doesnt", "didnt", "wont", "cannot", "shouldnt"};
  return std::find(words.begin(), words.end(), w) != words.end();
}

// The words just before `start` in the same sentence negate it ("never
// share", "do not ever share", "not to share").
bool negated(const std::vector<Word>& words, size_t start) {
  if (start == 0 || words[start].after_break) return false;
  const std::string& before = words[start - 1].text;
  if (negation(before)) return true;
  if ((before == "ever" || before == "to") && start >= 2 && !words[start - 1].after_break)
    return negation(words[start - 2].text);
  return false;
}

// Matches tokens[k..] with tokens[k-1] matched at words[at-1]; returns one
// past the last matched word, or 0.
size_t match_from(const std::vector<std::string>& tokens, size_t k, const std::vector<Word>& words, size_t at) {
  if (k == tokens.size()) return at;
  if (!tokens[k].empty()) {
    if (at >= words.size() || !word_matches(tokens[k], words[at].text)) return 0;
    return match_from(tokens, k + 1, words, at + 1);
  }
  // A gap: skip up to kMaxGap words, never past the end of a sentence.
  for (size_t skip = 0; skip <= kMaxGap && at + skip < words.size(); ++skip) {
    if (words[at + skip].after_break) break;
    if (size_t end = match_from(tokens, k + 1, words, at + skip)) return end;
  }
  return 0;
}

// The phrase's tokens: its words, "" for each "...".
std::vector<std::string> tokens_of(std::string_view phrase) {
  std::vector<std::string> tokens;
  size_t start = 0;
  while (start <= phrase.size()) {
    size_t space = std::min(phrase.find(' ', start), phrase.size());
    std::string_view part = phrase.substr(start, space - start);
    start = space + 1;
    if (part == "...") tokens.emplace_back();
    else
      for (auto& w : words_of(part)) tokens.push_back(std::move(w.text));
  }
  return tokens;
}

}  // namespace

std::vector<Word> words_of(std::string_view text) {
  std::vector<Word> out;
  std::string word;
  bool pending_break = false;
  auto flush = [&] {
    if (word.empty()) return;
    out.push_back({std::move(word), pending_break && !out.empty()});
    word.clear();
    pending_break = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\'') continue;  // "don't" = "dont"
    // General Punctuation (U+2000-U+203F): curly apostrophes join like '\'',
    // the rest (dashes, quotes, bullets) separate words.
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) & 0xC0) == 0x80) {
      unsigned char third = static_cast<unsigned char>(text[i + 2]);
      i += 2;
      if (third != 0x98 && third != 0x99) flush();
      continue;
    }
    if (ascii_alnum(static_cast<char>(c)) || c >= 0x80) {
      word.push_back(ascii_lower(static_cast<char>(c)));
      continue;
    }
    flush();
    if (sentence_end(static_cast<char>(c))) pending_break = true;
  }
  flush();
  return out;
}

std::string phrase_problem(std::string_view phrase) {
  auto tokens = tokens_of(phrase);
  if (tokens.empty()) return "the phrase '" + std::string(phrase) + "' has no words";
  if (tokens.front().empty() || tokens.back().empty())
    return "'...' cannot start or end a phrase ('" + std::string(phrase) + "')";
  for (size_t k = 1; k < tokens.size(); ++k)
    if (tokens[k].empty() && tokens[k - 1].empty()) return "two '...' in a row in '" + std::string(phrase) + "'";
  return {};
}

void PhraseSet::add(std::string_view phrase, size_t group) {
  auto tokens = tokens_of(phrase);
  if (tokens.empty() || tokens.front().empty()) return;  // refused by phrase_problem() at load
  by_first_word_[tokens.front()].push_back(phrases_.size());
  phrases_.push_back({std::move(tokens), group});
}

std::vector<std::string> PhraseSet::first_matches(const std::vector<Word>& words, size_t groups) const {
  std::vector<std::string> found(groups);
  std::vector<bool> done(groups, false);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i].text;
    // The word itself, and the word without each ending: the phrase word a
    // phrase would be indexed under.
    std::array<std::string_view, kEndings.size() + 1> keys = {w};
    for (size_t e = 0; e < kEndings.size(); ++e)
      if (w.size() >= kEndings[e].size() + 3 && std::string_view(w).substr(w.size() - kEndings[e].size()) == kEndings[e])
        keys[e + 1] = std::string_view(w).substr(0, w.size() - kEndings[e].size());
    for (std::string_view key : keys) {
      if (key.empty()) continue;
      auto it = by_first_word_.find(key);
      if (it == by_first_word_.end()) continue;
      for (size_t p : it->second) {
        const Compiled& c = phrases_[p];
        if (c.group >= groups || done[c.group] || !word_matches(c.tokens.front(), w)) continue;
        size_t end = match_from(c.tokens, 1, words, i + 1);
        if (end == 0 || negated(words, i)) continue;
        std::string span = words[i].text;
        for (size_t k = i + 1; k < end; ++k) span += " " + words[k].text;
        found[c.group] = std::move(span);
        done[c.group] = true;
      }
    }
  }
  return found;
}

}  // namespace wardline::smish
