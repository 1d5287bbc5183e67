#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <regex>
#include <unordered_map>

#include "api/listener.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/throttle.h"
#include "api/syslog_intake.h"
#include "api/tls.h"
#include "console/console.h"
#include "core/ids.h"
#include "core/redact.h"
#include "siem/siem.h"
#include "store/store.h"

namespace wardline::api {

const std::string& openapi_document();  // generated from docs/api/openapi.yaml

int http_status_for(const Error& e) {
  const std::string& c = e.code;
  if (c == "audit_unavailable") return 503;
  if (c == "unauthenticated") return 401;
  if (c == "forbidden") return 403;
  if (c == "not_found") return 404;
  if (c == "conflict") return 409;
  if (c == "expired") return 410;
  if (c == "refused") return 422;
  if (c == "payload_too_large") return 413;
  if (c == "rate_limited") return 429;
  if (c == "store_unavailable" || c == "unavailable") return 503;
  if (c.rfind("invalid", 0) == 0 || c.rfind("missing", 0) == 0 || c == "user_disabled") return 400;
  return 500;
}

nlohmann::json error_body(const Error& e) {
  nlohmann::json err{{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  return {{"error", err}};
}

siem::SecurityEvent call_event(const Call& call, const std::string& type, const std::string& subject,
                               const std::string& outcome) {
  auto e = siem::make_event(type, outcome);
  e.severity = outcome == "success" ? "notice" : "warning";
  e.actor = call.principal.user_name;
  e.subject = subject;
  e.source_ip = call.source_ip;
  e.details["request_id"] = call.request_id;
  return e;
}

Status record(Services& s, siem::SecurityEvent e) {
  auto r = s.audit.record(std::move(e));
  return r ? Status() : audit_failure(r.error());
}

namespace {

// Whether the event of what the call did can carry the caller's successful
// authentication: the caller is its actor (whatever its outcome: a denied
// decision or a refused change is still the caller's authenticated call),
// and it is not itself about an authentication (a failed sign-in the
// identity provider reports), which the caller's own would be mistaken for.
bool carries_authentication(const siem::SecurityEvent& e, const siem::SecurityEvent& auth) {
  return e.actor == auth.actor && e.type.rfind("auth.", 0) != 0;
}

// The caller's authentication, carried by the event of what the call did:
// one audit entry instead of two.
void add_authentication(siem::SecurityEvent& e, const siem::SecurityEvent& auth) {
  for (const char* key : {"method", "token_id", "session"})
    if (auto it = auth.details.find(key); it != auth.details.end()) e.details[std::string("auth_") + key] = it->second;
}

}  // namespace

Status record(Services& s, const Call& call, std::optional<siem::SecurityEvent> e) {
  std::vector<siem::SecurityEvent> batch;
  if (call.auth_event && e && carries_authentication(*e, *call.auth_event)) add_authentication(*e, *call.auth_event);
  else if (call.auth_event) batch.push_back(*call.auth_event);
  if (e) batch.push_back(std::move(*e));
  if (batch.empty()) return {};
  auto r = s.audit.record_batch(std::move(batch));
  if (!r) return audit_failure(r.error());  // the authentication stays pending: the call ends in 503
  call.auth_event.reset();
  return {};
}

Status audit_failure(const Error& e) {
  spdlog::error("audit write failed, refusing the action: {}", redact_text(e.message));
  return make_error("audit_unavailable", "the audit log cannot be written, so the action was not performed; "
                                         "see the server log");
}

void record_throttled(Services& s, const std::string& ip, const std::string& request_id) {
  auto e = siem::make_event("auth.throttled", "failure");
  e.severity = "warning";
  e.actor = "anonymous";
  e.source_ip = ip;
  e.details = {{"limit_per_minute", std::to_string(AuthThrottle::kFailuresPerMinute)}, {"request_id", request_id}};
  (void)record(s, e);  // the answer is 429 either way
}

void send_throttled(httplib::Response& res) {
  res.set_header("Retry-After", "60");
  send_json(res, 429, error_body(make_error("rate_limited", "too many failed authentication attempts from this address; "
                                                            "try again in a minute")));
}

Result<int> page_limit(const Call& call) {
  std::string text = call.query("limit");
  if (text.empty()) return 100;
  if (text.size() > 3 || text.find_first_not_of("0123456789") != std::string::npos || std::stoi(text) < 1 ||
      std::stoi(text) > 500)
    return make_error("invalid_limit", "'limit' must be an integer from 1 to 500", "limit");
  return std::stoi(text);
}

namespace {

constexpr size_t kKeepAliveRequests = 100;

// "/api/v1/users/{name}" -> "/api/v1/users/([^/]+)"
std::string to_pattern(const std::string& path) {
  return std::regex_replace(path, std::regex(R"(\{[^}]+\})"), "([^/]+)");
}

// Accept a caller's request id if it is short and printable; otherwise make one.
std::string request_id_of(const httplib::Request& req) {
  std::string id = req.get_header_value("X-Request-Id");
  bool ok = !id.empty() && id.size() <= 128 &&
            std::all_of(id.begin(), id.end(), [](char c) { return c > 32 && c < 127; });
  return ok ? id : new_id("req");
}

std::string bearer_token(const httplib::Request& req) {
  std::string h = req.get_header_value("Authorization");
  if (h.size() > 7 && (h.rfind("Bearer ", 0) == 0 || h.rfind("bearer ", 0) == 0)) return h.substr(7);
  return {};
}

}  // namespace

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", "application/json");
}

struct Server::Impl {
  ServerOptions options;
  AuthThrottle throttle;
  intel::AlertBook alerts;
  intel::ObservationLog observations;
  Services services;
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> syslog_tls{nullptr, SSL_CTX_free};
  std::unique_ptr<SyslogIntake> syslog;
  int syslog_port = 0;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<console::Console> console;
  std::vector<RouteInfo> route_infos;
  Metrics metrics;
  std::atomic<bool> store_was_ready{true};
  HostPort listen;

  Impl(ServerOptions o, store::Store& store, Identity& identity, siem::EventBus& bus, audit::AuditLog& audit)
      : options(std::move(o)),
        alerts(store),
        observations(store),
        services{options.config, store, identity, bus, audit, options.reports.get(), options.campaigns.get(), options.intake,
                 throttle, options.indicators.get(), &alerts, &observations, options.devices.get(),
                 options.access.get(), options.response.get(), options.incidents.get(), options.drills.get(),
                 options.runbooks.get(), options.refresh_intel, options.ehr.get(), options.ehr_key.get()} {
    if (options.insecure_http) options.config.tls.enabled = false;
  }

  siem::SecurityEvent auth_event(const httplib::Request& req, const std::string& rid, const std::string& route,
                                 const Result<Principal>& p) {
    auto e = siem::make_event("auth.attempt", p ? "success" : "failure");
    e.severity = p ? "info" : "warning";
    e.actor = p ? p->user_name : "anonymous";
    e.source_ip = req.remote_addr;
    e.details["method"] = bearer_token(req).empty() && !session_cookie(req).empty() ? "passkey_session" : "bearer_token";
    e.details["route"] = req.method + " " + route;
    e.details["request_id"] = rid;
    if (p) e.details[p->token_id.rfind("ses_", 0) == 0 ? "session" : "token_id"] = p->token_id;
    else e.details["reason"] = redact_text(p.error().message);
    return e;
  }

  void add(const Route& r) {
    route_infos.push_back({r.method, r.path});
    httplib::Server::Handler h = [this, r](const httplib::Request& req, httplib::Response& res) {
      auto start = std::chrono::steady_clock::now();
      std::string rid = request_id_of(req);
      res.set_header("X-Request-Id", rid);
      // A bearer token (scripts, integrations) or the dashboard's session cookie.
      std::string bearer = bearer_token(req), cookie = bearer.empty() ? session_cookie(req) : std::string();
      bool by_session = !cookie.empty() && services.console;
      auto principal = by_session ? session_principal(services, req, cookie) : services.identity.authenticate(bearer);
      AuthThrottle::Verdict t = AuthThrottle::Verdict::record;
      if (!principal && principal.error().code == "unauthenticated") t = throttle.failure(req.remote_addr);
      if (t != AuthThrottle::Verdict::record) {
        if (t == AuthThrottle::Verdict::first_throttled) record_throttled(services, req.remote_addr, rid);
        send_throttled(res);
      } else if (!principal && principal.error().code == "csrf_refused") {
        auto e = siem::make_event("auth.csrf_refused", "failure");
        e.severity = "warning";
        e.actor = "anonymous";
        e.source_ip = req.remote_addr;
        e.details = {{"route", req.method + " " + r.path}, {"request_id", rid}, {"reason", principal.error().message}};
        (void)record(services, e);  // refused either way
        send_json(res, 403, error_body(principal.error()));
      } else if (!principal && principal.error().code != "unauthenticated") {
        spdlog::error("request {}: cannot check token: {}", rid, principal.error().message);
        send_json(res, http_status_for(principal.error()), error_body(principal.error()));
      } else if (Status a = principal ? Status() : record(services, auth_event(req, rid, r.path, principal)); !a) {
        send_json(res, 503, error_body(a.error()));
      } else {
        if (!principal) {
          res.set_header("WWW-Authenticate", "Bearer realm=\"wardline\"");
          send_json(res, 401, error_body(make_error("unauthenticated",
                                                    by_session ? principal.error().message
                                                               : "a valid bearer token is required: send 'Authorization: Bearer <token>' "
                                                                 "(create one with 'wardline token create --user NAME')")));
        } else if (!role_allows(principal->role, r.permission)) {
          auto e = siem::make_event("authz.denied", "failure");
          e.severity = "warning";
          e.actor = principal->user_name;
          e.source_ip = req.remote_addr;
          e.details["route"] = req.method + " " + r.path;
          e.details["role"] = to_string(principal->role);
          e.details["request_id"] = rid;
          (void)services.audit.record_batch({auth_event(req, rid, r.path, principal), e});  // refused either way
          send_json(res, 403, error_body(make_error("forbidden", "role '" + to_string(principal->role) +
                                                                     "' may not " + req.method + " " + r.path)));
        } else {
          // The successful authentication is recorded with the handler's own
          // event (in it, or beside it in one group commit), or on its own
          // after a handler that recorded nothing; either way before the
          // answer leaves.
          Call call{req, *principal, rid, req.remote_addr, auth_event(req, rid, r.path, principal)};
          Result<Reply> reply = r.handler(call);
          if (call.auth_event)
            if (Status a = record(services, call, std::nullopt); !a) reply = a.error();
          if (reply && !reply->content_type.empty()) {
            res.status = reply->status;
            res.set_content(reply->content, reply->content_type);
          } else if (reply) {
            send_json(res, reply->status, reply->body);
          } else send_json(res, http_status_for(reply.error()), error_body(reply.error()));
          if (!reply && http_status_for(reply.error()) >= 500)
            spdlog::error("request {} {} {}: {}", rid, req.method, r.path, redact_text(reply.error().message));
        }
      }
      metrics.observe(r.path, req.method, res.status,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    std::string pattern = to_pattern(r.path);
    if (r.method == "GET") http->Get(pattern, h);
    else if (r.method == "POST") http->Post(pattern, h);
    else if (r.method == "PUT") http->Put(pattern, h);
    else if (r.method == "PATCH") http->Patch(pattern, h);
    else if (r.method == "DELETE") http->Delete(pattern, h);
  }

  // Routes that authenticate by their own means (webhook signatures).
  void add_raw(const RawRoute& r) {
    route_infos.push_back({r.method, r.path});
    httplib::Server::Handler h = [this, r](const httplib::Request& req, httplib::Response& res) {
      auto start = std::chrono::steady_clock::now();
      std::string rid = request_id_of(req);
      res.set_header("X-Request-Id", rid);
      r.handler(req, res, rid);
      metrics.observe(r.path, req.method, res.status,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    if (r.method == "GET") http->Get(r.path, h);
    else http->Post(r.path, h);
  }

  // Unauthenticated operational endpoints.
  // `pattern`: the regular expression httplib matches, when `path` (the
  // OpenAPI form) has a parameter.
  void add_public(const std::string& path, httplib::Server::Handler h, const std::string& pattern = {}) {
    route_infos.push_back({"GET", path});
    http->Get(pattern.empty() ? path : pattern, [this, path, h](const httplib::Request& req, httplib::Response& res) {
      auto start = std::chrono::steady_clock::now();
      res.set_header("X-Request-Id", request_id_of(req));
      h(req, res);
      metrics.observe(path, "GET", res.status,
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    });
  }

  void add_operational_routes() {
    add_public("/healthz", [](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"status", "ok"}});
    });
    add_public("/readyz", [this](const httplib::Request&, httplib::Response& res) {
      Status s = services.store.ping();
      // Log state changes only: a probe every second must not flood the log.
      if (!s && store_was_ready.exchange(false))
        spdlog::error("readyz: {} store unreachable: {}", services.store.kind(), s.error().message);
      if (s && !store_was_ready.exchange(true)) spdlog::info("readyz: {} store reachable again", services.store.kind());
      if (s) send_json(res, 200, {{"status", "ready"}, {"store", services.store.kind()}});
      else send_json(res, 503, error_body(make_error("store_unavailable", s.error().message)));
    });
    add_public("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(metrics.render(services.bus.stats()), "text/plain; version=0.0.4");
    });
    add_public("/", serve_dashboard_page);
    add_public("/enroll", serve_dashboard_page);
    add_public("/assets/{file}", serve_web_asset, R"(/assets/([A-Za-z0-9_./-]+))");
    add_public("/api/v1/openapi.yaml", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(openapi_document(), "application/yaml");
    });
  }

  void configure() {
    const auto& c = options.config;
    http->set_payload_max_length(c.http.max_body_bytes);
    // Headers and body go out as separate writes: without TCP_NODELAY, Nagle
    // and the client's delayed ACK add ~40 ms to every response.
    http->set_tcp_nodelay(true);
    http->set_read_timeout(c.http.read_timeout_seconds, 0);
    http->set_write_timeout(c.http.write_timeout_seconds, 0);
    // httplib closes a kept-alive connection after 5 requests by default: the
    // client then reconnects, a TCP handshake and a new worker task per 5
    // requests. A worker serves one connection at a time, so it still hands
    // its connection back after this many: with more client connections than
    // http.threads, the waiting ones get their turn (within ~100 requests'
    // time; a reconnect per 20 requests cost 10% of the decision throughput).
    http->set_keep_alive_max_count(kKeepAliveRequests);
    int threads = c.http.threads;
    http->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    http->set_default_headers({{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}});
    http->set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("X-Request-Id", request_id_of(req));
      Error e = res.status == 413
                    ? make_error("payload_too_large", "request body exceeds the limit of " +
                                                          std::to_string(options.config.http.max_body_bytes) +
                                                          " bytes (http.max_body_bytes)")
                : res.status == 404 ? make_error("not_found", "no route for " + req.method + " " + req.path)
                                    : make_error("http_error", "request failed with HTTP status " + std::to_string(res.status));
      send_json(res, res.status, error_body(e));
      metrics.observe("(unmatched)", req.method, res.status, 0);
      return httplib::Server::HandlerResponse::Handled;
    }));
    http->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown";
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& ex) {
        what = ex.what();
      } catch (...) {
      }
      spdlog::error("unhandled error in {} {}: {}", req.method, req.path, redact_text(what));
      send_json(res, 500, error_body(make_error("internal", "internal error; see the server log")));
    });
    add_operational_routes();
    std::vector<Route> routes;
    add_user_routes(routes, services);
    add_audit_routes(routes, services);
    add_report_routes(routes, services);
    add_campaign_routes(routes, services);
    add_intel_routes(routes, services);
    add_device_routes(routes, services);
    add_access_routes(routes, services);
    add_response_routes(routes, services);
    add_ehr_routes(routes, services);
    add_overview_routes(routes, services);
    for (const auto& r : routes) add(r);
    std::vector<RawRoute> raw;
    add_intake_routes(raw, services);
    add_console_routes(raw, services);
    for (const auto& r : raw) add_raw(r);
  }
};

