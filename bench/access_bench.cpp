// Conditional-access decisions in process, with the shipped policy
// (policies/access.yaml) and directory:
// - BM_PolicyDecide: the compiled policy on resolved facts;
// - BM_DecisionPoint: a whole request (claims, directory, device lookup,
//   zones, local time) as POST /api/v1/access/decide runs it, without HTTP;
//   reports the median and p99 over every iteration (target: median <= 5 us,
//   p99 <= 50 us).
// Run: make bench  (or build-bench/bench/bench_access)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>

#include "access/access.h"

namespace {

using namespace wardline::access;

std::string root() {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  return src ? src : ".";
}

std::shared_ptr<const Policy> shipped() {
  auto p = Policy::load(root() + "/policies/access.yaml");
  if (!p) {
    fprintf(stderr, "%s\n", p.error().message.c_str());
    std::exit(1);
  }
  return *p;
}

std::vector<Request> requests() {
  const char* users[] = {"nurse.demo@lakesidemed.org", "dr.osei@lakesidemed.org", "billing.kim@lakesidemed.org",
                         "radiology.pool@lakesidemed.org"};
  const char* categories[] = {"ehr.clinical", "imaging", "billing", "prescribing", "messaging"};
  const char* ips[] = {"10.20.1.17", "172.16.4.4", "100.64.9.9", "203.0.113.50"};
  std::mt19937 rng(5);
  std::vector<Request> out;
  for (int i = 0; i < 1024; ++i) {
    Request r;
    r.user = users[rng() % 4];
    r.device_id = "dev-" + std::to_string(rng() % 100);
    r.category = categories[rng() % 5];
    r.action = rng() % 5 ? "read" : "export";
    r.source_ip = ips[rng() % 4];
    r.amr = rng() % 3 ? std::vector<std::string>{"pwd", "otp"} : std::vector<std::string>{"hwk"};
    r.auth_time = 1767636000 - static_cast<int64_t>(rng() % 7200);
    r.time = 1767636000;
    out.push_back(std::move(r));
  }
  return out;
}

DecisionPoint point() {
  auto directory = Directory::load(root() + "/examples/access-directory.csv");
  if (!directory) std::exit(1);
  Sources sources;
  sources.device = [](const std::string& id) -> std::optional<std::array<std::string, 3>> {
    if (id.back() == '7') return std::nullopt;
    return std::array<std::string, 3>{id.back() == '3' ? "noncompliant" : "compliant", "corporate", ""};
  };
  sources.intel_hit = [](const std::string& ip) { return ip == "203.0.113.50"; };
  return DecisionPoint(shipped(), std::make_shared<const Directory>(std::move(*directory)), sources);
}

void report_percentiles(benchmark::State& state, std::vector<double>& ns) {
  std::sort(ns.begin(), ns.end());
  state.counters["median_us"] = ns[ns.size() / 2] / 1000;
  state.counters["p99_us"] = ns[ns.size() * 99 / 100] / 1000;
}

void BM_PolicyDecide(benchmark::State& state) {
  auto policy = shipped();
  Facts f;
  f.user = "nurse.demo@lakesidemed.org";
  f.role = "nurse";
  f.category = "ehr.clinical";
  f.action = "read";
  f.device_state = "compliant";
  f.ownership = "corporate";
  f.zones = {"hospital"};
  f.assurance = Assurance::multi_factor;
  f.auth_age = 600;
  f.hour = 10;
  for (auto _ : state) benchmark::DoNotOptimize(policy->decide(f));
}
BENCHMARK(BM_PolicyDecide);

void BM_DecisionPoint(benchmark::State& state) {
  DecisionPoint pdp = point();
  auto reqs = requests();
  std::vector<double> ns;
  ns.reserve(1 << 22);
  size_t i = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    auto o = pdp.decide(reqs[i++ & 1023], 1767636000);
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(o);
    ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count());
  }
  report_percentiles(state, ns);
}
BENCHMARK(BM_DecisionPoint);

}  // namespace
