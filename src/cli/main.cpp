// wardline: the daemon and the command-line tool.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/context.h"

int main(int argc, char** argv) {
  using namespace wardline::cli;
  CLI::App app{"Wardline: mobile-security control plane for hospitals"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "wardline 0.1.0");
  setup_logging();
  int rc = kOk;
  add_serve_command(app, rc);
  add_config_commands(app, rc);
  add_db_commands(app, rc);
  add_user_commands(app, rc);
  add_token_commands(app, rc);
  add_keys_commands(app, rc);
  add_merkle_commands(app, rc);
  add_audit_commands(app, rc);
  add_smish_commands(app, rc);
  add_intel_commands(app, rc);
  add_posture_commands(app, rc);
  add_access_commands(app, rc);
  add_response_commands(app, rc);
  add_ehr_commands(app, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kUsage;
  } catch (const std::exception& e) {
    // A bug, not bad input (that comes back as an Error): say so and fail cleanly.
    std::cerr << "wardline: internal error: " << e.what() << "\n";
    return kFailure;
  }
  return rc;
}
