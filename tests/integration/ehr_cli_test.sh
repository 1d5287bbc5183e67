#!/usr/bin/env bash
# EHR access analytics end to end: a simulated hospital's FHIR stream scored
# by `wardline ehr ingest` (alerts stored, audited, never naming a patient),
# baselines that survive between runs, bad records reported with their
# position, and the daemon taking JSON lines over the API and IHE ATNA
# messages over syslog, with the risk reaching an access decision.
source "$(dirname "$0")/lib.sh"
DATA="$WORK/data"

# --- a synthetic hospital ---------------------------------------------------
"$WARDLINE" ehr simulate --users 40 --days 9 --seed 5 --warmup-days 6 --out "$WORK/stream.ndjson" --labels "$WORK/labels.jsonl" \
  --settings "$WORK/ehr.yaml" --directory "$WORK/staff.csv" 2>"$WORK/simulate.err"
check "the simulator writes a stream, labels, settings and a directory" \
  bash -c "grep -q 'labelled anomalies' '$WORK/simulate.err' && [ -s '$WORK/stream.ndjson' ] && [ -s '$WORK/labels.jsonl' ] && grep -q vip_patients '$WORK/ehr.yaml'"
cat >"$WORK/wardline.yaml" <<EOF
ehr:
  settings: $WORK/ehr.yaml
access:
  directory: $WORK/staff.csv
EOF
W=(--config "$WORK/wardline.yaml" --data-dir "$DATA")

"$WARDLINE" ehr ingest "$WORK/stream.ndjson" "${W[@]}" >"$WORK/alerts.txt" 2>"$WORK/ingest.err"
check "the whole FHIR stream is read without a problem" grep -q ' 0 problem(s)' "$WORK/ingest.err"
check "alerts come out, one per line with severity, kind, user and explanation" grep -qP '^ehr_\S+\t\S+\t(low|medium|high|critical)\tvip_snooping\t\S+\topened the chart of VIP patient' "$WORK/alerts.txt"
check "the labelled VIP snooping, travel and lateral movement are found" python3 - "$WORK/labels.jsonl" "$WORK/alerts.txt" <<'PY'
import json, sys
labels = [json.loads(l) for l in open(sys.argv[1])]
alerts = {(l.split("\t")[3], l.split("\t")[4]) for l in open(sys.argv[2])}
for kind in ("vip_snooping", "impossible_travel", "lateral_movement"):
    want = {(kind, l["user"]) for l in labels if l["kind"] == kind}
    assert want and want <= alerts, (kind, want - alerts)
PY
check "no alert names a patient" bash -c "! grep -q MRN '$WORK/alerts.txt'"
check "no patient id is stored in the database" bash -c "! grep -aq MRN '$DATA/wardline.db'"
"$WARDLINE" ehr alerts --kind vip_snooping --json "${W[@]}" >"$WORK/vip.json" 2>/dev/null
check "ehr alerts filters by kind" bash -c "[ \$(wc -l <'$WORK/vip.json') -eq \$(grep -c '	vip_snooping	' '$WORK/alerts.txt') ] && python3 -c \"import json,sys; [json.loads(l) for l in open(sys.argv[1])]\" '$WORK/vip.json'"
"$WARDLINE" audit search --type ehr.alert --json --limit 500 "${W[@]}" >"$WORK/audit.json" 2>/dev/null
check "every alert is an ehr.alert audit event" bash -c "[ \$(grep -c '\"ehr.alert\"' '$WORK/audit.json') -eq \$(wc -l <'$WORK/alerts.txt') ]"
check "the audit log verifies" "$WARDLINE" audit verify "${W[@]}"

