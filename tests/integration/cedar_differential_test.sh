#!/usr/bin/env bash
# The access policy language against Cedar: `wardline access cedar`
# translates the enforced rules, and random resolved facts must get the same
# allow/deny from Wardline's engine and from Cedar (@cedar-policy/cedar-wasm,
# installed here from the npm registry into the build tree, once):
# 100,000 on the shipped policy, 50,000 on a policy using every condition.
source "$(dirname "$0")/lib.sh"
CEDAR_VERSION=4.13.0
NODE_DIR="$(dirname "$WARDLINE")/cedar-node"
CEDAR="$NODE_DIR/node_modules/@cedar-policy/cedar-wasm"
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are missing: run scripts/setup-deps.sh"; exit 1; }
if [ ! -f "$CEDAR/package.json" ] || ! grep -q "\"version\": \"$CEDAR_VERSION\"" "$CEDAR/package.json"; then
  mkdir -p "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent "@cedar-policy/cedar-wasm@$CEDAR_VERSION" >"$WORK/npm.log" 2>&1 ||
    { echo "cannot install @cedar-policy/cedar-wasm from the npm registry:"; cat "$WORK/npm.log"; exit 1; }
fi
"$WARDLINE" access cedar --policy "$SRC/policies/access.yaml" >"$WORK/shipped.cedar"
check "the shipped policy translates to Cedar" grep -q 'permit (principal, action, resource)' "$WORK/shipped.cedar"
node "$SRC/tests/cedar/differential.cjs" "$WARDLINE" "$SRC/policies/access.yaml" "$CEDAR" 100000 >"$WORK/shipped.out" 2>&1
check "100,000 random requests: the shipped policy decides as Cedar does" grep -q 'mismatches: 0$' "$WORK/shipped.out"
cat "$WORK/shipped.out"
node "$SRC/tests/cedar/differential.cjs" "$WARDLINE" "$SRC/tests/cedar/every_condition.yaml" "$CEDAR" 50000 >"$WORK/every.out" 2>&1
check "50,000 random requests: every condition type decides as Cedar does" grep -q 'mismatches: 0$' "$WORK/every.out"
cat "$WORK/every.out"
check_summary
