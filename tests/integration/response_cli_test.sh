#!/usr/bin/env bash
# Incident response end to end against a real HTTPS webhook MDM: BYOD gets a
# selective wipe and a full one is refused, a corporate full wipe waits for a
# second administrator, retries never act twice, drills run the wipe path on
# the test device only, runbooks warn until drilled, incidents keep a
# timeline, and every stage is in a verifiable audit log with its actor.
source "$(dirname "$0")/lib.sh"
DATA="$WORK/data"

# --- the MDM: a webhook receiver over TLS that checks signatures -----------
start_mdm_receiver
cat >"$WORK/wardline.yaml" <<EOF
response:
  test_devices: [TEST-1]
  connectors:
    - name: default
      type: webhook
      base_url: https://127.0.0.1:$MDM_PORT/mdm
      secret_file: $WORK/mdm.secret
      ca_file: $WORK/mdm-cert.pem
      backoff_ms: 10
EOF
W=(--config "$WORK/wardline.yaml" --data-dir "$DATA")
mdm_commands() { python3 -c "import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)['device']==sys.argv[2] and json.loads(l)['action']==sys.argv[3]))" "$WORK/mdm.log" "$1" "$2"; }
export -f mdm_commands
export WORK

cat >"$WORK/devices.json" <<'EOF'
[{"id":"CORP-1","platform":"ios","os_version":"17.6","ownership":"corporate","management":"mdm","user":"nurse.a@lakesidemed.org","encrypted":true},
 {"id":"BYOD-1","platform":"android","os_version":"14","ownership":"byod","management":"work_profile","user":"nurse.b@lakesidemed.org","encrypted":true},
 {"id":"TEST-1","platform":"ios","os_version":"17.6","ownership":"corporate","management":"mdm","user":"it.lab@lakesidemed.org","encrypted":true}]
EOF
"$WARDLINE" devices import --source json "$WORK/devices.json" "${W[@]}" >/dev/null
"$WARDLINE" devices show BYOD-1 "${W[@]}" >"$WORK/show"
check "devices show names the wipe a BYOD device gets" grep -q 'wipe: selective' "$WORK/show"
for u in alice bob; do "$WARDLINE" user add $u --role admin "${W[@]}" >/dev/null; done
"$WARDLINE" user add ana --role analyst "${W[@]}" >/dev/null
ALICE=$("$WARDLINE" token create --user alice "${W[@]}")
BOB=$("$WARDLINE" token create --user bob "${W[@]}")
ANA=$("$WARDLINE" token create --user ana "${W[@]}")

port=$(free_port)
start_wardline "$WORK/serve.log" "${W[@]}" --listen "127.0.0.1:$port" --insecure-http || exit 1
api() {  # api TOKEN METHOD PATH [BODY] [EXTRA CURL ARGS...]: prints the body, status in $WORK/code
  local token=$1 method=$2 path=$3 body=${4:-}
  shift 4 2>/dev/null || shift $#
  local data=()
  [ "$method" = POST ] && data=(-d "$body")  # a POST always has a body, if only an empty one
  curl -s -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    "${data[@]}" "$@" "$WL_URL$path" >"$WORK/code"
  cat "$WORK/body"; [ -n "${DEBUG:-}" ] && { echo " <- $(cat "$WORK/code") $method $path $(head -c 300 "$WORK/body")" >&2; }
}
field() {  # field KEY... < JSON: prints the value at that path (numbers index lists)
  python3 -c "import json,sys; v=json.load(sys.stdin); [v:=v[int(k) if k.isdigit() else k] for k in sys.argv[1:]]; print(v)" "$@"
}
export -f field

