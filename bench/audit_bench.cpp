// Audit log speed, on the embedded SQLite store in a temporary directory:
//  - raw SHA-256 over leaf-sized inputs (the reference for the ratio),
//  - durable append throughput, 8 concurrent writers appending batches,
//  - `audit verify` throughput,
//  - inclusion-proof latency (p50/p99) in a 10M-entry tree.
// Run: make bench  (or build-bench/bench/bench_audit)
#include <benchmark/benchmark.h>
// SHA256_CTX is deprecated in OpenSSL 3 but remains its fastest way to hash
// short inputs (see leaf_hash).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "audit/audit.h"
#include "audit/tree_state.h"
#include "store/store.h"

namespace {

using namespace wardline;

std::string temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "wardline-bench-XXXXXX").string();
  return mkdtemp(tmpl.data());
}

siem::SecurityEvent sample(int i) {
  auto e = siem::make_event("auth.attempt", i % 7 ? "success" : "failure");
  e.actor = "user" + std::to_string(i % 500);
  e.source_ip = "10.1." + std::to_string(i % 250) + "." + std::to_string(i % 200);
  e.details = {{"method", "bearer_token"}, {"route", "GET /api/v1/me"}, {"request_id", "req_" + std::to_string(i)}};
  return e;
}

struct Ledger {
  std::string dir = temp_dir();
  std::unique_ptr<store::Store> store;
  std::unique_ptr<audit::AuditLog> log;
  Ledger() {
    store = std::move(*store::open_store("sqlite", dir, 4));
    (void)store::migrate(*store);
    audit::AuditOptions o;
    o.sth_every_entries = 100000;
    o.max_batch = 65536;
    log = std::move(*audit::AuditLog::open(*store, dir + "/audit.pem", o));
  }
  ~Ledger() {
    log.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

void BM_RawSha256(benchmark::State& state) {
  std::string leaf(320, 'x');  // a typical leaf is ~300 bytes of canonical JSON
  unsigned char out[32];
  for (auto _ : state) {
    // The fastest call OpenSSL offers: SHA256() would add a lookup per call.
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, leaf.data(), leaf.size());
    SHA256_Final(out, &ctx);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawSha256);

// 8 writers, each appending batches of 1,000 events; each call returns only
// once its batch is durable (COMMIT with synchronous=FULL).
void BM_DurableAppend8Writers(benchmark::State& state) {
  static Ledger* ledger = nullptr;
  if (state.thread_index() == 0) ledger = new Ledger();
  // Every thread builds its events outside the timed region.
  std::vector<siem::SecurityEvent> batch;
  for (int i = 0; i < 1000; ++i) batch.push_back(sample(i + 1000 * state.thread_index()));
  for (auto _ : state) {
    auto r = ledger->log->record_batch(batch);
    if (!r) state.SkipWithError(r.error().message.c_str());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
  // The loop ends at a barrier: every thread is done when thread 0 cleans up.
  if (state.thread_index() == 0) {
    state.counters["entries"] = static_cast<double>(*ledger->log->size());
    delete ledger;
    ledger = nullptr;
  }
}
BENCHMARK(BM_DurableAppend8Writers)->Threads(8)->UseRealTime()->Iterations(25);

void BM_Verify(benchmark::State& state) {
  Ledger ledger;
  const int n = static_cast<int>(state.range(0));
  std::vector<siem::SecurityEvent> batch;
  for (int i = 0; i < n; i += 10000) {
    batch.clear();
    for (int k = 0; k < 10000 && i + k < n; ++k) batch.push_back(sample(i + k));
    (void)ledger.log->record_batch(batch);
  }
  (void)ledger.log->sign_tree_head();
  for (auto _ : state) {
    auto r = ledger.log->verify();
    if (!r || !r->ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_Verify)->Arg(500000)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Proof generation as the daemon does it: upper levels from memory, the
// lowest four from one range read of <= 16 leaf hashes. The 10M-row table
// holds only the columns proofs read (seq, leaf_hash) to keep the file small.
void BM_InclusionProof10M(benchmark::State& state) {
  const uint64_t n = 10'000'000;
  std::string dir = temp_dir();
  auto st = std::move(*store::open_store("sqlite", dir, 2));
  (void)st->execute_script("PRAGMA synchronous=OFF; CREATE TABLE audit_log (seq BIGINT PRIMARY KEY, leaf_hash TEXT NOT NULL)");
  audit::TreeState tree(*st);
  std::string sql = "INSERT INTO audit_log (seq, leaf_hash) VALUES ";
  for (int i = 0; i < 1000; ++i) sql += i ? ",(?,?)" : "(?,?)";
  for (uint64_t start = 0; start < n; start += 100000) {
    (void)st->transaction([&](store::Executor& tx) -> Status {
      for (uint64_t chunk = start; chunk < start + 100000; chunk += 1000) {
        store::Params p;
        for (uint64_t i = chunk; i < chunk + 1000; ++i) {
          audit::Hash h = audit::leaf_hash("entry " + std::to_string(i));
          tree.append(h, nullptr);
          p.push_back(static_cast<int64_t>(i));
          p.push_back(audit::to_hex(h));
        }
        (void)tx.execute(sql, p);
      }
      return {};
    });
  }
  std::mt19937_64 rng(42);
  std::vector<double> micros;
  for (auto _ : state) {
    micros.clear();
    for (int i = 0; i < 100000; ++i) {
      uint64_t index = rng() % n;
      auto t0 = std::chrono::steady_clock::now();
      auto proof = audit::inclusion_proof(tree, index, n);
      auto t1 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(proof);
      micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[micros.size() * 99 / 100];
  state.counters["max_us"] = micros.back();
  st.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_InclusionProof10M)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
