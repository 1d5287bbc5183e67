#!/usr/bin/env bash
# The audit log from an auditor's chair: signed tree heads checked with
# openssl alone, proofs checked with the database-free merkle tools, and
# tampering done with the sqlite3 shell caught by `audit verify`.
source "$(dirname "$0")/lib.sh"
D="$WORK/data"
"$WARDLINE" user add aud.itor --role auditor --data-dir "$D" >/dev/null 2>&1
"$WARDLINE" user add sec.admin --role admin --data-dir "$D" >/dev/null 2>&1
TOKEN=$("$WARDLINE" token create --user sec.admin --data-dir "$D" 2>/dev/null)
port=$(free_port)
start_wardline "$WORK/serve.log" --data-dir "$D" --listen "127.0.0.1:$port" --insecure-http || exit 1
for i in $(seq 1 20); do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$WL_URL/api/v1/me"; done
curl -s -o /dev/null "$WL_URL/api/v1/users"
stop_wardline

"$WARDLINE" audit verify --data-dir "$D" >"$WORK/verify" 2>&1
check "audit verify passes on an untouched log" bash -c "[ $? -eq 0 ] && grep -q '^OK: ' '$WORK/verify'"
"$WARDLINE" audit search --type 'admin.*' --json --data-dir "$D" >"$WORK/admin.json"
check "CLI admin actions were audited with the local operator as actor" bash -c "grep -q '\"type\":\"admin.user_created\"' '$WORK/admin.json' && grep -q '\"actor\":\"local:' '$WORK/admin.json'"
"$WARDLINE" audit search --type auth.attempt --actor anonymous --data-dir "$D" >"$WORK/anon"
check "the anonymous request was audited as a failed authentication" grep -q "auth.attempt	failure	anonymous" "$WORK/anon"

# The signed tree head, checked with openssl and nothing of Wardline's.
"$WARDLINE" audit sth --data-dir "$D" >"$WORK/sth.json"
"$WARDLINE" audit pubkey --data-dir "$D" >"$WORK/pub.pem"
python3 - "$WORK/sth.json" "$WORK" <<'PY'
import base64, json, struct, sys
sth = json.load(open(sys.argv[1]))
msg = bytes([0, 1]) + struct.pack(">QQ", sth["timestamp"], sth["tree_size"]) + base64.b64decode(sth["sha256_root_hash"])
open(sys.argv[2] + "/sth.msg", "wb").write(msg)
open(sys.argv[2] + "/sth.sig", "wb").write(base64.b64decode(sth["tree_head_signature"]))
PY
check "openssl verifies the tree head's Ed25519 signature" \
  openssl pkeyutl -verify -pubin -inkey "$WORK/pub.pem" -rawin -in "$WORK/sth.msg" -sigfile "$WORK/sth.sig"
size=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tree_size'])" "$WORK/sth.json")
root=$(python3 -c "import json,sys,base64; print(base64.b64decode(json.load(open(sys.argv[1]))['sha256_root_hash']).hex())" "$WORK/sth.json")

# Root recomputed from the raw leaves with the database-free tool.
sqlite3 "$D/wardline.db" "SELECT hex(data) FROM audit_log WHERE seq < $size ORDER BY seq" >"$WORK/leaves.hex"
check "merkle root over the stored leaves equals the signed root" test "$("$WARDLINE" merkle root <"$WORK/leaves.hex")" = "$root"

# An inclusion proof from the log, checked by the independent verifier.
"$WARDLINE" audit prove --index 3 --size "$size" --data-dir "$D" >"$WORK/proof.json"
leaf_hash=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['leaf_hash'])" "$WORK/proof.json")
proof=$(python3 -c "import json,sys; print(json.dumps(json.load(open(sys.argv[1]))['proof']))" "$WORK/proof.json")
"$WARDLINE" merkle verify-inclusion --leaf-hash "$leaf_hash" --index 3 --size "$size" --root "$root" --proof "$proof" >/dev/null
check "audit prove output verifies against the signed root" test $? -eq 0
"$WARDLINE" audit consistency --from 5 --to "$size" --data-dir "$D" >"$WORK/cons.json"
python3 - "$WORK/cons.json" >"$WORK/cons.args" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
print(c["from"], c["to"], c["first_root"], c["second_root"], json.dumps(c["proof"]))
PY
read -r cf ct r1 r2 cproof <"$WORK/cons.args"
"$WARDLINE" merkle verify-consistency --first "$cf" --second "$ct" --first-root "$r1" --second-root "$r2" --proof "$cproof" >/dev/null
check "audit consistency output verifies" test $? -eq 0
check "the consistency proof ends at the signed root" test "$r2" = "$root"

