// wardline db migrate|status
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/context.h"

namespace wardline::cli {

void add_db_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("db", "Database schema migrations");
  group->require_subcommand(1);
  auto opts = std::make_shared<CommonOptions>();

  auto* migrate = group->add_subcommand("migrate", "Apply pending schema migrations");
  add_common_options(*migrate, *opts);
  migrate->callback([opts, &rc] {
    auto c = effective_config(*opts);
    if (!c) return void(rc = fail(c.error()));
    auto st = store::open_store(c->store, c->data_dir, 1);
    if (!st) return void(rc = fail(st.error()));
    auto n = store::migrate(**st);
    if (!n) return void(rc = fail(n.error()));
    std::cout << "applied " << *n << " migration(s); schema is at version " << store::migrations().back().version << "\n";
    rc = kOk;
  });

  auto* status = group->add_subcommand("status", "Show the schema version and pending migrations");
  add_common_options(*status, *opts, true);
  status->callback([opts, &rc] {
    auto c = effective_config(*opts);
    if (!c) return void(rc = fail(c.error()));
    auto st = store::open_store(c->store, c->data_dir, 1);
    if (!st) return void(rc = fail(st.error()));
    auto s = store::migration_status(**st);
    if (!s) return void(rc = fail(s.error()));
    if (opts->json) {
      nlohmann::json pending = nlohmann::json::array();
      for (const auto& m : s->pending) pending.push_back({{"version", m.version}, {"name", m.name}});
      std::cout << nlohmann::json{{"store", (*st)->kind()}, {"current_version", s->current_version},
                                  {"latest_version", s->latest_version}, {"pending", pending}}
                       .dump()
                << "\n";
    } else {
      std::cout << "store: " << (*st)->kind() << "\nschema version: " << s->current_version << " (latest "
                << s->latest_version << ")\n";
      for (const auto& m : s->pending) std::cout << "pending: " << m.version << " " << m.name << "\n";
      if (s->pending.empty()) std::cout << "up to date\n";
    }
    rc = kOk;
  });
}

}  // namespace wardline::cli
