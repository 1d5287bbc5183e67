// Wardline's own identities: named users (no shared accounts), roles, and
// API tokens stored only as SHA-256 hashes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace wardline {
struct EncryptedColumn;
class Keyring;
class TokenCache;
namespace store { class Store; }

enum class Role { admin, analyst, auditor, reporter, service };
std::string to_string(Role r);
Result<Role> parse_role(const std::string& text);
const std::vector<Role>& all_roles();

// What a caller may do. Each API route names the permission it needs.
enum class Permission {
  users_read,    // list users
  users_write,   // add, disable users; create tokens for others
  self_read,     // whoami
  audit_read,    // tree heads, proofs, audit entries
  reports_write, // report a suspicious message
  reports_read,  // read everyone's reports (message bodies included)
  campaigns_write, // triage campaigns: status, notes, merge, split
  intel_ingest,  // send log events to be matched against threat intelligence
  intel_read,    // threat-intel alerts and feed status
  intel_triage,  // change a threat-intel alert's status
  devices_read,  // device inventory, compliance and posture reports
  devices_checkin, // an on-device agent reports the device's state
  access_decide, // ask for a conditional-access decision (identity provider, EHR gateway)
  devices_respond, // wipe and lock devices, approve another administrator's full wipe
  incidents_read,  // incidents, runbooks, drills, wipe and lock history
  incidents_write, // open and work incidents, record drills
  ehr_ingest,      // send EHR audit records (FHIR AuditEvent, ATNA, JSON lines) to the access analytics
  ehr_read,        // EHR access alerts
};
bool role_allows(Role role, Permission p);
// Every permission with its name as the API reports it ("reports_read", ...).
const std::vector<std::pair<Permission, std::string>>& all_permissions();

struct User {
  std::string id;
  std::string name;
  Role role = Role::reporter;
  std::string display_name;
  std::optional<std::string> phone;  // sensitive: encrypted at rest
  bool disabled = false;
  int64_t created_at = 0;
};

struct NewUser {
  std::string name;
  Role role = Role::reporter;
  std::string display_name;
  std::optional<std::string> phone;
};

// The authenticated caller of a request.
struct Principal {
  std::string user_id;
  std::string user_name;
  Role role;
  std::string token_id;
};

struct IssuedToken {
  std::string id;
  std::string secret;  // shown once, never stored
  int64_t expires_at;
};

struct UserPage {
  std::vector<User> users;
  std::string next_cursor;  // empty: no more pages
};

// Columns this module keeps encrypted (for `wardline keys rotate`).
std::vector<EncryptedColumn> identity_encrypted_columns();

class Identity {
 public:
  Identity(store::Store& store, std::shared_ptr<const Keyring> keyring);
  ~Identity();

  // Keeps verified tokens for `ttl` (the daemon: a query less per request).
  // Revoking a token or disabling or removing a user through this object
  // takes effect at once; the same change made by another process sharing
  // the store takes effect here within `ttl`.
  void cache_tokens(std::chrono::steady_clock::duration ttl);

  // Names: 1-64 of [a-z0-9._-], starting with a letter or digit.
  Result<User> add_user(const NewUser& u);
  Result<User> find_user(const std::string& name);
  Status disable_user(const std::string& name);
  Status enable_user(const std::string& name);
  // Deletes a user and their tokens: only to undo an add whose audit record failed.
  Status remove_user(const std::string& name);
  Result<UserPage> list_users(const std::string& cursor, int limit);

  Result<IssuedToken> create_token(const std::string& user_name, std::chrono::seconds ttl);
  Status revoke_token(const std::string& token_id);
  // Errors carry code "unauthenticated" and a message saying why
  // (unknown, expired, revoked, user disabled) for the security event.
  Result<Principal> authenticate(const std::string& bearer_token);

 private:
  store::Store& store_;
  std::shared_ptr<const Keyring> keyring_;
  std::unique_ptr<TokenCache> tokens_;  // null: every call reads the store
};

}  // namespace wardline
