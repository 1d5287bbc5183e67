#!/usr/bin/env bash
# SIEM output into a real rsyslog: RFC 5424 with structured data over TCP
# (octet-counted) and CEF over UDP, fields intact.
source "$(dirname "$0")/lib.sh"
RSYSLOGD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSYSLOGD" ] || { echo "rsyslogd not found; run scripts/setup-deps.sh"; exit 1; }

tcp_port=$(free_port)
udp_port=$(free_port)
cat >"$WORK/rsyslog.conf" <<CONF
global(workDirectory="$WORK")
module(load="imtcp")
module(load="imudp")
template(name="fields" type="string"
         string="%msgid%|%app-name%|%syslogseverity%|%structured-data%|%msg%\n")
ruleset(name="tcp") { action(type="omfile" file="$WORK/tcp.log" template="fields") }
ruleset(name="udp") { action(type="omfile" file="$WORK/udp.log" template="fields") }
input(type="imtcp" address="127.0.0.1" port="$tcp_port" ruleset="tcp")
input(type="imudp" address="127.0.0.1" port="$udp_port" ruleset="udp")
CONF
"$RSYSLOGD" -N1 -f "$WORK/rsyslog.conf" >"$WORK/rsyslog-check.log" 2>&1 || { cat "$WORK/rsyslog-check.log"; exit 1; }
"$RSYSLOGD" -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslogd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$tcp_port) 2>/dev/null && break
  sleep 0.1
done

cat >"$WORK/wardline.yaml" <<YAML
siem:
  sinks:
    - {name: rsyslog-tcp, type: syslog, transport: tcp, host: 127.0.0.1, port: $tcp_port, format: rfc5424}
    - {name: rsyslog-udp, type: syslog, transport: udp, host: 127.0.0.1, port: $udp_port, format: cef}
YAML
D="$WORK/data"
"$WARDLINE" user add sec.admin --role admin --data-dir "$D" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user sec.admin --data-dir "$D" 2>/dev/null)
port=$(free_port)
start_wardline "$WORK/serve.log" --config "$WORK/wardline.yaml" --data-dir "$D" --listen "127.0.0.1:$port" --insecure-http || exit 1
curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/me"
curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"nurse.lee","role":"reporter"}' "http://127.0.0.1:$port/api/v1/users"
stop_wardline
for _ in $(seq 1 50); do
  grep -q "system.stop" "$WORK/tcp.log" 2>/dev/null && grep -q "admin.user_created" "$WORK/udp.log" 2>/dev/null && break
  sleep 0.1
done

failure_line=$(grep '^auth.attempt|' "$WORK/tcp.log" | grep 'outcome="failure"' | head -n 1)
check "TCP: auth failure arrived with its MSGID and app name" test -n "$failure_line"
check "TCP: structured data intact (actor, reason, route)" bash -c "grep -F 'actor=\"anonymous\"' <<<'$failure_line' | grep -F 'reason=\"no bearer token\"' | grep -qF 'route=\"GET /api/v1/me\"'"
check "TCP: severity warning (4) for a failure" bash -c "cut -d'|' -f3 <<<'$failure_line' | grep -qx 4"
check "TCP: admin action arrived" bash -c "grep '^admin.user_created|wardline|' '$WORK/tcp.log' | grep -q 'subject=\"nurse.lee\"'"
check "TCP: every event framed correctly (system.start to system.stop)" bash -c "grep -q '^system.start|' '$WORK/tcp.log' && grep -q '^system.stop|' '$WORK/tcp.log'"
check "TCP: signed tree heads reach the SIEM (audit.sth with the head's JSON)" bash -c "grep '^audit.sth|wardline|' '$WORK/tcp.log' | grep -q 'tree_head_signature'"
check "UDP: CEF payload with escaped fields" bash -c "grep -F 'CEF:0|Wardline|Wardline|1.0|admin.user_created|' '$WORK/udp.log' | grep -q 'duser=nurse.lee'"
check "UDP: CEF carries the source address" bash -c "grep -F 'auth.attempt' '$WORK/udp.log' | grep -q 'src=127.0.0.1'"
check "rsyslog logged no parse errors" bash -c "! grep -qi 'error' '$WORK/rsyslogd.log'"
# TLS (RFC 5425) into a second rsyslogd using its OpenSSL driver, with a CA of the test's own.
tls_port=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca.key" -out "$WORK/ca.pem" \
  -subj /CN=test-ca -days 1 >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/srv.key" -out "$WORK/srv.csr" \
  -subj /CN=localhost >/dev/null 2>&1
printf 'subjectAltName=DNS:localhost\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/srv.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 1 \
  -extfile "$WORK/san.ext" -out "$WORK/srv.pem" >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/other.key" -out "$WORK/other-ca.pem" \
  -subj /CN=other-ca -days 1 >/dev/null 2>&1
mkdir -p "$WORK/tlswork"
cat >"$WORK/rsyslog-tls.conf" <<CONF
global(workDirectory="$WORK/tlswork" defaultNetstreamDriver="ossl"
       defaultNetstreamDriverCAFile="$WORK/ca.pem" defaultNetstreamDriverCertFile="$WORK/srv.pem"
       defaultNetstreamDriverKeyFile="$WORK/srv.key")
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1" streamDriver.authMode="anon")
template(name="fields" type="string" string="%msgid%|%app-name%|%syslogseverity%|%structured-data%|%msg%\n")
ruleset(name="tls") { action(type="omfile" file="$WORK/tls.log" template="fields") }
input(type="imtcp" address="127.0.0.1" port="$tls_port" ruleset="tls")
CONF
"$RSYSLOGD" -n -f "$WORK/rsyslog-tls.conf" -i "$WORK/rsyslog-tls.pid" >"$WORK/rsyslogd-tls.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$tls_port) 2>/dev/null && break
  sleep 0.1
done
cat >"$WORK/wardline-tls.yaml" <<YAML
siem:
  sinks:
    - {name: rsyslog-tls, type: syslog, transport: tls, host: localhost, port: $tls_port, ca_file: $WORK/ca.pem}
    - {name: wrong-ca, type: syslog, transport: tls, host: localhost, port: $tls_port, ca_file: $WORK/other-ca.pem}
YAML
start_wardline "$WORK/serve-tls.log" --config "$WORK/wardline-tls.yaml" --data-dir "$D" --listen "127.0.0.1:$port" --insecure-http || exit 1
curl -s -o /dev/null "http://127.0.0.1:$port/api/v1/users"
curl -s "http://127.0.0.1:$port/metrics" >"$WORK/metrics-tls"
stop_wardline
for _ in $(seq 1 50); do grep -q "system.stop" "$WORK/tls.log" 2>/dev/null && break; sleep 0.1; done
check "TLS: events arrive over RFC 5425 with fields intact" bash -c "grep '^auth.attempt|wardline|' '$WORK/tls.log' | grep -q 'route=\"GET /api/v1/users\"'"
check "TLS: a collector certificate from the wrong CA is refused" contains "$WORK/serve-tls.log" "siem sink 'wrong-ca': TLS handshake with syslog collector localhost:$tls_port failed"
check "TLS: refused deliveries show in /metrics" bash -c "grep -qE '^wardline_siem_write_failures_total\{sink=\"wrong-ca\"\} [1-9]' '$WORK/metrics-tls'"

[ "$FAILED" -eq 0 ] || { echo "--- tcp.log"; cat "$WORK/tcp.log"; echo "--- udp.log"; cat "$WORK/udp.log"; }
check_summary