# Tampering with the database is caught and the index named.
cp "$D/wardline.db" "$WORK/pristine.db"
sqlite3 "$D/wardline.db" "UPDATE audit_log SET data = replace(data, 'sec.admin', 'someone.else') WHERE seq = 7"
"$WARDLINE" audit verify --data-dir "$D" >"$WORK/verify" 2>&1
check "a changed row: verify exits 1 and names index 7" bash -c "[ $? -eq 1 ] && grep -q 'FAILED at index 7:' '$WORK/verify'"
cp "$WORK/pristine.db" "$D/wardline.db"
sqlite3 "$D/wardline.db" "DELETE FROM audit_log WHERE seq = 4"
"$WARDLINE" audit verify --data-dir "$D" >"$WORK/verify" 2>&1
check "a deleted row: verify names index 4" grep -q 'FAILED at index 4:' "$WORK/verify"
cp "$WORK/pristine.db" "$D/wardline.db"
"$WARDLINE" audit verify --json --data-dir "$D" >"$WORK/verify.json" 2>&1
check "restored copy verifies again (--json)" grep -q '"ok":true' "$WORK/verify.json"
# Retention: archive, refuse a purge inside six years, purge with a short retention, restore.
"$WARDLINE" audit archive export --end-index 16 --out "$WORK/a.jsonl.zst" --data-dir "$D" >"$WORK/out" 2>&1
check "archive export" contains "$WORK/out" "archived entries 0..15"
"$WARDLINE" audit archive verify "$WORK/a.jsonl.zst" --pubkey "$WORK/pub.pem" >"$WORK/out" 2>&1
check "archive verify (no database, trusted key): exit 0" bash -c "[ $? -eq 0 ] && grep -q '^OK: entries 0..15' '$WORK/out'"
check "the archive is a zstd frame" python3 -c 'import sys; sys.exit(open(sys.argv[1], "rb").read(4) != bytes([0x28, 0xb5, 0x2f, 0xfd]))' "$WORK/a.jsonl.zst"
head -c 300 "$WORK/a.jsonl.zst" >"$WORK/cut.zst"
"$WARDLINE" audit archive verify "$WORK/cut.zst" >"$WORK/out" 2>&1
check "a truncated archive is INVALID (exit 1)" bash -c "[ $? -eq 1 ] && grep -q '^INVALID' '$WORK/out'"
"$WARDLINE" audit purge --end-index 16 --data-dir "$D" >"$WORK/out" 2>&1
check "purge refused within the six-year retention" bash -c "[ $? -eq 1 ] && grep -q 'within the retention period' '$WORK/out'"
printf 'audit:\n  retention: 1s\n' >"$WORK/short.yaml"
sleep 1.2
"$WARDLINE" audit purge --end-index 16 --config "$WORK/short.yaml" --data-dir "$D" >"$WORK/out" 2>&1
check "purge after archiving with a 1s retention" contains "$WORK/out" "purged 16 archived entries before index 16"
check "purged rows are gone" test "$(sqlite3 "$D/wardline.db" 'SELECT count(*) FROM audit_log WHERE seq < 16')" = 0
"$WARDLINE" audit verify --data-dir "$D" >"$WORK/out" 2>&1
check "verify still passes after the purge" bash -c "[ $? -eq 0 ] && grep -q '^OK' '$WORK/out'"
"$WARDLINE" audit archive import "$WORK/a.jsonl.zst" --data-dir "$D" >"$WORK/out" 2>&1
check "archive import restores the entries" contains "$WORK/out" "restored 16 entries"
"$WARDLINE" audit verify --data-dir "$D" >"$WORK/out" 2>&1
check "verify passes after the import" bash -c "[ $? -eq 0 ] && grep -q '^OK' '$WORK/out'"
check_summary
