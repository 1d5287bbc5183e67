// The browser dashboard's sign-in: WebAuthn passkeys (registration and
// authentication ceremonies verified here), one-time enrollment links, and
// cookie sessions with idle and absolute timeouts and a CSRF token each.
// Everything lives in the Store, so several daemons can share it.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <variant>
#include <vector>

#include "core/config.h"
#include "core/result.h"
#include "identity/identity.h"

namespace wardline {
namespace store { class Store; }

namespace console {

struct Settings {
  WebOrigin origin;               // what the browser reports as clientData.origin
  std::string rp_id;              // the origin's host: passkeys are scoped to it
  std::string rp_name = "Wardline";
  std::chrono::seconds idle_timeout{15 * 60};
  std::chrono::seconds absolute_timeout{8 * 3600};
  std::chrono::seconds enroll_link_ttl{24 * 3600};
  std::chrono::seconds ceremony_ttl{5 * 60};  // a challenge must be answered within this
};
Settings settings_from(const Config& config, int bound_port = 0);

struct EnrollLink {
  std::string token;  // secret, shown once; only its SHA-256 is stored
  std::string url;  // ORIGIN/enroll#TOKEN: the token stays out of server logs and Referer headers
  int64_t expires_at = 0;
};

// A ceremony's first half: what the browser passes to navigator.credentials.
struct Ceremony {
  std::string id;
  std::string options_json;  // PublicKeyCredential{Creation,Request}Options, binary values base64url
  User user;                 // enrollment: who registers; sign-in: empty
};

struct Session {
  User user;
  std::string credential_id;  // the passkey the session was opened with
  std::string csrf_token;     // must come back in X-CSRF-Token on state-changing requests
  std::string session_ref;    // a short non-secret reference for audit events
  int64_t created_at = 0, expires_at = 0;
};

struct Passkey {
  std::string credential_id;  // base64url
  int algorithm = 0;          // COSE: -7 ES256, -8 EdDSA, -257 RS256
  int64_t created_at = 0, last_used_at = 0;
};

struct SignedIn {
  Session session;
  std::string cookie_value;  // secret; only its SHA-256 is stored
};

// A failed ceremony: `error` says why (for the audit event and the answer);
// `user_name` is set when the credential was recognised.
struct CeremonyFailure {
  Error error;
  std::string user_name;
};
template <typename T>
using CeremonyResult = std::variant<T, CeremonyFailure>;

class Console {
 public:
  Console(store::Store& store, Identity& identity, Settings settings);
  const Settings& settings() const { return settings_; }

  // One-time link for `user_name`'s first (or next) passkey; single use,
  // expires after enroll_link_ttl. Earlier unused links for the user stay valid
  // until they expire.
  Result<EnrollLink> create_enroll_link(const std::string& user_name, const std::string& created_by);
  // Withdraws an unused link (a link whose audit record could not be written).
  Status revoke_enroll_link(const std::string& token);

  // Registration: the link's token -> creation options; then the browser's
  // credential (JSON with base64url fields) -> a stored passkey and a session.
  Result<Ceremony> enroll_options(const std::string& link_token);
  CeremonyResult<SignedIn> enroll(const std::string& link_token, const std::string& ceremony_id,
                                  const nlohmann::json& credential);

  // Authentication with a discoverable credential (no user name typed).
  Result<Ceremony> sign_in_options();
  CeremonyResult<SignedIn> sign_in(const std::string& ceremony_id, const nlohmann::json& credential);

  // The session behind a cookie, if it is live (known, not idle or past its
  // absolute lifetime, its user enabled). Refreshes its idle clock.
  Result<Session> session(const std::string& cookie_value);
  // Takes back a registration whose audit record could not be written: the
  // passkey and its session go, the link becomes usable again.
  Status undo_enrollment(const std::string& link_token, const SignedIn& done);
  Status sign_out(const std::string& cookie_value);
  // Ends every session of the user; returns how many.
  Result<int64_t> sign_out_everywhere(const std::string& user_id);

  // A user's passkeys, oldest first.
  Result<std::vector<Passkey>> passkeys(const std::string& user_id);
  // The user's one passkey whose id starts with `id_prefix` (at least 8 characters).
  Result<Passkey> find_passkey(const std::string& user_id, const std::string& id_prefix);
  // Removes that passkey and ends the sessions opened with it: a lost phone
  // or security key stops working at once.
  Result<Passkey> remove_passkey(const std::string& user_id, const std::string& id_prefix);

 private:
  store::Store& store_;
  Identity& identity_;
  Settings settings_;
};

}  // namespace console
}  // namespace wardline
