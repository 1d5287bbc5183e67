// The dashboard's sign-in: passkey enrollment and authentication ceremonies,
// the session, sign-out. Every ceremony's outcome is an audit event.
#include <spdlog/spdlog.h>

#include "api/json_body.h"
#include "api/router.h"
#include "api/throttle.h"
#include "console/console.h"
#include "core/redact.h"
#include "core/strings.h"
#include "siem/siem.h"

namespace wardline::api {
namespace {

using nlohmann::json;

json user_json(const User& u) {
  return {{"name", u.name}, {"display_name", u.display_name.empty() ? u.name : u.display_name}, {"role", to_string(u.role)}};
}

void send_error(httplib::Response& res, const Error& e, int status = 0) {
  send_json(res, status ? status : http_status_for(e), error_body(e));
}

std::string body_text(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
}

// A failed ceremony names the account it claimed as subject only: nothing
// proved who the caller was.
siem::SecurityEvent ceremony_event(const httplib::Request& req, const std::string& rid, const std::string& ceremony,
                                   const std::string& user, const std::string& outcome) {
  auto e = siem::make_event("auth.attempt", outcome);
  e.severity = outcome == "success" ? "info" : "warning";
  e.actor = outcome == "success" ? user : "anonymous";
  e.subject = user;
  e.source_ip = req.remote_addr;
  e.details = {{"method", "passkey"}, {"factor", "webauthn"}, {"ceremony", ceremony}, {"request_id", rid}};
  return e;
}

void set_session_cookie(httplib::Response& res, const std::string& value, int64_t max_age) {
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + value + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" +
                                   std::to_string(max_age));
}

class ConsoleRoutes : public std::enable_shared_from_this<ConsoleRoutes> {
 public:
  explicit ConsoleRoutes(Services& s) : s_(s) {}

  void add(std::vector<RawRoute>& routes) {
    routes.push_back({"POST", "/api/v1/console/enroll/options", wrap([this](auto&... a) { enroll_options(a...); })});
    routes.push_back({"POST", "/api/v1/console/enroll", wrap([this](auto&... a) { enroll(a...); })});
    routes.push_back({"POST", "/api/v1/console/sign-in/options", wrap([this](auto&... a) { sign_in_options(a...); })});
    routes.push_back({"POST", "/api/v1/console/sign-in", wrap([this](auto&... a) { sign_in(a...); })});
    routes.push_back({"GET", "/api/v1/console/session", wrap([this](auto&... a) { session(a...); })});
    routes.push_back({"POST", "/api/v1/console/sign-out", wrap([this](auto&... a) { sign_out(a..., false); })});
    routes.push_back({"POST", "/api/v1/console/sign-out-everywhere", wrap([this](auto&... a) { sign_out(a..., true); })});
  }

 private:
  using Body = std::function<void(const httplib::Request&, httplib::Response&, const std::string&, const json&)>;

  // Common to every console route: the console exists, the address is not
  // throttled, a POST body is a JSON object; the dashboard's headers.
  std::function<void(const httplib::Request&, httplib::Response&, const std::string&)> wrap(Body body) {
    // The handlers keep this object alive as long as the server keeps them.
    return [self = shared_from_this(), body](const httplib::Request& req, httplib::Response& res, const std::string& rid) {
      set_dashboard_headers(res);
      if (!self->s_.console) return send_error(res, make_error("unavailable", "the dashboard sign-in is not running"));
      json parsed = json::object();
      if (req.method == "POST") {
        // Only the dashboard's own scripts may post here: a form on another
        // site (which cannot send JSON, and sends its own Origin) must not
        // sign a browser in to someone else's account.
        if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
          return send_error(res, make_error("invalid_content_type", "send the body as Content-Type: application/json"), 415);
        if (std::string origin = req.get_header_value("Origin");
            !origin.empty() && origin != self->s_.console->settings().origin.text)
          return self->csrf_refused(req, res, rid, "", "request from origin '" + origin + "' refused: the dashboard is at " +
                                                          self->s_.console->settings().origin.text);
      }
      if (req.method == "POST" && !req.body.empty()) {
        auto j = parse_json_object(req.body);
        if (!j) return send_error(res, j.error());
        parsed = std::move(*j);
      }
      body(req, res, rid, parsed);
    };
  }

  // A failed ceremony: counted against the address, recorded, answered.
  void failed(const httplib::Request& req, httplib::Response& res, const std::string& rid, const std::string& ceremony,
              const console::CeremonyFailure& f, int status) {
    auto t = s_.throttle.failure(req.remote_addr);
    if (t != AuthThrottle::Verdict::record) {
      if (t == AuthThrottle::Verdict::first_throttled) record_throttled(s_, req.remote_addr, rid);
      return send_throttled(res);
    }
    auto e = ceremony_event(req, rid, ceremony, f.user_name, "failure");
    // Reasons may quote what the caller sent: kept short in the permanent log.
    e.details["reason"] = utf8_prefix(redact_text(f.error.message), 300);
    if (Status a = record(s_, e); !a) return send_error(res, a.error());
    send_error(res, f.error, status);
  }

  void csrf_refused(const httplib::Request& req, httplib::Response& res, const std::string& rid, const std::string& user,
                    const std::string& reason) {
    auto e = siem::make_event("auth.csrf_refused", "failure");
    e.severity = "warning";
    e.actor = user.empty() ? "anonymous" : user;
    e.source_ip = req.remote_addr;
    e.details = {{"route", req.method + " " + req.path}, {"reason", std::string(utf8_prefix(reason, 300))}, {"request_id", rid}};
    (void)record(s_, e);  // refused either way
    send_error(res, make_error("csrf_refused", reason), 403);
  }

