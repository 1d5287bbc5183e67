// wardline serve: the daemon.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <pthread.h>
#include <thread>

#include "api/api.h"
#include "cli/context.h"
#include "cli/resources.h"
#include "smish/smish.h"
#include "siem/siem.h"

namespace wardline::cli {
namespace {

struct ServeOptions {
  CommonOptions common;
  std::string listen;
  bool insecure_http = false;
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
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto bus = siem::make_event_bus(config->sinks);
  if (!bus) return fail(bus.error());
  auto rt = open_runtime(*config, true, bus->get());
  if (!rt) return fail(rt.error());

  auto rules = smish::load_rules(config->smish.rules_dir.empty() ? resource_path("rules") : config->smish.rules_dir);
  if (!rules) return fail(rules.error());
  auto org = smish::load_organization(config->smish.organization.empty() ? resource_path("examples/organization.yaml")
                                                                         : config->smish.organization);
  if (!org) return fail(org.error());
  auto model = smish::Classifier::load(config->smish.model.empty() ? resource_path("models/smish.ftz") : config->smish.model);
  if (!model) return fail(model.error());
  auto analyzer = std::make_shared<smish::Analyzer>(std::move(*rules), std::move(*org),
                                                    std::shared_ptr<const smish::Classifier>(std::move(*model)));
  api::ServerOptions options{*config, opts.insecure_http,
                             std::make_shared<smish::ReportBook>(*(*rt)->store, (*rt)->keyring, analyzer,
                                                                 config->smish.reports_per_hour)};
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

  auto start = siem::make_event("system.start", "success");
  start.actor = "system";
  start.details["listen"] = url;
  if (auto r = (*rt)->audit->record(start); !r) return fail(r.error());

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("received {}, finishing in-flight requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server.stop();
  });
  Status s = server.serve();
  if (!s) {
    // serve() failed on its own: wake the signal thread so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
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
