#!/usr/bin/env bash
# `wardline intel`: feeds subscribed, pulled and compiled; logs scanned into
# one JSON line per hit; block lists exported and checked by the tools that
# consume them (named-checkzone, the STIX 2.1 JSON schemas).
source "$(dirname "$0")/lib.sh"
EXT=${WARDLINE_EXTERNAL_DIR:-$SRC/../shared/external}
DATA="$WORK/data"
FIX="$SRC/tests/data/intel"

printf '# hospital ISAC list\nbits.wikimedia.org\n141.142.2.0/24\nlakesidemed.org\nco.uk\n' >"$WORK/isac.txt"
"$WARDLINE" intel feed add isac "$WORK/isac.txt" --confidence 85 --data-dir "$DATA" >"$WORK/out" 2>&1
check "feed add" contains "$WORK/out" "added feed isac"
"$WARDLINE" intel feed add urlhaus "$FIX/urlhaus_sample.csv" --format urlhaus --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" intel feed add isac "$WORK/isac.txt" --data-dir "$DATA" >/dev/null 2>"$WORK/err"
check "a second feed with the same name is refused" bash -c "[ $? -eq 1 ] && grep -q 'exists' '$WORK/err'"
"$WARDLINE" intel feed pull --data-dir "$DATA" >"$WORK/pull" 2>&1
check "pull compiles both feeds" bash -c "grep -q '^compiled 6 indicators' '$WORK/pull'"
check "the public suffix is rejected with its reason" grep -q "co.uk' is a public suffix" "$WORK/pull"
check "the hospital's own domain is on the warning list" grep -q "1 on the warning list" "$WORK/pull"
"$WARDLINE" intel feed list --json --data-dir "$DATA" >"$WORK/list"
check "feed list --json gives status per feed" python3 -c "
import json,sys
feeds={f['name']:f for f in map(json.loads, open(sys.argv[1]))}
assert feeds['isac']['last_status']=='ok' and feeds['isac']['indicators']==2 and feeds['isac']['rejected']==1, feeds['isac']
assert feeds['urlhaus']['indicators']==4 and feeds['urlhaus']['rejected']==2, feeds['urlhaus']
" "$WORK/list"
"$WARDLINE" audit verify --data-dir "$DATA" >"$WORK/verify" 2>&1
check "feed changes are in a verifiable audit log" contains "$WORK/verify" "OK"

ZEEK="$EXT/logs/zeek/opt.basic.http.log"
if [ -f "$ZEEK" ]; then
  "$WARDLINE" intel scan --data-dir "$DATA" "$ZEEK" >"$WORK/hits" 2>"$WORK/err"
  check "scan of a Zeek http.log exits 0" test $? -eq 0
  check "one hit per line naming bits.wikimedia.org, with the documented keys" python3 -c "
import json,sys
hits=[json.loads(l) for l in open(sys.argv[1])]
assert hits, 'no hits'
for h in hits:
    assert list(h)==['file','line','timestamp','field','observed','indicator','type','feeds','confidence','labels'], list(h)
    assert h['feeds']==['isac'] and h['confidence']==85
assert any(h['indicator']=='bits.wikimedia.org' and h['field']=='host+uri' for h in hits)
assert all(isinstance(h['line'], int) and h['line']>8 for h in hits)
" "$WORK/hits"
  check "the summary goes to stderr" grep -q "^scanned .* lines in 1 file(s): .* records, 0 malformed, .* hits" "$WORK/err"
  "$WARDLINE" intel scan -q --data-dir "$DATA" --format zeek - <"$ZEEK" >"$WORK/hits-stdin"
  check "standard input gives the same hits" bash -c "diff <(sed 's/\"file\":\"[^\"]*\"//' '$WORK/hits') <(sed 's/\"file\":\"[^\"]*\"//' '$WORK/hits-stdin')"
else
  echo "skip: Zeek samples not found in $EXT/logs (set WARDLINE_EXTERNAL_DIR)"
fi

"$WARDLINE" intel scan --data-dir "$DATA" "$FIX/squid_access.log" >"$WORK/sq" 2>"$WORK/err"
check "malformed Squid lines are reported with line numbers, not fatal" bash -c "grep -q 'malformed .*squid_access.log:7: ' '$WORK/err' && grep -q '2 malformed' '$WORK/err'"
printf 'hello there\n' >"$WORK/what.log"
"$WARDLINE" intel scan --data-dir "$DATA" "$WORK/what.log" >/dev/null 2>"$WORK/err"
check "an unknown log format is a clear error (exit 1)" bash -c "[ $? -eq 1 ] && grep -q 'pass --format' '$WORK/err'"
"$WARDLINE" intel scan --data-dir "$WORK/empty" "$FIX/squid_access.log" >/dev/null 2>"$WORK/err"
check "scanning without feeds says how to add them" grep -q "intel feed add" "$WORK/err"

