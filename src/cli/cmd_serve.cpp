// wardline serve: the daemon.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <thread>

#include "api/api.h"
#include "cli/context.h"
#include "cli/ehr_support.h"
#include "cli/access_support.h"
#include "cli/intel_support.h"
#include "cli/periodic.h"
#include "cli/response_support.h"
#include "cli/posture_support.h"
#include "cli/resources.h"
#include "core/time.h"
#include "identity/identity.h"
#include "smish/smish.h"
#include "siem/siem.h"

namespace wardline::cli {
namespace {

struct ServeOptions {
  CommonOptions common;
  std::string listen;
  bool insecure_http = false;
};

// A secret file's content without its trailing newline.
Result<std::string> read_secret(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("invalid_config", "'" + key + "': cannot read '" + path + "'");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) return make_error("invalid_config", "'" + key + "': '" + path + "' is empty");
  std::error_code ec;
  auto perms = std::filesystem::status(path, ec).permissions();
  if (!ec && (perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) != std::filesystem::perms::none)
    spdlog::warn("'{}' ({}) can be read by other users; chmod 600 it", key, path);
  return s;
}

Result<api::IntakeSecrets> read_intake_secrets(const Config& c) {
  api::IntakeSecrets out;
  struct SecretFile {
    const std::string& path;
    const char* key;
    std::string* into;
  };
  const SecretFile files[] = {
      {c.smish.twilio.auth_token_file, "smish.twilio.auth_token_file", &out.twilio_auth_token},
      {c.smish.whatsapp.app_secret_file, "smish.whatsapp.app_secret_file", &out.whatsapp_app_secret},
      {c.smish.whatsapp.verify_token_file, "smish.whatsapp.verify_token_file", &out.whatsapp_verify_token},
      {c.smish.campaigns.notify.token_file, "smish.campaigns.notify.token_file", &out.notify_token}};
  for (const auto& f : files) {
    if (f.path.empty()) continue;
    auto secret = read_secret(f.path, f.key);
    if (!secret) return secret.error();
    *f.into = std::move(*secret);
  }
  return out;
}

// SIGHUP: rules, organisation profile and model are loaded again; a bad file
// is rejected with its file, line and reason and the running ones stay.
void reload_analysis(const Config& c, smish::ReportBook& reports, smish::CampaignBook& campaigns, audit::AuditLog& audit) {
  auto analyzer = load_analyzer(c.smish.rules_dir, c.smish.organization, c.smish.model);
  auto e = siem::make_event("admin.rules_reloaded", analyzer ? "success" : "failure");
  e.actor = "system";
  e.severity = analyzer ? "notice" : "warning";
  if (analyzer) {
    reports.replace_analyzer(*analyzer);
    campaigns.replace_analyzer(*analyzer);
    spdlog::info("SIGHUP: smishing rules, organisation profile and model reloaded");
  } else {
    e.details["reason"] = analyzer.error().message;
    spdlog::error("SIGHUP: reload rejected, the previous rules stay active: {}", analyzer.error().message);
  }
  if (auto r = audit.record(e); !r) spdlog::error("cannot record the reload: {}", r.error().message);
}

// The compiled indicator set from disk (after `intel feed pull` or a
// scheduled pull); a missing or damaged snapshot leaves the current set.
void reload_indicators(const Config& c, intel::LiveIndicators& live) {
  auto set = intel::load_snapshot(intel::snapshot_path(c.data_dir));
  if (!set) {
    spdlog::warn("threat intel: {}", set.error().message);
    return;
  }
  live.replace(*set);
  spdlog::info("threat intel: {} indicators loaded", (*set)->size());
}

// Scheduled feed pulls (intel.pull_interval): fetch, compile with the
// confirmed smishing campaigns, swap the new set in, audit.
class FeedPuller {
 public:
  FeedPuller(const Config& c, store::Store& store, audit::AuditLog& audit, smish::CampaignBook& campaigns,
             intel::LiveIndicators& live, intel::WarningList warning)
      : config_(c), store_(store), audit_(audit), campaigns_(campaigns), live_(live), warning_(std::move(warning)),
        timer_(c.intel.pull_interval, [this] { pull(); }) {}

  void stop() { timer_.stop(); }
  // A campaign was confirmed or un-confirmed: its indicators go in or out
  // now, not at the next scheduled pull.
  void pull_now() { timer_.trigger(); }

