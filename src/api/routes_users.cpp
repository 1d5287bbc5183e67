// /api/v1/users and /api/v1/me: Wardline's own identities.
#include <spdlog/spdlog.h>

#include "api/json_body.h"
#include "api/router.h"
#include "console/console.h"
#include "core/config.h"
#include "core/redact.h"
#include "core/time.h"
#include "siem/siem.h"

namespace wardline::api {
namespace {

// Phone numbers are sensitive: the API shows only the last four digits.
std::string masked_phone(const std::string& phone) {
  std::string digits;
  for (char c : phone)
    if (c >= '0' && c <= '9') digits.push_back(c);
  return digits.size() <= 4 ? "****" : "***" + digits.substr(digits.size() - 4);
}

nlohmann::json user_json(const User& u) {
  nlohmann::json j{{"id", u.id},
                   {"name", u.name},
                   {"role", to_string(u.role)},
                   {"display_name", u.display_name},
                   {"disabled", u.disabled},
                   {"created_at", to_rfc3339(u.created_at)}};
  if (u.phone) j["phone"] = masked_phone(*u.phone);
  return j;
}

// Records an admin action that has just succeeded; if the record cannot be
// written, `undo` reverts the action and the call fails.
Status audit_or_undo(Services& s, const Call& call, siem::SecurityEvent e, const std::function<Status()>& undo) {
  Status recorded = record(s, call, std::move(e));
  if (recorded) return {};
  if (Status u = undo(); !u) spdlog::error("could not undo an unaudited action: {}", u.error().message);
  return recorded;
}

// A refused admin action is a security event too (best effort: the refusal stands).
// The subject came from the request and was refused: it may hold anything,
// PHI included, so it is redacted before it reaches the log.
Error audited_refusal(Services& s, const Call& call, const std::string& type, const std::string& subject, Error e) {
  auto ev = call_event(call, type, redact_text(subject), "failure");
  ev.details["reason"] = e.code;
  (void)record(s, call, ev);
  return e;
}

}  // namespace

void add_user_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/me", Permission::self_read, [&s](const Call& call) -> Result<Reply> {
    auto u = s.identity.find_user(call.principal.user_name);
    if (!u) return u.error();
    return Reply{200, user_json(*u)};
  }});

  routes.push_back({"GET", "/api/v1/users", Permission::users_read, [&s](const Call& call) -> Result<Reply> {
    auto limit = page_limit(call);
    if (!limit) return limit.error();
    auto page = s.identity.list_users(call.query("cursor"), *limit);
    if (!page) return page.error();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& u : page->users) items.push_back(user_json(u));
    nlohmann::json body{{"items", items}};
    body["next_cursor"] = page->next_cursor.empty() ? nlohmann::json(nullptr) : nlohmann::json(page->next_cursor);
    return Reply{200, body};
  }});

  routes.push_back({"POST", "/api/v1/users", Permission::users_write, [&s](const Call& call) -> Result<Reply> {
    auto body = parse_json_object(call.req.body);
    if (!body) return body.error();
    auto name = required_string(*body, "name", 64);
    if (!name) return name.error();
    auto role_text = required_string(*body, "role", 32);
    if (!role_text) return role_text.error();
    auto role = parse_role(*role_text);
    if (!role) return role.error();
    auto display = optional_string(*body, "display_name", 200);
    if (!display) return display.error();
    auto phone = optional_string(*body, "phone", 32);
    if (!phone) return phone.error();
    auto user = s.identity.add_user({*name, *role, display->value_or(""), *phone});
    if (!user) return audited_refusal(s, call, "admin.user_created", *name, user.error());
    auto e = call_event(call, "admin.user_created", user->name);
    e.details["role"] = to_string(user->role);
    if (Status a = audit_or_undo(s, call, e, [&] { return s.identity.remove_user(user->name); }); !a) return a.error();
    return Reply{201, user_json(*user)};
  }});

  routes.push_back({"POST", "/api/v1/users/{name}/disable", Permission::users_write,
                    [&s](const Call& call) -> Result<Reply> {
    std::string name = call.path_param(0);
    if (Status st = s.identity.disable_user(name); !st) return audited_refusal(s, call, "admin.user_disabled", name, st.error());
    if (Status a = audit_or_undo(s, call, call_event(call, "admin.user_disabled", name), [&] { return s.identity.enable_user(name); }); !a)
      return a.error();
    auto u = s.identity.find_user(name);
    if (!u) return u.error();
    if (s.console)  // their dashboard sessions end too (tokens already stop)
      if (auto ended = s.console->sign_out_everywhere(u->id); !ended) return ended.error();
    return Reply{200, user_json(*u)};
  }});

  routes.push_back({"POST", "/api/v1/users/{name}/tokens", Permission::users_write,
                    [&s](const Call& call) -> Result<Reply> {
    std::string name = call.path_param(0);
    std::chrono::seconds ttl = s.config.token_default_ttl;
    if (!call.req.body.empty()) {
      auto body = parse_json_object(call.req.body);
      if (!body) return body.error();
      auto ttl_text = optional_string(*body, "ttl", 16);
      if (!ttl_text) return ttl_text.error();
      if (*ttl_text) {
        auto d = parse_duration(**ttl_text);
        if (!d) return make_error("invalid_ttl", d.error().message, "ttl");
        ttl = *d;
      }
    }
    auto token = s.identity.create_token(name, ttl);
    if (!token) return audited_refusal(s, call, "admin.token_created", name, token.error());
    auto e = call_event(call, "admin.token_created", name);
    e.details["token_id"] = token->id;
    if (Status a = audit_or_undo(s, call, e, [&] { return s.identity.revoke_token(token->id); }); !a) return a.error();
    return Reply{201, {{"id", token->id}, {"token", token->secret}, {"expires_at", to_rfc3339(token->expires_at)}}};
  }});
}

}  // namespace wardline::api