# --- baselines persist: the next run knows each user's usual ----------------
USER1=$(sed -n 2p "$WORK/staff.csv" | cut -d, -f1)
END=$(tail -n 1 "$WORK/stream.ndjson" | python3 -c 'import json,sys,datetime; print(int(datetime.datetime.fromisoformat(json.load(sys.stdin)["recorded"].replace("Z","+00:00")).timestamp()))')
python3 - "$USER1" "$((END + 86400 * 2))" >"$WORK/spike.jsonl" <<'PY'
import json, sys
user, t = sys.argv[1], int(sys.argv[2]) // 3600 * 3600 + 600
for i in range(150):
    print(json.dumps({"time": t + i * 10, "user": user, "application": "hyperspace", "patient": f"MRN-SPIKE-{i}", "resource_type": "Patient"}))
PY
"$WARDLINE" ehr ingest "$WORK/spike.jsonl" "${W[@]}" >"$WORK/spike.out" 2>&1
check "a later run judges a spike against the user's stored baseline" grep -q "volume_spike	$USER1	opened .* patient charts in 1 hour.*; $USER1 usually" "$WORK/spike.out"

# --- bad input: reported with its position, never fatal ----------------------
{ head -n 2 "$WORK/spike.jsonl"; printf '{"time": 1767603600, "user": "x", "patient": \n'; printf '\x00\x01garbage\n'; } >"$WORK/bad.jsonl"
"$WARDLINE" ehr ingest "$WORK/bad.jsonl" "${W[@]}" >"$WORK/bad.out" 2>"$WORK/bad.err"
check "malformed records are reported by record and line, the rest read (exit 0)" \
  bash -c "[ $? -eq 0 ] && grep -q 'bad.jsonl: record 3 (line 3)' '$WORK/bad.err' && grep -q 'bad.jsonl: record 4 (line 4)' '$WORK/bad.err' && grep -q '2 event(s), 2 problem(s)' '$WORK/bad.err'"
"$WARDLINE" ehr ingest --format xml "$WORK/bad.jsonl" "${W[@]}" >"$WORK/badfmt.out" 2>&1
check "an unknown format is refused with the formats there are" bash -c "[ $? -ne 0 ] && grep -q 'fhir, atna or jsonl' '$WORK/badfmt.out'"

# --- the daemon: JSON lines over the API, ATNA over syslog, risk to access ---
"$WARDLINE" user add svc-ehr --role service --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" user add ana.lyst --role analyst --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" user add rep.orter --role reporter --data-dir "$DATA" >/dev/null 2>&1
SVC=$("$WARDLINE" token create --user svc-ehr --data-dir "$DATA" 2>/dev/null)
ANALYST=$("$WARDLINE" token create --user ana.lyst --data-dir "$DATA" 2>/dev/null)
REPORTER=$("$WARDLINE" token create --user rep.orter --data-dir "$DATA" 2>/dev/null)
sport=$(free_port)
printf 'intel:\n  syslog_listen: "127.0.0.1:%s"\n' "$sport" >>"$WORK/wardline.yaml"
port=$(free_port)
start_wardline "$WORK/serve.log" "${W[@]}" --listen "127.0.0.1:$port" --insecure-http || exit 1
VIP=$(grep -o 'id: MRN[0-9]*' "$WORK/ehr.yaml" | head -n 1 | cut -d' ' -f2)
SNOOP=$(grep ',Patient Financial Services$' "$WORK/staff.csv" | head -n 1 | cut -d, -f1)
NOW=$(date +%s)
printf '{"time": %s, "user": "%s", "application": "hyperspace", "patient": "%s", "resource_type": "Patient"}\n' "$NOW" "$SNOOP" "$VIP" >"$WORK/now.jsonl"
curl -s -o "$WORK/post.json" -w '%{http_code}' -H "Authorization: Bearer $SVC" -H 'Content-Type: application/x-ndjson' \
  --data-binary @"$WORK/now.jsonl" "$WL_URL/api/v1/ehr/events" >"$WORK/post.code"
