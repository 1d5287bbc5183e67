// Differential test: random resolved facts decided by Wardline's engine
// (`wardline access decide-facts`) and by Cedar (@cedar-policy/cedar-wasm)
// running the policy as `wardline access cedar` translates it. Every
// allow/deny must agree. Prints the throughput of both for the record.
// Usage: node differential.cjs WARDLINE POLICY CEDAR_WASM_DIR [COUNT]
'use strict';
const { execFileSync } = require('child_process');
const [wardline, policyFile, cedarDir, countText] = process.argv.slice(2);
const cedar = require(cedarDir + '/nodejs/cedar_wasm.js');
const count = Number(countText || 100000);

// A small deterministic generator (mulberry32), so a failure reproduces.
let seed = 20261128;
function rand() {
  seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const some = (a) => a.filter(() => rand() < 0.25);

// Biased towards requests that can be allowed, so both answers are well covered.
const roles = ['nurse', 'nurse', 'physician', 'physician', 'radiologist', 'pharmacist', 'billing', 'front-desk', 'it-admin', 'janitor', ''];
const categories = ['ehr.clinical', 'ehr.clinical', 'imaging', 'billing', 'prescribing', 'messaging', 'scheduling', 'it.admin', 'research'];
const facts = [];
for (let i = 0; i < count; i++) {
  facts.push({
    user: pick(['kim', 'lee', 'nurse1', 'dr.osei']), role: pick(roles), category: pick(categories),
    action: pick(['read', 'write', 'export']), resource: pick(['epic-haiku', 'pacs', 'workday', '']),
    groups: some(['icu', 'contractors', 'float-pool']),
    device_state: pick(['compliant', 'compliant', 'compliant', 'grace', 'noncompliant', 'quarantined', 'unknown']),
    ownership: pick(['corporate', 'corporate', 'byod', 'unknown']), zones: rand() < 0.6 ? ['hospital'] : some(['hospital', 'vpn']),
    country: pick(['US', 'US', 'US', 'CA', 'GB', 'DE', 'CN', '']),  // '': unknown (no GeoIP, a private address)
    assurance: pick(['none', 'single_factor', 'multi_factor', 'phishing_resistant', 'phishing_resistant']),
    auth_age: rand() < 0.2 ? -1 : Math.floor(rand() * 7200),
    signals: rand() < 0.5 ? [] : some(['intel_hit', 'failed_logins', 'unknown_device', 'shared_device', 'concurrent_devices', 'generic_account', 'break_glass']),
    local_hour: Math.floor(rand() * 24), weekday: Math.floor(rand() * 7),
  });
}
const input = facts.map((f) => JSON.stringify(f)).join('\n') + '\n';
let t0 = process.hrtime.bigint();
const ours = execFileSync(wardline, ['access', 'decide-facts', '--policy', policyFile], { input, maxBuffer: 1 << 30 })
  .toString().trim().split('\n').map((l) => JSON.parse(l));
const oursMs = Number(process.hrtime.bigint() - t0) / 1e6;
const policies = execFileSync(wardline, ['access', 'cedar', '--policy', policyFile]).toString();

if (ours.length !== count) throw new Error(`wardline answered ${ours.length} of ${count} facts`);
// Parsed once, as a service would keep it.
const parsed = cedar.preparsePolicySet('wardline', { staticPolicies: policies });
if (parsed.type !== 'success') throw new Error('cedar cannot parse the translation: ' + JSON.stringify(parsed.errors));
let mismatches = 0;
t0 = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  const answer = cedar.statefulIsAuthorized({
    principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'access' }, resource: { type: 'Resource', id: 'r' },
    context: ours[i].context, preparsedPolicySetId: 'wardline', entities: [],
  });
  if (answer.type !== 'success') throw new Error('cedar failed: ' + JSON.stringify(answer.errors));
  const cedarAllows = answer.response.decision === 'allow';
  const oursAllows = ours[i].decision === 'allow';
  if (cedarAllows !== oursAllows && mismatches++ < 5)
    console.error(`MISMATCH: wardline ${ours[i].decision}, cedar ${answer.response.decision}: ${JSON.stringify(facts[i])}`);
}
const cedarMs = Number(process.hrtime.bigint() - t0) / 1e6;
const allows = ours.filter((o) => o.decision === 'allow').length;
console.log(`${count} requests: ${allows} allowed, ${count - allows} not; mismatches: ${mismatches}`);
console.log(`wardline decide-facts: ${oursMs.toFixed(0)} ms (process start, JSON in/out included); ` +
            `cedar-wasm isAuthorized: ${cedarMs.toFixed(0)} ms (${(cedarMs * 1000 / count).toFixed(1)} us each)`);
process.exit(mismatches === 0 ? 0 : 1);
