#!/usr/bin/env bash
# `wardline smish classify` exactly as analysts (and the evaluation harness)
# call it: TSV or JSON lines in, one JSON object per record out, in order.
source "$(dirname "$0")/lib.sh"
printf 'id\tsender\ttext\tnote\n' >"$WORK/in.tsv"
printf 'm1\t+15550100\tYour Epic session expired. Sign in to restore access: hxxps://lakesidemed-epic[.]com/login\tx\n' >>"$WORK/in.tsv"
printf 'm2\t\tRunning late, save me a seat at grand rounds\t\n' >>"$WORK/in.tsv"
printf 'm3\t\tThis is IT. Reply with the code we just sent to keep your account active\t\n' >>"$WORK/in.tsv"
"$WARDLINE" smish classify --input "$WORK/in.tsv" >"$WORK/out.jsonl" 2>"$WORK/err"
check "classify exits 0" test $? -eq 0
check "one line per record, in order" bash -c "[ \$(wc -l <'$WORK/out.jsonl') -eq 3 ] && python3 -c '
import json,sys
ids=[json.loads(l)[\"id\"] for l in open(sys.argv[1])]
sys.exit(ids != [\"m1\",\"m2\",\"m3\"])' '$WORK/out.jsonl'"
check "keys in the documented order" bash -c "head -1 '$WORK/out.jsonl' | grep -q '^{\"id\":\"m1\",\"verdict\":\"[a-z]*\",\"class\":\"[a-z]*\",\"score\":[0-9]*,\"categories\":\[.*\],\"reasons\":\[.*\],\"urls\":\[.*\]}$'"
check "the look-alike EHR lure is malicious" bash -c "sed -n 1p '$WORK/out.jsonl' | grep -q '\"verdict\":\"malicious\"'"
check "its link is shown defanged" bash -c "sed -n 1p '$WORK/out.jsonl' | grep -qF 'hxxps://lakesidemed-epic[.]com/login'"
check "its reason names the imitated domain" bash -c "sed -n 1p '$WORK/out.jsonl' | grep -q 'imitates lakesidemed.org'"
check "the ordinary message is benign" bash -c "sed -n 2p '$WORK/out.jsonl' | grep -q '\"verdict\":\"benign\"'"
check "the code-theft message is flagged" bash -c "sed -n 3p '$WORK/out.jsonl' | grep -qE '\"verdict\":\"(malicious|suspicious)\"'"

printf '{"id": 7, "text": "USPS: parcel held, pay fee at usps-redelivery.top/pay"}\n{"id":"b","text":"see you at 5"}\n' >"$WORK/in.jsonl"
"$WARDLINE" smish classify --input "$WORK/in.jsonl" >"$WORK/out2.jsonl"
check "JSON lines input works too" bash -c "[ \$(wc -l <'$WORK/out2.jsonl') -eq 2 ] && head -1 '$WORK/out2.jsonl' | grep -q 'brand_impersonation'"
printf 'id\tbody\n1\thello\n' >"$WORK/bad.tsv"
"$WARDLINE" smish classify --input "$WORK/bad.tsv" >/dev/null 2>"$WORK/err"
check "a TSV without a text column is a clear error (exit 1)" bash -c "[ $? -eq 1 ] && grep -q \"must name the columns 'text'\" '$WORK/err'"
"$WARDLINE" smish classify --input "$WORK/in.tsv" --org /nonexistent.yaml >/dev/null 2>"$WORK/err"
check "a missing organisation profile is a clear error" grep -q "nonexistent.yaml" "$WORK/err"
# `wardline smish cluster`: same input contract, one {"id","campaign"} per record, in order.
printf 'id\ttext\tsender\ttime\n' >"$WORK/camp.tsv"
printf 'a\tHi Dana, your Epic access expires today. Re-verify at https://epic-a1.top/login ref 3381\t+14155550177\t1764316800\n' >>"$WORK/camp.tsv"
printf 'b\tRunning late, start the huddle without me\t\t1764316900\n' >>"$WORK/camp.tsv"
printf 'c\tHi Luis, your Epic access expires today. Re-verify at https://epic-b7.top/login ref 9912\t+13125550111\t1764317000\n' >>"$WORK/camp.tsv"
printf 'd\tToll notice: pay now at https://pay.ezpass-balance.top/a\t\t\n' >>"$WORK/camp.tsv"
printf 'e\tFinal reminder before penalties https://www.ezpass-balance.top/b\t\t\n' >>"$WORK/camp.tsv"
"$WARDLINE" smish cluster --input "$WORK/camp.tsv" >"$WORK/camp.jsonl" 2>"$WORK/camp.err"
check "cluster exits 0" test $? -eq 0
check "cluster prints one line per record, in order, with exactly id and campaign" python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not ([r["id"] for r in rows] == list("abcde") and all(list(r) == ["id", "campaign"] for r in rows)))' "$WORK/camp.jsonl"
check "copies of one lure share a campaign; other messages do not" python3 -c '
import json, sys
c = {r["id"]: r["campaign"] for r in map(json.loads, open(sys.argv[1]))}
sys.exit(not (c["a"] == c["c"] and c["d"] == c["e"] and len({c["a"], c["b"], c["d"]}) == 3))' "$WORK/camp.jsonl"
check "cluster prints a summary on stderr" grep -q "clustered 5 messages into 3 campaigns" "$WORK/camp.err"
printf '{"id":1,"text":"x y z","time":"12"}\n{"id":2,"text":"x y z"}\n' >"$WORK/camp.jsonl.in"
"$WARDLINE" smish cluster --input "$WORK/camp.jsonl.in" >"$WORK/camp2.jsonl" 2>/dev/null
check "cluster reads JSON lines too" bash -c "[ \$(cut -d'\"' -f6 '$WORK/camp2.jsonl' | sort -u | wc -l) -eq 1 ]"
printf 'id\ttext\ttime\n1\thello\tyesterday\n' >"$WORK/badtime.tsv"
"$WARDLINE" smish cluster --input "$WORK/badtime.tsv" >/dev/null 2>"$WORK/err"
check "a bad time is a clear error naming the line" grep -q "badtime.tsv:2: 'time' must be Unix seconds" "$WORK/err"

# Hospital-specific messages (ours, written from the source document's
# scenarios): lures and hard negatives such as delivered one-time codes and IT
# notices on our own domains. A quality gate, not a timing assertion.
awk -F'\t' 'NR==1{print "id\tsender\ttext"; next}{print $1"\t"$3"\t"$4}' "$SRC/tests/data/hospital_messages.tsv" >"$WORK/hospital.tsv"
"$WARDLINE" smish classify --input "$WORK/hospital.tsv" >"$WORK/hospital.jsonl"
python3 - "$SRC/tests/data/hospital_messages.tsv" "$WORK/hospital.jsonl" >"$WORK/hospital.txt" <<'PY'
import json, sys
label = {l.split("\t")[0]: l.split("\t")[1] for l in open(sys.argv[1]).read().splitlines()[1:]}
flagged = {json.loads(l)["id"]: json.loads(l)["verdict"] != "benign" for l in open(sys.argv[2])}
lures = [flagged[i] for i in label if label[i] != "ham"]
negatives = [flagged[i] for i in label if label[i] == "ham"]
print(f"lures {sum(lures)}/{len(lures)} hard-negatives {sum(negatives)}/{len(negatives)}")
sys.exit(0 if sum(lures) >= 0.9 * len(lures) and sum(negatives) <= 0.1 * len(negatives) else 1)
PY
status=$?
cat "$WORK/hospital.txt"
check "hospital set: >= 90% of lures flagged, <= 10% of hard negatives" test "$status" -eq 0
# Recent real-world smishing patterns (tolls, parcels, banks, callbacks; ours).
awk -F'\t' 'NR==1{print "id\ttext"; next}{print $1"\t"$3}' "$SRC/tests/data/recent_smishing.tsv" >"$WORK/recent.tsv"
"$WARDLINE" smish classify --input "$WORK/recent.tsv" >"$WORK/recent.jsonl"
flagged=$(grep -vc '"verdict":"benign"' "$WORK/recent.jsonl")
total=$(wc -l <"$WORK/recent.jsonl")
echo "recent smishing flagged: $flagged/$total"
check "recent smishing: >= 95% flagged malicious or suspicious" test $((flagged * 100)) -ge $((total * 95))
check_summary
