// Dashboard sessions as an API credential: cookie plus CSRF token.
#include "api/router.h"
#include "console/console.h"
#include "core/crypto.h"

namespace wardline::api {

// __Host-: the browser only accepts it Secure, for this host, on path /.
const char* const kSessionCookie = "__Host-wardline_session";

std::string session_cookie(const httplib::Request& req) {
  std::string header = req.get_header_value("Cookie");
  std::string want = std::string(kSessionCookie) + "=";
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    if (header.compare(pos, want.size(), want) == 0) return header.substr(pos + want.size(), end - pos - want.size());
    pos = end;
  }
  return {};
}

void set_dashboard_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                 "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'");
  // Browsers ignore it over plain http (localhost tests), so it is always sent.
  res.set_header("Strict-Transport-Security", "max-age=31536000");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cross-Origin-Opener-Policy", "same-origin");
  res.set_header("Permissions-Policy", "publickey-credentials-get=(self), publickey-credentials-create=(self), camera=(), microphone=(), geolocation=()");
}

Result<Principal> session_principal(Services& s, const httplib::Request& req, const std::string& cookie) {
  auto session = s.console->session(cookie);
  if (!session) return session.error();
  bool safe = req.method == "GET" || req.method == "HEAD" || req.method == "OPTIONS";
  if (!safe) {
    std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && origin != s.console->settings().origin.text)
      return make_error("csrf_refused", "request from origin '" + origin + "' refused: the dashboard is at " +
                                            s.console->settings().origin.text);
    std::string token = req.get_header_value("X-CSRF-Token");
    if (token.empty() || !crypto::constant_time_equal(token, session->csrf_token))
      return make_error("csrf_refused", "missing or wrong X-CSRF-Token header: a state-changing request from the dashboard "
                                        "must carry the session's CSRF token (GET /api/v1/console/session)");
  }
  return Principal{session->user.id, session->user.name, session->user.role, session->session_ref};
}

}  // namespace wardline::api
