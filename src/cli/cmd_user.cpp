// wardline user add|disable|list|enroll-link
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/context.h"
#include "console/console.h"
#include "core/time.h"

namespace wardline::cli {

namespace {

// The dashboard's sign-in over this runtime's store (passkeys, sessions, links).
console::Console dashboard_sign_in(Runtime& rt, const console::Settings& settings) {
  return console::Console(*rt.store, *rt.identity, settings);
}
console::Console dashboard_sign_in(Runtime& rt) { return dashboard_sign_in(rt, console::settings_from(rt.config)); }

}  // namespace

void add_user_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("user", "Manage Wardline's named users (no shared accounts)");
  group->require_subcommand(1);

  struct AddOptions {
    CommonOptions common;
    std::string name, role, display_name, phone;
  };
  auto add = std::make_shared<AddOptions>();
  auto* add_cmd = group->add_subcommand("add", "Add a user with a role");
  add_cmd->add_option("NAME", add->name, "user name (a-z, 0-9, '.', '_', '-')")->required();
  add_cmd->add_option("--role", add->role, "admin, analyst, auditor, reporter or service")->required();
  add_cmd->add_option("--display-name", add->display_name, "full name shown in the dashboard");
  add_cmd->add_option("--phone", add->phone, "phone number (stored encrypted)");
  add_common_options(*add_cmd, add->common);
  add_cmd->callback([add, &rc] {
    auto role = parse_role(add->role);
    if (!role) return void(rc = fail(role.error()));
    auto c = effective_config(add->common);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    std::optional<std::string> phone;
    if (!add->phone.empty()) phone = add->phone;
    auto u = (*rt)->identity->add_user({add->name, *role, add->display_name, phone});
    if (!u) return void(rc = fail(u.error()));
    if (Status a = record_local(**rt, "admin.user_created", u->name, {{"role", to_string(u->role)}},
                                [&] { return (*rt)->identity->remove_user(u->name); });
        !a)
      return void(rc = fail(a.error()));
    std::cout << "added user " << u->name << " (" << to_string(u->role) << ")\n";
    rc = kOk;
  });

  struct EnrollOptions {
    CommonOptions common;
    std::string name, ttl;
  };
  auto enroll = std::make_shared<EnrollOptions>();
  auto* enroll_cmd = group->add_subcommand(
      "enroll-link", "Print a one-time link with which the user registers a passkey for the dashboard");
  enroll_cmd->add_option("NAME", enroll->name, "user name")->required();
  enroll_cmd->add_option("--ttl", enroll->ttl, "how long the link stays valid (default: console.enroll_link_ttl, 24h)");
  add_common_options(*enroll_cmd, enroll->common);
  enroll_cmd->callback([enroll, &rc] {
    auto c = effective_config(enroll->common);
    if (!c) return void(rc = fail(c.error()));
    auto settings = console::settings_from(*c);
    if (!enroll->ttl.empty()) {
      auto ttl = parse_duration(enroll->ttl);
      if (!ttl) return void(rc = fail(ttl.error()));
      settings.enroll_link_ttl = *ttl;
    }
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    console::Console console = dashboard_sign_in(**rt, settings);
    auto link = console.create_enroll_link(enroll->name, "cli");
    if (!link) return void(rc = fail(link.error()));
    if (Status a = record_local(**rt, "admin.enroll_link_created", enroll->name,
                                {{"expires_at", to_rfc3339(link->expires_at)}},
                                [&] { return console.revoke_enroll_link(link->token); });
        !a)
      return void(rc = fail(a.error()));
    std::cout << link->url << "\n";
    std::cerr << "one-time passkey enrollment link for " << enroll->name << ", valid until " << to_rfc3339(link->expires_at)
              << "; open it in the browser the user will sign in with\n";
    rc = kOk;
  });

  auto disable = std::make_shared<std::pair<CommonOptions, std::string>>();
  auto* dis_cmd = group->add_subcommand("disable", "Disable a user; their tokens stop working at once");
  dis_cmd->add_option("NAME", disable->second, "user name")->required();
  add_common_options(*dis_cmd, disable->first);
  dis_cmd->callback([disable, &rc] {
    auto c = effective_config(disable->first);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    if (Status s = (*rt)->identity->disable_user(disable->second); !s) return void(rc = fail(s.error()));
    if (Status a = record_local(**rt, "admin.user_disabled", disable->second, {},
                                [&] { return (*rt)->identity->enable_user(disable->second); });
        !a)
      return void(rc = fail(a.error()));
    // Their dashboard sessions end too (API tokens already stop at once).
    auto user = (*rt)->identity->find_user(disable->second);
    auto ended = user ? dashboard_sign_in(**rt).sign_out_everywhere(user->id)
                      : Result<int64_t>(user.error());
    if (!ended) return void(rc = fail(ended.error()));
    std::cout << "disabled user " << disable->second << " (" << *ended << " dashboard session(s) ended)\n";
    rc = kOk;
  });

