// Signed tree heads: the root hash as bytes and the Ed25519 signature
// checked in the browser against the log's public key (RFC 6962
// TreeHeadSignature: version 0, signature type 1 (tree_hash), timestamp
// and tree size as big-endian 64-bit numbers, the 32-byte root).

import {fromB64, toHex} from './b64.js';

export const rootBytes = (sth) => fromB64(sth.sha256_root_hash);
export const rootHex = (sth) => toHex(rootBytes(sth));

function signatureInput(sth) {
  const out = new Uint8Array(2 + 8 + 8 + 32);
  const view = new DataView(out.buffer);
  out[0] = 0;
  out[1] = 1;
  view.setBigUint64(2, BigInt(sth.timestamp));
  view.setBigUint64(10, BigInt(sth.tree_size));
  out.set(rootBytes(sth), 18);
  return out;
}

function pemToDer(pem) {
  const body = String(pem).replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return fromB64(body);
}

/**
 * 'valid', 'invalid', or 'unsupported' (this browser has no Ed25519 in
 * WebCrypto); also whether key_id is the SHA-256 of the key.
 */
export async function checkSignature(sth, publicKeyPem) {
  const der = pemToDer(publicKeyPem);
  const keyId = toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
  const keyMatches = !sth.key_id || sth.key_id === keyId;
  let key;
  try {
    key = await crypto.subtle.importKey('spki', der, {name: 'Ed25519'}, false, ['verify']);
  } catch (e) {
    return {signature: 'unsupported', keyMatches};
  }
  const ok = await crypto.subtle.verify({name: 'Ed25519'}, key, fromB64(sth.tree_head_signature), signatureInput(sth));
  return {signature: ok ? 'valid' : 'invalid', keyMatches};
}