check "POST /api/v1/ehr/events scores the records and returns the alert" python3 -c "
import json,sys; b=json.load(open(sys.argv[1])); assert open(sys.argv[2]).read()=='200', b
assert b['events']==1 and b['alerts'][0]['kind']=='vip_snooping' and 'MRN' not in json.dumps(b), b" "$WORK/post.json" "$WORK/post.code"
check "a reporter may not read EHR alerts (403)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $REPORTER' '$WL_URL/api/v1/ehr/alerts') = 403 ]"
check "a reporter may not post EHR records (403)" bash -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $REPORTER' --data-binary @'$WORK/now.jsonl' '$WL_URL/api/v1/ehr/events') = 403 ]"

# An EHR sends an IHE ATNA message (DICOM PS3.15 A.5) over syslog (RFC 6587 octet counting).
# Someone outside the VIP's departments, other than the first snooper.
ATNA_USER=$(python3 - "$WORK/ehr.yaml" "$WORK/staff.csv" "$SNOOP" <<'PY'
import re, sys
allowed = re.search(r"allowed_departments: \[([^\]]*)\]", open(sys.argv[1]).read()).group(1).split(", ")
for line in list(open(sys.argv[2]))[1:]:
    user, role, groups, dept = line.strip().split(",")
    if dept not in allowed and user != sys.argv[3]:
        print(user)
        break
PY
)
python3 - "$sport" "$ATNA_USER" "$VIP" <<'PY' >"$WORK/syslog.out" 2>&1
import datetime, socket, sys
port, user, vip = int(sys.argv[1]), sys.argv[2], sys.argv[3]
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
xml = ('<?xml version="1.0" encoding="UTF-8"?><AuditMessage>'
       f'<EventIdentification EventActionCode="R" EventDateTime="{now}" EventOutcomeIndicator="0">'
       '<EventID csd-code="110110" codeSystemName="DCM" originalText="Patient Record"/></EventIdentification>'
       f'<ActiveParticipant UserID="{user}" UserIsRequestor="true" NetworkAccessPointID="10.20.9.9" NetworkAccessPointTypeCode="2">'
       '<RoleIDCode csd-code="110153" codeSystemName="DCM" originalText="Source Role ID"/></ActiveParticipant>'
       '<AuditSourceIdentification AuditSourceID="hyperspace"/>'
       f'<ParticipantObjectIdentification ParticipantObjectID="{vip}" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1">'
       '<ParticipantObjectIDTypeCode csd-code="2" originalText="Patient Number"/></ParticipantObjectIdentification></AuditMessage>')
msg = f"<85>1 {now} ehr01 EPIC - IHE+RFC-3881 - {xml}".encode()
with socket.create_connection(("127.0.0.1", port)) as s:
    s.sendall(str(len(msg)).encode() + b" " + msg)
print("sent")
PY
for _ in $(seq 1 100); do
  curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/ehr/alerts?user=$ATNA_USER" >"$WORK/atna-alerts.json"
  grep -q vip_snooping "$WORK/atna-alerts.json" && break
  sleep 0.1
done
check "an ATNA message over syslog is scored like any other record" python3 -c "
import json,sys; a=json.load(open(sys.argv[1]))['items']
assert any(x['kind']=='vip_snooping' and x['details']['application']=='hyperspace' for x in a), a" "$WORK/atna-alerts.json"
stop_wardline
check "the daemon saved its baselines at exit without an error" bash -c "! grep -q 'cannot save baselines' '$WORK/serve.log'"

printf '{"user":"%s","device_id":"ws-pfs-01","category":"ehr.clinical","action":"read","source_ip":"10.20.1.5","amr":["hwk"]}' "$SNOOP" >"$WORK/decide.req"
"$WARDLINE" access explain --request "$WORK/decide.req" "${W[@]}" >"$WORK/explain.out" 2>&1
check "the snooping user's EHR risk reaches the access decision (ehr_anomaly)" grep -q '^facts: .*"ehr_anomaly"' "$WORK/explain.out"

check_summary
