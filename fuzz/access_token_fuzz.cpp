// Any bytes as a token (verified against a fixed key set of each type) and
// as a JWKS document.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "access/access.h"

namespace {

// RFC 7515 A.2's RSA key, RFC 7515 A.3's P-256 key and RFC 8037's Ed25519 key (public members).
constexpr const char* kJwks = R"({"keys":[
 {"kty":"RSA","kid":"r","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"},
 {"kty":"EC","kid":"e","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
 {"kty":"OKP","kid":"d","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace wardline::access;
  static const KeySet keys = std::move(*KeySet::parse(kJwks));
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto claims = verify_token(text, keys, TokenRules{"https://idp.example", {"gw"}, 60}, 1767225600);
  if (claims && claims->iss != "https://idp.example") __builtin_trap();  // a wrong issuer must never pass
  (void)assurance_of(claims ? claims->amr : std::vector<std::string>{}, "", {});
  (void)KeySet::parse(text);
  (void)parse_request(text);
  return 0;
}
