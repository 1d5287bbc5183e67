// An issuer's JWKS from a file or an https:// URL, kept in memory. A token
// whose key id is not in the cached set triggers one refetch (at most once a
// minute): the issuer has rotated its keys.
#include <httplib.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "access/access.h"
#include "core/crypto.h"
#include "core/files.h"

namespace wardline::access {
namespace {

// The `kid` of a token's JOSE header, or empty.
std::string header_kid(std::string_view jwt) {
  auto header = crypto::base64url_decode(jwt.substr(0, jwt.find('.')));
  if (!header) return {};
  auto j = nlohmann::json::parse(*header, nullptr, false);
  return j.is_object() && j.contains("kid") && j["kid"].is_string() ? j["kid"].get<std::string>() : std::string();
}

}  // namespace

struct IssuerKeys::Impl {
  std::string source, ca_file;
  std::mutex mu;
  std::shared_ptr<const KeySet> keys;
  int64_t fetched_at = 0;

  Result<std::string> fetch() const {
    if (!source.starts_with("https://")) return read_file(source, "the JWKS file");
    size_t path_at = source.find('/', 8);
    std::string origin = source.substr(0, path_at), path = path_at == std::string::npos ? "/" : source.substr(path_at);
    httplib::Client client(origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    client.enable_server_certificate_verification(true);
    if (!ca_file.empty()) client.set_ca_cert_path(ca_file.c_str());
    auto r = client.Get(path.c_str());
    if (!r) return make_error("jwks_unavailable", "cannot fetch the JWKS " + source + ": " + httplib::to_string(r.error()) + " error");
    if (r->status != 200) return make_error("jwks_unavailable", "the JWKS " + source + " answered HTTP " + std::to_string(r->status));
    return std::move(r->body);
  }

  // The cached set, fetched again when missing or when `kid` is unknown.
  Result<std::shared_ptr<const KeySet>> current(const std::string& kid, int64_t now) {
    std::lock_guard lock(mu);
    bool stale = !keys || (!kid.empty() && !keys->has_kid(kid) && now - fetched_at >= 60);
    if (!stale) return keys;
    auto text = fetch();
    if (!text) {
      if (keys) return keys;  // keep serving the last good set
      return text.error();
    }
    auto set = KeySet::parse(*text);
    if (!set) return make_error(set.error().code, source + ": " + set.error().message);
    keys = std::make_shared<const KeySet>(std::move(*set));
    fetched_at = now;
    return keys;
  }
};

IssuerKeys::IssuerKeys(std::string jwks_source, std::string ca_file) : impl_(std::make_unique<Impl>()) {
  impl_->source = std::move(jwks_source);
  impl_->ca_file = std::move(ca_file);
}
IssuerKeys::~IssuerKeys() = default;

Result<Claims> IssuerKeys::verify(std::string_view jwt, const TokenRules& rules, int64_t now) {
  auto keys = impl_->current(header_kid(jwt), now);
  if (!keys) return keys.error();
  return verify_token(jwt, **keys, rules, now);
}

}  // namespace wardline::access
