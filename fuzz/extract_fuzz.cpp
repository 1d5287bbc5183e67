// Any bytes as a reported message: normalise, extract, tokenise, defang.
#include <cstddef>
#include <cstdint>
#include <string>

#include "smish/smish.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string norm = wardline::smish::normalize(text);
  auto ex = wardline::smish::extract(norm);
  for (const auto& u : ex.urls) (void)wardline::smish::defang(u);
  (void)wardline::smish::model_tokens(norm);
  return 0;
}
