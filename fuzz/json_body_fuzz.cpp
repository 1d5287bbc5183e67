// Any bytes as a request body: parse, then read fields as the handlers do.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto body = wardline::api::parse_json_object(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!body) return 0;
  for (const char* field : {"name", "role", "display_name", "phone", "ttl"}) {
    (void)wardline::api::required_string(*body, field, 64);
    (void)wardline::api::optional_string(*body, field, 64);
  }
  return 0;
}
