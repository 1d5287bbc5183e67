#!/usr/bin/env bash
# Device posture end to end: vendor exports imported (bad records named and
# skipped), advisories applied, devices explained, reports in every format,
# state changes in a verifiable audit log, and an agent checking in through
# the daemon.
source "$(dirname "$0")/lib.sh"
DATA="$WORK/data"
FIX="$SRC/tests/data/posture"

"$WARDLINE" devices import --source intune "$FIX/intune/managed_devices_page1.json" "$FIX/intune/managed_devices_page2.json" \
  "$FIX/intune/detected_apps_page.json" --data-dir "$DATA" >"$WORK/out" 2>"$WORK/err"
check "an Intune export imports with exit 0" test $? -eq 0
check "the import says how many devices and problems" grep -qE '^imported 5 device\(s\) from 3 file\(s\), 3 problem\(s\)' "$WORK/out"
check "a bad Graph record is named with its file and position" grep -q 'managed_devices_page1.json: value\[2\]' "$WORK/err"

"$WARDLINE" devices import --source jamf "$FIX"/jamf/*.json --data-dir "$DATA" >"$WORK/out" 2>&1
check "Jamf Classic and Pro API exports import" grep -q '^imported 3 device(s) from 4 file(s), 2 problem(s)' "$WORK/out"
"$WARDLINE" devices import --source csv "$FIX/generic/devices.csv" --data-dir "$DATA" >"$WORK/out" 2>"$WORK/err"
check "a CSV bad record names its line" grep -q 'devices.csv:4: column "encrypted"' "$WORK/err"

"$WARDLINE" devices import --source mobileiron "$FIX/generic/devices.csv" --data-dir "$DATA" >/dev/null 2>"$WORK/err"
check "an unknown source is refused with the valid ones" bash -c "[ $? -ne 0 ] && grep -q 'use intune, jamf, csv or json' '$WORK/err'"
printf 'not json' >"$WORK/broken.json"
"$WARDLINE" devices import --source json "$WORK/broken.json" --data-dir "$DATA" >/dev/null 2>"$WORK/err"
check "a file that is not JSON fails naming the file" bash -c "[ $? -ne 0 ] && grep -q 'broken.json' '$WORK/err'"

"$WARDLINE" devices list --json --data-dir "$DATA" >"$WORK/list.json"
check "devices list --json gives every device with state and findings" python3 -c "
import json,sys
ds=[json.loads(l) for l in open(sys.argv[1])]
assert len(ds)==11, len(ds)
by={d['device']['id']:d for d in ds}
assert by['BYOD-7731']['state']=='noncompliant', by['BYOD-7731']['state']
assert any(f['check']=='ephi_cache' and f['enforcement']=='block' for f in by['BYOD-7731']['findings'])
assert all(d['state'] in ('compliant','grace','noncompliant','quarantined') for d in ds)
" "$WORK/list.json"
"$WARDLINE" devices list --state quarantined --data-dir "$DATA" >"$WORK/q"
check "the jailbroken iPad is quarantined" grep -q '^131  quarantined' "$WORK/q"
"$WARDLINE" devices show BYOD-7731 --data-dir "$DATA" >"$WORK/show"
check "devices show explains what, why and how to fix" bash -c "grep -q 'ephi_cache: apps are configured to cache ePHI' '$WORK/show' && grep -q 'why: ePHI must never be cached' '$WORK/show' && grep -q 'wipe: selective' '$WORK/show'"

"$WARDLINE" advisories import --source nvd "$FIX/advisories/nvd.json" --data-dir "$DATA" >"$WORK/adv" 2>&1
"$WARDLINE" advisories import --source kev "$FIX/advisories/kev.json" --data-dir "$DATA" >>"$WORK/adv" 2>&1
check "KEV entries merge into the NVD advisories" grep -q 'merged' "$WORK/adv"
"$WARDLINE" devices evaluate --data-dir "$DATA" >"$WORK/eval" 2>&1
check "evaluate applies the advisories" grep -qE '^evaluated 11 device\(s\); [0-9]+ now noncompliant' "$WORK/eval"
"$WARDLINE" report patch-sla --format csv --data-dir "$DATA" >"$WORK/sla.csv"
check "the patch-SLA report lists the known-exploited iPadOS CVE as overdue" bash -c "
head -1 '$WORK/sla.csv' | grep -qx 'advisory,severity,known_exploited,product,devices,versions,deadline,status' &&
grep -q '^CVE-2024-23222,critical,true,os:ipados,1,16.7.2,.*,overdue$' '$WORK/sla.csv'"
"$WARDLINE" report fleet --format json --data-dir "$DATA" >"$WORK/fleet.json"
check "the fleet report counts every device once" python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
s=r['summary']
assert s['devices']==11 and sum(s[k] for k in ('compliant','grace','noncompliant','quarantined'))==11, s
assert sum(row['devices'] for row in r['rows'])==11
" "$WORK/fleet.json"
"$WARDLINE" report app-audit --data-dir "$DATA" >"$WORK/apps.txt"
check "the app audit names outdated clinical apps" grep -qE '^com.epic.haiku +Haiku +outdated' "$WORK/apps.txt"
"$WARDLINE" report weekly --data-dir "$DATA" >/dev/null 2>"$WORK/err"
check "an unknown report is refused" grep -q 'use app-audit, patch-sla or fleet' "$WORK/err"

"$WARDLINE" audit search --type 'posture.*' --limit 1000 --json --data-dir "$DATA" >"$WORK/events"
check "every state change is an audit event" python3 -c "
import json,sys
es=[json.loads(l)['event'] for l in open(sys.argv[1])]
q=[e for e in es if e['subject']=='131']
assert q and q[-1]['details']['to']=='quarantined' and 'jailbreak' in q[-1]['details']['checks'], q
" "$WORK/events"
"$WARDLINE" audit verify --data-dir "$DATA" >"$WORK/verify" 2>&1
check "the audit log verifies" contains "$WORK/verify" "OK"

# --- an on-device agent checks in through the daemon ------------------------
"$WARDLINE" user add svc-agent --role service --data-dir "$DATA" >/dev/null
"$WARDLINE" user add ana --role analyst --data-dir "$DATA" >/dev/null
AGENT=$("$WARDLINE" token create --user svc-agent --data-dir "$DATA")
ANALYST=$("$WARDLINE" token create --user ana --data-dir "$DATA")
port=$(free_port)
start_wardline "$WORK/serve.log" --data-dir "$DATA" --listen "127.0.0.1:$port" --insecure-http || exit 1
curl -s -H "Authorization: Bearer $AGENT" -H 'Content-Type: application/json' \
  -d '{"id":"BYOD-7731","app_config":{"offline_ephi_cache":"false"},"unknown_sources":false}' \
  "$WL_URL/api/v1/devices/checkin" >"$WORK/checkin.json"
check "a check-in clears the checks it fixes and keeps the MDM's data" python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
assert 'ephi_cache' not in d['failing_checks'] and 'sideloading' not in d['failing_checks'], d['failing_checks']
assert d['user']=='jorge.reyes@northvale-health.org' and d['source']=='checkin', d
" "$WORK/checkin.json"
curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/devices?check=jailbreak" >"$WORK/jb.json"
check "analysts filter devices by failing check" python3 -c "
import json,sys
assert [d['id'] for d in json.load(open(sys.argv[1]))['items']]==['131']
" "$WORK/jb.json"
curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $AGENT" "$WL_URL/api/v1/devices" >"$WORK/code"
check "an agent's token cannot read the inventory" grep -qx 403 "$WORK/code"
stop_wardline
check "the daemon stops cleanly" test $? -eq 0
check_summary
