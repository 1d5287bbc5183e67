// What every subcommand needs: the effective configuration (file + flags)
// and, for commands that touch data, the opened keyring, store and identity.
#pragma once

#include <memory>
#include <string>

#include "audit/audit.h"
#include "core/config.h"
#include "core/keyring.h"
#include "identity/identity.h"
#include "store/store.h"

namespace CLI { class App; }

namespace wardline::cli {

enum ExitCode { kOk = 0, kFailure = 1, kUsage = 2 };

struct CommonOptions {
  std::string config_file;  // --config
  std::string data_dir;     // --data-dir
  bool json = false;        // --json
};
void add_common_options(CLI::App& cmd, CommonOptions& opts, bool with_json = false);

Result<Config> effective_config(const CommonOptions& opts);

struct Runtime {
  Config config;
  std::shared_ptr<Keyring> keyring;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Identity> identity;
  std::unique_ptr<audit::AuditLog> audit;  // declared last: shut down first
};
// Opens everything; applies pending migrations when `migrate` is set.
// `bus` (optional) receives audited events and signed tree heads.
Result<std::unique_ptr<Runtime>> open_runtime(const Config& config, bool migrate, siem::EventBus* bus = nullptr);
std::string key_file_path(const Config& config);

// The operator running a CLI command, as an audit actor: "local:<login>".
std::string local_actor();
// Records an action taken from the CLI; on failure runs `undo` and returns the error.
Status record_local(Runtime& rt, const std::string& type, const std::string& subject,
                    std::map<std::string, std::string> details, const std::function<Status()>& undo);

// Prints "wardline: <message>" to stderr and returns kFailure.
int fail(const Error& e);
// Logs go to stderr with UTC timestamps; `serve` applies log.level.
void setup_logging();

// One function per subcommand group.
void add_serve_command(CLI::App& app, int& rc);
void add_config_commands(CLI::App& app, int& rc);
void add_db_commands(CLI::App& app, int& rc);
void add_user_commands(CLI::App& app, int& rc);
void add_token_commands(CLI::App& app, int& rc);
void add_keys_commands(CLI::App& app, int& rc);
void add_merkle_commands(CLI::App& app, int& rc);
void add_audit_commands(CLI::App& app, int& rc);
void add_smish_commands(CLI::App& app, int& rc);
void add_intel_commands(CLI::App& app, int& rc);
void add_posture_commands(CLI::App& app, int& rc);  // devices, advisories, report
void add_access_commands(CLI::App& app, int& rc);
void add_response_commands(CLI::App& app, int& rc);            // response, incidents
void add_device_response_commands(CLI::App& devices, int& rc);  // devices wipe|lock
void add_ehr_commands(CLI::App& app, int& rc);

}  // namespace wardline::cli
