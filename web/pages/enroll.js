// Enrollment: the link an administrator made (ORIGIN/enroll#TOKEN) lets its
// user register a passkey, after which they are signed in.

import {h} from '../lib/dom.js';
import {post} from '../lib/api.js';
import {setSession} from '../lib/session.js';
import {clearMessages, showError} from '../lib/notify.js';
import {supported, creationOptions, attestationJSON, describeError, PreparedOptions} from '../lib/webauthn.js';

export async function render(view, {onEnrolled}) {
  const raw = (location.hash || '').replace(/^#/, '');
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch (e) {
    token = raw;
  }
  document.title = 'Register a passkey — Wardline';
  const heading = h('h1', {tabindex: '-1'}, 'Register a passkey');
  const box = h('div', {class: 'signin panel'});
  view.append(heading, box);
  if (!token) {
    box.append(h('p', {class: 'warning'}, 'This enrollment link is incomplete: the part after "#" is missing. Ask your administrator for a new link.'));
    return;
  }
  if (!supported()) {
    box.append(h('p', {class: 'warning'}, 'This browser cannot create passkeys. Use a current version of Chrome, Edge, Firefox or Safari.'));
    return;
  }
  const options = new PreparedOptions(() => post('/api/v1/console/enroll/options', {token}, {auth401: false}));
  let first;
  try {
    first = await options.prepare();
  } catch (e) {
    box.append(h('p', {class: 'warning'}, 'This enrollment link cannot be used: it may have expired or been used already. Ask your administrator for a new one.'));
    showError(e);
    return;
  }
  const who = first.user || {};
  heading.textContent = `Register a passkey for ${who.name || 'your account'}`;
  document.title = `${heading.textContent} — Wardline`;
  box.append(h('p', {}, `Account: ${who.display_name ? `${who.display_name} (${who.name})` : who.name}, role ${who.role || 'unknown'}.`));
  box.append(h('p', {}, 'Your browser will ask where to keep the passkey (this device, your phone or a security key) and to unlock it with your fingerprint, face or PIN. Wardline never sees the fingerprint or PIN.'));

  const button = h('button', {type: 'button', class: 'button-primary'}, 'Create passkey');
  const progress = h('p', {class: 'progress', 'aria-live': 'polite'});
  button.addEventListener('click', async () => {
    button.disabled = true;
    clearMessages();
    progress.textContent = 'Waiting for your authenticator…';
    try {
      const {ceremony, publicKey} = await options.take();
      let credential;
      try {
        credential = await navigator.credentials.create({publicKey: creationOptions(publicKey)});
      } catch (e) {
        throw new Error(describeError(e, true));
      }
      if (!credential) throw new Error('No passkey was created.');
      progress.textContent = 'Registering…';
      const result = await post('/api/v1/console/enroll', {token, ceremony, credential: attestationJSON(credential)}, {auth401: false});
      setSession(result);
      history.replaceState(null, '', '/');  // the token leaves the address bar and the history
      progress.textContent = '';
      await onEnrolled();
    } catch (e) {
      progress.textContent = '';
      showError(e);
      options.prepare().catch(() => null);
    } finally {
      button.disabled = false;
    }
  });
  box.append(button, progress);
  heading.focus();
}
