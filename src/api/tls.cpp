#include "api/tls.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "api/api.h"
#include "core/crypto.h"

namespace wardline::api {
namespace fs = std::filesystem;
namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_p256_key() { return Key(EVP_EC_gen("P-256"), EVP_PKEY_free); }

bool add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return true;
}

Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long days, bool ca) {
  Cert cert(X509_new(), X509_free);
  X509_set_version(cert.get(), 2);
  std::string serial = crypto::random_bytes(16);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), 16, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Wardline"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (ca) {
    ok &= add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    ok &= add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok &= add_ext(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    ok &= add_ext(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    ok &= add_ext(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    ok &= add_ext(cert.get(), signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  }
  ok &= add_ext(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (!ok || X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) == 0) return Cert(nullptr, X509_free);
  return cert;
}

bool write_pem(const fs::path& path, X509* cert, EVP_PKEY* key) {
  FILE* f = fopen(path.c_str(), "w");
  if (!f) return false;
  bool ok = cert ? PEM_write_X509(f, cert) : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  ok &= fclose(f) == 0;
  if (key) fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
  return ok;
}

Result<std::string> fingerprint(const fs::path& cert_path) {
  FILE* f = fopen(cert_path.c_str(), "r");
  if (!f) return make_error("tls_error", "cannot read certificate '" + cert_path.string() + "'");
  Cert cert(PEM_read_X509(f, nullptr, nullptr, nullptr), X509_free);
  fclose(f);
  if (!cert) return make_error("tls_error", "'" + cert_path.string() + "' is not a PEM certificate");
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert.get(), EVP_sha256(), md, &len);
  std::string hex = crypto::hex_encode(std::string(reinterpret_cast<char*>(md), len)), out;
  for (size_t i = 0; i < hex.size(); i += 2) out += (i ? ":" : "") + hex.substr(i, 2);
  for (auto& c : out) c = static_cast<char>(std::toupper(c));
  return out;
}

}  // namespace

Result<TlsInfo> prepare_tls(const Config& config) {
  TlsInfo info;
  if (!config.tls.cert_file.empty()) {
    info.cert_file = config.tls.cert_file;
    info.key_file = config.tls.key_file;
    auto fp = fingerprint(info.cert_file);
    if (!fp) return fp.error();
    return info;
  }
  fs::path dir = fs::path(config.data_dir) / "tls";
  info.ca_file = (dir / "ca.pem").string();
  info.cert_file = (dir / "server.pem").string();
  info.key_file = (dir / "server.key").string();
  std::error_code ec;
  if (!fs::exists(info.cert_file, ec) || !fs::exists(info.key_file, ec) || !fs::exists(info.ca_file, ec)) {
    fs::create_directories(dir, ec);
    if (ec) return make_error("tls_error", "cannot create '" + dir.string() + "': " + ec.message());
    Key ca_key = new_p256_key(), key = new_p256_key();
    Cert ca = make_cert(ca_key.get(), "Wardline local CA", nullptr, nullptr, 3650, true);
    Cert cert = ca ? make_cert(key.get(), "localhost", ca.get(), ca_key.get(), 825, false) : Cert(nullptr, X509_free);
    if (!ca || !cert) return make_error("tls_error", "cannot create the local CA and server certificate");
    if (!write_pem(dir / "ca.key", nullptr, ca_key.get()) || !write_pem(info.ca_file, ca.get(), nullptr) ||
        !write_pem(info.key_file, nullptr, key.get()) || !write_pem(info.cert_file, cert.get(), nullptr))
      return make_error("tls_error", "cannot write TLS files into '" + dir.string() + "'");
    info.created_now = true;
  }
  auto fp = fingerprint(info.ca_file);
  if (!fp) return fp.error();
  info.ca_fingerprint = *fp;
  return info;
}

bool configure_server_tls(SSL_CTX& ctx, const std::string& cert_file, const std::string& key_file,
                          const std::string& min_version) {
  SSL_CTX_set_min_proto_version(&ctx, min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // TLS 1.2: forward-secret AEAD suites only. TLS 1.3 suites are all AEAD.
  SSL_CTX_set_cipher_list(&ctx,
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
  return SSL_CTX_use_certificate_chain_file(&ctx, cert_file.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(&ctx, key_file.c_str(), SSL_FILETYPE_PEM) == 1 &&
         SSL_CTX_check_private_key(&ctx) == 1;
}

}  // namespace wardline::api
