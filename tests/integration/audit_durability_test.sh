#!/usr/bin/env bash
# The audit log under stress: two daemons appending to one PostgreSQL log,
# kill -9 in the middle of a load, and a store that turns read-only.
source "$(dirname "$0")/lib.sh"
PG="$WORK/pg"
"$SRC/scripts/start-postgres.sh" "$PG" >/dev/null || exit 1
URL=$(cat "$PG/url")
trap '"$SRC/scripts/stop-postgres.sh" "$PG"; cleanup' EXIT

# load URL N OUT: N sequential authenticated requests with unique request ids;
# writes "request-id http-code" lines to OUT.
load() {
  local url=$1 n=$2 out=$3 tag=$RANDOM$RANDOM
  for i in $(seq 1 "$n"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H "X-Request-Id: load-$tag-$i" "$url/api/v1/me")
    echo "load-$tag-$i $code" >>"$out"
  done
}

# --- two daemons, one PostgreSQL log
printf 'store: %s\naudit: {sth_every_entries: 25}\n' "$URL" >"$WORK/pg.yaml"
PGD="$WORK/pgdata"
"$WARDLINE" user add load.admin --role admin --config "$WORK/pg.yaml" --data-dir "$PGD" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user load.admin --config "$WORK/pg.yaml" --data-dir "$PGD" 2>/dev/null)
pa=$(free_port)
start_wardline "$WORK/a.log" --config "$WORK/pg.yaml" --data-dir "$PGD" --listen "127.0.0.1:$pa" --insecure-http || exit 1
A_PID=$WL_PID
pb=$(free_port)
start_wardline "$WORK/b.log" --config "$WORK/pg.yaml" --data-dir "$PGD" --listen "127.0.0.1:$pb" --insecure-http || exit 1
B_PID=$WL_PID
for w in 1 2 3 4; do
  if [ $((w % 2)) -eq 0 ]; then load "http://127.0.0.1:$pa" 40 "$WORK/pg-load" & else load "http://127.0.0.1:$pb" 40 "$WORK/pg-load" & fi
done
wait $(jobs -p | grep -v -e "$A_PID" -e "$B_PID") 2>/dev/null
kill -TERM "$A_PID" "$B_PID"; wait "$A_PID" "$B_PID" 2>/dev/null
ok_requests=$(grep -c ' 200$' "$WORK/pg-load")
check "all 160 requests across both daemons succeeded" test "$ok_requests" = 160
"$WARDLINE" audit verify --config "$WORK/pg.yaml" --data-dir "$PGD" >"$WORK/verify" 2>&1
check "audit verify passes after two daemons appended at once" bash -c "[ $? -eq 0 ] && grep -q '^OK' '$WORK/verify'"
recorded=$(psql "$URL" -Atc "SELECT count(*) FROM audit_log WHERE data LIKE '%\"request_id\":\"load-%'")
check "every request is one audit entry ($recorded)" test "$recorded" = 160
check "both daemons signed tree heads into the shared log" \
  test "$(psql "$URL" -Atc 'SELECT count(*) FROM audit_sth')" -ge 4

# --- kill -9 during a load (SQLite): every acknowledged event survives
SQ="$WORK/sqdata"
"$WARDLINE" user add crash.admin --role admin --data-dir "$SQ" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user crash.admin --data-dir "$SQ" 2>/dev/null)
port=$(free_port)
start_wardline "$WORK/crash.log" --data-dir "$SQ" --listen "127.0.0.1:$port" --insecure-http || exit 1
for w in 1 2 3 4; do load "http://127.0.0.1:$port" 100000 "$WORK/crash-load-$w" & done
sleep 2
kill -9 "$WL_PID"
wait "$WL_PID" 2>/dev/null
sleep 0.5
for j in $(jobs -p); do kill "$j" 2>/dev/null; done
wait 2>/dev/null
cat "$WORK"/crash-load-* | awk '$2 == 200 {print $1}' | sort >"$WORK/acked"
sqlite3 "$SQ/wardline.db" "SELECT data FROM audit_log" | grep -o '"request_id":"load-[0-9]*-[0-9]*"' | cut -d'"' -f4 | sort >"$WORK/stored"
acked=$(wc -l <"$WORK/acked")
check "the load was under way when killed ($acked acknowledged)" test "$acked" -gt 20
check "every acknowledged request is in the audit log after kill -9" bash -c "[ -z \"\$(comm -23 '$WORK/acked' '$WORK/stored')\" ]"
"$WARDLINE" audit verify --data-dir "$SQ" >"$WORK/verify" 2>&1
check "audit verify passes after the crash" bash -c "[ $? -eq 0 ] && grep -q '^OK' '$WORK/verify'"
start_wardline "$WORK/crash2.log" --data-dir "$SQ" --listen "127.0.0.1:$port" --insecure-http || exit 1
check "the daemon restarts after kill -9" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$WL_URL/api/v1/me")" = 200
stop_wardline

# --- a store that turns read-only: actions fail rather than go unrecorded
TOKEN=$("$WARDLINE" token create --user load.admin --config "$WORK/pg.yaml" --data-dir "$PGD" 2>/dev/null)
start_wardline "$WORK/ro.log" --config "$WORK/pg.yaml" --data-dir "$PGD" --listen "127.0.0.1:$pa" --insecure-http || exit 1
db=${URL##*/}
psql "$URL" -qAtc "ALTER DATABASE $db SET default_transaction_read_only = on" >/dev/null
psql "$URL" -qAtc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
code=""
for _ in $(seq 1 10); do
  code=$(curl -s -o "$WORK/ro.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"unrecorded","role":"admin"}' "$WL_URL/api/v1/users")
  grep -q audit_unavailable "$WORK/ro.json" && break
done
check "read-only store: the action is refused with 503" test "$code" = 503
check "read-only store: the answer says the audit log is unavailable" contains "$WORK/ro.json" '"code":"audit_unavailable"'
check "read-only store: the log explains why" contains "$WORK/ro.log" "audit write failed, refusing the action"
psql "$URL" -qAt -c "SET default_transaction_read_only = off" -c "ALTER DATABASE $db SET default_transaction_read_only = off" >/dev/null
check "read-only store: the user was not created" test "$(psql "$URL" -Atc "SELECT count(*) FROM users WHERE name = 'unrecorded'")" = 0
stop_wardline
check_summary
