// Passkey ceremonies, enrollment links and sessions over the Store.
#include "console/console.h"

#include <functional>
#include <nlohmann/json.hpp>

#include "console/session_store.h"
#include "console/webauthn.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/time.h"
#include "store/store.h"

namespace wardline::console {
namespace {

using nlohmann::json;

std::string fresh_secret() { return crypto::base64url_encode(crypto::random_bytes(32)); }

CeremonyFailure fail(const std::string& code, const std::string& message, std::string user_name = {}) {
  return {make_error(code, message), std::move(user_name)};
}

// A base64url field of the browser's credential JSON, decoded. Real
// authenticators stay far below `max_bytes`; the caps keep parsers and audit
// reasons small whatever a caller sends.
Result<std::string> b64_field(const json& obj, const char* key, const std::string& where, size_t max_bytes) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string())
    return make_error("invalid_credential", "the credential has no '" + where + key + "' (base64url text)", where + key);
  const auto& text = obj[key].get_ref<const std::string&>();
  if (text.size() > max_bytes * 4 / 3 + 4)
    return make_error("invalid_credential", "'" + where + key + "' is longer than " + std::to_string(max_bytes) + " bytes", where + key);
  auto bytes = crypto::base64url_decode(text);
  if (!bytes) return make_error("invalid_credential", "'" + where + key + "' is not base64url", where + key);
  return bytes;
}

constexpr size_t kMaxClientData = 4096, kMaxAttestation = 16384, kMaxAuthData = 4096, kMaxSignature = 1024,
                 kMaxCredentialId = 1023, kMaxUserHandle = 64;

struct LinkRow {
  std::string token_hash, user_name;
};

}  // namespace

Settings settings_from(const Config& config, int bound_port) {
  Settings s;
  s.origin = console_origin(config, bound_port);
  s.rp_id = s.origin.host;
  s.idle_timeout = config.console.idle_timeout;
  s.absolute_timeout = config.console.absolute_timeout;
  s.enroll_link_ttl = config.console.enroll_link_ttl;
  return s;
}

Console::Console(store::Store& store, Identity& identity, Settings settings)
    : store_(store), identity_(identity), settings_(std::move(settings)) {}

Result<EnrollLink> Console::create_enroll_link(const std::string& user_name, const std::string& created_by) {
  auto user = identity_.find_user(user_name);
  if (!user) return user.error();
  if (user->disabled)
    return make_error("user_disabled", "user '" + user_name + "' is disabled; enable it before sending an enrollment link");
  std::string token = fresh_secret();
  int64_t now = unix_now(), expires = now + settings_.enroll_link_ttl.count();
  auto r = store_.execute(
      "INSERT INTO console_enroll_links (token_hash, user_id, user_name, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
      {crypto::sha256_hex(token), user->id, user->name, created_by, now, expires});
  if (!r) return r.error();
  return EnrollLink{token, settings_.origin.text + "/enroll#" + token, expires};
}

Status Console::revoke_enroll_link(const std::string& token) {
  auto r = store_.execute("DELETE FROM console_enroll_links WHERE token_hash = ? AND used_at IS NULL", {crypto::sha256_hex(token)});
  if (!r) return r.error();
  return {};
}

