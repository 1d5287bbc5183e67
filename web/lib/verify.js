// Checks of the audit log done in the browser: tree-head signatures,
// consistency between two tree heads, inclusion of an entry. Nothing the
// server says about its own proofs is taken on trust.

import {get} from './api.js';
import {fromHex, toHex} from './b64.js';
import {leafHash, verifyConsistency, verifyInclusion, equalBytes} from './merkle.js';
import {checkSignature, rootBytes} from './sth.js';

let publicKey = null;

async function pem() {
  if (!publicKey) publicKey = (await get('/api/v1/audit/pubkey')).public_key_pem;
  return publicKey;
}

/** Lines saying what was checked: [{ok: true|false|null, text}]; ok null = not checked. */
export async function signatureLines(sth, label) {
  const {signature, keyMatches} = await checkSignature(sth, await pem());
  const lines = [];
  if (signature === 'unsupported') lines.push({ok: null, text: `${label}: signature not checked (this browser has no Ed25519 in WebCrypto; "wardline audit verify" checks it).`});
  else lines.push({ok: signature === 'valid', text: `${label}: Ed25519 signature ${signature === 'valid' ? 'valid' : 'INVALID'}.`});
  if (!keyMatches) lines.push({ok: false, text: `${label}: key id does not match the log's public key.`});
  return lines;
}

/** Whether the newer tree head's tree extends the older one's. */
export async function consistencyLines(older, newer) {
  let [a, b] = [older, newer];
  if (a.tree_size > b.tree_size) [a, b] = [b, a];
  const lines = [...await signatureLines(a, `Tree head of size ${a.tree_size}`), ...await signatureLines(b, `Tree head of size ${b.tree_size}`)];
  if (a.tree_size === b.tree_size) {
    const same = equalBytes(rootBytes(a), rootBytes(b));
    lines.push({ok: same, text: same ? 'Same size, same root hash: consistent.' : 'MISMATCH: same size but different root hashes.'});
    return lines;
  }
  const proof = await get('/api/v1/audit/proofs/consistency', {from: a.tree_size, to: b.tree_size});
  const ok = await verifyConsistency(a.tree_size, b.tree_size, rootBytes(a), rootBytes(b), (proof.proof || []).map(fromHex));
  lines.push({ok, text: ok
    ? `Verified: the tree of ${b.tree_size} entries extends the tree of ${a.tree_size} entries (consistency proof of ${proof.proof.length} hashes recomputed here).`
    : `MISMATCH: the consistency proof from ${a.tree_size} to ${b.tree_size} does not match the signed root hashes.`});
  return lines;
}

/** Whether the entry (its leaf text) is in the tree of the given signed tree head. */
export async function inclusionLines(entry, sth) {
  const lines = await signatureLines(sth, `Tree head of size ${sth.tree_size}`);
  const computed = await leafHash(entry.leaf);
  const hashOk = toHex(computed) === String(entry.leaf_hash).toLowerCase();
  lines.push({ok: hashOk, text: hashOk ? 'Leaf hash recomputed from the entry: matches.' : 'MISMATCH: the entry does not hash to the leaf hash the server gave.'});
  const seq = entry.event && entry.event.seq;
  if (seq !== undefined && Number(seq) !== Number(entry.index)) lines.push({ok: false, text: `MISMATCH: the entry says it is number ${seq}, not ${entry.index}.`});
  if (Number(entry.index) >= sth.tree_size) {
    lines.push({ok: null, text: `Entry ${entry.index} is newer than the latest signed tree head (size ${sth.tree_size}); try again after the next tree head.`});
    return lines;
  }
  const proof = await get('/api/v1/audit/proofs/inclusion', {index: entry.index, size: sth.tree_size});
  const ok = await verifyInclusion(computed, entry.index, sth.tree_size, (proof.proof || []).map(fromHex), rootBytes(sth));
  lines.push({ok, text: ok
    ? `Verified: entry ${entry.index} is in the signed tree of ${sth.tree_size} entries (inclusion proof of ${proof.proof.length} hashes recomputed here).`
    : `MISMATCH: the inclusion proof for entry ${entry.index} does not lead to the signed root hash.`});
  return lines;
}
