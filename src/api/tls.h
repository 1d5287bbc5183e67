// Internal: the server's TLS context policy.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace wardline::api {

// TLS 1.2 floor (or 1.3 only), ECDHE with AEAD ciphers only, no compression,
// no renegotiation, server cipher preference. Returns false if the
// certificate or key cannot be loaded.
bool configure_server_tls(SSL_CTX& ctx, const std::string& cert_file, const std::string& key_file,
                          const std::string& min_version);

}  // namespace wardline::api