# --- BYOD: selective only ---------------------------------------------------
api "$ALICE" POST /api/v1/devices/BYOD-1/wipe '{"reason":"lost on the bus","type":"full"}' >"$WORK/r"
check "a full wipe of a BYOD device is refused (422) with the reason" bash -c "grep -qx 422 '$WORK/code' && grep -q 'personally owned' '$WORK/r'"
api "$ALICE" POST /api/v1/devices/BYOD-1/wipe '{"reason":"lost on the bus, INC-7"}' -H 'Idempotency-Key: INC-7' >"$WORK/r"
check "a BYOD wipe is selective and goes to the MDM at once" bash -c "grep -qx 200 '$WORK/code' &&
  [ \"\$(field kind <'$WORK/r')\" = selective_wipe ] && [ \"\$(field state <'$WORK/r')\" = dispatched ]"
FIRST=$(field id <"$WORK/r")
api "$ALICE" POST /api/v1/devices/BYOD-1/wipe '{"reason":"lost on the bus, INC-7"}' -H 'Idempotency-Key: INC-7' >"$WORK/r"
check "a repeated request with the same Idempotency-Key returns the first action" test "$(field id <"$WORK/r")" = "$FIRST"
check "the MDM received the selective wipe exactly once, signed" test "$(mdm_commands BYOD-1 selective_wipe)" = 1

# --- corporate: full wipe, two-person rule ----------------------------------
api "$ALICE" POST /api/v1/devices/CORP-1/wipe '{"reason":"stolen from the ED, INC-8"}' >"$WORK/r"
check "a corporate full wipe waits for approval (202)" bash -c "grep -qx 202 '$WORK/code' && [ \"\$(field state <'$WORK/r')\" = awaiting_approval ]"
ACT=$(field id <"$WORK/r")
api "$ALICE" POST "/api/v1/response/actions/$ACT/approve" >"$WORK/r"
check "self-approval is refused" bash -c "grep -qx 403 '$WORK/code' && grep -q 'two-person' '$WORK/r'"
api "$ANA" POST "/api/v1/response/actions/$ACT/approve" >/dev/null
check "an analyst cannot approve a wipe" grep -qx 403 "$WORK/code"
check "nothing reached the MDM before the approval" test "$(mdm_commands CORP-1 full_wipe)" = 0
api "$BOB" POST "/api/v1/response/actions/$ACT/approve" >"$WORK/r"
check "a second administrator's approval sends the full wipe" bash -c "grep -qx 200 '$WORK/code' &&
  [ \"\$(field approved_by <'$WORK/r')\" = bob ] && [ \"\$(field kind <'$WORK/r')\" = full_wipe ]"
check "the MDM received the full wipe once" test "$(mdm_commands CORP-1 full_wipe)" = 1

# --- an MDM that carries out a command and then fails to answer --------------
touch "$WORK/FAIL_NEXT"
api "$ALICE" POST /api/v1/devices/CORP-1/lock '{"reason":"left in a patient room"}' >"$WORK/r"
check "a retried lock is accepted on the second attempt" bash -c "grep -qx 200 '$WORK/code' && [ \"\$(field attempts <'$WORK/r')\" = 2 ]"
check "...and the MDM locked the device once (same idempotency key)" test "$(mdm_commands CORP-1 lock)" = 1

# --- runbooks and drills -----------------------------------------------------
api "$ANA" GET /api/v1/runbooks >"$WORK/rb"
check "the five shipped runbooks are listed, each warned as never drilled" python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert len(r['items'])==5, r
assert {i['incident_type'] for i in r['items']}=={'smishing_campaign','credential_compromise','lost_device','intel_hit','malicious_app'}
assert all(i['drill']['overdue'] for i in r['items']) and len(r['warnings'])==5, r['warnings']
" "$WORK/rb"
api "$ALICE" POST /api/v1/drills '{"runbook":"lost-device","test_device":"CORP-1","participants":["alice","sam"]}' >"$WORK/r"
check "a drill cannot wipe a device that is not a designated test device" bash -c "grep -qx 422 '$WORK/code' && grep -q 'test device' '$WORK/r'"
api "$ANA" POST /api/v1/drills '{"runbook":"lost-device","test_device":"TEST-1"}' >/dev/null
check "an analyst cannot run the wipe path" grep -qx 403 "$WORK/code"
api "$ALICE" POST /api/v1/drills '{"runbook":"lost-device","test_device":"TEST-1","participants":["alice","sam"]}' >"$WORK/r"
check "a drill runs the wipe path end to end on the test device" bash -c "grep -qx 201 '$WORK/code' &&
  [ \"\$(field result <'$WORK/r')\" = passed ] && [ \"\$(mdm_commands TEST-1 full_wipe)\" = 1 ]"
check "...marked as a drill at the MDM" python3 -c "
import json,sys
assert any(json.loads(l)['device']=='TEST-1' and json.loads(l)['drill'] is True for l in open(sys.argv[1]))" "$WORK/mdm.log"
api "$ANA" GET /api/v1/runbooks/lost-device >"$WORK/r"
check "the drilled runbook shows when it was last tested and is not overdue" python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
assert r['drill']['last_result']=='passed' and not r['drill']['overdue'] and r['drill']['warning'] is None, r['drill']
assert any(s.get('action')=='device.wipe' and s['api']=='POST /api/v1/devices/{id}/wipe' for s in r['steps']), r['steps']
" "$WORK/r"

# --- incidents ---------------------------------------------------------------
api "$ANA" POST /api/v1/incidents '{"title":"Stolen iPhone from the ED","type":"lost_device","severity":"high","items":[{"kind":"device","ref":"CORP-1"},{"kind":"action","ref":"'"$ACT"'"}]}' >"$WORK/r"
check "an incident opens with the runbook of its type" bash -c "grep -qx 201 '$WORK/code' && [ \"\$(field runbook <'$WORK/r')\" = lost-device ]"
INC=$(field id <"$WORK/r")
api "$ANA" POST "/api/v1/incidents/$INC" '{"status":"contained","owner":"ana","note":"wiped; user has a loaner"}' >"$WORK/r"
check "changes land on the incident's timeline with their actor" python3 -c "
import json,sys
i=json.load(open(sys.argv[1]))
assert i['status']=='contained' and i['owner']=='ana', i
assert [t['entry'] for t in i['timeline'] if t['actor']=='ana'][-1]=='note: wiped; user has a loaner', i['timeline']
" "$WORK/r"
api "$ANA" GET '/api/v1/incidents?status=contained' >"$WORK/r"
check "incidents are listed by status" test "$(field items 0 id <"$WORK/r")" = "$INC"
stop_wardline
check "the daemon stops cleanly" test $? -eq 0

# --- the same from the server's shell ------------------------------------------
"$WARDLINE" devices wipe CORP-1 --reason "second phone of the same user" "${W[@]}" >"$WORK/out"
ACT2=$(grep -o 'act_[a-z0-9]*' "$WORK/out" | head -1)
check "the CLI's full wipe waits for a second person" grep -q 'awaiting_approval' "$WORK/out"
"$WARDLINE" response approve "$ACT2" "${W[@]}" >/dev/null 2>"$WORK/err"
check "the same operator cannot approve it" bash -c "[ $? -ne 0 ] && grep -q 'self-approval refused' '$WORK/err'"
"$WARDLINE" response runbooks --check "${W[@]}" >"$WORK/out" 2>"$WORK/err"
check "'response runbooks --check' fails while runbooks are overdue, naming them" bash -c "[ $? -eq 1 ] &&
  grep -q \"runbook 'malicious-app' has never been drilled\" '$WORK/err' && grep -q '^lost-device.*passed' '$WORK/out'"

"$WARDLINE" audit search --type 'device.*' --limit 100 --json "${W[@]}" >"$WORK/events"
check "every stage of the full wipe is audited with the right actor" python3 -c "
import json,sys
es=[json.loads(l)['event'] for l in open(sys.argv[1])]
w=[(e['details']['stage'],e['actor']) for e in es if e['details'].get('action')==sys.argv[2]][::-1]  # newest first
assert w==[('requested','alice'),('approved','bob'),('dispatched','bob'),('result','system')], w
" "$WORK/events" "$ACT"
"$WARDLINE" audit search --type 'response.drill' --json "${W[@]}" >"$WORK/events"
check "the drill is audited" grep -q '"runbook":"lost-device"' "$WORK/events"
"$WARDLINE" audit verify "${W[@]}" >"$WORK/verify" 2>&1
check "the audit log verifies" contains "$WORK/verify" "OK"
check_summary