Server::Server(ServerOptions options, store::Store& store, Identity& identity, siem::EventBus& bus,
               audit::AuditLog& audit)
    : impl_(std::make_unique<Impl>(std::move(options), store, identity, bus, audit)) {}
Server::~Server() = default;

const std::vector<RouteInfo>& Server::routes() const { return impl_->route_infos; }
int Server::syslog_port() const { return impl_->syslog_port; }
Status Server::retry_staff_notices(int64_t now) { return api::retry_staff_notices(impl_->services, now); }

Result<int> Server::bind() {
  const Config& c = impl_->options.config;
  auto hp = parse_host_port(c.listen);
  if (!hp) return hp.error();
  impl_->listen = *hp;
  if (impl_->options.insecure_http) {
    impl_->http = std::make_unique<httplib::Server>();
  } else {
    auto tls = prepare_tls(c);
    if (!tls) return tls.error();
    std::string cert = tls->cert_file, key = tls->key_file, min = c.tls.min_version;
    auto server = std::make_unique<httplib::SSLServer>(
        [&](SSL_CTX& ctx) { return configure_server_tls(ctx, cert, key, min); });
    if (!server->is_valid())
      return make_error("tls_error", "cannot load TLS certificate '" + cert + "' and key '" + key + "'");
    impl_->http = std::move(server);
  }
  impl_->configure();
  if (!c.intel.syslog_listen.empty()) {
    if (!impl_->options.insecure_http) {
      auto tls = prepare_tls(c);
      if (!tls) return tls.error();
      impl_->syslog_tls.reset(SSL_CTX_new(TLS_server_method()));
      if (!configure_server_tls(*impl_->syslog_tls, tls->cert_file, tls->key_file, c.tls.min_version))
        return make_error("tls_error", "cannot load the TLS certificate for the syslog listener");
    }
    impl_->syslog = std::make_unique<SyslogIntake>(impl_->services, impl_->syslog_tls.get());
    auto syslog_port = impl_->syslog->bind(c.intel.syslog_listen);
    if (!syslog_port) return syslog_port.error();
    impl_->syslog_port = *syslog_port;
    spdlog::info("syslog intake on {} ({})", c.intel.syslog_listen, impl_->options.insecure_http ? "plain TCP" : "TLS");
  }
  int port = hp->port == 0 ? impl_->http->bind_to_any_port(hp->host) : (impl_->http->bind_to_port(hp->host, hp->port) ? hp->port : -1);
  if (port <= 0)
    return make_error("listen_failed", "cannot listen on " + c.listen +
                                           ": address in use or not available; choose another with --listen HOST:PORT");
  widen_listen_backlog(*impl_->http);
  // The dashboard's origin may name the port, known only now.
  impl_->console = std::make_unique<console::Console>(impl_->services.store, impl_->services.identity,
                                                      console::settings_from(impl_->options.config, port));
  impl_->services.console = impl_->console.get();
  spdlog::info("dashboard at {}/ (passkey sign-in for {})", impl_->console->settings().origin.text,
               impl_->console->settings().rp_id);
  return port;
}

Status Server::serve() {
  if (!impl_->http) return make_error("not_bound", "bind() must succeed before serve()");
  if (impl_->syslog) impl_->syslog->start();
  if (!impl_->http->listen_after_bind()) return make_error("serve_failed", "the HTTP server stopped with an error");
  return {};
}

void Server::stop() {
  if (impl_->syslog) impl_->syslog->stop();
  if (impl_->http) impl_->http->stop();
}

}  // namespace wardline::api
