#!/usr/bin/env bash
# `make demo`: an admin user and token, the daemon on the embedded SQLite
# store in ./var, and what to paste to try it. Ctrl-C stops the daemon.
set -euo pipefail
WARDLINE=${1:-build/wardline}
DATA=${WARDLINE_DEMO_DATA:-./var/demo}
LISTEN=${WARDLINE_DEMO_LISTEN:-127.0.0.1:8443}

mkdir -p "$DATA"
# The dashboard's address: passkeys are bound to a host name, so the browser
# must use localhost (an IP address cannot carry passkeys).
PORT=${LISTEN##*:}
CONFIG="$DATA/wardline.yaml"
printf 'console:\n  origin: https://localhost:%s\n' "$PORT" >"$CONFIG"
if ! "$WARDLINE" user list --data-dir "$DATA" 2>/dev/null | grep -q '^demo.admin'; then
  "$WARDLINE" user add demo.admin --role admin --display-name "Demo Administrator" --data-dir "$DATA" >/dev/null
  "$WARDLINE" user add demo.analyst --role analyst --display-name "Demo Analyst" --data-dir "$DATA" >/dev/null
  "$WARDLINE" user add nurse.demo --role reporter --display-name "Demo Nurse" --phone "+1 555 010 0100" --data-dir "$DATA" >/dev/null
fi
# A small fleet for the posture pages: check-ins and patch levels as of today.
if ! "$WARDLINE" devices list --data-dir "$DATA" 2>/dev/null | grep -q '^LMC-'; then
  SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
  sed -e "s/@NOW@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/" -e "s/@PATCH@/$(date -u +%Y-%m-01)/" \
    "$SRC_DIR/examples/devices.json" >"$DATA/demo-devices.json"
  "$WARDLINE" devices import --source json "$DATA/demo-devices.json" --data-dir "$DATA" >/dev/null
fi
# Two weeks of a synthetic hospital's EHR audit trail, scored: alerts for the EHR pages.
if [ ! -s "$DATA/ehr-demo/stream.ndjson" ]; then
  mkdir -p "$DATA/ehr-demo"
  "$WARDLINE" ehr simulate --users 60 --days 10 --start "$(date -u -d '10 days ago' +%Y-%m-%d)" --out "$DATA/ehr-demo/stream.ndjson" --labels "$DATA/ehr-demo/labels.jsonl" \
    --settings "$DATA/ehr-demo/ehr.yaml" --directory "$DATA/ehr-demo/staff.csv" 2>/dev/null
  "$WARDLINE" ehr ingest "$DATA/ehr-demo/stream.ndjson" --settings "$DATA/ehr-demo/ehr.yaml" \
    --directory "$DATA/ehr-demo/staff.csv" --data-dir "$DATA" >/dev/null 2>&1
fi
# Staff forwarded smishing messages: campaigns for the dashboard's queue.
if [ ! -f "$DATA/.demo-reports" ]; then
  while IFS='|' read -r reporter sender body; do
    "$WARDLINE" smish report --reporter "$reporter" --sender "$sender" --body "$body" --data-dir "$DATA" >/dev/null 2>&1 || true
  done <<'REPORTS'
nurse.demo|+1 555 010 7788|Your Epic session expired. Sign in to keep access: https://lakesidemed-epic.com/login
demo.analyst|+1 555 010 7789|Epic access expires today. Verify your login now: https://lakesidemed-epic.com/verify
demo.admin|+1 555 010 7790|Your Epic session has expired, sign in again: https://lakesidemed-epic.com/login?u=2
nurse.demo|HR-Payroll|Payroll update: confirm your direct deposit details by Friday at https://lmc-payroll-update.com
demo.analyst|+1 555 010 4411|This is Jordan Ellis. I need you to buy 5 gift cards for a staff event, reply when you can
REPORTS
  touch "$DATA/.demo-reports"
fi
TOKEN=$("$WARDLINE" token create --user demo.admin --ttl 1d --data-dir "$DATA" 2>/dev/null)

ENROLL=$("$WARDLINE" user enroll-link demo.admin --config "$CONFIG" --data-dir "$DATA" 2>/dev/null)

cat <<MSG

  Wardline demo
  -------------
  URL:      https://$LISTEN
  Dashboard: https://localhost:$PORT/
  Sign in:  $ENROLL
            (a one-time link for demo.admin to create a passkey; open it in Chromium or any browser
             that trusts the CA below, e.g. import $DATA/tls/ca.pem under Settings > Certificates > Authorities)
  CA:       $DATA/tls/ca.pem   (created on first start; its fingerprint is logged below)
  Token:    $TOKEN   (demo.admin, valid one day)

  Try:
    curl --cacert $DATA/tls/ca.pem -H 'Authorization: Bearer $TOKEN' https://$LISTEN/api/v1/users
    curl --cacert $DATA/tls/ca.pem -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' -d '{"channel":"sms","body":"Your Epic session expired. Sign in: hxxps://lakesidemed-epic[.]com/login"}' https://$LISTEN/api/v1/reports
    curl --cacert $DATA/tls/ca.pem -H 'Authorization: Bearer $TOKEN' 'https://$LISTEN/api/v1/devices?state=noncompliant'
    curl --cacert $DATA/tls/ca.pem -H 'Authorization: Bearer $TOKEN' 'https://$LISTEN/api/v1/posture/reports/fleet?format=text'
    curl --cacert $DATA/tls/ca.pem -H 'Authorization: Bearer $TOKEN' 'https://$LISTEN/api/v1/ehr/alerts?kind=vip_snooping'
    curl --cacert $DATA/tls/ca.pem https://$LISTEN/metrics
    curl --cacert $DATA/tls/ca.pem https://$LISTEN/api/v1/openapi.yaml

  Ctrl-C stops the daemon.

MSG
exec "$WARDLINE" serve --config "$CONFIG" --data-dir "$DATA" --listen "$LISTEN"
