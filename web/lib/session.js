// The signed-in user as the server described it. The session cookie is
// HttpOnly: this module only holds what JavaScript may see.

const state = {user: null, csrf: '', permissions: new Set(), expiresAt: 0, idleTimeout: 0};

export function setSession(data) {
  state.user = data.user || null;
  state.csrf = data.csrf_token || state.csrf;
  if (Array.isArray(data.permissions)) state.permissions = new Set(data.permissions);
  state.expiresAt = data.expires_at || 0;
  state.idleTimeout = data.idle_timeout_seconds || 0;
}

export function clearSession() {
  state.user = null;
  state.csrf = '';
  state.permissions = new Set();
  state.expiresAt = 0;
  state.idleTimeout = 0;
}

export const user = () => state.user;
export const csrfToken = () => state.csrf;
export const signedIn = () => state.user !== null;

/** Whether the session holds any of the permissions (space-separated). */
export function can(permissions) {
  return String(permissions).split(/\s+/).filter(Boolean).some((p) => state.permissions.has(p));
}