"$WARDLINE" intel export --format rpz --data-dir "$DATA" -o "$WORK/intel.rpz" 2>/dev/null
check "the RPZ zone loads in named-checkzone" named-checkzone -q rpz.wardline.local "$WORK/intel.rpz"
check "the zone blocks the domain and its subdomains" bash -c "grep -q '^bits.wikimedia.org CNAME .$' '$WORK/intel.rpz' && grep -q '^\*.bits.wikimedia.org CNAME .$' '$WORK/intel.rpz'"
"$WARDLINE" intel export --format stix --data-dir "$DATA" -o "$WORK/bundle.json" 2>/dev/null
if [ -d "$EXT/stix/schemas" ]; then
  # Debian's python3-jsonschema (scripts/setup-deps.sh), whichever python3 is first on PATH.
  check "the STIX export validates against the STIX 2.1 JSON schemas" /usr/bin/python3 - "$WORK/bundle.json" "$EXT/stix/schemas" <<'PY'
import json, os, sys
from jsonschema import Draft202012Validator, RefResolver
bundle = json.load(open(sys.argv[1]))
root = os.path.abspath(sys.argv[2])
store = {}
for d, _, files in os.walk(root):
    for f in files:
        if f.endswith(".json"):
            s = json.load(open(os.path.join(d, f)))
            store[s.get("$id", "file://" + os.path.join(d, f))] = s
def validator(rel):
    schema = json.load(open(os.path.join(root, rel)))
    return Draft202012Validator(schema, resolver=RefResolver(base_uri=schema["$id"], referrer=schema, store=store))
errors = list(validator("common/bundle.json").iter_errors(bundle))
kinds = {"indicator": "sdos/indicator.json", "identity": "sdos/identity.json",
         "marking-definition": "common/marking-definition.json"}
for o in bundle["objects"]:
    errors += list(validator(kinds[o["type"]]).iter_errors(o))
for e in errors[:5]:
    print(e.message)
sys.exit(1 if errors else 0)
PY
else
  echo "skip: STIX schemas not found in $EXT/stix (set WARDLINE_EXTERNAL_DIR)"
fi
check "the sharing export has no internal addresses or reporters" bash -c "! grep -qE '\"(10|192\\.168)\\.|reporter' '$WORK/bundle.json'"
"$WARDLINE" intel export --format squid-acl --data-dir "$DATA" 2>/dev/null >"$WORK/acl"
check "the Squid ACL lists .domain lines" grep -q '^\.bits\.wikimedia\.org$' "$WORK/acl"

# --- the daemon: scheduled pull at start, log events posted by a shipper ------
"$WARDLINE" user add svc-proxy --role service --data-dir "$DATA" >/dev/null
"$WARDLINE" user add ana --role analyst --data-dir "$DATA" >/dev/null
SHIPPER=$("$WARDLINE" token create --user svc-proxy --data-dir "$DATA")
ANALYST=$("$WARDLINE" token create --user ana --data-dir "$DATA")
rm -f "$DATA/intel/indicators.snapshot"
port=$(free_port)
start_wardline "$WORK/serve.log" --data-dir "$DATA" --listen "127.0.0.1:$port" --insecure-http || exit 1
for _ in $(seq 1 50); do [ -f "$DATA/intel/indicators.snapshot" ] && grep -q "indicators loaded" "$WORK/serve.log" && break; sleep 0.1; done
check "the daemon pulls the feeds at start" grep -q "threat intel: 6 indicators loaded" "$WORK/serve.log"
printf '%s\n' '{"@timestamp":"2026-11-28T10:00:00Z","url":{"full":"http://bits.wikimedia.org/w/index.php?title=Patient_X"}}' \
  '{"@timestamp":"2026-11-28T10:00:01Z","destination":{"ip":"192.0.2.1"}}' >"$WORK/events.ndjson"
curl -s -H "Authorization: Bearer $SHIPPER" -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/events.ndjson" \
  "$WL_URL/api/v1/intel/events" >"$WORK/ingest.json"
