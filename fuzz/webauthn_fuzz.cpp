// Any bytes as what a browser sends to the passkey ceremonies: an attestation
// object, authenticator data, a COSE key, client data JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/webauthn.h"

using namespace wardline::console::webauthn;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto att = parse_attestation_object(in)) (void)parse_authenticator_data(att->authenticator_data);
  if (auto ad = parse_authenticator_data(in); ad && !ad->public_key.spki_der.empty())
    (void)verify_assertion_signature(ad->public_key, in, "{}", in.substr(0, 64));
  size_t used = 0;
  (void)parse_cose_key(in, &used);
  (void)parse_cose_key(in);
  (void)check_client_data(in, "webauthn.get", "3q2-7w", "https://localhost:8443");
  return 0;
}
