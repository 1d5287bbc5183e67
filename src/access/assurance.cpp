// Authentication strength from a token's AMR (RFC 8176) and ACR claims.
#include <algorithm>

#include "access/access.h"

namespace wardline::access {
namespace {

constexpr std::string_view kNames[] = {"none", "single_factor", "multi_factor", "phishing_resistant"};

bool has(const std::vector<std::string>& amr, std::string_view v) { return std::find(amr.begin(), amr.end(), v) != amr.end(); }

}  // namespace

std::string_view name_of(Assurance a) { return kNames[static_cast<size_t>(a)]; }

std::optional<Assurance> parse_assurance(std::string_view text) {
  for (size_t i = 0; i < std::size(kNames); ++i)
    if (kNames[i] == text) return static_cast<Assurance>(i);
  return std::nullopt;
}

// - hwk (a hardware key: FIDO security keys, smart cards), and the FIDO /
//   WebAuthn spellings some IdPs use ("fido", "webauthn", "passkey"),
//   are phishing-resistant: the key signs for the origin it talks to.
// - sms and tel (codes over the phone network) never are: SIM swaps and
//   smishing steal them. swk, otp, face, fpt, ... with a second factor
//   ("mfa" or two distinct methods) are multi-factor.
// - The ACR can raise the level (the policy maps ACR values to levels).
Assurance assurance_of(const std::vector<std::string>& amr, std::string_view acr, const AcrLevels& acr_levels) {
  Assurance level = Assurance::none;
  if (has(amr, "hwk") || has(amr, "fido") || has(amr, "webauthn") || has(amr, "passkey")) {
    level = Assurance::phishing_resistant;
  } else if (!amr.empty()) {
    size_t factors = 0;
    for (std::string_view m : {"pwd", "pin", "otp", "sms", "tel", "swk", "face", "fpt", "iris", "retina", "vbm", "kba", "sc", "user"})
      factors += has(amr, m) ? 1 : 0;
    level = has(amr, "mfa") || factors >= 2 ? Assurance::multi_factor : Assurance::single_factor;
  }
  for (const auto& [value, mapped] : acr_levels)
    if (value == acr && mapped > level) level = mapped;
  // An ACR cannot make a phone-network code phishing-resistant.
  bool phone_only = (has(amr, "sms") || has(amr, "tel")) && level == Assurance::phishing_resistant &&
                    !(has(amr, "hwk") || has(amr, "fido") || has(amr, "webauthn") || has(amr, "passkey"));
  return phone_only ? Assurance::multi_factor : level;
}

}  // namespace wardline::access
