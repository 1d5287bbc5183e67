// WebAuthn glue: the server's JSON options (binary values in base64url)
// become the ArrayBuffers navigator.credentials wants, and the credential
// goes back as JSON with base64url values.

import {fromB64url, toB64url} from './b64.js';

export const supported = () => typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;

const withIds = (list) => (list || []).map((c) => ({...c, id: fromB64url(c.id)}));

export function requestOptions(publicKey) {
  return {...publicKey, challenge: fromB64url(publicKey.challenge), allowCredentials: withIds(publicKey.allowCredentials)};
}

export function creationOptions(publicKey) {
  return {
    ...publicKey,
    challenge: fromB64url(publicKey.challenge),
    user: {...publicKey.user, id: fromB64url(publicKey.user.id)},
    excludeCredentials: withIds(publicKey.excludeCredentials),
  };
}

export function assertionJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toB64url(r.clientDataJSON),
      authenticatorData: toB64url(r.authenticatorData),
      signature: toB64url(r.signature),
      userHandle: r.userHandle && r.userHandle.byteLength ? toB64url(r.userHandle) : null,
    },
  };
}

export function attestationJSON(credential) {
  const r = credential.response;
  return {
    id: credential.id,
    rawId: toB64url(credential.rawId),
    type: credential.type,
    response: {clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject)},
  };
}

/** A sentence for a failed navigator.credentials call. */
export function describeError(e, creating) {
  switch (e && e.name) {
    case 'NotAllowedError':
      return 'The passkey request was cancelled or timed out. Try again when ready.';
    case 'InvalidStateError':
      return creating ? 'This security key or device already holds a passkey for this account.' : 'The passkey could not be used.';
    case 'SecurityError':
      return 'Passkeys need this page to be opened over HTTPS at the dashboard\'s own address.';
    case 'NotSupportedError':
      return 'This browser or security key does not support the kind of passkey Wardline asks for.';
    case 'AbortError':
      return 'The passkey request was stopped.';
    default:
      return `The passkey request failed: ${(e && e.message) || 'unknown error'}`;
  }
}

/**
 * Options fetched ahead of the click (some browsers only allow a passkey
 * prompt straight from a user gesture): take() answers them while fresh,
 * else fetches new ones.
 */
export class PreparedOptions {
  constructor(fetchOptions, maxAgeMs = 45000) {
    this.fetchOptions = fetchOptions;
    this.maxAgeMs = maxAgeMs;
    this.options = null;
    this.at = 0;
    this.pending = null;
  }

  prepare() {
    this.pending = this.fetchOptions().then((o) => {
      this.options = o;
      this.at = Date.now();
      return o;
    }).finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  async take() {
    if (this.pending) await this.pending.catch(() => null);
    const fresh = this.options && Date.now() - this.at < this.maxAgeMs;
    const options = fresh ? this.options : await this.fetchOptions();
    this.options = null;  // one ceremony per attempt
    return options;
  }
}
