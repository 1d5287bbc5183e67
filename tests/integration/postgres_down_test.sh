#!/usr/bin/env bash
# The daemon on PostgreSQL: switching is one config line; when the database
# goes away /readyz answers 503 and the log says so once, clearly.
source "$(dirname "$0")/lib.sh"
PG="$WORK/pg"
"$SRC/scripts/start-postgres.sh" "$PG" >/dev/null || exit 1
URL=$(cat "$PG/url")
trap '"$SRC/scripts/stop-postgres.sh" "$PG"; cleanup' EXIT

printf 'store: %s\n' "$URL" >"$WORK/wardline.yaml"
D="$WORK/data"
"$WARDLINE" db migrate --config "$WORK/wardline.yaml" --data-dir "$D" >"$WORK/out" 2>&1
check "db migrate on PostgreSQL" grep -qE "applied [1-9][0-9]* migration\(s\); schema is at version" "$WORK/out"
"$WARDLINE" db status --json --config "$WORK/wardline.yaml" --data-dir "$D" >"$WORK/out" 2>&1
check "db status --json reports postgres, nothing pending" contains "$WORK/out" '"pending":[],"store":"postgres"'
"$WARDLINE" user add pg.admin --role admin --config "$WORK/wardline.yaml" --data-dir "$D" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user pg.admin --config "$WORK/wardline.yaml" --data-dir "$D" 2>/dev/null)
check "users live in PostgreSQL" bash -c "psql '$URL' -Atc 'SELECT name FROM users' | grep -qx pg.admin"

port=$(free_port)
start_wardline "$WORK/serve.log" --config "$WORK/wardline.yaml" --data-dir "$D" --listen "127.0.0.1:$port" --insecure-http || exit 1
check "readyz 200 while PostgreSQL is up" test "$(curl -s -o /dev/null -w '%{http_code}' "$WL_URL/readyz")" = 200
check "API served from PostgreSQL" bash -c "curl -s -H 'Authorization: Bearer $TOKEN' $WL_URL/api/v1/me | grep -q pg.admin"

"$SRC/scripts/stop-postgres.sh" "$PG"
code=$(curl -s -o "$WORK/ready.json" -w '%{http_code}' "$WL_URL/readyz")
curl -s -o /dev/null "$WL_URL/readyz"
check "readyz 503 when PostgreSQL is down" test "$code" = 503
check "readyz body is a store_unavailable error" contains "$WORK/ready.json" '"code":"store_unavailable"'
check "API answers 503, not a crash" test "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$WL_URL/api/v1/me")" = 503
check "log says the store is unreachable" contains "$WORK/serve.log" "readyz: postgres store unreachable"
check "logged once, not per probe" test "$(grep -c 'readyz: postgres store unreachable' "$WORK/serve.log")" = 1
check "daemon still alive" kill -0 "$WL_PID"
stop_wardline
"$WARDLINE" db status --config "$WORK/wardline.yaml" --data-dir "$D" >"$WORK/out" 2>&1
check "db status with PostgreSQL down: exit 1" test $? -eq 1
check "db status explains the connection failure" contains "$WORK/out" "cannot connect to PostgreSQL"
check_summary
