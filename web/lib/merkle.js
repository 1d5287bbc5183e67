// RFC 6962 / RFC 9162 Merkle tree checks with WebCrypto SHA-256, so an
// auditor's browser verifies the log's proofs instead of trusting them:
// leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right).

const subtle = () => globalThis.crypto.subtle;

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await subtle().digest('SHA-256', buf));
}

export const leafHash = (data) => sha256(Uint8Array.of(0), typeof data === 'string' ? new TextEncoder().encode(data) : data);
export const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

export function equalBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a[i] ^ b[i];
  return diff === 0;
}

const lsb = (n) => (n & 1n) === 1n;

/** RFC 9162 §2.1.3.2: whether `proof` puts `leaf` (its hash) at `index` in the tree of `size` with `root`. */
export async function verifyInclusion(leaf, index, size, proof, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (BigInt(index) >= BigInt(size)) return false;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      r = await nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, root);
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree of `second` leaves extends the tree of `first`. */
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  const m = BigInt(first);
  const n = BigInt(second);
  if (m === 0n || m > n) return false;
  if (m === n) return proof.length === 0 && equalBytes(firstRoot, secondRoot);
  let path = proof.slice();
  if ((m & (m - 1n)) === 0n) path = [firstRoot, ...path];  // first is a power of two
  if (!path.length) return false;
  let fn = m - 1n;
  let sn = n - 1n;
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}
