// Cookie sessions: only the SHA-256 of the cookie is stored; each session
// has its own CSRF token (derived from the cookie), an idle and an absolute
// deadline.
#include "console/session_store.h"
#include "core/crypto.h"
#include "core/ids.h"
#include "core/time.h"

namespace wardline::console {
namespace {

// The idle clock is written at most this often: one write per request would
// make every page view a database write.
constexpr int64_t kTouchEverySeconds = 30;

std::string session_ref_of(const std::string& id_hash) { return "ses_" + id_hash.substr(0, 12); }

// The CSRF token is derived from the cookie, so it need not be stored: only
// the holder of the cookie can compute it, and the page learns it from
// GET /api/v1/console/session.
std::string csrf_token_of(const std::string& cookie_value) {
  return crypto::base64url_encode(crypto::hmac_sha256(cookie_value, "wardline console csrf v1"));
}

}  // namespace

Result<SignedIn> open_session(store::Executor& tx, const User& user, const std::string& credential_id,
                              const Settings& settings) {
  SignedIn out;
  out.cookie_value = crypto::base64url_encode(crypto::random_bytes(32));
  std::string id_hash = crypto::sha256_hex(out.cookie_value);
  Session& s = out.session;
  s.user = user;
  s.credential_id = credential_id;
  s.csrf_token = csrf_token_of(out.cookie_value);
  s.session_ref = session_ref_of(id_hash);
  s.created_at = unix_now();
  s.expires_at = s.created_at + settings.absolute_timeout.count();
  auto r = tx.execute(
      "INSERT INTO console_sessions (id_hash, user_id, user_name, credential_id, created_at, last_seen_at, expires_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
      {id_hash, user.id, user.name, credential_id, s.created_at, s.created_at, s.expires_at});
  if (!r) return r.error();
  return out;
}

Result<Session> Console::session(const std::string& cookie_value) {
  auto none = [](const std::string& why) { return make_error("unauthenticated", why + "; sign in again"); };
  if (cookie_value.empty()) return none("not signed in");
  std::string id_hash = crypto::sha256_hex(cookie_value);
  auto rows = store_.query(
      "SELECT user_name, credential_id, created_at, last_seen_at, expires_at FROM console_sessions WHERE id_hash = ?",
      {id_hash});
  if (!rows) return rows.error();
  if (rows->empty()) return none("the session has ended (signed out, expired or unknown)");
  const auto& row = rows->front();
  int64_t now = unix_now(), last_seen = row.integer(3);
  std::string why;
  if (now >= row.integer(4)) why = "the session reached its maximum lifetime";
  else if (now - last_seen >= settings_.idle_timeout.count()) why = "the session was idle too long";
  if (!why.empty()) {
    (void)store_.execute("DELETE FROM console_sessions WHERE id_hash = ?", {id_hash});
    return none(why);
  }
  auto user = identity_.find_user(row.text(0));
  if (!user) return user.error().code == "not_found" ? none("the session's user no longer exists") : Result<Session>(user.error());
  if (user->disabled) {  // disabling ends sessions (CLI, API); this covers any other way
    (void)store_.execute("DELETE FROM console_sessions WHERE id_hash = ?", {id_hash});
    return none("user '" + user->name + "' is disabled");
  }
  if (now - last_seen >= kTouchEverySeconds) {
    auto r = store_.execute("UPDATE console_sessions SET last_seen_at = ? WHERE id_hash = ?", {now, id_hash});
    if (!r) return r.error();
  }
  return Session{*user, row.text(1), csrf_token_of(cookie_value), session_ref_of(id_hash), row.integer(2), row.integer(4)};
}

Status Console::undo_enrollment(const std::string& link_token, const SignedIn& done) {
  return store_.transaction([&](store::Executor& tx) -> Status {
    for (auto [sql, param] : {std::pair{"DELETE FROM console_sessions WHERE credential_id = ?", done.session.credential_id},
                              std::pair{"DELETE FROM console_credentials WHERE credential_id = ?", done.session.credential_id},
                              std::pair{"UPDATE console_enroll_links SET used_at = NULL WHERE token_hash = ?",
                                        crypto::sha256_hex(link_token)}})
      if (auto r = tx.execute(sql, {param}); !r) return r.error();
    return {};
  });
}

Status Console::sign_out(const std::string& cookie_value) {
  auto r = store_.execute("DELETE FROM console_sessions WHERE id_hash = ?", {crypto::sha256_hex(cookie_value)});
  if (!r) return r.error();
  return {};
}

Result<int64_t> Console::sign_out_everywhere(const std::string& user_id) {
  return store_.execute("DELETE FROM console_sessions WHERE user_id = ?", {user_id});
}

}  // namespace wardline::console

namespace wardline::console {

Result<std::vector<Passkey>> Console::passkeys(const std::string& user_id) {
  auto rows = store_.query(
      "SELECT credential_id, algorithm, created_at, last_used_at FROM console_credentials WHERE user_id = ? "
      "ORDER BY created_at, credential_id",
      {user_id});
  if (!rows) return rows.error();
  std::vector<Passkey> out;
  for (const auto& r : *rows) out.push_back({r.text(0), static_cast<int>(r.integer(1)), r.integer(2), r.integer(3)});
  return out;
}

Result<Passkey> Console::find_passkey(const std::string& user_id, const std::string& id_prefix) {
  if (id_prefix.size() < 8)
    return make_error("invalid_credential", "give at least the first 8 characters of the passkey's id (wardline user passkeys NAME)",
                      "credential");
  auto all = passkeys(user_id);
  if (!all) return all.error();
  std::vector<Passkey> matches;
  for (const auto& p : *all)
    if (p.credential_id.compare(0, id_prefix.size(), id_prefix) == 0) matches.push_back(p);
  if (matches.empty()) return make_error("not_found", "the user has no passkey whose id starts with '" + id_prefix + "'", "credential");
  if (matches.size() > 1)
    return make_error("invalid_credential", "'" + id_prefix + "' starts " + std::to_string(matches.size()) +
                                                " of the user's passkeys; give more of the id", "credential");
  return matches.front();
}

Result<Passkey> Console::remove_passkey(const std::string& user_id, const std::string& id_prefix) {
  auto key = find_passkey(user_id, id_prefix);
  if (!key) return key.error();
  Status done = store_.transaction([&](store::Executor& tx) -> Status {
    for (const char* sql : {"DELETE FROM console_sessions WHERE credential_id = ?", "DELETE FROM console_credentials WHERE credential_id = ?"})
      if (auto r = tx.execute(sql, {key->credential_id}); !r) return r.error();
    return {};
  });
  if (!done) return done.error();
  return key;
}

}  // namespace wardline::console
