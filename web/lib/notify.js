// The page's two message regions: #alert (role="alert") for errors, #status
// (role="status") for confirmations. Both are cleared on navigation.

const alertEl = () => document.getElementById('alert');
const statusEl = () => document.getElementById('status');

/** Shows an error: an ApiError's message, an Error's message, or a text. */
export function showError(error) {
  if (error && error.handled) return;  // e.g. a 401 that already showed the sign-in screen
  const el = alertEl();
  if (!el) return;
  el.replaceChildren();
  let text;
  if (typeof error === 'string') text = error;
  else if (error && error.status === 403) text = `Not permitted: ${error.message}`;
  else text = (error && error.message) || 'Something went wrong.';
  el.append(document.createTextNode(text));
  if (error && error.field) el.append(document.createTextNode(` (field: ${error.field})`));
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'button-quiet dismiss';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => el.replaceChildren());
  el.append(' ', dismiss);
  if (statusEl()) statusEl().replaceChildren();
}

export function showStatus(text) {
  const el = statusEl();
  if (!el) return;
  el.textContent = text;
  if (alertEl()) alertEl().replaceChildren();
}

export function clearMessages() {
  if (alertEl()) alertEl().replaceChildren();
  if (statusEl()) statusEl().replaceChildren();
}
