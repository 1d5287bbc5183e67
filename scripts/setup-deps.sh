#!/usr/bin/env bash
# Installs every Debian package Wardline needs to build, test and run.
# Idempotent: quiet and fast when everything is already present.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # libraries (see ../ARCHITECTURE.md "Chosen libraries")
  libssl-dev libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev libfmt-dev libsqlite3-dev libpq-dev libzstd-dev libfasttext-dev
  libphonenumber-dev libpsl-dev publicsuffix libicu-dev libidn2-dev libsimdjson-dev libxxhash-dev
  libmaxminddb-dev libexpat1-dev libcbor-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # the GeoIP tests write a small MaxMind DB with MaxMind::DB::Writer
  libmaxmind-db-writer-perl
  # servers and tools the tests start: PostgreSQL, rsyslog, openssl s_client, curl
  postgresql rsyslog rsyslog-openssl sqlite3 openssl curl procps python3
  # intel export checks: named-checkzone validates RPZ zones, jsonschema validates STIX bundles
  bind9-utils python3-jsonschema
  # benchmarks: GNU time reports peak memory; wrk drives HTTP load
  time wrk
  # the Cedar differential test runs @cedar-policy/cedar-wasm (from the npm registry) in Node.js
  nodejs
  # the dashboard's browser tests drive Debian's Chromium with Playwright (playwright-core from npm);
  # certutil puts the demo's CA into the test browser's certificate store
  chromium libnss3-tools
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# npm: Debian's package, unless a Node.js build that bundles its own is installed
# (NodeSource's nodejs conflicts with Debian's npm).
command -v npm >/dev/null || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
$SUDO apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
# --no-install-recommends keeps the install small; policy-rc.d stops Debian from
# starting system services (postgresql, rsyslog): tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
rm -f "$log"
echo "setup-deps: done"
