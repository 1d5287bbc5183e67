// Wardline dashboard: signs the user in (passkeys), then draws the page the
// URL's hash names. No framework; each page is a module under pages/.

import {request, post, setUnauthorizedHandler} from './lib/api.js';
import {setSession, clearSession, user, can, signedIn} from './lib/session.js';
import {clearMessages, showError, showStatus} from './lib/notify.js';
import {currentRoute, match} from './lib/router.js';
import {pageTitle, denied} from './lib/ui.js';
import {routes} from './routes.js';

const $ = (id) => document.getElementById(id);
let routerStarted = false;
let renderCount = 0;

function viewElement() {
  const view = document.createElement('div');
  view.id = 'view';
  $('view').replaceWith(view);
  return view;
}

function setChrome(visible) {
  $('site-nav').hidden = !visible;
  $('session-box').hidden = !visible;
  $('menu-toggle').hidden = !visible;
  if (!visible) return;
  const u = user() || {};
  $('session-user').textContent = u.display_name ? `${u.display_name} (${u.name})` : (u.name || '');
  $('session-role').textContent = u.role || '';
  for (const a of document.querySelectorAll('#site-nav a[data-route]')) {
    const perm = a.dataset.perm || '';
    a.parentElement.hidden = perm !== '' && !can(perm);
  }
}

function markNav(nav) {
  for (const a of document.querySelectorAll('#site-nav a[data-route]')) {
    if (a.dataset.route === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function renderRoute(moveFocus) {
  if (!signedIn()) return;
  const {path, query} = currentRoute();
  const found = match(routes, path);
  if (!found) {
    location.replace('#/overview');
    return;
  }
  const {route, params} = found;
  const mine = ++renderCount;
  clearMessages();
  markNav(route.nav);
  closeMenu();
  const view = viewElement();
  if (route.perm && !can(route.perm)) {
    pageTitle(view, route.title);
    denied(view);
  } else {
    try {
      const module = await route.load();
      if (mine !== renderCount) return;
      const rendering = module.render(view, {params, query});
      if (moveFocus) focusHeading(view);
      await rendering;
    } catch (e) {
      if (mine !== renderCount) return;
      if (!view.querySelector('h1')) pageTitle(view, route.title);
      showError(e);
    }
    return;
  }
  if (moveFocus) focusHeading(view);
}

function focusHeading(view) {
  const heading = view.querySelector('h1');
  if (heading) heading.focus({preventScroll: false});
}

function startRouter() {
  if (routerStarted) return;
  routerStarted = true;
  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/') && location.hash !== '') return;  // e.g. the skip link
    renderRoute(true);
  });
}

async function loadSession() {
  const {data} = await request('GET', '/api/v1/console/session', {auth401: false});
  setSession(data);
}

/** After sign-in or enrollment: the session's permissions, then the app. */
async function enterApp() {
  await loadSession();
  setChrome(true);
  startRouter();
  await renderRoute(true);
}

async function showSignIn(message, isError = true) {
  setChrome(false);
  const view = viewElement();
  const {render} = await import('./pages/signin.js');
  render(view, {onSignedIn: enterApp});
  if (message) {
    if (isError) showError(message);
    else showStatus(message);
  }
}

let expiredShown = false;
setUnauthorizedHandler(() => {
  if (expiredShown || !signedIn()) return;
  expiredShown = true;
  clearSession();
  showSignIn('Your session has ended (signed out or timed out). Sign in again to continue.').finally(() => {
    expiredShown = false;
  });
});

async function signOut(everywhere) {
  try {
    await post(everywhere ? '/api/v1/console/sign-out-everywhere' : '/api/v1/console/sign-out', {}, {auth401: false});
  } catch (e) {
    if (e.status !== 401) {
      showError(e);
      return;
    }
  }
  clearSession();
  showSignIn(everywhere ? 'You are signed out on every device.' : 'You are signed out.', false);
}

function closeMenu() {
  $('site-nav').classList.remove('open');
  $('menu-toggle').setAttribute('aria-expanded', 'false');
}

function wireChrome() {
  $('sign-out').addEventListener('click', () => signOut(false));
  $('sign-out-everywhere').addEventListener('click', () => signOut(true));
  $('menu-toggle').addEventListener('click', () => {
    const open = $('site-nav').classList.toggle('open');
    $('menu-toggle').setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && $('site-nav').classList.contains('open')) {
      closeMenu();
      $('menu-toggle').focus();
    }
  });
  // The skip link moves focus without touching the hash (which names the page).
  document.querySelector('.skip-link').addEventListener('click', (event) => {
    event.preventDefault();
    $('main').focus();
  });
}

async function start() {
  wireChrome();
  if (location.pathname === '/enroll') {
    setChrome(false);
    const {render} = await import('./pages/enroll.js');
    render(viewElement(), {onEnrolled: enterApp});
    return;
  }
  try {
    await loadSession();
  } catch (e) {
    if (e.status === 401) {
      showSignIn();
      return;
    }
    showSignIn(e);
    return;
  }
  setChrome(true);
  startRouter();
  renderRoute(false);
}

start();