namespace {

Status check_credential_type(const json& credential) {
  if (!credential.is_object() || !credential.contains("type") || credential["type"] != "public-key")
    return make_error("invalid_credential", "the credential's 'type' must be \"public-key\"", "type");
  return {};
}

Result<LinkRow> live_link(store::Executor& db, const std::string& token) {
  std::string hash = crypto::sha256_hex(token);
  auto rows = db.query("SELECT user_name, expires_at, used_at FROM console_enroll_links WHERE token_hash = ?", {hash});
  if (!rows) return rows.error();
  const char* ask = "; ask an administrator for a new one ('wardline user enroll-link NAME')";
  if (rows->empty()) return make_error("not_found", std::string("this enrollment link is not known") + ask);
  const auto& row = rows->front();
  if (!row.is_null(2)) return make_error("expired", std::string("this enrollment link has already been used") + ask);
  if (row.integer(1) < unix_now()) return make_error("expired", std::string("this enrollment link has expired") + ask);
  return LinkRow{hash, row.text(0)};
}

// Stores a fresh challenge for one ceremony.
Result<std::pair<std::string, std::string>> new_challenge(store::Store& db, const std::string& purpose,
                                                          const std::string& subject, std::chrono::seconds ttl) {
  int64_t now = unix_now();
  (void)db.execute("DELETE FROM console_challenges WHERE expires_at < ?", {now});  // housekeeping
  (void)db.execute("DELETE FROM console_sessions WHERE expires_at < ?", {now});
  std::string id = new_id("wac"), challenge = fresh_secret();
  auto r = db.execute("INSERT INTO console_challenges (id, purpose, challenge, subject, expires_at) VALUES (?, ?, ?, ?, ?)",
                      {id, purpose, challenge, subject, now + ttl.count()});
  if (!r) return r.error();
  return std::pair{id, challenge};
}

// Takes a challenge back, once: a replayed answer finds nothing.
Result<std::string> take_challenge(store::Store& db, const std::string& id, const std::string& purpose,
                                   const std::string& subject) {
  auto rows = db.query("SELECT challenge, expires_at FROM console_challenges WHERE id = ? AND purpose = ? AND subject = ?",
                       {id, purpose, subject});
  if (!rows) return rows.error();
  auto gone = db.execute("DELETE FROM console_challenges WHERE id = ? AND purpose = ? AND subject = ?", {id, purpose, subject});
  if (!gone) return gone.error();
  if (rows->empty() || *gone == 0)
    return make_error("invalid_ceremony", "this sign-in attempt is unknown or was already answered; start again");
  if (rows->front().integer(1) < unix_now())
    return make_error("invalid_ceremony", "this sign-in attempt took too long and expired; start again");
  return rows->front().text(0);
}

// Checks shared by both ceremonies on the authenticator data.
Status check_flags(const webauthn::AuthenticatorData& d, const std::string& rp_id) {
  if (!crypto::constant_time_equal(d.rp_id_hash, crypto::sha256(rp_id)))
    return make_error("invalid_authenticator_data", "the passkey is for another site (RP ID hash does not match '" + rp_id + "')");
  if (!(d.flags & webauthn::kUserPresent)) return make_error("invalid_authenticator_data", "the user was not present (UP flag clear)");
  if (!(d.flags & webauthn::kUserVerified))
    return make_error("invalid_authenticator_data",
                      "the authenticator did not verify the user (UV flag clear): use a passkey protected by a PIN or biometric");
  return {};
}

// A ceremony's last step (`step`: the passkey stored or its counter moved)
// and the session it opens, in one transaction: both or neither.
CeremonyResult<SignedIn> finish_ceremony(store::Store& store, const User& user, const std::string& credential_id,
                                         const Settings& settings, const std::function<Status(store::Executor&)>& step) {
  SignedIn out;
  Status done = store.transaction([&](store::Executor& tx) -> Status {
    if (Status s = step(tx); !s) return s;
    auto s = open_session(tx, user, credential_id, settings);
    if (!s) return s.error();
    out = std::move(*s);
    return {};
  });
  if (!done) return CeremonyFailure{done.error(), user.name};
  return out;
}

}  // namespace

Result<Ceremony> Console::enroll_options(const std::string& link_token) {
  auto link = live_link(store_, link_token);
  if (!link) return link.error();
  auto user = identity_.find_user(link->user_name);
  if (!user) return user.error();
  if (user->disabled) return make_error("user_disabled", "user '" + user->name + "' is disabled");
  auto ch = new_challenge(store_, "enroll", link->token_hash, settings_.ceremony_ttl);
  if (!ch) return ch.error();
  auto existing = store_.query("SELECT credential_id FROM console_credentials WHERE user_id = ?", {user->id});
  if (!existing) return existing.error();
  json exclude = json::array();
  for (const auto& row : *existing) exclude.push_back({{"type", "public-key"}, {"id", row.text(0)}});
  json options = {
      {"challenge", ch->second},
      {"rp", {{"id", settings_.rp_id}, {"name", settings_.rp_name}}},
      {"user", {{"id", crypto::base64url_encode(user->id)}, {"name", user->name},
                {"displayName", user->display_name.empty() ? user->name : user->display_name}}},
      {"pubKeyCredParams", json::array({{{"type", "public-key"}, {"alg", webauthn::kES256}},
                                        {{"type", "public-key"}, {"alg", webauthn::kEdDSA}},
                                        {{"type", "public-key"}, {"alg", webauthn::kRS256}}})},
      {"timeout", settings_.ceremony_ttl.count() * 1000},
      {"attestation", "none"},
      {"authenticatorSelection", {{"residentKey", "required"}, {"requireResidentKey", true}, {"userVerification", "required"}}},
      {"excludeCredentials", exclude}};
  return Ceremony{ch->first, options.dump(), *user};
}

