#!/usr/bin/env bash
# `wardline merkle ...` against the RFC 6962 vectors in ../shared/external/merkle,
# exactly as an auditor (or an outside harness) calls it.
source "$(dirname "$0")/lib.sh"
V="${WARDLINE_EXTERNAL_DIR:-$SRC/../shared/external}/merkle/merkle_vectors.json"
if [ ! -f "$V" ]; then echo "skipping: external Merkle vectors not found at $V"; exit 0; fi

# One Python run turns the vectors into shell variables (a Python start per
# value made this test take a minute): root_N, leaf_I, leaf_hash_I,
# inc_{size,index,proof,root}_C, con_{first,second,proof,first_root,second_root}_C;
# the leaves, one per line, in $WORK/leaves.
vars=$(python3 - "$V" "$WORK/leaves" <<'PY'
import json, shlex, sys
d = json.load(open(sys.argv[1]))
open(sys.argv[2], "w").write("\n".join(d["leaves"]) + "\n")
def put(name, value):
    text = json.dumps(value, separators=(",", ":")) if isinstance(value, list) else str(value)
    print(f"{name}={shlex.quote(text)}")
for n, r in d["roots"].items(): put(f"root_{n}", r)
for i, l in enumerate(d["leaves"]): put(f"leaf_{i}", l)
for i, h in enumerate(d["leaf_hashes"]): put(f"leaf_hash_{i}", h)
for c, v in enumerate(d["inclusion"]):
    for k, name in (("tree_size", "size"), ("leaf_index", "index"), ("proof", "proof"), ("root", "root")):
        put(f"inc_{name}_{c}", v[k])
for c, v in enumerate(d["consistency"]):
    for k in ("first", "second", "proof", "first_root", "second_root"): put(f"con_{k}_{c}", v[k])
PY
) || { echo "cannot read the vectors in $V" >&2; exit 1; }
eval "$vars"
leaves() { head -n "$1" "$WORK/leaves"; }
var() { local name=$1; printf '%s' "${!name}"; }

for n in 1 2 3 5 8; do
  got=$(leaves $n | "$WARDLINE" merkle root)
  check "root of $n leaves" test "$got" = "$(var root_$n)"
done
got=$(printf '' | "$WARDLINE" merkle root)
check "root of no leaves is SHA-256 of the empty string" test "$got" = "$root_0"

for c in 0 1 2 3 4; do
  size=$(var inc_size_$c)
  index=$(var inc_index_$c)
  want=$(var inc_proof_$c)
  got=$(leaves "$size" | "$WARDLINE" merkle inclusion --index "$index")
  check "inclusion proof for leaf $index of $size" test "$got" = "$want"
  root=$(var inc_root_$c)
  leaf=$(var leaf_$index)
  "$WARDLINE" merkle verify-inclusion --leaf "$leaf" --index "$index" --size "$size" --root "$root" --proof "$got" >/dev/null
  check "verify-inclusion accepts it (exit 0)" test $? -eq 0
done
for c in 0 1 2 3 4; do
  first=$(var con_first_$c)
  second=$(var con_second_$c)
  want=$(var con_proof_$c)
  got=$(leaves "$second" | "$WARDLINE" merkle consistency --first "$first")
  check "consistency proof $first -> $second" test "$got" = "$want"
  "$WARDLINE" merkle verify-consistency --first "$first" --second "$second" \
    --first-root "$(var con_first_root_$c)" --second-root "$(var con_second_root_$c)" \
    --proof "$got" >/dev/null
  check "verify-consistency accepts it (exit 0)" test $? -eq 0
done

# Tampered inputs are rejected with exit 1.
root8=$root_8
proof=$(leaves 8 | "$WARDLINE" merkle inclusion --index 5)
"$WARDLINE" merkle verify-inclusion --leaf "$leaf_4" --index 5 --size 8 --root "$root8" --proof "$proof" >/dev/null
check "verify-inclusion rejects the wrong leaf (exit 1)" test $? -eq 1
hashes=$(printf '%s' "$proof" | tr -d '[]"' | tr ',' ' ')
"$WARDLINE" merkle verify-inclusion --leaf-hash "$leaf_hash_5" --index 5 --size 8 --root "$root8" $hashes >/dev/null
check "proof hashes also accepted as plain arguments" test $? -eq 0
"$WARDLINE" merkle verify-consistency --first 6 --second 8 --first-root "$root_5" --second-root "$root8" \
  --proof "$(leaves 8 | "$WARDLINE" merkle consistency --first 6)" >/dev/null
check "verify-consistency rejects the wrong first root (exit 1)" test $? -eq 1
leaves 3 | "$WARDLINE" merkle inclusion --index 3 >/dev/null 2>"$WORK/err"
check "index outside the tree: exit 1 with a reason" bash -c "[ $? -eq 1 ] && grep -q 'outside a tree of size 3' '$WORK/err'"
printf '00\nxyz\n' | "$WARDLINE" merkle root >/dev/null 2>"$WORK/err"
check "bad hex names the line" contains "$WORK/err" "stdin line 2"
check_summary
