#!/usr/bin/env bash
# `make demo` as a new user meets it: the printed curl line works as pasted.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
WARDLINE_DEMO_DATA="$WORK/demo" WARDLINE_DEMO_LISTEN="127.0.0.1:$port" \
  "$SRC/scripts/demo.sh" "$WARDLINE" >"$WORK/demo.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -sk -o /dev/null "https://127.0.0.1:$port/healthz" && break; sleep 0.1; done

check "demo prints the URL" contains "$WORK/demo.out" "URL:      https://127.0.0.1:$port"
check "demo logs the CA fingerprint" contains "$WORK/demo.out" "SHA-256 fingerprint"
users_cmd=$(grep -m1 "api/v1/users" "$WORK/demo.out")
check "demo prints a curl command" test -n "$users_cmd"
eval "$users_cmd" >"$WORK/users.json" 2>&1
check "the printed curl command lists the demo users" bash -c "grep -q '\"name\":\"demo.admin\"' '$WORK/users.json' && grep -q '\"name\":\"nurse.demo\"' '$WORK/users.json'"
report_cmd=$(grep -m1 "api/v1/reports" "$WORK/demo.out")
eval "$report_cmd" >"$WORK/report.json" 2>&1
check "the printed report command returns a malicious verdict" grep -q '"verdict":"malicious"' "$WORK/report.json"
devices_cmd=$(grep -m1 "api/v1/devices" "$WORK/demo.out")
eval "$devices_cmd" >"$WORK/devices.json" 2>/dev/null
check "the printed devices command lists the demo fleet's noncompliant devices" python3 -c "
import json,sys
items=json.load(open(sys.argv[1]))['items']
ids={d['id'] for d in items}
assert 'LMC-BYOD-2201' in ids and 'LMC-TAB-0405' in ids and 'LMC-IPH-0101' not in ids, ids
assert all(d['state']=='noncompliant' for d in items)
" "$WORK/devices.json"
fleet_cmd=$(grep -m1 "posture/reports/fleet" "$WORK/demo.out")
eval "$fleet_cmd" >"$WORK/fleet.txt" 2>&1
check "the printed fleet report command works" contains "$WORK/fleet.txt" "fleet report"
ehr_cmd=$(grep -m1 "api/v1/ehr/alerts" "$WORK/demo.out")
eval "$ehr_cmd" >"$WORK/ehr.json" 2>/dev/null
check "the printed EHR alerts command lists the simulated hospital's VIP snooping" python3 -c "
import json,sys; items=json.load(open(sys.argv[1]))['items']
assert items and all(a['kind']=='vip_snooping' for a in items), items" "$WORK/ehr.json"
check "demo prints the dashboard URL" contains "$WORK/demo.out" "Dashboard: https://localhost:$port/"
enroll=$(grep -m1 -o "https://localhost:$port/enroll#[A-Za-z0-9_-]*" "$WORK/demo.out")
check "demo prints an enrollment link" test -n "$enroll"
curl -sk -H 'Content-Type: application/json' -d "{\"token\":\"${enroll#*#}\"}" \
  "https://127.0.0.1:$port/api/v1/console/enroll/options" >"$WORK/enroll.json"
check "the enrollment link opens a passkey registration for demo.admin on localhost" python3 -c "
import json,sys; o=json.load(open(sys.argv[1]))
assert o['user']['name']=='demo.admin' and o['publicKey']['rp']['id']=='localhost', o" "$WORK/enroll.json"
curl -sk "https://127.0.0.1:$port/" >"$WORK/index.html"
check "the dashboard page is served" contains "$WORK/index.html" "/assets/app.js"
check "the demo filed smishing reports that became campaigns" bash -c "$(grep -m1 "api/v1/users" "$WORK/demo.out" | sed 's#/api/v1/users#/api/v1/campaigns#') | grep -q lakesidemed-epic"
# The link in Chromium, as a new user follows it: the demo CA trusted in the
# browser's certificate store (NSS), as the README says.
if install_playwright; then
  mkdir -p "$WORK/home/.pki/nssdb"
  certutil -d "sql:$WORK/home/.pki/nssdb" -N --empty-password &&
    certutil -d "sql:$WORK/home/.pki/nssdb" -A -t "C,," -n wardline-demo -i "$WORK/demo/tls/ca.pem"
  mkdir -p "$(dirname "$WARDLINE")/e2e-artifacts"
  HOME="$WORK/home" ENROLL_LINK="$enroll" ARTIFACTS="$(dirname "$WARDLINE")/e2e-artifacts" \
    timeout 120 node "$SRC/tests/e2e/demo.mjs" >"$WORK/browser.out" 2>&1
  browser_rc=$?
  cat "$WORK/browser.out"
  check "following the enrollment link in Chromium gives a populated dashboard" test "$browser_rc" -eq 0
else
  failure "Playwright and Chromium are needed to follow the demo's link"
fi
metrics_cmd=$(grep -m1 "/metrics" "$WORK/demo.out")
eval "$metrics_cmd" >"$WORK/metrics" 2>&1
check "the printed metrics command works" contains "$WORK/metrics" "wardline_http_requests_total"
check_summary
