// wardline token create|revoke
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.h"
#include "core/time.h"

namespace wardline::cli {

void add_token_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("token", "Manage API bearer tokens");
  group->require_subcommand(1);

  struct CreateOptions {
    CommonOptions common;
    std::string user, ttl;
  };
  auto create = std::make_shared<CreateOptions>();
  auto* create_cmd = group->add_subcommand("create", "Create a token; prints it alone on stdout, once");
  create_cmd->add_option("--user", create->user, "user the token acts as")->required();
  create_cmd->add_option("--ttl", create->ttl, "lifetime, e.g. 30d, 12h (default: auth.token_default_ttl)");
  add_common_options(*create_cmd, create->common);
  create_cmd->callback([create, &rc] {
    auto c = effective_config(create->common);
    if (!c) return void(rc = fail(c.error()));
    auto ttl = create->ttl.empty() ? Result<std::chrono::seconds>(c->token_default_ttl) : parse_duration(create->ttl);
    if (!ttl) return void(rc = fail(ttl.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    auto t = (*rt)->identity->create_token(create->user, *ttl);
    if (!t) return void(rc = fail(t.error()));
    if (Status a = record_local(**rt, "admin.token_created", create->user, {{"token_id", t->id}},
                                [&] { return (*rt)->identity->revoke_token(t->id); });
        !a)
      return void(rc = fail(a.error()));
    std::cerr << "token " << t->id << " for " << create->user << " expires " << to_rfc3339(t->expires_at)
              << "; it is shown only now\n";
    std::cout << t->secret << "\n";
    rc = kOk;
  });

  auto revoke = std::make_shared<std::pair<CommonOptions, std::string>>();
  auto* revoke_cmd = group->add_subcommand("revoke", "Revoke a token by id (tok_...)");
  revoke_cmd->add_option("ID", revoke->second, "token id")->required();
  add_common_options(*revoke_cmd, revoke->first);
  revoke_cmd->callback([revoke, &rc] {
    auto c = effective_config(revoke->first);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    // Revocation protects even when unaudited, so it stands; the failure is reported.
    if (Status s = (*rt)->identity->revoke_token(revoke->second); !s) return void(rc = fail(s.error()));
    if (Status a = record_local(**rt, "admin.token_revoked", revoke->second, {}, {}); !a) return void(rc = fail(a.error()));
    std::cout << "revoked " << revoke->second << "\n";
    rc = kOk;
  });
}

}  // namespace wardline::cli
