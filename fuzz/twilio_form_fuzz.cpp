// Any bytes as a Twilio webhook body: form decoding, message fields, and the
// signature check over what was decoded (its URL taken from the same bytes).
#include <cstddef>
#include <cstdint>
#include <string>

#include "smish/smish.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto params = wardline::smish::parse_form(body);
  if (!params) return 0;
  (void)wardline::smish::twilio_message(*params);
  std::string url = params->empty() ? "https://h:1/x?bodySHA256=00" : params->front().second;
  (void)wardline::smish::twilio_signature_valid("token", url, *params, body, "c2lnbmF0dXJl");
  return 0;
}