CeremonyResult<SignedIn> Console::enroll(const std::string& link_token, const std::string& ceremony_id,
                                         const json& credential) {
  auto link = live_link(store_, link_token);
  if (!link) return CeremonyFailure{link.error(), ""};
  const std::string& name = link->user_name;
  auto challenge = take_challenge(store_, ceremony_id, "enroll", link->token_hash);
  if (!challenge) return CeremonyFailure{challenge.error(), name};
  if (Status t = check_credential_type(credential); !t) return CeremonyFailure{t.error(), name};
  const json& response = credential.is_object() && credential.contains("response") ? credential["response"] : json();
  auto client_data = b64_field(response, "clientDataJSON", "response.", kMaxClientData);
  if (!client_data) return CeremonyFailure{client_data.error(), name};
  auto att_bytes = b64_field(response, "attestationObject", "response.", kMaxAttestation);
  if (!att_bytes) return CeremonyFailure{att_bytes.error(), name};
  auto raw_id = b64_field(credential, "rawId", "", kMaxCredentialId);
  if (!raw_id) return CeremonyFailure{raw_id.error(), name};
  if (Status s = webauthn::check_client_data(*client_data, "webauthn.create", *challenge, settings_.origin.text); !s)
    return CeremonyFailure{s.error(), name};
  auto att = webauthn::parse_attestation_object(*att_bytes);
  if (!att) return CeremonyFailure{att.error(), name};
  auto data = webauthn::parse_authenticator_data(att->authenticator_data);
  if (!data) return CeremonyFailure{data.error(), name};
  if (Status s = check_flags(*data, settings_.rp_id); !s) return CeremonyFailure{s.error(), name};
  if (data->credential_id.empty()) return fail("invalid_authenticator_data", "the registration carries no credential", name);
  if (data->credential_id != *raw_id) return fail("invalid_credential", "rawId differs from the attested credential id", name);
  auto user = identity_.find_user(name);
  if (!user) return CeremonyFailure{user.error(), name};
  if (user->disabled) return fail("user_disabled", "user '" + name + "' is disabled", name);

  std::string cred_id = crypto::base64url_encode(data->credential_id);
  return finish_ceremony(store_, *user, cred_id, settings_, [&](store::Executor& tx) -> Status {
    auto used = tx.execute("UPDATE console_enroll_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                           {unix_now(), link->token_hash});
    if (!used) return used.error();
    if (*used != 1) return make_error("expired", "this enrollment link has already been used");
    auto taken = tx.query("SELECT 1 FROM console_credentials WHERE credential_id = ?", {cred_id});
    if (!taken) return taken.error();
    if (!taken->empty()) return make_error("conflict", "this passkey is already registered");
    int64_t now = unix_now();
    auto ins = tx.execute(
        "INSERT INTO console_credentials (credential_id, user_id, user_name, public_key, algorithm, sign_count, created_at, "
        "last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {cred_id, user->id, user->name, crypto::base64url_encode(data->public_key.spki_der),
         int64_t{data->public_key.algorithm}, int64_t{data->sign_count}, now, now});
    if (!ins) return ins.error();
    return {};
  });
}

