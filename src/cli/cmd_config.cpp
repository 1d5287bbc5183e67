// wardline config check FILE
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.h"

namespace wardline::cli {

void add_config_commands(CLI::App& app, int& rc) {
  auto* group = app.add_subcommand("config", "Validate configuration files");
  group->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* check = group->add_subcommand("check", "Check a YAML config file; names a bad key with line and column");
  check->add_option("FILE", *file, "config file")->required();
  check->callback([file, &rc] {
    auto c = load_config_file(*file);
    if (!c) {
      rc = fail(c.error());
      return;
    }
    std::cout << *file << ": OK\n";
    rc = kOk;
  });
}

}  // namespace wardline::cli
