// The sign-in screen: one button, a passkey prompt, done.

import {h} from '../lib/dom.js';
import {post} from '../lib/api.js';
import {setSession} from '../lib/session.js';
import {clearMessages, showError} from '../lib/notify.js';
import {pageTitle} from '../lib/ui.js';
import {supported, requestOptions, assertionJSON, describeError, PreparedOptions} from '../lib/webauthn.js';

export function render(view, {onSignedIn}) {
  pageTitle(view, 'Wardline sign-in');
  const box = h('div', {class: 'signin panel'});
  view.append(box);
  box.append(h('p', {}, 'Sign in with the passkey you registered for Wardline: your phone, a security key, or this computer\'s screen lock.'));
  if (!supported()) {
    box.append(h('p', {class: 'warning'}, 'This browser cannot use passkeys. Use a current version of Chrome, Edge, Firefox or Safari.'));
    return;
  }
  const options = new PreparedOptions(() => post('/api/v1/console/sign-in/options', {}, {auth401: false}));
  options.prepare().catch(() => null);  // errors show when the button is pressed

  const button = h('button', {type: 'button', class: 'button-primary'}, 'Sign in with a passkey');
  const progress = h('p', {class: 'progress', 'aria-live': 'polite'});
  button.addEventListener('click', async () => {
    button.disabled = true;
    clearMessages();
    progress.textContent = 'Waiting for your passkey…';
    try {
      const {ceremony, publicKey} = await options.take();
      let credential;
      try {
        credential = await navigator.credentials.get({publicKey: requestOptions(publicKey)});
      } catch (e) {
        throw new Error(describeError(e, false));
      }
      if (!credential) throw new Error('No passkey was chosen.');
      progress.textContent = 'Checking…';
      const result = await post('/api/v1/console/sign-in', {ceremony, credential: assertionJSON(credential)}, {auth401: false});
      setSession(result);
      progress.textContent = '';
      await onSignedIn();
    } catch (e) {
      progress.textContent = '';
      showError(e.status === 401 ? `Sign-in refused: ${e.message}` : e);
      options.prepare().catch(() => null);
    } finally {
      button.disabled = false;
    }
  });
  box.append(button, progress,
    h('p', {class: 'hint'}, 'No passkey yet? An administrator sends you an enrollment link (wardline user enroll-link NAME).'));
}
