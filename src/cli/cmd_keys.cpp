// wardline keys rotate
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "cli/context.h"
#include "cli/progress.h"

namespace wardline::cli {

void add_keys_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("keys", "Manage the data keys that encrypt sensitive fields");
  group->require_subcommand(1);
  auto opts = std::make_shared<CommonOptions>();
  auto* rotate = group->add_subcommand("rotate", "Create a new data key and re-encrypt every sensitive field with it");
  add_common_options(*rotate, *opts);
  rotate->callback([opts, &rc] {
    auto c = effective_config(*opts);
    if (!c) return void(rc = fail(c.error()));
    auto rt = open_runtime(*c, true);
    if (!rt) return void(rc = fail(rt.error()));
    auto id = (*rt)->keyring->rotate();
    if (!id) return void(rc = fail(id.error()));
    size_t total = 0;
    for (const auto& col : identity_encrypted_columns()) {
      std::optional<Progress> progress;
      auto n = store::reencrypt_column(*(*rt)->store, *(*rt)->keyring, col, [&](size_t, size_t all) {
        if (!progress) progress.emplace("re-encrypting " + col.table + "." + col.column, all);
        progress->advance();
      });
      if (!n) return void(rc = fail(n.error()));
      total += *n;
    }
    if (Status a = record_local(**rt, "admin.keys_rotated", *id, {{"reencrypted", std::to_string(total)}}, {}); !a)
      return void(rc = fail(a.error()));
    std::cout << "new active key " << *id << "; re-encrypted " << total << " value(s)\n";
    rc = kOk;
  });
}

}  // namespace wardline::cli
