// Device posture evaluation against the shipped policy (policies/posture.yaml)
// and 2,000 advisories:
// - BM_EvaluateFleet: 100,000 devices with 50 apps each, every check and the
//   state machine, on one thread (target: <= 2 s); the Saturated variant has
//   an advisory on most apps of every device (a stress case);
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

// 2,000 advisories. Typical: 300 on the OSes, 700 on 100 apps (the clinical
// ones and 94 others devices may run), 1,000 on products no device runs;
// about 5 exposures per device. Saturated: 1,800 on the 500 apps every
// device draws 44 from, about 60 exposures per device.
std::shared_ptr<const AdvisoryIndex> advisories(const Policy& policy, bool saturated) {
  std::vector<Advisory> all;
  std::mt19937 rng(7);
  const char* clinical[] = {"com.epic.haiku", "com.epic.rover", "com.microsoft.teams", "com.microsoft.office.outlook",
                            "com.duosecurity.duomobile", "com.microsoft.windowsintune.companyportal"};
  for (int i = 0; i < 2000; ++i) {
    Advisory a;
    a.id = "CVE-2025-" + std::to_string(10000 + i);
    a.severity = static_cast<Severity>(i % 4);
    a.published = kNow - (i % 60) * 86400;
    AffectedRange r;
    if (saturated && i >= 200) {
      r.product = "app:com.vendor.app" + std::to_string(rng() % 500);
      r.start_including = "1.0";
      r.end_excluding = std::to_string(2 + i % 20) + ".0";
    } else if (i < 150) {
      r.product = "os:ios";
      r.start_including = "16.0";
      r.end_excluding = "17." + std::to_string(i % 8);
    } else if (i < 300) {
      r.product = "os:android";
      r.version = std::to_string(12 + i % 4);
      r.fixed_patch_level = "2025-" + std::to_string(10 + i % 3) + "-01";
    } else if (i < 1000) {
      int app = i % 100;
      r.product = std::string("app:") + (app < 6 ? clinical[app] : "com.vendor.app" + std::to_string(app));
      r.end_excluding = std::to_string(1 + i % 8) + ".0";
    } else {
      r.product = "app:com.unrelated.product" + std::to_string(i);
      r.end_excluding = "9.0";
    }
    a.affected.push_back(std::move(r));
    all.push_back(std::move(a));
  }
  return std::make_shared<const AdvisoryIndex>(std::move(all), policy.sla());
}

// Each device runs the 6 clinical apps and 44 drawn from `app_pool` others.
std::vector<Device> fleet(size_t n, unsigned app_pool = 3000) {
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
      app.id = a < 6 ? catalogue[a] : "com.vendor.app" + std::to_string(rng() % app_pool);
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

void evaluate_fleet(benchmark::State& state, bool saturated) {
  auto policy = shipped_policy();
  auto index = advisories(*policy, saturated);
  auto devices = fleet(100000, saturated ? 500 : 3000);
  std::vector<Standing> standings(devices.size());
  std::vector<Finding> findings;
  size_t not_compliant = 0;
  for (auto _ : state) {
    not_compliant = 0;
    for (size_t i = 0; i < devices.size(); ++i) {
      findings.clear();
      policy->evaluate(devices[i], kNow, index.get(), findings);
      standings[i] = next_standing(standings[i], std::move(findings), kNow, *policy);
      findings = {};
      not_compliant += standings[i].state != State::compliant;
    }
    benchmark::DoNotOptimize(not_compliant);
  }
  std::vector<Exposure> exposures;
  for (const auto& d : devices) index->exposures(d, exposures);
  state.counters["exposures/device"] = static_cast<double>(exposures.size()) / static_cast<double>(devices.size());
  state.counters["not_compliant"] = static_cast<double>(not_compliant);
  state.counters["devices/s"] = benchmark::Counter(static_cast<double>(devices.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EvaluateFleet(benchmark::State& state) { evaluate_fleet(state, false); }
BENCHMARK(BM_EvaluateFleet)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_EvaluateFleetSaturated(benchmark::State& state) { evaluate_fleet(state, true); }
BENCHMARK(BM_EvaluateFleetSaturated)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

void BM_EvaluateOneDevice(benchmark::State& state) {
  auto policy = shipped_policy();
  auto index = advisories(*policy, false);
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
  DeviceInventory inventory(*store, policy, advisories(*policy, false));
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
