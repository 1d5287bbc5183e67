#include "core/keyring.h"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"
#include "core/ids.h"

namespace wardline {
namespace {
constexpr std::string_view kPrefix = "wlenc:v1:";
}

Result<std::shared_ptr<Keyring>> Keyring::open(const std::string& key_file) {
  auto ring = std::shared_ptr<Keyring>(new Keyring());
  ring->path_ = key_file;
  std::error_code ec;
  if (!std::filesystem::exists(key_file, ec)) {
    std::filesystem::create_directories(std::filesystem::path(key_file).parent_path(), ec);
    ring->index_key_ = crypto::random_bytes(32);
    if (auto id = ring->rotate(); !id) return id.error();
    return ring;
  }
  struct stat st {};
  if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & 077))
    return make_error("insecure_key_file", "data key file '" + key_file + "' is readable by group or others; run: chmod 600 " + key_file);
  std::ifstream in(key_file);
  std::stringstream ss;
  ss << in.rdbuf();
  auto doc = nlohmann::json::parse(ss.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("active") || !doc.contains("keys") ||
      !doc["keys"].is_object())
    return make_error("invalid_key_file", "data key file '" + key_file + "' is not a Wardline key file (expected {\"active\":..., \"keys\":{...}})");
  for (auto& [id, hex] : doc["keys"].items()) {
    auto raw = hex.is_string() ? crypto::hex_decode(hex.get<std::string>()) : Result<std::string>(make_error("", ""));
    if (!raw || raw->size() != 32)
      return make_error("invalid_key_file", "key '" + id + "' in '" + key_file + "' is not 32 bytes of hex");
    ring->keys_[id] = *raw;
  }
  ring->active_ = doc["active"].is_string() ? doc["active"].get<std::string>() : "";
  if (!ring->keys_.count(ring->active_))
    return make_error("invalid_key_file", "active key '" + ring->active_ + "' is missing from '" + key_file + "'");
  if (doc.contains("index_key") && doc["index_key"].is_string()) {
    auto raw = crypto::hex_decode(doc["index_key"].get<std::string>());
    if (!raw || raw->size() != 32) return make_error("invalid_key_file", "index_key in '" + key_file + "' is not 32 bytes of hex");
    ring->index_key_ = *raw;
  } else {  // key files written before fingerprints existed
    ring->index_key_ = crypto::random_bytes(32);
    if (Status s = ring->save(); !s) return s.error();
  }
  return ring;
}

Status Keyring::save() const {
  nlohmann::json doc{{"active", active_}, {"keys", nlohmann::json::object()}, {"index_key", crypto::hex_encode(index_key_)}};
  for (const auto& [id, key] : keys_) doc["keys"][id] = crypto::hex_encode(key);
  std::string tmp = path_ + ".tmp";
  ::umask(077);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) return make_error("key_file_write_failed", "cannot write data key file '" + tmp + "'");
  }
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path_, ec);
  if (ec) return make_error("key_file_write_failed", "cannot replace '" + path_ + "': " + ec.message());
  return {};
}

Result<std::string> Keyring::rotate() {
  std::string id = new_id("dk");
  keys_[id] = crypto::random_bytes(32);
  std::string previous = active_;
  active_ = id;
  if (Status s = save(); !s) {
    keys_.erase(id);
    active_ = previous;
    return s.error();
  }
  return id;
}

std::string Keyring::fingerprint(std::string_view field, std::string_view value) const {
  return crypto::hex_encode(crypto::hmac_sha256(index_key_, std::string(field) + '\0' + std::string(value)));
}

Result<std::string> Keyring::seal(std::string_view field, std::string_view plaintext) const {
  auto sealed = crypto::aes256gcm_seal(keys_.at(active_), plaintext, field);
  if (!sealed) return sealed.error();
  return std::string(kPrefix) + active_ + ":" + crypto::base64url_encode(*sealed);
}

std::string Keyring::key_id_of(std::string_view sealed) {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return {};
  sealed.remove_prefix(kPrefix.size());
  size_t colon = sealed.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(sealed.substr(0, colon));
}

Result<std::string> Keyring::open_value(std::string_view field, std::string_view sealed) const {
  std::string id = key_id_of(sealed);
  if (id.empty()) return make_error("invalid_ciphertext", "value in field '" + std::string(field) + "' is not a Wardline ciphertext");
  auto key = keys_.find(id);
  if (key == keys_.end())
    return make_error("unknown_key", "value in field '" + std::string(field) + "' was sealed with key '" + id +
                                         "', which is not in the key file; restore the key file that belongs to this database");
  auto raw = crypto::base64url_decode(sealed.substr(kPrefix.size() + id.size() + 1));
  if (!raw) return raw.error();
  return crypto::aes256gcm_open(key->second, *raw, field);
}

}  // namespace wardline
