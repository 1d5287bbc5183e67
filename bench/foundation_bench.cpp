// Per-request and per-event costs of the foundation: token hashing (every
// API call), sealing a sensitive field, formatting a SIEM event.
#include <benchmark/benchmark.h>

#include "core/crypto.h"
#include "siem/siem.h"

namespace {

void BM_TokenHash(benchmark::State& state) {
  std::string token = "wl_" + wardline::crypto::base64url_encode(wardline::crypto::random_bytes(32));
  for (auto _ : state) benchmark::DoNotOptimize(wardline::crypto::sha256_hex(token));
}
BENCHMARK(BM_TokenHash);

void BM_SealField(benchmark::State& state) {
  std::string key = wardline::crypto::random_bytes(32);
  std::string value(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) benchmark::DoNotOptimize(wardline::crypto::aes256gcm_seal(key, value, "users.phone"));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SealField)->Arg(16)->Arg(1024);

wardline::siem::SecurityEvent sample_event() {
  auto e = wardline::siem::make_event("auth.attempt", "failure");
  e.actor = "anonymous";
  e.source_ip = "10.20.30.40";
  e.details = {{"method", "bearer_token"}, {"reason", "unknown token"}, {"route", "GET /api/v1/users"}};
  return e;
}

void BM_FormatRfc5424(benchmark::State& state) {
  auto e = sample_event();
  for (auto _ : state) benchmark::DoNotOptimize(wardline::siem::to_rfc5424(e, "host", "wardline", false));
}
BENCHMARK(BM_FormatRfc5424);

void BM_FormatJsonLine(benchmark::State& state) {
  auto e = sample_event();
  for (auto _ : state) benchmark::DoNotOptimize(wardline::siem::to_json_line(e));
}
BENCHMARK(BM_FormatJsonLine);

}  // namespace
