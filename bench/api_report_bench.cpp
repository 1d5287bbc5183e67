// One smishing report through the HTTP API, end to end: request parsing,
// bearer-token check and its audit record, analysis with the shipped model,
// encrypted insert, the smish.report audit record (durable, SQLite FULL sync),
// response. Sequential requests on a keep-alive loopback connection (plain
// HTTP: TLS is per connection, not per request); reports p50/p99/max.
// Run: make bench  (or build-bench/bench/bench_api_report)
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/api.h"
#include "audit/audit.h"
#include "core/keyring.h"
#include "identity/identity.h"
#include "siem/siem.h"
#include "smish/smish.h"
#include "store/store.h"

namespace {

using namespace wardline;

std::string root() {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  return src ? src : ".";
}

void BM_ReportThroughApi(benchmark::State& state) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wardline-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  auto store = std::move(*store::open_store("sqlite", dir, 4));
  (void)store::migrate(*store);
  std::shared_ptr<Keyring> keyring = std::move(*Keyring::open(dir + "/keys.json"));
  Identity identity(*store, keyring);
  siem::EventBus bus;
  auto log = audit::AuditLog::open(*store, dir + "/audit.pem", {}, &bus);
  auto rules = smish::load_rules(root() + "/rules");
  auto org = smish::load_organization(root() + "/examples/organization.yaml");
  auto model = smish::Classifier::load(root() + "/models/smish.ftz");
  if (!log || !rules || !org || !model) {
    state.SkipWithError("run from the source tree or set WARDLINE_SOURCE_DIR");
    return;
  }
  auto analyzer = std::make_shared<smish::Analyzer>(*rules, *org, std::shared_ptr<const smish::Classifier>(std::move(*model)));
  // No per-hour limit in the way of a benchmark.
  auto reports = std::make_shared<smish::ReportBook>(*store, keyring, analyzer, 1 << 30);
  Config c;
  c.listen = "127.0.0.1:0";
  c.data_dir = dir;
  api::Server server(api::ServerOptions{c, true, reports, {}}, *store, identity, bus, **log);
  int port = *server.bind();
  std::thread serving([&] { (void)server.serve(); });
  (void)identity.add_user({"nurse", Role::reporter, "", std::nullopt});
  std::string token = identity.create_token("nurse", std::chrono::hours(1))->secret;
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  httplib::Headers auth{{"Authorization", "Bearer " + token}};

  std::vector<double> micros;
  int i = 0;
  for (auto _ : state) {
    std::string body = nlohmann::json{{"channel", "sms"},
                                      {"body", "IT Help Desk: your Epic access expires today (ticket " + std::to_string(i++) +
                                                   "). Verify now: hxxps://lakesidemed-epic[.]com/login"}}
                           .dump();
    auto start = std::chrono::steady_clock::now();
    auto r = client.Post("/api/v1/reports", auth, body, "application/json");
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (!r || r->status != 201) {
      state.SkipWithError("report not filed");
      break;
    }
  }
  std::sort(micros.begin(), micros.end());
  if (!micros.empty()) {
    state.counters["p50_us"] = micros[micros.size() / 2];
    state.counters["p99_us"] = micros[micros.size() * 99 / 100];
    state.counters["max_us"] = micros.back();
  }
  server.stop();
  serving.join();
  (*log)->shutdown();
  bus.shutdown();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ReportThroughApi)->Iterations(2000)->Unit(benchmark::kMicrosecond);

}  // namespace
