#include "identity/identity.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/ids.h"
#include "core/keyring.h"
#include "core/time.h"
#include "identity/token_cache.h"
#include "store/store.h"

namespace wardline {
namespace {

constexpr const char* kPhoneField = "users.phone";
constexpr const char* kTokenPrefix = "wl_";
constexpr const char* kUserColumns =
    "id, name, role, display_name, phone_enc, disabled, created_at";

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64 || !std::isalnum(static_cast<unsigned char>(n[0]))) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::string token_hash(const std::string& secret) { return crypto::sha256_hex(secret); }

Error unauthenticated(const std::string& why) { return make_error("unauthenticated", why); }

}  // namespace

std::vector<EncryptedColumn> identity_encrypted_columns() {
  return {{"users", "id", "phone_enc", kPhoneField}};
}

Identity::Identity(store::Store& store, std::shared_ptr<const Keyring> keyring)
    : store_(store), keyring_(std::move(keyring)) {}
Identity::~Identity() = default;

void Identity::cache_tokens(std::chrono::steady_clock::duration ttl) { tokens_ = std::make_unique<TokenCache>(ttl); }

static Result<User> user_from_row(const store::Row& r, const Keyring& keyring) {
  User u;
  u.id = r.text(0);
  u.name = r.text(1);
  auto role = parse_role(r.text(2));
  if (!role) return role.error();
  u.role = *role;
  u.display_name = r.text(3);
  if (!r.is_null(4)) {
    auto phone = keyring.open_value(kPhoneField, r.text(4));
    if (!phone) return phone.error();
    u.phone = *phone;
  }
  u.disabled = r.integer(5) != 0;
  u.created_at = r.integer(6);
  return u;
}

Result<User> Identity::add_user(const NewUser& nu) {
  if (!valid_name(nu.name))
    return make_error("invalid_name", "user name '" + nu.name +
                                          "' must be 1-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit",
                      "name");
  if (nu.display_name.size() > 200)
    return make_error("invalid_display_name", "display name is longer than 200 characters", "display_name");
  User u{new_id("usr"), nu.name, nu.role, nu.display_name, nu.phone, false, unix_now()};
  store::Value phone = nullptr;
  if (nu.phone) {
    auto sealed = keyring_->seal(kPhoneField, *nu.phone);
    if (!sealed) return sealed.error();
    phone = *sealed;
  }
  auto existing = store_.query("SELECT 1 FROM users WHERE name = ?", {u.name});
  if (!existing) return existing.error();
  if (!existing->empty())
    return make_error("conflict", "a user named '" + u.name + "' already exists", "name");
  auto r = store_.execute(
      "INSERT INTO users (id, name, role, display_name, phone_enc, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
      {u.id, u.name, to_string(u.role), u.display_name, phone, u.created_at});
  if (!r) return r.error();
  return u;
}

