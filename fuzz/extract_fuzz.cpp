// Any bytes as a reported message: normalise (NFKC), extract, tokenise,
// defang, the look-alike helpers on every host found, and lure phrase
// matching (the bytes as a message, and as a phrase matched against itself).
#include <cstddef>
#include <cstdint>
#include <string>

#include "smish/phrases.h"
#include "smish/smish.h"
#include "smish/unicode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string norm = wardline::smish::normalize(text);
  auto ex = wardline::smish::extract(norm);
  for (const auto& u : ex.urls) (void)wardline::smish::defang(u);
  for (const auto& d : ex.domains) {
    std::string shown = wardline::smish::host_to_unicode(d);
    (void)wardline::smish::skeleton(shown);
    (void)wardline::smish::scripts_in(shown);
    (void)wardline::smish::registrable_domain(d);
  }
  (void)wardline::smish::model_tokens(norm);

  static const wardline::smish::PhraseSet lures = [] {
    wardline::smish::PhraseSet set;
    set.add("reply with ... code", 0);
    set.add("gift card", 1);
    set.add("text back ... code with me", 1);
    return set;
  }();
  auto words = wardline::smish::words_of(norm);
  (void)lures.first_matches(words, 2);
  // A phrase without gaps finds itself: it is cut into words as text is.
  if (wardline::smish::phrase_problem(text).empty() && (" " + text + " ").find(" ... ") == std::string::npos) {
    wardline::smish::PhraseSet own;
    own.add(text, 0);
    if (own.first_matches(wardline::smish::words_of(text), 1)[0].empty()) __builtin_trap();
  }
  return 0;
}
