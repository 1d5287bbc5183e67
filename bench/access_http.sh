#!/usr/bin/env bash
# Conditional-access decisions over HTTP: the daemon (plain HTTP on
# loopback, keep-alive, as a gateway on the same host would talk to it) with
# the shipped policy, the example directory and fleet; wrk posts a mix of
# requests to POST /api/v1/access/decide with a service token. Every
# decision is also an audit record (group commit on SQLite). Target: >= 20,000
# decisions/s on this 2-core machine.
# Each decision waits for its audit record to be durable (fsync); records of
# concurrent requests share a commit, so throughput grows with the request
# threads (http.threads, THREADS here) until the CPU is the limit. A worker
# thread serves one kept-alive connection at a time, so THREADS defaults to
# CONNECTIONS: with fewer, the other connections wait their turn (p99).
# Run: bench/access_http.sh [BUILD_DIR] [SECONDS] [CONNECTIONS] [THREADS]   (default: build 10 128 128)
# PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 runs the daemon with
# another allocator (LD_PRELOAD), to compare.
set -euo pipefail
BUILD=${1:-build}
SECONDS_RUN=${2:-10}
CONNECTIONS=${3:-128}
THREADS=${4:-$CONNECTIONS}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WARDLINE="$BUILD/wardline"
WORK=$(mktemp -d /tmp/wardline-access-bench.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup-deps.sh" >&2; exit 1; }

DATA="$WORK/data"
sed -e "s/@NOW@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/" -e "s/@PATCH@/$(date -u +%Y-%m-01)/" "$SRC/examples/devices.json" >"$WORK/devices.json"
"$WARDLINE" devices import --source json "$WORK/devices.json" --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" user add svc-gateway --role service --data-dir "$DATA" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user svc-gateway --data-dir "$DATA" 2>/dev/null)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'http:\n  threads: %s\nstore_pool_size: 16\nlog:\n  level: warn\n' "$THREADS" >"$WORK/wardline.yaml"
${PRELOAD:+env LD_PRELOAD=$PRELOAD} "$WARDLINE" serve --config "$WORK/wardline.yaml" --data-dir "$DATA" --listen "127.0.0.1:$PORT" --insecure-http >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

cat >"$WORK/decide.lua" <<LUA
local bodies = {
  '{"user":"nurse.demo@lakesidemed.org","device_id":"LMC-IPH-0101","category":"ehr.clinical","action":"read","source_ip":"10.20.1.17","amr":["pwd","otp"]}',
  '{"user":"dr.osei@lakesidemed.org","device_id":"LMC-IPH-0102","category":"imaging","action":"read","source_ip":"203.0.113.9","amr":["pwd","sms"]}',
  '{"user":"billing.kim@lakesidemed.org","category":"ehr.clinical","action":"read","source_ip":"10.1.1.1","amr":["hwk"]}',
  '{"user":"radiology.pool@lakesidemed.org","device_id":"LMC-IPAD-0301","category":"imaging","action":"export","source_ip":"10.9.9.9","amr":["hwk"]}'
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "/api/v1/access/decide",
    {["Authorization"] = "Bearer $TOKEN", ["Content-Type"] = "application/json"}, bodies[(i % #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("non-2xx: %d\n", summary.errors.status))
end
LUA
echo "== wrk -t2 -c$CONNECTIONS -d${SECONDS_RUN}s POST /api/v1/access/decide, http.threads $THREADS (each decision audited)"
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency -s "$WORK/decide.lua" "http://127.0.0.1:$PORT" | grep -E "Requests/sec|Latency|50%|99%|non-2xx|requests in"
