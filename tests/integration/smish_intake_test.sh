#!/usr/bin/env bash
# Report intake end to end: `wardline smish report`, the Twilio webhook signed
# by an independent implementation (Python's hmac), and rule reloads on SIGHUP
# that reject a bad file and keep the old rules.
source "$(dirname "$0")/lib.sh"
D="$WORK/data"
cp -r "$SRC/rules" "$WORK/rules"
cp "$SRC/examples/organization.yaml" "$SRC/examples/staff.csv" "$WORK/"
printf 'twilio-it-token\n' >"$WORK/twilio.token" && chmod 600 "$WORK/twilio.token"
cat >"$WORK/wardline.yaml" <<YAML
smish:
  rules_dir: $WORK/rules
  organization: $WORK/organization.yaml
  twilio:
    auth_token_file: $WORK/twilio.token
YAML
W=("--config" "$WORK/wardline.yaml" "--data-dir" "$D")

# --- the CLI ---------------------------------------------------------------
"$WARDLINE" user add dana --role reporter "${W[@]}" >/dev/null
"$WARDLINE" user add ana --role analyst "${W[@]}" >/dev/null
ANALYST=$("$WARDLINE" token create --user ana "${W[@]}")
LURE='Payroll: your direct deposit is on hold. Confirm your bank details at hxxps://lakesidemed-workday[.]com/verify'
"$WARDLINE" smish report --reporter dana --sender "+1 415 555 0177" --body "$LURE" --json "${W[@]}" >"$WORK/r1.json" 2>"$WORK/err"
check "smish report exits 0" test $? -eq 0
check "smish report prints the verdict" bash -c "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not (r[\"verdict\"]==\"malicious\" and r[\"duplicate\"] is False and \"payroll_fraud\" in r[\"categories\"]))' '$WORK/r1.json'"
echo "$LURE" | "$WARDLINE" smish report --reporter dana "${W[@]}" >"$WORK/r2.txt" 2>&1
check "the same message again (from stdin) is the same report" bash -c "grep -q 'already reported by dana as $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/r1.json")' '$WORK/r2.txt'"
"$WARDLINE" smish report --reporter nobody --body x "${W[@]}" >/dev/null 2>"$WORK/err"
check "an unknown reporter is a clear error (exit 1)" bash -c "[ $? -eq 1 ] && grep -q \"no user 'nobody'\" '$WORK/err'"
"$WARDLINE" audit search --type smish.report --json "${W[@]}" >"$WORK/audit.json"
check "the report is one audit event, filed by the local operator" bash -c "[ \$(grep -c smish.report '$WORK/audit.json') -eq 1 ] && grep -q '\"actor\":\"local:' '$WORK/audit.json'"

# --- the Twilio webhook ------------------------------------------------------
port=$(free_port)
start_wardline "$WORK/serve.log" "${W[@]}" --listen "127.0.0.1:$port" --insecure-http || exit 1
twilio_post() {  # twilio_post BODY_TEXT FROM SID [TOKEN]: signed like Twilio does, prints the response
  python3 - "$WL_URL/api/v1/intake/twilio" "$1" "$2" "$3" "${4:-twilio-it-token}" <<'PY'
import base64, hashlib, hmac, sys, urllib.parse, urllib.request, urllib.error
url, body, sender, sid, token = sys.argv[1:6]
params = {"MessageSid": sid, "From": sender, "To": "+14155550150", "Body": body}
signed = url + "".join(k + params[k] for k in sorted(params))
sig = base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()
req = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": sig})
try:
    r = urllib.request.urlopen(req)
    print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
PY
}
twilio_post "Epic: your session expired, sign in at hxxps://epic-lakesidemed[.]com/login" "+14155550103" SMa1 >"$WORK/t1"
check "a signed Twilio SMS is answered with TwiML thanking the reporter by name" bash -c "grep -q '^200 <?xml.*<Response><Message>Thanks, Mei. This is' '$WORK/t1'"
twilio_post "Epic: your session expired" "+14155550103" SMa2 wrong-token >"$WORK/t2"
check "a request signed with another token is refused (403)" grep -q '^403 ' "$WORK/t2"