check "posted events are matched: one hit, one new alert" python3 -c "
import json,sys; r=json.load(open(sys.argv[1])); assert r['records']==2 and r['hits']==1 and len(r['alerts_created'])==1, r" "$WORK/ingest.json"
curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/intel/alerts" >"$WORK/alerts.json"
check "the analyst sees the alert, its URL without the query string" python3 -c "
import json,sys; a=json.load(open(sys.argv[1]))['items'][0]
assert a['indicator']=='bits.wikimedia.org' and a['feeds']==['isac'] and a['last']['observed']=='http://bits.wikimedia.org/w/index.php', a" "$WORK/alerts.json"
kill "$WL_PID"; wait "$WL_PID" 2>/dev/null
"$WARDLINE" audit search --type intel.hit --json --data-dir "$DATA" >"$WORK/hits-audit.json"
check "the alert is an intel.hit audit event" bash -c "[ \$(grep -c intel.hit '$WORK/hits-audit.json') -eq 1 ]"
"$WARDLINE" audit search --type admin.feed_pulled --json --data-dir "$DATA" >"$WORK/pulls-audit.json"
check "the scheduled pull is audited as done by the system" grep -q '"actor":"system"' "$WORK/pulls-audit.json"

# --- syslog over TLS (RFC 5425): a firewall's CEF messages ----------------------
sport=$(free_port)
printf 'intel:\n  syslog_listen: "127.0.0.1:%s"\n' "$sport" >"$WORK/syslog.yaml"
port=$(free_port)
start_wardline "$WORK/serve-tls.log" --config "$WORK/syslog.yaml" --data-dir "$DATA" --listen "127.0.0.1:$port" || exit 1
check "the syslog intake listens with TLS" grep -q "syslog intake on 127.0.0.1:$sport (TLS)" "$WORK/serve-tls.log"
python3 - "$sport" "$DATA/tls/ca.pem" >"$WORK/syslog-send.out" 2>&1 <<'PY'
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
msgs = ["<134>1 2026-11-28T10:00:00Z fw01 fw - - - CEF:0|Vendor|FW|1|100|Allowed|3|src=10.20.1.17 dst=141.142.2.9 dpt=53",
        "<134>Nov 28 10:00:01 fw01 CEF:0|Vendor|FW|1|100|Allowed|3|src=10.20.1.18 dst=192.0.2.77"]
with socket.create_connection(("127.0.0.1", port)) as raw:
    with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        for m in msgs:
            b = m.encode()
            tls.sendall(str(len(b)).encode() + b" " + b)  # RFC 6587 octet counting
print("sent", tls.version() if False else "ok")
PY
check "a syslog client verifies the daemon's certificate and sends" grep -q "sent ok" "$WORK/syslog-send.out"
for _ in $(seq 1 50); do
  curl -s --cacert "$DATA/tls/ca.pem" -H "Authorization: Bearer $ANALYST" "https://127.0.0.1:$port/api/v1/intel/alerts" >"$WORK/alerts2.json"
  grep -q '141.142.2.0/24' "$WORK/alerts2.json" && break
  sleep 0.1
done
check "a CEF message over syslog raises an alert for its destination" python3 -c "
import json,sys; items=json.load(open(sys.argv[1]))['items']
a=[i for i in items if i['indicator']=='141.142.2.0/24'][0]
assert a['last']['source']=='syslog:127.0.0.1' and a['last']['field']=='dst', a" "$WORK/alerts2.json"
kill "$WL_PID"; wait "$WL_PID" 2>/dev/null

# --- retro-hunt: an indicator that arrives later meets the traffic already seen -
printf '192.0.2.0/24\n' >"$WORK/late.txt"
"$WARDLINE" intel feed add late "$WORK/late.txt" --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" intel feed pull --data-dir "$DATA" >"$WORK/pull-late" 2>&1
check "a new indicator is matched against past destinations" grep -q "retro-hunt: 1 new alert" "$WORK/pull-late"
"$WARDLINE" intel feed pull --data-dir "$DATA" >"$WORK/pull-again" 2>&1
check "pulling again raises nothing new" bash -c "! grep -q 'retro-hunt' '$WORK/pull-again'"
"$WARDLINE" audit search --type intel.hit --json --data-dir "$DATA" >"$WORK/hits-audit2.json"
check "the retro-hunt alert is audited once" bash -c "[ \$(grep -c '\"retro_hunt\"' '$WORK/hits-audit2.json') -eq 1 ]"
"$WARDLINE" intel feed remove late --data-dir "$DATA" >/dev/null 2>&1

"$WARDLINE" intel feed remove urlhaus --data-dir "$DATA" >/dev/null 2>&1
"$WARDLINE" intel feed pull --data-dir "$DATA" >"$WORK/pull2" 2>&1
check "a removed feed's indicators are gone after the next pull" grep -q '^compiled 2 indicators' "$WORK/pull2"
check_summary
