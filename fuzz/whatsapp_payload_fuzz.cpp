// Any bytes as a WhatsApp Cloud API webhook body: parse, then the signature check.
#include <cstddef>
#include <cstdint>
#include <string>

#include "smish/smish.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)wardline::smish::whatsapp_messages(body);
  (void)wardline::smish::hub_signature_valid("secret", body, body.substr(0, 71));
  return 0;
}