  void enroll_options(const httplib::Request& req, httplib::Response& res, const std::string& rid, const json& body) {
    auto c = s_.console->enroll_options(body_text(body, "token"));
    // A used or unknown link tried again may mean it leaked: every refusal is recorded.
    if (!c) return failed(req, res, rid, "enrollment_link", {c.error(), ""}, 0);
    send_json(res, 200, {{"ceremony", c->id}, {"user", user_json(c->user)}, {"publicKey", json::parse(c->options_json)}});
  }

  void enroll(const httplib::Request& req, httplib::Response& res, const std::string& rid, const json& body) {
    std::string token = body_text(body, "token");
    auto r = s_.console->enroll(token, body_text(body, "ceremony"), body.value("credential", json()));
    if (auto* f = std::get_if<console::CeremonyFailure>(&r)) return failed(req, res, rid, "registration", *f, 0);
    auto& done = std::get<console::SignedIn>(r);
    const User& u = done.session.user;
    auto registered = siem::make_event("admin.passkey_registered", "success");
    registered.severity = "notice";
    registered.actor = u.name;
    registered.subject = u.name;
    registered.source_ip = req.remote_addr;
    registered.details = {{"credential", done.session.credential_id.substr(0, 16)}, {"request_id", rid}};
    auto signed_in = ceremony_event(req, rid, "registration", u.name, "success");
    signed_in.details["session"] = done.session.session_ref;
    if (auto a = s_.audit.record_batch({registered, signed_in}); !a) {
      if (Status undo = s_.console->undo_enrollment(token, done); !undo)
        spdlog::error("request {}: cannot take back a passkey registration: {}", rid, undo.error().message);
      return send_error(res, audit_failure(a.error()).error());
    }
    answer_signed_in(res, done);
  }

  void sign_in_options(const httplib::Request& req, httplib::Response& res, const std::string&, const json&) {
    // Each call stores a challenge before anyone is known: bounded per address.
    if (options_throttle_.failure(req.remote_addr) != AuthThrottle::Verdict::record) return send_throttled(res);
    auto c = s_.console->sign_in_options();
    if (!c) return send_error(res, c.error());
    send_json(res, 200, {{"ceremony", c->id}, {"publicKey", json::parse(c->options_json)}});
  }

  void sign_in(const httplib::Request& req, httplib::Response& res, const std::string& rid, const json& body) {
    auto r = s_.console->sign_in(body_text(body, "ceremony"), body.value("credential", json()));
    if (auto* f = std::get_if<console::CeremonyFailure>(&r)) {
      bool client_error = f->error.code == "invalid_ceremony" || f->error.code == "invalid_credential";
      return failed(req, res, rid, "authentication", *f, client_error ? 400 : 401);
    }
    auto& done = std::get<console::SignedIn>(r);
    auto e = ceremony_event(req, rid, "authentication", done.session.user.name, "success");
    e.details["session"] = done.session.session_ref;
    if (Status a = record(s_, e); !a) {
      (void)s_.console->sign_out(done.cookie_value);
      return send_error(res, a.error());
    }
    answer_signed_in(res, done);
  }

  void answer_signed_in(httplib::Response& res, const console::SignedIn& done) {
    set_session_cookie(res, done.cookie_value, done.session.expires_at - done.session.created_at);
    send_json(res, 200, session_json(done.session));
  }

  json session_json(const console::Session& s) {
    json perms = json::array();
    for (const auto& [p, name] : all_permissions())
      if (role_allows(s.user.role, p)) perms.push_back(name);
    return {{"user", user_json(s.user)},
            {"csrf_token", s.csrf_token},
            {"permissions", perms},
            {"expires_at", s.expires_at},
            {"idle_timeout_seconds", s_.console->settings().idle_timeout.count()}};
  }

  void session(const httplib::Request& req, httplib::Response& res, const std::string&, const json&) {
    auto s = s_.console->session(session_cookie(req));
    if (!s) return send_error(res, s.error());
    send_json(res, 200, session_json(*s));
  }

  void sign_out(const httplib::Request& req, httplib::Response& res, const std::string& rid, const json&, bool everywhere) {
    std::string cookie = session_cookie(req);
    auto p = session_principal(s_, req, cookie);
    if (!p && p.error().code == "csrf_refused") return csrf_refused(req, res, rid, "", p.error().message);
    if (!p) return send_error(res, p.error());
    int64_t ended = 1;
    if (everywhere) {
      auto n = s_.console->sign_out_everywhere(p->user_id);
      if (!n) return send_error(res, n.error());
      ended = *n;
    } else if (Status st = s_.console->sign_out(cookie); !st) {
      return send_error(res, st.error());
    }
    auto e = siem::make_event("auth.sign_out", "success");
    e.severity = "info";
    e.actor = p->user_name;
    e.subject = p->user_name;
    e.source_ip = req.remote_addr;
    e.details = {{"scope", everywhere ? "everywhere" : "this_session"}, {"sessions", std::to_string(ended)},
                 {"session", p->token_id}, {"request_id", rid}};
    if (Status a = record(s_, e); !a) spdlog::error("request {}: sign-out not recorded: {}", rid, a.error().message);
    set_session_cookie(res, "", 0);  // the sessions are gone either way
    send_json(res, 200, json::object());
  }

  Services& s_;
  AuthThrottle options_throttle_;
};

}  // namespace

void add_console_routes(std::vector<RawRoute>& routes, Services& s) { std::make_shared<ConsoleRoutes>(s)->add(routes); }

}  // namespace wardline::api
