// Field-level encryption of sensitive values at rest (AES-256-GCM).
//
// Data keys live in one file (data_dir/keys/data-keys.json, mode 0600),
// created on first use. Each ciphertext names the key that sealed it:
//   "wlenc:v1:<key id>:<base64url(nonce || ciphertext || tag)>"
// and is bound to its field (e.g. "users.phone") as AES-GCM additional data,
// so a value cannot be moved to another column unnoticed. Rotation adds a new
// active key; old keys stay to open what they sealed until everything has
// been re-encrypted (`wardline keys rotate` does both).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace wardline {

// A database column holding sealed values, for re-encryption after rotation.
struct EncryptedColumn {
  std::string table;
  std::string id_column;
  std::string column;
  std::string field;  // the AAD the values are bound to, e.g. "users.phone"
};

class Keyring {
 public:
  // Loads the key file, creating it with one fresh key if absent.
  static Result<std::shared_ptr<Keyring>> open(const std::string& key_file);

  Result<std::string> seal(std::string_view field, std::string_view plaintext) const;
  Result<std::string> open_value(std::string_view field, std::string_view sealed) const;
  // Id of the key a sealed value names (empty if it is not one of ours).
  static std::string key_id_of(std::string_view sealed);

  // Adds a new key, makes it active and saves the file. Returns its id.
  Result<std::string> rotate();
  std::string active_key_id() const { return active_; }
  size_t key_count() const { return keys_.size(); }

  // A keyed fingerprint (HMAC-SHA256, hex) of a sensitive value, for finding
  // equal values without storing them in clear or as a guessable hash. The
  // index key never rotates, so fingerprints stay comparable.
  std::string fingerprint(std::string_view field, std::string_view value) const;

 private:
  Status save() const;
  std::string path_;
  std::string active_;
  std::map<std::string, std::string> keys_;  // id -> 32 raw bytes
  std::string index_key_;                    // 32 raw bytes
};

}  // namespace wardline
