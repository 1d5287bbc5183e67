// Device posture evaluation against the shipped policy (policies/posture.yaml)
// and 2,000 advisories:
// - BM_EvaluateFleet: 100,000 devices with 50 apps each, every check and the
//   state machine, on one thread (target: <= 2 s);
// - BM_EvaluateOneDevice: one device, as a check-in does before storing it;
// - BM_CheckinThroughStore: one device's check-in end to end through the
//   inventory on SQLite (previous standing read, evaluation, upsert in one
//   transaction) with 10,000 devices stored (target: <= 1 ms).
// Run: make bench  (or build-bench/bench/bench_posture)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "posture/posture.h"
#include "store/store.h"

namespace {

using namespace wardline;
using namespace wardline::posture;

constexpr int64_t kNow = 1767225600;

std::string root() {
  const char* src = std::getenv("WARDLINE_SOURCE_DIR");
  return src ? src : ".";
}

std::shared_ptr<const Policy> shipped_policy() {
  auto p = Policy::load(root() + "/policies/posture.yaml");
  if (!p) {
    fprintf(stderr, "%s\n", p.error().message.c_str());
    std::exit(1);
  }
  return *p;
}

// 2,000 advisories over the OSes, the catalogue apps and 500 other apps.
std::shared_ptr<const AdvisoryIndex> advisories(const Policy& policy) {
  std::vector<Advisory> all;
  std::mt19937 rng(7);
  const char* products[] = {"os:ios", "os:android", "app:com.epic.haiku", "app:com.microsoft.teams", "app:com.microsoft.skype.teams"};
  for (int i = 0; i < 2000; ++i) {
    Advisory a;
    a.id = "CVE-2025-" + std::to_string(10000 + i);
    a.severity = static_cast<Severity>(i % 4);
    a.published = kNow - (i % 60) * 86400;
    std::string product = i < 200 ? products[i % 5] : "app:com.vendor.app" + std::to_string(rng() % 500);
    a.affected.push_back({product, "", "1.0", "", "", std::to_string(2 + i % 20) + ".0", ""});
    all.push_back(std::move(a));
  }
  return std::make_shared<const AdvisoryIndex>(std::move(all), policy.sla());
}

std::vector<Device> fleet(size_t n) {
  std::mt19937 rng(42);
  const char* catalogue[] = {"com.epic.haiku", "com.epic.rover", "com.microsoft.teams", "com.microsoft.office.outlook",
                             "com.duosecurity.duomobile", "com.microsoft.windowsintune.companyportal"};
  const char* perms[] = {"camera", "microphone", "contacts", "location", "bluetooth", "notifications"};
  std::vector<Device> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    Device d;
    d.id = "device-" + std::to_string(i);
    d.source = "bench";
    bool android = i % 2;
    d.platform = android ? Platform::android : Platform::ios;
    d.os_version = android ? std::to_string(12 + rng() % 4) : "17." + std::to_string(rng() % 8);
    if (android) d.patch_level = "2025-" + std::to_string(10 + rng() % 3) + "-01";
    d.ownership = i % 3 ? Ownership::corporate : Ownership::byod;
    d.management = d.ownership == Ownership::corporate ? Management::mdm : Management::work_profile;
    d.user = "user" + std::to_string(i) + "@lakesidemed.org";
    d.encrypted = rng() % 50 != 0;
    d.passcode_present = true;
    d.passcode_length = rng() % 10 ? 6 : 4;
    d.biometrics = rng() % 5 != 0;
    d.jailbroken = rng() % 500 == 0;
    d.unknown_sources = false;
    d.cloud_backup = rng() % 20 == 0;
    d.last_checkin = kNow - static_cast<int64_t>(rng() % (10 * 86400));
    if (d.ownership == Ownership::byod && rng() % 10 == 0) d.app_config["com.epic.haiku.offline_ephi_cache"] = "true";
    for (int a = 0; a < 50; ++a) {
      App app;
      app.id = a < 6 ? catalogue[a] : "com.vendor.app" + std::to_string(rng() % 500);
      app.name = app.id;
      app.version = std::to_string(1 + rng() % 25) + "." + std::to_string(rng() % 10);
      app.source = rng() % 200 ? AppSource::store : AppSource::sideloaded;
      if (rng() % 4 == 0) app.permissions = {perms[rng() % 6], perms[rng() % 6]};
      d.apps.push_back(std::move(app));
    }
    out.push_back(std::move(d));
  }
  return out;
}

void BM_EvaluateFleet(benchmark::State& state) {
  auto policy = shipped_policy();
  auto index = advisories(*policy);
  auto devices = fleet(100000);
  std::vector<Standing> standings(devices.size());
  std::vector<Finding> findings;
  size_t noncompliant = 0;
  for (auto _ : state) {
    noncompliant = 0;
    for (size_t i = 0; i < devices.size(); ++i) {
      findings.clear();
      policy->evaluate(devices[i], kNow, index.get(), findings);
      standings[i] = next_standing(standings[i], std::move(findings), kNow, *policy);
      findings = {};
      noncompliant += standings[i].state != State::compliant;
    }
    benchmark::DoNotOptimize(noncompliant);
  }
  state.counters["devices"] = static_cast<double>(devices.size());
  state.counters["not_compliant"] = static_cast<double>(noncompliant);
  state.counters["devices/s"] = benchmark::Counter(static_cast<double>(devices.size()), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EvaluateFleet)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_EvaluateOneDevice(benchmark::State& state) {
  auto policy = shipped_policy();
  auto index = advisories(*policy);
  auto devices = fleet(100);
  Standing standing;
  size_t i = 0;
  for (auto _ : state) {
    std::vector<Finding> findings;
    policy->evaluate(devices[i++ % devices.size()], kNow, index.get(), findings);
    standing = next_standing(standing, std::move(findings), kNow, *policy);
    benchmark::DoNotOptimize(standing);
  }
}
BENCHMARK(BM_EvaluateOneDevice)->Unit(benchmark::kMicrosecond);

void BM_CheckinThroughStore(benchmark::State& state) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wardline-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  auto store = std::move(*store::open_store("sqlite", dir, 4));
  (void)store::migrate(*store);
  auto policy = shipped_policy();
  DeviceInventory inventory(*store, policy, advisories(*policy));
  auto devices = fleet(10000);
  if (auto r = inventory.put(devices, kNow); !r) state.SkipWithError(r.error().message.c_str());
  size_t i = 0;
  for (auto _ : state) {
    Device d = devices[i++ % devices.size()];
    d.last_checkin = kNow + static_cast<int64_t>(i);
    auto r = inventory.put({d}, kNow + static_cast<int64_t>(i));
    if (!r) state.SkipWithError(r.error().message.c_str());
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_CheckinThroughStore)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