# --- confirming a campaign blocks its domain at once, not at the next pull ----
# (the campaign of the Epic lure: the earlier reports made others, listed in no guaranteed order)
CAMPAIGN=$(curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/campaigns" | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["items"] if "epic-lakesidemed.com" in json.dumps(c)][0])')
curl -s -o /dev/null -H "Authorization: Bearer $ANALYST" -d '{"status":"confirmed"}' "$WL_URL/api/v1/campaigns/$CAMPAIGN/status"
loaded() { curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/intel/export/domains" | grep -c 'epic-lakesidemed.com'; }
# (a loaded CI machine compiles slowly: up to 30 s, usually well under one)
for _ in $(seq 1 300); do [ "$(loaded)" -ge 1 ] && break; sleep 0.1; done
check "the confirmed campaign's domain is on the block list without waiting for the scheduled pull" test "$(loaded)" -ge 1
[ "$(loaded)" -ge 1 ] || { echo "campaign: '$CAMPAIGN'"; tail -n 20 "$WORK/serve.log"; }

# --- rule reload on SIGHUP ----------------------------------------------------
NEW='Claim your purple elephant voucher today'
printf 'lures:\n  - category: elephant_voucher\n    reason: it offers a purple elephant voucher\n    weight: 500\n    phrases: [purple elephant voucher]\n' >"$WORK/rules/zz_new.yaml"
kill -HUP "$WL_PID"
for _ in $(seq 1 50); do grep -q "reload rejected" "$WORK/serve.log" && break; sleep 0.1; done
check "a bad rule file is rejected with file and line" bash -c "grep 'reload rejected' '$WORK/serve.log' | grep -q "zz_new.yaml:4:13: 'weight' must be from 0 to 100""
twilio_post "$NEW" "+14155550104" SMb1 >"$WORK/t3"
categories_of() {  # categories_of REPORTER: the categories of that reporter's report, from the API
  curl -s -H "Authorization: Bearer $ANALYST" "$WL_URL/api/v1/reports" |
    python3 -c 'import json,sys; print(" ".join(c for r in json.load(sys.stdin)["items"] if r["reporter"]==sys.argv[1] for c in r["categories"]) or "none")' "$1"
}
check "the daemon keeps serving with the old rules" bash -c "grep -q '^200 ' '$WORK/t3' && [ -n \"\$0\" ] && [[ \"\$0\" != *elephant_voucher* ]]" "$(categories_of staff:E1004)"
printf 'lures:\n  - category: elephant_voucher\n    reason: it offers a purple elephant voucher\n    weight: 60\n    phrases: [purple elephant voucher]\n' >"$WORK/rules/zz_new.yaml"
kill -HUP "$WL_PID"
for _ in $(seq 1 50); do grep -q "SIGHUP: smishing rules" "$WORK/serve.log" && break; sleep 0.1; done
check "a good rule file is loaded on the next SIGHUP" grep -q "SIGHUP: smishing rules, organisation profile and model reloaded" "$WORK/serve.log"
twilio_post "$NEW" "+14155550105" SMb2 >"$WORK/t4"
check "the new rule applies without a restart" bash -c "grep -q '^200 ' '$WORK/t4' && [[ \"\$0\" == *elephant_voucher* ]]" "$(categories_of staff:E1005)"
stop_wardline
"$WARDLINE" audit search --type 'admin.rules_reloaded' --json "${W[@]}" >"$WORK/reloads.json"
check "both reloads are audit events (one failure, one success)" bash -c "grep -q '\"outcome\":\"failure\"' '$WORK/reloads.json' && grep -q '\"outcome\":\"success\"' '$WORK/reloads.json'"
check "no phone number of a reporter is in the log" bash -c "! grep -q '555010[345]' '$WORK/serve.log'"
check_summary