  struct PasskeyOptions {
    CommonOptions common;
    std::string name, credential;
  };
  auto pk = std::make_shared<PasskeyOptions>();
  auto* pk_cmd = group->add_subcommand("passkeys", "List a user's dashboard passkeys");
  pk_cmd->add_option("NAME", pk->name, "user name")->required();
  add_common_options(*pk_cmd, pk->common);
  pk_cmd->callback([pk, &rc] {
    auto c = effective_config(pk->common);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    auto user = (*rt)->identity->find_user(pk->name);
    if (!user) return void(rc = fail(user.error()));
    auto keys = dashboard_sign_in(**rt).passkeys(user->id);
    if (!keys) return void(rc = fail(keys.error()));
    std::cout << "CREDENTIAL                ALGORITHM  CREATED               LAST USED\n";
    for (const auto& k : *keys) {
      std::string alg = k.algorithm == -7 ? "ES256" : k.algorithm == -8 ? "EdDSA" : k.algorithm == -257 ? "RS256" : std::to_string(k.algorithm);
      std::cout << k.credential_id.substr(0, 24) << "  " << alg << std::string(alg.size() < 9 ? 9 - alg.size() : 0, ' ') << "  "
                << to_rfc3339(k.created_at) << "  " << to_rfc3339(k.last_used_at) << "\n";
    }
    rc = kOk;
  });

  auto rm = std::make_shared<PasskeyOptions>();
  auto* rm_cmd = group->add_subcommand("remove-passkey", "Remove a lost or retired passkey; sessions opened with it end");
  rm_cmd->add_option("NAME", rm->name, "user name")->required();
  rm_cmd->add_option("CREDENTIAL", rm->credential,
                     "the passkey's id, or its first 8 or more characters (see 'user passkeys'); an id that begins with '-' "
                     "goes after '--'")
      ->required();
  add_common_options(*rm_cmd, rm->common);
  rm_cmd->callback([rm, &rc] {
    auto c = effective_config(rm->common);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    auto user = (*rt)->identity->find_user(rm->name);
    if (!user) return void(rc = fail(user.error()));
    console::Console console = dashboard_sign_in(**rt);
    auto key = console.find_passkey(user->id, rm->credential);
    if (!key) return void(rc = fail(key.error()));
    // Recorded first: a removal that cannot be audited is not done.
    if (Status a = record_local(**rt, "admin.passkey_removed", rm->name, {{"credential", key->credential_id.substr(0, 16)}},
                                [] { return Status(); });
        !a)
      return void(rc = fail(a.error()));
    auto removed = console.remove_passkey(user->id, rm->credential);
    if (!removed) return void(rc = fail(removed.error()));
    std::cout << "removed passkey " << removed->credential_id.substr(0, 24) << " of " << rm->name << "\n";
    rc = kOk;
  });

  auto list = std::make_shared<CommonOptions>();
  auto* list_cmd = group->add_subcommand("list", "List users");
  add_common_options(*list_cmd, *list, true);
  list_cmd->callback([list, &rc] {
    auto c = effective_config(*list);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    std::string cursor;
    do {
      auto page = (*rt)->identity->list_users(cursor, 500);
      if (!page) return void(rc = fail(page.error()));
      for (const auto& u : page->users) {
        if (list->json) {
          std::cout << nlohmann::json{{"id", u.id}, {"name", u.name}, {"role", to_string(u.role)},
                                      {"display_name", u.display_name}, {"disabled", u.disabled},
                                      {"created_at", to_rfc3339(u.created_at)}}
                           .dump()
                    << "\n";
        } else {
          std::cout << u.name << "\t" << to_string(u.role) << "\t" << (u.disabled ? "disabled" : "active") << "\t"
                    << u.display_name << "\n";
        }
      }
      cursor = page->next_cursor;
    } while (!cursor.empty());
    rc = kOk;
  });
}

}  // namespace wardline::cli
