#include "audit/sth.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/crypto.h"

namespace wardline::audit {
namespace {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> unbase64(const std::string& text) {
  // Standard and URL-safe alphabets both accepted.
  auto raw = crypto::base64url_decode(text);
  if (!raw) return raw.error();
  return raw;
}

std::string key_id_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  std::string id = crypto::sha256_hex(std::string(reinterpret_cast<char*>(der), static_cast<size_t>(len)));
  OPENSSL_free(der);
  return id;
}

void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string tree_head_signature_input(uint64_t timestamp_ms, uint64_t tree_size, const Hash& root) {
  std::string out;
  out.push_back(0);  // version v1
  out.push_back(1);  // signature_type tree_hash
  put_u64(out, timestamp_ms);
  put_u64(out, tree_size);
  out += as_bytes(root);
  return out;
}

std::string sth_to_json(const SignedTreeHead& s) {
  return nlohmann::json{{"tree_size", s.tree_size},
                        {"timestamp", s.timestamp_ms},
                        {"sha256_root_hash", base64(as_bytes(s.root))},
                        {"tree_head_signature", base64(s.signature)},
                        {"key_id", s.key_id}}
      .dump();
}

Result<SignedTreeHead> sth_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [](const std::string& why) { return make_error("invalid_sth", "signed tree head: " + why); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  SignedTreeHead s;
  if (!j.contains("tree_size") || !j["tree_size"].is_number_unsigned()) return bad("'tree_size' must be a non-negative integer");
  if (!j.contains("timestamp") || !j["timestamp"].is_number_unsigned()) return bad("'timestamp' must be a non-negative integer");
  if (!j.contains("sha256_root_hash") || !j["sha256_root_hash"].is_string()) return bad("'sha256_root_hash' missing");
  if (!j.contains("tree_head_signature") || !j["tree_head_signature"].is_string()) return bad("'tree_head_signature' missing");
  s.tree_size = j["tree_size"];
  s.timestamp_ms = j["timestamp"];
  auto root = unbase64(j["sha256_root_hash"]);
  if (!root || root->size() != 32) return bad("'sha256_root_hash' is not 32 bytes of base64");
  std::copy(root->begin(), root->end(), s.root.begin());
  auto sig = unbase64(j["tree_head_signature"]);
  if (!sig || sig->size() != 64) return bad("'tree_head_signature' is not a 64-byte Ed25519 signature in base64");
  s.signature = *sig;
  if (j.contains("key_id") && j["key_id"].is_string()) s.key_id = j["key_id"];
  return s;
}

Result<std::shared_ptr<SigningKey>> SigningKey::open_or_create(const std::string& path) {
  auto key = std::shared_ptr<SigningKey>(new SigningKey());
  EVP_PKEY* pkey = nullptr;
  if (FILE* f = fopen(path.c_str(), "r")) {
    struct stat st {};
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
      fclose(f);
      return make_error("insecure_key_file", "audit signing key '" + path + "' is readable by group or others; run: chmod 600 " + path);
    }
    pkey = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
    fclose(f);
    if (!pkey || EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
      EVP_PKEY_free(pkey);
      return make_error("invalid_key_file", "'" + path + "' is not an Ed25519 private key in PEM");
    }
  } else {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    mode_t old = umask(077);
    FILE* out = fopen(path.c_str(), "w");
    umask(old);
    bool ok = out && PEM_write_PrivateKey(out, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    if (out) ok &= fclose(out) == 0;
    if (!ok) {
      EVP_PKEY_free(pkey);
      return make_error("key_file_write_failed", "cannot write audit signing key '" + path + "'");
    }
  }
  key->key_ = pkey;
  key->key_id_ = key_id_of(pkey);
  return key;
}

SigningKey::~SigningKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

SignedTreeHead SigningKey::sign(uint64_t tree_size, const Hash& root, uint64_t timestamp_ms) const {
  SignedTreeHead s{tree_size, timestamp_ms, root, std::string(64, '\0'), key_id_};
  std::string msg = tree_head_signature_input(timestamp_ms, tree_size, root);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 64;
  EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key_));
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(s.signature.data()), &len,
                 reinterpret_cast<const unsigned char*>(msg.data()), msg.size());
  EVP_MD_CTX_free(ctx);
  return s;
}

std::string SigningKey::public_key_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, static_cast<EVP_PKEY*>(key_));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

Result<bool> verify_sth(const SignedTreeHead& sth, const std::string& public_key_pem) {
  BIO* bio = BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key || EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    return make_error("invalid_public_key", "not an Ed25519 public key in PEM");
  }
  std::string msg = tree_head_signature_input(sth.timestamp_ms, sth.tree_size, sth.root);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sth.signature.data()), sth.signature.size(),
                             reinterpret_cast<const unsigned char*>(msg.data()), msg.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace wardline::audit
