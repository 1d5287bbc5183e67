#!/usr/bin/env bash
# The daemon's TLS policy seen from a real client (openssl s_client):
# TLS 1.0 and 1.1 refused, 1.2 and 1.3 accepted, AEAD ciphers only, and the
# local CA created on first start with its fingerprint printed.
source "$(dirname "$0")/lib.sh"

port=$(free_port)
start_wardline "$WORK/serve.log" --data-dir "$WORK/data" --listen "127.0.0.1:$port" || exit 1

handshake() {  # handshake OUT ARGS...: 0 when a session was established
  local out=$1
  shift
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$WORK/data/tls/ca.pem" "$@" </dev/null >"$out" 2>&1 &&
    grep -q "Verify return code: 0 (ok)" "$out"
}
refused() { ! handshake "$@"; }
# SECLEVEL=0 lets the client offer old protocols: a refusal must come from the server.
check "TLS 1.0 handshake refused" refused $WORK/t10 -tls1 -cipher DEFAULT:@SECLEVEL=0
check "TLS 1.0 refusal is a protocol-version alert" grep -qiE "protocol version|unsupported protocol|no protocols available" "$WORK/t10"
check "TLS 1.1 handshake refused" refused $WORK/t11 -tls1_1 -cipher DEFAULT:@SECLEVEL=0
check "TLS 1.2 handshake succeeds" handshake "$WORK/t12" -tls1_2
check "TLS 1.2 negotiates an ECDHE AEAD suite" grep -qE "Cipher is ECDHE-ECDSA-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)" "$WORK/t12"
check "TLS 1.2 without compression" grep -q "Compression: NONE" "$WORK/t12"
check "TLS 1.3 handshake succeeds" handshake "$WORK/t13" -tls1_3
check "TLS 1.3 protocol reported" grep -q "TLSv1.3" "$WORK/t13"
check "CBC-only client refused" refused $WORK/cbc -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA

fp=$(openssl x509 -in "$WORK/data/tls/ca.pem" -noout -fingerprint -sha256 | cut -d= -f2)
check "start-up log prints the CA path and its SHA-256 fingerprint" contains "$WORK/serve.log" "$WORK/data/tls/ca.pem (SHA-256 fingerprint $fp"
check "server certificate verifies against the local CA for localhost" \
  bash -c "curl -s --cacert $WORK/data/tls/ca.pem https://localhost:$port/healthz | grep -q ok"
check "CA key is private (mode 600)" test "$(stat -c %a "$WORK/data/tls/ca.key")" = 600
stop_wardline

# tls.min_version: "1.3" refuses TLS 1.2.
cat >"$WORK/tls13.yaml" <<YAML
tls:
  min_version: "1.3"
YAML
start_wardline "$WORK/serve13.log" --config "$WORK/tls13.yaml" --data-dir "$WORK/data" --listen "127.0.0.1:$port" || exit 1
check "min_version 1.3: TLS 1.2 refused" refused $WORK/m12 -tls1_2
check "min_version 1.3: TLS 1.3 accepted" handshake "$WORK/m13" -tls1_3
check "existing CA reused on restart" bash -c "! grep -q 'created now' $WORK/serve13.log"
stop_wardline

# Plain HTTP only on request, with a warning.
start_wardline "$WORK/http.log" --data-dir "$WORK/data" --listen "127.0.0.1:$port" --insecure-http || exit 1
check "--insecure-http serves plain HTTP" bash -c "curl -s http://127.0.0.1:$port/healthz | grep -q ok"
check "--insecure-http logs a warning" contains "$WORK/http.log" "TLS is OFF"
stop_wardline
check_summary
