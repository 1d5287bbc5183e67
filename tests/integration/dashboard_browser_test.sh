#!/usr/bin/env bash
# The dashboard end to end in Debian's Chromium (Playwright, installed here
# from the npm registry into the build tree, once): passkey enrollment and
# sign-in with Chromium's virtual authenticator, CSRF refusal, an analyst
# confirming a campaign, a full wipe needing a second administrator, an
# auditor who cannot change anything, screenshots of every page.
# Screenshots are kept in build/e2e-artifacts/.
source "$(dirname "$0")/lib.sh"
ARTIFACTS="$(dirname "$WARDLINE")/e2e-artifacts"
install_playwright || exit 1
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS"

# --- daemon on http://localhost (browsers treat it as a secure context) -----
# The MDM that receives the wipe: a webhook receiver over TLS that checks signatures.
start_mdm_receiver

PORT=$(free_port)
ORIGIN="http://localhost:$PORT"
DATA="$WORK/data"
mkdir -p "$DATA"
cat >"$WORK/wardline.yaml" <<YAML
data_dir: $DATA
listen: 127.0.0.1:$PORT
console:
  origin: $ORIGIN
response:
  connectors:
    - name: default
      type: webhook
      base_url: https://127.0.0.1:$MDM_PORT/mdm
      secret_file: $WORK/mdm.secret
      ca_file: $WORK/mdm-cert.pem
YAML
wl() { "$WARDLINE" "$@" --config "$WORK/wardline.yaml"; }
for u in admin1:admin admin2:admin analyst:analyst auditor:auditor; do
  wl user add "${u%%:*}" --role "${u##*:}" --display-name "Test ${u%%:*}" >/dev/null || exit 1
done
sed -e "s/@NOW@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/" -e "s/@PATCH@/$(date -u +%Y-%m-01)/" "$SRC/examples/devices.json" >"$WORK/devices.json"
wl devices import --source json "$WORK/devices.json" >/dev/null || exit 1
TOKEN=$(wl token create --user admin1 --ttl 1h 2>/dev/null)
start_wardline "$WORK/serve.log" --config "$WORK/wardline.yaml" --listen "127.0.0.1:$PORT" --insecure-http || exit 1
api() { curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
for n in 1 2 3; do
  api -d "{\"channel\":\"sms\",\"body\":\"Your Epic session expired. Sign in to keep access: https://lakesidemed-epic.com/login?r=$n\"}" \
    "$WL_URL/api/v1/reports" >/dev/null
done
CAMPAIGN_ID=$(api "$WL_URL/api/v1/campaigns" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
DEVICE_ID=$(python3 -c 'import json,sys; print(next(d["id"] for d in json.load(open(sys.argv[1]))["devices"] if d["ownership"]=="corporate" and d["management"]=="mdm"))' "$WORK/devices.json")
check "the campaign and device exist" test -n "$CAMPAIGN_ID" -a -n "$DEVICE_ID"

link() { wl user enroll-link "$1" 2>/dev/null; }
LINK_ADMIN1=$(link admin1)
check "enroll-link prints ORIGIN/enroll#TOKEN" bash -c "[[ '$LINK_ADMIN1' == $ORIGIN/enroll#* ]]"
check "enroll-link for an unknown user fails with a clear message" bash -c "'$WARDLINE' user enroll-link nobody --config '$WORK/wardline.yaml' 2>&1 | grep -q \"no user named 'nobody'\""

WL_ORIGIN="$ORIGIN" ARTIFACTS="$ARTIFACTS" CAMPAIGN_ID="$CAMPAIGN_ID" DEVICE_ID="$DEVICE_ID" \
  LINK_ADMIN1="$LINK_ADMIN1" LINK_ADMIN2="$(link admin2)" LINK_ANALYST="$(link analyst)" LINK_AUDITOR="$(link auditor)" \
  timeout 240 node "$SRC/tests/e2e/dashboard.mjs" >"$WORK/e2e.out" 2>&1
E2E_RC=$?
cat "$WORK/e2e.out"
check "the browser scenario passed" test "$E2E_RC" -eq 0
check "screenshots of every page were saved" bash -c "[ \$(ls '$ARTIFACTS'/page-*.png | wc -l) -eq 11 ]"

check "the MDM received the approved full wipe" grep -q "\"device\": *\"$DEVICE_ID\".*wipe\|wipe.*\"device\": *\"$DEVICE_ID\"" "$WORK/mdm.log"

# --- the sign-in endpoints take only the dashboard's own JSON ------------------
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "a sign-in POST that is not JSON is refused (415)" \
  test "$(code -H 'Content-Type: text/plain' -d '{}' "$WL_URL/api/v1/console/sign-in/options")" = 415
check "a sign-in POST from another site's page is refused (403)" \
  test "$(code -H 'Content-Type: application/json' -H 'Origin: https://evil.example' -d '{}' "$WL_URL/api/v1/console/sign-in")" = 403

# --- what the audit log says ------------------------------------------------
stop_wardline
wl user passkeys admin1 >"$WORK/passkeys.txt"
check "user passkeys lists admin1's passkey (ES256, the virtual authenticator's)" grep -q ' ES256 ' "$WORK/passkeys.txt"
PASSKEY=$(awk 'NR==2 {print $1}' "$WORK/passkeys.txt")
# '--': a base64url id may begin with '-'.
check "user remove-passkey removes it" bash -c "'$WARDLINE' user remove-passkey admin1 --config '$WORK/wardline.yaml' -- '${PASSKEY:0:12}' | grep -q 'removed passkey'"
check "admin1 has no passkey left" test "$(wl user passkeys admin1 | wc -l)" -eq 1
check "the removal is an audit event" bash -c "'$WARDLINE' audit search --type admin.passkey_removed --json --config '$WORK/wardline.yaml' | grep -q admin1"
events() { wl audit search --type "$1" --json 2>/dev/null; }
check "four passkeys registered, each an audit event" bash -c "[ \$('$WARDLINE' audit search --type admin.passkey_registered --json --config '$WORK/wardline.yaml' | grep -c '\"type\"') -eq 4 ]"
events auth.attempt >"$WORK/auth.json"
check "passkey sign-ins are audited with method passkey" contains "$WORK/auth.json" '"method":"passkey"'
check "dashboard requests are audited as passkey sessions" contains "$WORK/auth.json" '"method":"passkey_session"'
check "the CSRF-less POST is an audit event" bash -c "'$WARDLINE' audit search --type auth.csrf_refused --json --config '$WORK/wardline.yaml' | grep -q csrf"
check "sign out everywhere is an audit event" bash -c "'$WARDLINE' audit search --type auth.sign_out --json --config '$WORK/wardline.yaml' | grep -q everywhere"
check "the audit log verifies" wl audit verify
check_summary
