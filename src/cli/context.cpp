#include "cli/context.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace wardline::cli {

void add_common_options(CLI::App& cmd, CommonOptions& opts, bool with_json) {
  cmd.add_option("--config", opts.config_file, "YAML configuration file (default: $WARDLINE_CONFIG, else built-in defaults)");
  cmd.add_option("--data-dir", opts.data_dir, "data directory (overrides data_dir in the config; default ./var)");
  if (with_json) cmd.add_flag("--json", opts.json, "print records as JSON");
}

Result<Config> effective_config(const CommonOptions& opts) {
  std::string file = opts.config_file;
  if (file.empty())
    if (const char* env = std::getenv("WARDLINE_CONFIG")) file = env;
  Config c;
  if (!file.empty()) {
    auto loaded = load_config_file(file);
    if (!loaded) return loaded.error();
    c = std::move(*loaded);
  }
  if (!opts.data_dir.empty()) c.data_dir = opts.data_dir;
  return c;
}

std::string key_file_path(const Config& config) {
  return (std::filesystem::path(config.data_dir) / "keys" / "data-keys.json").string();
}

std::string local_actor() {
  const char* who = std::getenv("SUDO_USER");
  if (!who || !*who) who = std::getenv("USER");
  if (!who || !*who) {
    struct passwd* pw = getpwuid(getuid());
    who = pw ? pw->pw_name : "unknown";
  }
  return std::string("local:") + who;
}

Status record_local(Runtime& rt, const std::string& type, const std::string& subject,
                    std::map<std::string, std::string> details, const std::function<Status()>& undo) {
  auto e = siem::make_event(type, "success");
  e.severity = "notice";
  e.actor = local_actor();
  e.subject = subject;
  e.details = std::move(details);
  e.details["via"] = "cli";
  auto r = rt.audit->record(e);
  if (r) return {};
  if (undo)
    if (Status u = undo(); !u) spdlog::error("could not undo the unaudited action: {}", u.error().message);
  return make_error("audit_unavailable", "the audit log cannot be written (" + r.error().message + "); " +
                                             (undo ? "the action was undone" : "the action stands but is unrecorded"));
}

Result<std::unique_ptr<Runtime>> open_runtime(const Config& config, bool migrate, siem::EventBus* bus) {
  auto rt = std::make_unique<Runtime>();
  rt->config = config;
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return make_error("data_dir_unusable", "cannot create data directory '" + config.data_dir + "': " + ec.message());
  auto keyring = Keyring::open(key_file_path(config));
  if (!keyring) return keyring.error();
  rt->keyring = *keyring;
  auto st = store::open_store(config.store, config.data_dir, config.store_pool_size);
  if (!st) return st.error();
  rt->store = std::move(*st);
  if (migrate) {
    auto n = store::migrate(*rt->store);
    if (!n) return n.error();
    if (*n > 0) spdlog::info("applied {} database migration(s)", *n);
  }
  rt->identity = std::make_unique<Identity>(*rt->store, rt->keyring);
  audit::AuditOptions options;
  options.sth_every_entries = config.audit.sth_every_entries;
  options.sth_every_seconds = config.audit.sth_every_seconds;
  auto log = audit::AuditLog::open(*rt->store,
                                   (std::filesystem::path(config.data_dir) / "keys" / "audit-signing-key.pem").string(),
                                   options, bus);
  if (!log) return log.error();
  rt->audit = std::move(*log);
  return rt;
}

int fail(const Error& e) {
  std::cerr << "wardline: " << e.message << "\n";
  return kFailure;
}

void setup_logging() {
  spdlog::set_default_logger(spdlog::stderr_color_mt("wardline"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
}

}  // namespace wardline::cli