Result<Ceremony> Console::sign_in_options() {
  auto ch = new_challenge(store_, "sign_in", "", settings_.ceremony_ttl);
  if (!ch) return ch.error();
  json options = {{"challenge", ch->second},
                  {"rpId", settings_.rp_id},
                  {"timeout", settings_.ceremony_ttl.count() * 1000},
                  {"userVerification", "required"},
                  {"allowCredentials", json::array()}};
  return Ceremony{ch->first, options.dump(), {}};
}

CeremonyResult<SignedIn> Console::sign_in(const std::string& ceremony_id, const json& credential) {
  auto challenge = take_challenge(store_, ceremony_id, "sign_in", "");
  if (!challenge) return CeremonyFailure{challenge.error(), ""};
  if (Status t = check_credential_type(credential); !t) return CeremonyFailure{t.error(), ""};
  auto raw_id = b64_field(credential, "rawId", "", kMaxCredentialId);
  if (!raw_id) return CeremonyFailure{raw_id.error(), ""};
  std::string cred_id = crypto::base64url_encode(*raw_id);
  auto rows = store_.query(
      "SELECT user_id, user_name, public_key, algorithm, sign_count FROM console_credentials WHERE credential_id = ?", {cred_id});
  if (!rows) return CeremonyFailure{rows.error(), ""};
  if (rows->empty())
    return fail("unauthenticated", "this passkey is not registered with Wardline (it may have been removed); "
                                   "ask an administrator for an enrollment link");
  const auto& row = rows->front();
  std::string user_id = row.text(0), name = row.text(1);
  const json& response = credential.contains("response") ? credential["response"] : json();
  auto client_data = b64_field(response, "clientDataJSON", "response.", kMaxClientData);
  if (!client_data) return CeremonyFailure{client_data.error(), name};
  auto auth_data = b64_field(response, "authenticatorData", "response.", kMaxAuthData);
  if (!auth_data) return CeremonyFailure{auth_data.error(), name};
  auto signature = b64_field(response, "signature", "response.", kMaxSignature);
  if (!signature) return CeremonyFailure{signature.error(), name};
  // A discoverable credential names its user (WebAuthn section 7.2 step 6).
  auto handle = b64_field(response, "userHandle", "response.", kMaxUserHandle);
  if (!handle) return CeremonyFailure{handle.error(), name};
  if (*handle != user_id) return fail("invalid_credential", "the passkey's user handle belongs to another user", name);
  if (Status s = webauthn::check_client_data(*client_data, "webauthn.get", *challenge, settings_.origin.text); !s)
    return CeremonyFailure{s.error(), name};
  auto data = webauthn::parse_authenticator_data(*auth_data, /*registration=*/false);
  if (!data) return CeremonyFailure{data.error(), name};
  if (Status s = check_flags(*data, settings_.rp_id); !s) return CeremonyFailure{s.error(), name};
  auto spki = crypto::base64url_decode(row.text(2));
  if (!spki) return fail("invalid_public_key", "the stored public key is damaged", name);
  webauthn::PublicKey key{static_cast<int>(row.integer(3)), *spki};
  if (Status s = webauthn::verify_assertion_signature(key, *auth_data, *client_data, *signature); !s)
    return CeremonyFailure{s.error(), name};
  // A counter that does not move forward means two copies of one key exist.
  int64_t stored = row.integer(4);
  if ((stored != 0 || data->sign_count != 0) && data->sign_count <= stored)
    return fail("invalid_signature",
                "the passkey's signature counter went from " + std::to_string(stored) + " to " +
                    std::to_string(data->sign_count) + ": the authenticator may have been cloned",
                name);
  auto user = identity_.find_user(name);
  if (!user) return CeremonyFailure{user.error(), name};
  if (user->disabled) return fail("user_disabled", "user '" + name + "' is disabled", name);
  return finish_ceremony(store_, *user, cred_id, settings_, [&](store::Executor& tx) -> Status {
    auto up = tx.execute("UPDATE console_credentials SET sign_count = ?, last_used_at = ? WHERE credential_id = ? AND sign_count = ?",
                         {int64_t{data->sign_count}, unix_now(), cred_id, stored});
    if (!up) return up.error();
    if (*up != 1) return make_error("invalid_signature", "the passkey was used twice at once; try again");
    return {};
  });
}

}  // namespace wardline::console