 private:
  void pull() {
    intel::FeedRegistry registry(store_, config_.data_dir);
    auto feeds = registry.list();
    auto local = confirmed_campaign_feed(campaigns_);
    if (!feeds || !local) {
      spdlog::error("threat intel: scheduled pull skipped: {}", (!feeds ? feeds.error() : local.error()).message);
      return;
    }
    // Nothing to compile, unless a set is loaded that must now shrink (a campaign was un-confirmed).
    auto loaded = live_.current();
    if (feeds->empty() && local->indicators.empty() && (!loaded || loaded->size() == 0)) return;
    auto result = registry.pull(warning_, {*local}, config_.intel.min_confidence);
    auto e = siem::make_event("admin.feed_pulled", result ? "success" : "failure");
    e.actor = "system";
    e.subject = "intel";
    if (!result) {
      spdlog::error("threat intel: scheduled pull failed: {}", result.error().message);
      e.details["error"] = result.error().message;
    } else {
      size_t failed = 0;
      for (const auto& f : result->feeds)
        if (f.last_status == "error") {
          ++failed;
          spdlog::warn("threat intel: feed {} failed: {}", f.name, f.last_error);
        }
      e.details["feeds"] = std::to_string(result->feeds.size());
      e.details["failed"] = std::to_string(failed);
      e.details["indicators"] = std::to_string(result->indicators);
      auto previous = live_.current();
      reload_indicators(config_, live_);
      auto next = live_.current();
      if (next && next != previous) {
        auto found = retro_hunt(store_, config_, *next, previous.get(), [&](const intel::Alert& a) {
          auto hit = siem::make_event("intel.hit", "success");
          hit.actor = "system";
          hit.subject = a.indicator;
          api::describe_intel_hit(hit, a);
          auto r = audit_.record(hit);
          return r ? Status::Ok() : Status(r.error());
        });
        if (!found) spdlog::error("threat intel: retro-hunt failed: {}", found.error().message);
        else if (*found) spdlog::warn("threat intel: retro-hunt raised {} alert(s) on past traffic", *found);
        if (found) e.details["retro_hunt_alerts"] = std::to_string(*found);
      }
    }
    if (auto r = audit_.record(e); !r) spdlog::error("cannot record the feed pull: {}", r.error().message);
  }

  const Config& config_;
  store::Store& store_;
  audit::AuditLog& audit_;
  smish::CampaignBook& campaigns_;
  intel::LiveIndicators& live_;
  intel::WarningList warning_;
  Periodic timer_;  // last: stopped before the members it uses go
};

// Scheduled posture re-evaluation (posture.reevaluate_interval): the policy
// file and the stored advisories are read again, every device is judged,
// state changes are audited.
class PostureEvaluator {
 public:
  PostureEvaluator(const Config& c, store::Store& store, audit::AuditLog& audit, posture::DeviceInventory& inventory)
      : config_(c), store_(store), audit_(audit), inventory_(inventory),
        timer_(c.posture.reevaluate_interval, [this] { evaluate(); }) {}

  void stop() { timer_.stop(); }

  // Also on SIGHUP: a bad policy file is rejected and the previous one stays.
  void reload() {
    auto rules = load_posture_rules(config_, store_);
    if (!rules) {
      spdlog::error("posture: reload rejected, the previous policy stays active: {}", rules.error().message);
      return;
    }
    inventory_.use(rules->policy, rules->advisories);
  }

 private:
  void evaluate() {
    reload();
    auto changes = inventory_.reevaluate(unix_now());
    if (!changes) {
      spdlog::error("posture: re-evaluation failed: {}", changes.error().message);
      return;
    }
    if (Status a = audit_state_changes(audit_, inventory_, *changes, "system"); !a)
      spdlog::error("posture: {}", a.error().message);
    else if (!changes->empty())
      spdlog::info("posture: {} device(s) changed compliance state", changes->size());
  }

  const Config& config_;
  store::Store& store_;
  audit::AuditLog& audit_;
  posture::DeviceInventory& inventory_;
  Periodic timer_;
};

// Incident-response housekeeping: new alerts in the audit log are filed
// into incidents (every 30 s); full-wipe requests nobody approved in time
// expire; once a day (first 15 minutes after start, so that restarts
// do not repeat it) each runbook not drilled within response.drill_interval
// (or whose last drill failed) raises response.drill_overdue for the SIEM.
class ResponseWatch {
  static constexpr int64_t kDay = 24 * 3600;

 public:
  ResponseWatch(const Config& c, store::Store& store, audit::AuditLog& audit, ResponseKit& kit)
      : config_(c), audit_(audit), kit_(kit), grouper_(store, audit, *kit.incidents, kit.runbooks),
        grouping_(std::chrono::seconds(30), [this] { group(); }), timer_(std::chrono::minutes(5), [this] { tick(); }) {}