Result<User> Identity::find_user(const std::string& name) {
  auto rows = store_.query(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?", {name});
  if (!rows) return rows.error();
  if (rows->empty()) return make_error("not_found", "no user named '" + name + "'", "name");
  return user_from_row(rows->front(), *keyring_);
}

Status Identity::disable_user(const std::string& name) {
  auto n = store_.execute("UPDATE users SET disabled = 1, disabled_at = ? WHERE name = ?", {unix_now(), name});
  if (tokens_) tokens_->clear();
  if (!n) return n.error();
  if (*n == 0) return make_error("not_found", "no user named '" + name + "'", "name");
  return {};
}

Status Identity::enable_user(const std::string& name) {
  auto n = store_.execute("UPDATE users SET disabled = 0, disabled_at = NULL WHERE name = ?", {name});
  if (!n) return n.error();
  if (*n == 0) return make_error("not_found", "no user named '" + name + "'", "name");
  return {};
}

Status Identity::remove_user(const std::string& name) {
  Status s = store_.transaction([&](store::Executor& tx) -> Status {
    if (auto r = tx.execute("DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE name = ?)", {name}); !r)
      return r.error();
    auto n = tx.execute("DELETE FROM users WHERE name = ?", {name});
    if (!n) return n.error();
    if (*n == 0) return make_error("not_found", "no user named '" + name + "'", "name");
    return {};
  });
  if (tokens_) tokens_->clear();  // after the commit: see TokenCache::generation
  return s;
}

Result<UserPage> Identity::list_users(const std::string& cursor, int limit) {
  limit = std::clamp(limit, 1, 500);
  // Keyset pagination on the unique name: stable under concurrent inserts.
  auto rows = store_.query(std::string("SELECT ") + kUserColumns +
                               " FROM users WHERE name > ? ORDER BY name LIMIT ?",
                           {cursor, int64_t{limit + 1}});
  if (!rows) return rows.error();
  UserPage page;
  for (size_t i = 0; i < rows->size() && i < static_cast<size_t>(limit); ++i) {
    auto u = user_from_row((*rows)[i], *keyring_);
    if (!u) return u.error();
    page.users.push_back(std::move(*u));
  }
  if (rows->size() > static_cast<size_t>(limit)) page.next_cursor = page.users.back().name;
  return page;
}

Result<IssuedToken> Identity::create_token(const std::string& user_name, std::chrono::seconds ttl) {
  auto user = find_user(user_name);
  if (!user) return user.error();
  if (user->disabled)
    return make_error("user_disabled", "user '" + user_name + "' is disabled; tokens cannot be issued", "user");
  if (ttl.count() <= 0) return make_error("invalid_ttl", "token lifetime must be positive", "ttl");
  if (ttl > std::chrono::hours(24 * 366 * 10))
    return make_error("invalid_ttl", "token lifetime is over ten years; issue shorter-lived tokens and rotate them", "ttl");
  IssuedToken t{new_id("tok"), kTokenPrefix + crypto::base64url_encode(crypto::random_bytes(32)),
                unix_now() + ttl.count()};
  auto r = store_.execute(
      "INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      {t.id, user->id, token_hash(t.secret), unix_now(), t.expires_at});
  if (!r) return r.error();
  return t;
}

Status Identity::revoke_token(const std::string& token_id) {
  auto n = store_.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                          {unix_now(), token_id});
  if (tokens_) tokens_->clear();
  if (!n) return n.error();
  if (*n == 0) return make_error("not_found", "no active token with id '" + token_id + "'", "id");
  return {};
}

Result<Principal> Identity::authenticate(const std::string& token) {
  if (token.empty()) return unauthenticated("no bearer token");
  if (token.rfind(kTokenPrefix, 0) != 0 || token.size() > 128)
    return unauthenticated("malformed token");
  std::string hash = token_hash(token);
  if (tokens_)
    if (auto p = tokens_->get(hash, unix_now())) return *p;
  uint64_t generation = tokens_ ? tokens_->generation() : 0;
  auto rows = store_.query(
      "SELECT t.id, t.expires_at, t.revoked_at, u.id, u.name, u.role, u.disabled, t.last_used_at "
      "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
      {hash});
  if (!rows) return rows.error();
  if (rows->empty()) return unauthenticated("unknown token");
  const auto& r = rows->front();
  if (!r.is_null(2)) return unauthenticated("revoked token " + r.text(0));
  if (r.integer(1) <= unix_now()) return unauthenticated("expired token " + r.text(0));
  if (r.integer(6) != 0) return unauthenticated("token " + r.text(0) + " belongs to disabled user " + r.text(4));
  auto role = parse_role(r.text(5));
  if (!role) return role.error();
  // Best effort, at most once a minute per token: the hot path stays
  // read-only (even an UPDATE that changes nothing takes SQLite's write lock).
  int64_t now = unix_now();
  if (r.is_null(7) || r.integer(7) < now - 60)
    (void)store_.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                         {now, r.text(0), now - 60});
  Principal p{r.text(3), r.text(4), *role, r.text(0)};
  if (tokens_) tokens_->put(hash, p, r.integer(1), generation);
  return p;
}

}  // namespace wardline
