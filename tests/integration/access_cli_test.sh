#!/usr/bin/env bash
# `wardline access decide|explain` against the shipped policy, the example
# directory and an imported fleet: least privilege, adaptive MFA, posture,
# refused tokens, audit records.
source "$(dirname "$0")/lib.sh"
DATA="$WORK/data"
sed -e "s/@NOW@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/" -e "s/@PATCH@/$(date -u +%Y-%m-01)/" "$SRC/examples/devices.json" >"$WORK/devices.json"
"$WARDLINE" devices import --source json "$WORK/devices.json" --data-dir "$DATA" >/dev/null 2>&1

decide() {  # decide NAME JSON: writes $WORK/NAME.json
  printf '%s' "$2" >"$WORK/$1.req"
  "$WARDLINE" access decide --request "$WORK/$1.req" --data-dir "$DATA" >"$WORK/$1.json" 2>"$WORK/$1.err"
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$WORK/$1.json" "$2"; }

decide hospital '{"user":"nurse.demo@lakesidemed.org","device_id":"LMC-IPH-0101","category":"ehr.clinical","action":"read","source_ip":"10.20.1.17","amr":["pwd","otp"]}'
check "a nurse on a compliant phone at the hospital is allowed" test "$(field hospital decision)" = allow
decide abroad '{"user":"nurse.demo@lakesidemed.org","device_id":"LMC-IPH-0101","category":"ehr.clinical","action":"read","source_ip":"203.0.113.9","amr":["pwd","sms"]}'
check "the same login from outside needs a phishing-resistant step-up" bash -c "[ '$(field abroad decision)' = step_up ] && [ '$(field abroad required)' = phishing_resistant ]"
decide billing '{"user":"nurse.demo@lakesidemed.org","device_id":"LMC-IPH-0101","category":"billing","action":"read","source_ip":"10.20.1.17","amr":["hwk"]}'
check "least privilege: a nurse has no need for billing data" bash -c "[ '$(field billing decision)' = deny ] && grep -q 'least privilege' '$WORK/billing.json'"
decide jailbroken '{"user":"radiology.pool@lakesidemed.org","device_id":"LMC-IPAD-0301","category":"imaging","action":"read","source_ip":"10.1.1.1","amr":["hwk"]}'
check "a quarantined device is denied whatever the login" test "$(field jailbroken decision)" = deny
decide token '{"user":"nurse.demo@lakesidemed.org","category":"ehr.clinical","action":"read","id_token":"eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}'
check "an HS256 token is refused with the reason" bash -c "[ '$(field token decision)' = deny ] && grep -q 'token was refused' '$WORK/token.json'"
printf '{"user":"x","category":"ehr.clinical"}' >"$WORK/bad.req"
"$WARDLINE" access decide --request "$WORK/bad.req" --data-dir "$DATA" >/dev/null 2>"$WORK/bad.err"
check "a bad request names the file and the missing field" bash -c "[ $? -ne 0 ] && grep -q \"bad.req: 'action' is required\" '$WORK/bad.err'"

"$WARDLINE" access explain --request "$WORK/abroad.req" --data-dir "$DATA" >"$WORK/explain" 2>&1
check "explain shows facts, each rule considered and the outcome" bash -c "
grep -q '^facts: .*\"role\":\"nurse\"' '$WORK/explain' && grep -q 'matched  away from the hospital network' '$WORK/explain' &&
grep -q 'skipped  high risk is denied' '$WORK/explain' && grep -q '^outcome: ' '$WORK/explain'"
"$WARDLINE" audit search --type access.decision --limit 100 --json --data-dir "$DATA" >"$WORK/events"
check "every decide is an access.decision audit event; explain is not" python3 -c "
import json,sys
es=[json.loads(l)['event'] for l in open(sys.argv[1])]
assert len(es)==5, len(es)
assert {e['details']['decision'] for e in es}=={'allow','step_up','deny'}
" "$WORK/events"
# --- GeoIP: a small City database written here (MaxMind::DB::Writer) --------
perl "$SRC/tests/data/geoip/write_test_city.pl" "$WORK/city.mmdb"
{ printf 'geoip: {database: %s}\n' "$WORK/city.mmdb"; cat "$SRC/policies/access.yaml"; } >"$WORK/geo.yaml"
printf '{"user":"nurse.demo@lakesidemed.org","device_id":"LMC-IPH-0101","category":"ehr.clinical","action":"read","source_ip":"81.2.69.160","amr":["hwk"]}' >"$WORK/london.req"
"$WARDLINE" access explain --request "$WORK/london.req" --policy "$WORK/geo.yaml" --data-dir "$DATA" >"$WORK/geo-explain" 2>&1
check "with geoip the facts name the source address's country" grep -q '^facts: .*"country":"GB"' "$WORK/geo-explain"
{ printf 'geoip: {database: %s}\n' "$WORK/missing.mmdb"; cat "$SRC/policies/access.yaml"; } >"$WORK/nogeo.yaml"
"$WARDLINE" access explain --request "$WORK/london.req" --policy "$WORK/nogeo.yaml" --data-dir "$DATA" >"$WORK/nogeo.out" 2>&1
check "a missing GeoIP database refuses the policy, naming the file" bash -c "[ $? -ne 0 ] && grep -q \"nogeo.yaml:1:.*$WORK/missing.mmdb\" '$WORK/nogeo.out'"

# --- the daemon: decisions over HTTP, and a policy reloaded on SIGHUP -------
cp "$SRC/policies/access.yaml" "$WORK/access.yaml"
printf 'access:\n  policy: %s\n' "$WORK/access.yaml" >"$WORK/wardline.yaml"
"$WARDLINE" user add svc-gateway --role service --data-dir "$DATA" >/dev/null
GATEWAY=$("$WARDLINE" token create --user svc-gateway --data-dir "$DATA" 2>/dev/null)
port=$(free_port)
start_wardline "$WORK/serve.log" --config "$WORK/wardline.yaml" --data-dir "$DATA" --listen "127.0.0.1:$port" --insecure-http || exit 1
ask() { curl -s -H "Authorization: Bearer $GATEWAY" -H 'Content-Type: application/json' --data-binary @"$WORK/hospital.req" "$WL_URL/api/v1/access/decide"; }
check "the daemon allows the nurse at the hospital" bash -c "[ \"\$(printf '%s' '$(ask)' | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"decision\"])')\" = allow ]"
for _ in 1 2 3 4 5; do
  curl -s -o "$WORK/failed.json" -w '%{http_code}\n' -H "Authorization: Bearer $GATEWAY" -H 'Content-Type: application/json' \
    --data '{"user":"nurse.demo@lakesidemed.org","source_ip":"203.0.113.9","reason":"wrong password"}' "$WL_URL/api/v1/access/failed-logins"
done >"$WORK/failed.codes"
check "the identity provider's failed sign-ins are counted (202)" bash -c "[ \"\$(sort -u '$WORK/failed.codes')\" = 202 ] && grep -q '\"failures\":5' '$WORK/failed.json'"
check "five failed sign-ins make the next decision say so" bash -c "printf '%s' '$(ask)' | grep -q '5 failed sign-ins within 15 minutes'"
printf '  - name: maintenance window\n    then: deny\n' >>"$WORK/access.yaml"
kill -HUP "$WL_PID"
for _ in $(seq 1 50); do grep -q "access policy and directory reloaded" "$WORK/serve.log" && break; sleep 0.1; done
check "after SIGHUP the new rule decides" bash -c "printf '%s' '$(ask)' | grep -q '\"matched_rules\":\[.*maintenance window'"
printf 'rules: [\n' >"$WORK/access.yaml"
kill -HUP "$WL_PID"
for _ in $(seq 1 50); do grep -q "access policy reload rejected" "$WORK/serve.log" && break; sleep 0.1; done
check "a broken policy is rejected and the previous one stays" bash -c "grep -q 'access policy reload rejected' '$WORK/serve.log' && printf '%s' '$(ask)' | grep -q 'maintenance window'"
stop_wardline
check_summary