  void stop() {
    grouping_.stop();
    timer_.stop();
  }

 private:
  Status record(siem::SecurityEvent& e) {
    auto r = audit_.record(e);
    if (!r) return r.error();
    return {};
  }

  void group() {
    auto filed = grouper_.run([this](siem::SecurityEvent& e) { return record(e); });
    if (!filed) spdlog::error("response: cannot file alerts into incidents: {}", filed.error().message);
    else if (*filed) spdlog::info("response: {} alert(s) filed into incidents", *filed);
  }

  void tick() {
    auto expired = kit_.desk->expire([this](siem::SecurityEvent& e) { return record(e); });
    if (!expired) spdlog::error("response: cannot expire stale wipe requests: {}", expired.error().message);
    else if (*expired) spdlog::info("response: {} full-wipe request(s) expired without a second approval", *expired);
    int64_t now = unix_now();
    if (now - last_drill_check_ < kDay) return;
    last_drill_check_ = now;
    auto latest = kit_.drills->latest();
    if (!latest) return spdlog::error("response: cannot read drills: {}", latest.error().message);
    for (const auto& st : response::runbook_status(*kit_.runbooks, *latest, now, config_.response.drill_interval)) {
      if (st.warning.empty()) continue;
      spdlog::warn("response: {}", st.warning);
      auto e = siem::make_event("response.drill_overdue", "failure");
      e.actor = "system";
      e.subject = st.runbook;
      e.severity = "warning";
      e.details = {{"runbook", st.runbook}, {"warning", st.warning}, {"overdue", st.overdue ? "true" : "false"}};
      if (!st.last_result.empty()) e.details["last_result"] = st.last_result;
      if (Status r = record(e); !r) spdlog::error("response: cannot record the overdue drill: {}", r.error().message);
    }
  }

