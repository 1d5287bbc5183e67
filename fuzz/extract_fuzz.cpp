// Any bytes as a reported message: normalise (NFKC), extract, tokenise,
// defang, and the look-alike helpers on every host found.
#include <cstddef>
#include <cstdint>
#include <string>

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
  return 0;
}
