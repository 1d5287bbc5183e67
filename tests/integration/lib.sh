# Shared helpers for integration tests: each test sources this file, uses its
# own temporary directory, and ends with check_summary.
set -uo pipefail

WARDLINE=${WARDLINE_BIN:?WARDLINE_BIN must point at the wardline binary (ctest sets it)}
SRC=${WARDLINE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
WORK=$(mktemp -d /tmp/wardline-it.XXXXXX)
PIDS=()
PASSED=0
FAILED=0

cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { PASSED=$((PASSED + 1)); echo "ok: $1"; }
failure() { FAILED=$((FAILED + 1)); echo "FAILED: $1"; }
check() {  # check "description" command...
  local what=$1
  shift
  if "$@"; then pass "$what"; else failure "$what"; fi
}
contains() { grep -qF -- "$2" "$1"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-60000 -n 1
}

# start_wardline LOG ARGS...: starts `wardline serve ARGS`, waits for /healthz.
# Sets WL_PID and WL_URL (from --listen) and WL_SCHEME.
start_wardline() {
  local log=$1
  shift
  "$WARDLINE" serve "$@" >"$log" 2>&1 &
  WL_PID=$!
  PIDS+=("$WL_PID")
  local listen
  listen=$(printf '%s\n' "$@" | grep -A1 -- '--listen' | tail -n 1)
  WL_SCHEME=https
  if printf '%s\n' "$@" | grep -q -- '--insecure-http'; then WL_SCHEME=http; fi
  WL_URL="$WL_SCHEME://$listen"
  for _ in $(seq 1 100); do
    if curl -sk -o /dev/null "$WL_URL/healthz"; then return 0; fi
    if ! kill -0 "$WL_PID" 2>/dev/null; then echo "wardline exited early:"; cat "$log"; return 1; fi
    sleep 0.1
  done
  echo "wardline did not become healthy:"
  cat "$log"
  return 1
}

# stop_wardline: SIGTERM and wait; returns the exit status.
stop_wardline() {
  kill -TERM "$WL_PID" 2>/dev/null
  wait "$WL_PID"
}

# start_mdm_receiver: a webhook MDM over TLS that checks signatures
# (tests/integration/mdm_webhook_receiver.py), logging each command to
# $WORK/mdm.log. Sets MDM_PORT; the signing key is $WORK/mdm.secret, the
# certificate to trust $WORK/mdm-cert.pem; creating $WORK/FAIL_NEXT fails the next command.
start_mdm_receiver() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/mdm-key.pem" -out "$WORK/mdm-cert.pem" >/dev/null 2>&1
  printf 'webhook-signing-secret\n' >"$WORK/mdm.secret"
  chmod 600 "$WORK/mdm.secret"
  python3 "$SRC/tests/integration/mdm_webhook_receiver.py" "$WORK/mdm.port" "$WORK/mdm-cert.pem" "$WORK/mdm-key.pem" \
    "$WORK/mdm.secret" "$WORK/mdm.log" "$WORK/FAIL_NEXT" 2>"$WORK/mdm.err" &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$WORK/mdm.port" ] && break; sleep 0.1; done
  MDM_PORT=$(cat "$WORK/mdm.port")
  touch "$WORK/mdm.log"
}

# install_playwright: playwright-core from the npm registry into the build
# tree (once) and Debian's Chromium; sets PLAYWRIGHT_DIR for tests/e2e/*.mjs.
PLAYWRIGHT_VERSION=1.64.1
install_playwright() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are missing: run scripts/setup-deps.sh"; return 1; }
  [ -x /usr/bin/chromium ] || { echo "/usr/bin/chromium is missing: run scripts/setup-deps.sh"; return 1; }
  PLAYWRIGHT_DIR="$(dirname "$WARDLINE")/e2e-node"
  local pw="$PLAYWRIGHT_DIR/node_modules/playwright-core"
  if [ ! -f "$pw/package.json" ] || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$pw/package.json"; then
    mkdir -p "$PLAYWRIGHT_DIR"
    npm install --prefix "$PLAYWRIGHT_DIR" --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION" >"$WORK/npm.log" 2>&1 ||
      { echo "cannot install playwright-core from the npm registry:"; cat "$WORK/npm.log"; return 1; }
  fi
  export PLAYWRIGHT_DIR
}

check_summary() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ]
}