  const Config& config_;
  audit::AuditLog& audit_;
  ResponseKit& kit_;
  int64_t last_drill_check_ = unix_now() - kDay + 15 * 60;
  response::IncidentGrouper grouper_;
  Periodic grouping_;  // the timers last: stopped before the members they use go
  Periodic timer_;
};

int serve(const ServeOptions& opts) {
  auto config = effective_config(opts.common);
  if (!config) return fail(config.error());
  if (!opts.listen.empty()) {
    if (auto hp = parse_host_port(opts.listen); !hp) return fail(hp.error());
    config->listen = opts.listen;
  }
  spdlog::set_level(spdlog::level::from_str(config->log_level));

  // A peer that hangs up mid-write must cost one connection, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Signals go to one waiting thread only, never to workers mid-request.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto bus = siem::make_event_bus(config->sinks);
  if (!bus) return fail(bus.error());
  auto rt = open_runtime(*config, true, bus->get());
  if (!rt) return fail(rt.error());

  auto analyzer = load_analyzer(config->smish.rules_dir, config->smish.organization, config->smish.model);
  if (!analyzer) return fail(analyzer.error());
  auto intake = read_intake_secrets(*config);
  if (!intake) return fail(intake.error());
  auto reports = std::make_shared<smish::ReportBook>(*(*rt)->store, (*rt)->keyring, *analyzer, config->smish.reports_per_hour);
  auto campaigns = std::make_shared<smish::CampaignBook>(
      *(*rt)->store, (*rt)->keyring,
      cluster_params(config->smish.campaigns), *analyzer);
  auto placed = campaigns->rebuild();
  if (!placed) return fail(placed.error());
  for (const auto& why : placed->skipped) spdlog::error("left without a campaign: {}", why);
  if (Status a = api::record_placements(*(*rt)->audit, *placed, config->smish.campaigns.alert_at, ""); !a) return fail(a.error());
  auto warning = intel_warning_list(*config, "", {});
  if (!warning) return fail(warning.error());
  auto indicators = std::make_shared<intel::LiveIndicators>();
  reload_indicators(*config, *indicators);
  auto devices = open_inventory(*config, *(*rt)->store);
  if (!devices) return fail(devices.error());
  auto ehr_rt = open_ehr(*config, *(*rt)->keyring, *(*rt)->store, *devices);
  if (!ehr_rt) return fail(ehr_rt.error());
  auto decisions = open_decision_point(*config, {}, *devices, indicators, (*rt)->store.get(), ehr_risk_signal(*ehr_rt->settings, *(*rt)->store));
  if (!decisions) return fail(decisions.error());
  auto response = open_response(*config, *(*rt)->store, *devices);
  if (!response) return fail(response.error());
  FeedPuller puller(*config, *(*rt)->store, *(*rt)->audit, *campaigns, *indicators, *warning);
  api::ServerOptions options{*config,    opts.insecure_http, reports,           std::move(*intake),
                             campaigns,  indicators,         *devices,          *decisions,
                             response->desk, response->incidents, response->drills, response->runbooks,
                             [&puller] { puller.pull_now(); }, ehr_rt->analytics, ehr_rt->key};
  // Bearer tokens verified in the last two seconds skip the token query;
  // a revocation made by another daemon or the CLI takes at most that long
  // to reach this one (docs/operations.md).
  (*rt)->identity->cache_tokens(std::chrono::seconds(2));
  api::Server server(options, *(*rt)->store, *(*rt)->identity, **bus, *(*rt)->audit);
  auto port = server.bind();
  if (!port) return fail(port.error());

  auto hp = parse_host_port(config->listen);
  std::string host = hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host;
  std::string url = std::string(opts.insecure_http ? "http" : "https") + "://" + host + ":" + std::to_string(*port);
  if (opts.insecure_http) {
    spdlog::warn("TLS is OFF (--insecure-http): tokens and data cross the network in clear; never use this outside a test bench");
  } else if (config->tls.cert_file.empty()) {
    auto tls = api::prepare_tls(*config);
    if (!tls) return fail(tls.error());
    spdlog::info("TLS: local CA {} (SHA-256 fingerprint {}){}", tls->ca_file, tls->ca_fingerprint,
                 tls->created_now ? ", created now" : "");
  }
  spdlog::info("wardline listening on {} (store: {}, data dir: {})", url, (*rt)->store->kind(), config->data_dir);
  if (server.syslog_port()) spdlog::info("syslog intake listening on port {}", server.syslog_port());

  auto start = siem::make_event("system.start", "success");
  start.actor = "system";
  start.details["listen"] = url;
  if (auto r = (*rt)->audit->record(start); !r) return fail(r.error());

  PostureEvaluator posture(*config, *(*rt)->store, *(*rt)->audit, **devices);
  ResponseWatch response_watch(*config, *(*rt)->store, *(*rt)->audit, *response);
  // Baselines reach the store every minute (only what changed), so a crash loses at most that.
  auto save_baselines = [&] {
    if (Status st = ehr_rt->analytics->save(*(*rt)->store); !st) spdlog::error("ehr: cannot save baselines: {}", st.error().message);
  };
  Periodic baseline_saver(std::chrono::minutes(1), save_baselines);
  // Staff notices the SMS gateway did not take are tried again.
  Periodic notice_retries(std::chrono::minutes(1), [&] {
    if (Status st = server.retry_staff_notices(unix_now()); !st) spdlog::error("staff notices: {}", st.error().message);
  });
  std::thread waiter([&] {
    int sig = 0;
    while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
      reload_analysis(*config, *reports, *campaigns, *(*rt)->audit);
      reload_indicators(*config, *indicators);
      posture.reload();
      if (Status a = reload_decision_point(*config, **decisions); !a)
        spdlog::error("SIGHUP: access policy reload rejected, the previous one stays active: {}", a.error().message);
      else
        spdlog::info("SIGHUP: access policy and directory reloaded");
    }
    spdlog::info("received {}, finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    puller.stop();
    posture.stop();
    response_watch.stop();
    notice_retries.stop();
    server.stop();
    baseline_saver.stop();
  });
  Status s = server.serve();
  if (!s) {
    // serve() failed on its own: wake the signal thread so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  save_baselines();
  auto stop = siem::make_event("system.stop", "success");
  stop.actor = "system";
  if (auto r = (*rt)->audit->record(stop); !r) spdlog::error("cannot record system.stop: {}", r.error().message);
  (*rt)->audit->shutdown();  // signs the final tree head
  (*bus)->shutdown();
  spdlog::info("wardline stopped");
  return s ? kOk : fail(s.error());
}

}  // namespace

void add_serve_command(CLI::App& app, int& rc) {
  auto opts = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the Wardline daemon (HTTPS API)");
  add_common_options(*cmd, opts->common);
  cmd->add_option("--listen", opts->listen, "HOST:PORT to listen on (default 127.0.0.1:8443)");
  cmd->add_flag("--insecure-http", opts->insecure_http, "serve plain HTTP without TLS (testing only; logs a warning)");
  cmd->callback([opts, &rc] { rc = serve(*opts); });
}

}  // namespace wardline::cli
