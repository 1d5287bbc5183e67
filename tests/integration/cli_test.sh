#!/usr/bin/env bash
# The wardline CLI end to end: help and exit codes, config check, users and
# tokens, the daemon answering with them, key rotation, graceful shutdown.
source "$(dirname "$0")/lib.sh"
D="$WORK/data"

"$WARDLINE" --help >"$WORK/help" 2>&1
check "--help exits 0" test $? -eq 0
for cmd in serve config db user token keys; do
  check "--help lists '$cmd' with a description" grep -qE "^  $cmd +[A-Z]" "$WORK/help"
done
"$WARDLINE" >/dev/null 2>&1
check "no subcommand is a usage error (exit 2)" test $? -eq 2
"$WARDLINE" user add --bogus >/dev/null 2>&1
check "unknown flag is a usage error (exit 2)" test $? -eq 2

# config check
printf 'listen: 127.0.0.1:9443\nhttp:\n  max_body_bytes: 2048\n' >"$WORK/good.yaml"
"$WARDLINE" config check "$WORK/good.yaml" >"$WORK/out" 2>&1
check "config check accepts a valid file" test $? -eq 0
printf 'listen: 127.0.0.1:9443\nhttp:\n  max_body_byte: 2048\n' >"$WORK/bad.yaml"
"$WARDLINE" config check "$WORK/bad.yaml" >"$WORK/out" 2>&1
rc=$?
check "config check fails on an unknown key (exit 1)" test $rc -eq 1
check "config check names the key with line and column" contains "$WORK/out" "bad.yaml:3:3: unknown key 'http.max_body_byte'"

# users and tokens
"$WARDLINE" user add alice --role admin --display-name "Alice Admin" --data-dir "$D" >/dev/null 2>&1
check "user add" test $? -eq 0
"$WARDLINE" user add alice --role admin --data-dir "$D" >"$WORK/out" 2>&1
check "duplicate user fails (exit 1)" test $? -eq 1
check "duplicate user error says why" contains "$WORK/out" "already exists"
"$WARDLINE" user add bob --role superuser --data-dir "$D" >"$WORK/out" 2>&1
check "unknown role fails with the list of roles" contains "$WORK/out" "admin, analyst, auditor, reporter, service"
"$WARDLINE" user add nurse.kim --role reporter --phone "+1 617 555 0142" --data-dir "$D" >/dev/null 2>&1
"$WARDLINE" token create --user alice --ttl 1d --data-dir "$D" >"$WORK/token" 2>"$WORK/token.err"
check "token create exits 0" test $? -eq 0
check "token create prints the token alone on stdout" bash -c "[ \$(wc -l <'$WORK/token') -eq 1 ] && grep -qE '^wl_[A-Za-z0-9_-]{43}$' '$WORK/token'"
TOKEN=$(cat "$WORK/token")
"$WARDLINE" token create --user nobody --data-dir "$D" >/dev/null 2>&1
check "token for unknown user fails" test $? -eq 1
"$WARDLINE" user list --json --data-dir "$D" >"$WORK/users.json"
check "user list --json prints one JSON record per user" bash -c "[ \$(grep -c '\"name\"' '$WORK/users.json') -eq 2 ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' '$WORK/users.json'"
"$WARDLINE" db status --data-dir "$D" >"$WORK/out" 2>&1
check "db status: up to date" contains "$WORK/out" "up to date"
check "phone number not stored in clear" bash -c "! grep -rq '555 0142' '$D'"

# keys rotate re-encrypts sensitive fields
old_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["active"])' "$D/keys/data-keys.json")
"$WARDLINE" keys rotate --data-dir "$D" >"$WORK/out" 2>&1
check "keys rotate re-encrypts the phone number" contains "$WORK/out" "re-encrypted 1 value(s)"
new_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["active"])' "$D/keys/data-keys.json")
check "keys rotate makes a new key active" test "$old_key" != "$new_key"
check "key file is mode 600" test "$(stat -c %a "$D/keys/data-keys.json")" = 600

# the daemon, with a JSON-lines sink
cat >"$WORK/wardline.yaml" <<YAML
siem:
  sinks:
    - {name: events, type: jsonl, path: $WORK/events.jsonl}
YAML
port=$(free_port)
start_wardline "$WORK/serve.log" --config "$WORK/wardline.yaml" --data-dir "$D" --listen "127.0.0.1:$port" || exit 1
CURL=(curl -s --cacert "$D/tls/ca.pem")
check "GET /api/v1/me with the CLI-made token" bash -c "$(printf '%q ' "${CURL[@]}") -H 'Authorization: Bearer $TOKEN' https://127.0.0.1:$port/api/v1/me | grep -q '\"name\":\"alice\"'"
code=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/api/v1/users")
check "no token: 401" test "$code" = 401
"${CURL[@]}" -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$port/api/v1/users" >"$WORK/list"
check "phone shown masked over the API" contains "$WORK/list" '"phone":"***0142"'

# Graceful shutdown: a slow upload in flight when SIGTERM arrives still gets its answer.
head -c 300000 /dev/zero | tr '\0' ' ' >"$WORK/slow-body"
"${CURL[@]}" --limit-rate 100K -o "$WORK/slow-reply" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' --data-binary @"$WORK/slow-body" "https://127.0.0.1:$port/api/v1/users" >"$WORK/slow-code" &
slow=$!
sleep 1
stop_wardline
rc=$?
wait $slow
check "SIGTERM: daemon exits 0" test $rc -eq 0
check "SIGTERM: the in-flight request was answered" test "$(cat "$WORK/slow-code")" = 400
check "SIGTERM: logged" contains "$WORK/serve.log" "received SIGTERM, finishing in-flight requests"
check "sink flushed on shutdown (system.stop in events.jsonl)" contains "$WORK/events.jsonl" '"type":"system.stop"'
check "auth failure recorded as a security event" bash -c "grep '\"type\":\"auth.attempt\"' '$WORK/events.jsonl' | grep -q '\"outcome\":\"failure\"'"
check "token never in the event log" bash -c "! grep -qF '$TOKEN' '$WORK/events.jsonl' '$WORK/serve.log'"
check "phone never in the log or events" bash -c "! grep -q '555 0142' '$WORK/events.jsonl' '$WORK/serve.log'"

# listening on a taken port is a clear error
# The holder picks its own port (a port chosen first could be taken by a
# parallel test before it binds), and `timeout` keeps a serve that did bind
# from hanging the suite.
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(10)" >"$WORK/busy.port" &
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$WORK/busy.port" ] && break; sleep 0.1; done
nc_port=$(cat "$WORK/busy.port")
timeout 10 "$WARDLINE" serve --data-dir "$D" --listen "127.0.0.1:$nc_port" >"$WORK/busy.log" 2>&1
check "port in use: exit 1 with a clear message" bash -c "[ $? -eq 1 ] && grep -q 'cannot listen on 127.0.0.1:$nc_port' '$WORK/busy.log'"
check_summary
