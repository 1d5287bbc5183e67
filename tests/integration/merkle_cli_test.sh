#!/usr/bin/env bash
# `wardline merkle ...` against the RFC 6962 vectors in ../shared/external/merkle,
# exactly as an auditor (or an outside harness) calls it.
source "$(dirname "$0")/lib.sh"
V="${WARDLINE_EXTERNAL_DIR:-$SRC/../shared/external}/merkle/merkle_vectors.json"
if [ ! -f "$V" ]; then echo "skipping: external Merkle vectors not found at $V"; exit 0; fi

vec() { python3 -c "import json,sys; d=json.load(open('$V')); print(eval(sys.argv[1]))" "$1"; }
leaves() { python3 -c "import json; d=json.load(open('$V')); print('\n'.join(d['leaves'][:$1]))"; }

for n in 1 2 3 5 8; do
  got=$(leaves $n | "$WARDLINE" merkle root)
  check "root of $n leaves" test "$got" = "$(vec "d['roots']['$n']")"
done
got=$(printf '' | "$WARDLINE" merkle root)
check "root of no leaves is SHA-256 of the empty string" test "$got" = "$(vec "d['roots']['0']")"

for c in 0 1 2 3 4; do
  size=$(vec "d['inclusion'][$c]['tree_size']")
  index=$(vec "d['inclusion'][$c]['leaf_index']")
  want=$(vec "__import__('json').dumps(d['inclusion'][$c]['proof'], separators=(',',':'))")
  got=$(leaves "$size" | "$WARDLINE" merkle inclusion --index "$index")
  check "inclusion proof for leaf $index of $size" test "$got" = "$want"
  root=$(vec "d['inclusion'][$c]['root']")
  leaf=$(vec "d['leaves'][$index]")
  "$WARDLINE" merkle verify-inclusion --leaf "$leaf" --index "$index" --size "$size" --root "$root" --proof "$got" >/dev/null
  check "verify-inclusion accepts it (exit 0)" test $? -eq 0
done
for c in 0 1 2 3 4; do
  first=$(vec "d['consistency'][$c]['first']")
  second=$(vec "d['consistency'][$c]['second']")
  want=$(vec "__import__('json').dumps(d['consistency'][$c]['proof'], separators=(',',':'))")
  got=$(leaves "$second" | "$WARDLINE" merkle consistency --first "$first")
  check "consistency proof $first -> $second" test "$got" = "$want"
  "$WARDLINE" merkle verify-consistency --first "$first" --second "$second" \
    --first-root "$(vec "d['consistency'][$c]['first_root']")" --second-root "$(vec "d['consistency'][$c]['second_root']")" \
    --proof "$got" >/dev/null
  check "verify-consistency accepts it (exit 0)" test $? -eq 0
done

# Tampered inputs are rejected with exit 1.
root8=$(vec "d['roots']['8']")
proof=$(leaves 8 | "$WARDLINE" merkle inclusion --index 5)
"$WARDLINE" merkle verify-inclusion --leaf "$(vec "d['leaves'][4]")" --index 5 --size 8 --root "$root8" --proof "$proof" >/dev/null
check "verify-inclusion rejects the wrong leaf (exit 1)" test $? -eq 1
hashes=$(python3 -c "import json,sys; print(' '.join(json.loads(sys.argv[1])))" "$proof")
"$WARDLINE" merkle verify-inclusion --leaf-hash "$(vec "d['leaf_hashes'][5]")" --index 5 --size 8 --root "$root8" $hashes >/dev/null
check "proof hashes also accepted as plain arguments" test $? -eq 0
"$WARDLINE" merkle verify-consistency --first 6 --second 8 --first-root "$(vec "d['roots']['5']")" --second-root "$root8" \
  --proof "$(leaves 8 | "$WARDLINE" merkle consistency --first 6)" >/dev/null
check "verify-consistency rejects the wrong first root (exit 1)" test $? -eq 1
leaves 3 | "$WARDLINE" merkle inclusion --index 3 >/dev/null 2>"$WORK/err"
check "index outside the tree: exit 1 with a reason" bash -c "[ $? -eq 1 ] && grep -q 'outside a tree of size 3' '$WORK/err'"
printf '00\nxyz\n' | "$WARDLINE" merkle root >/dev/null 2>"$WORK/err"
check "bad hex names the line" contains "$WORK/err" "stdin line 2"
check_summary
