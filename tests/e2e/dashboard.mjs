// The dashboard in Debian's Chromium, driven by Playwright, signing in with
// passkeys held by Chromium's virtual authenticator (CDP WebAuthn domain).
// Run by tests/integration/dashboard_browser_test.sh, which starts the daemon,
// makes the users and data and passes them in the environment. Prints one
// "ok:" or "FAILED:" line per check; exits 1 if any check failed.
import { check, enroll, env, failed, heading, launch, person as profile } from './browser.mjs';

const ORIGIN = env('WL_ORIGIN');
const ARTIFACTS = env('ARTIFACTS');
const CAMPAIGN = env('CAMPAIGN_ID');
const DEVICE = env('DEVICE_ID');

const browser = await launch();
const person = (name) => profile(browser, name);
const shot = (page, file) => page.screenshot({ path: `${ARTIFACTS}/${file}.png`, fullPage: true });

// Same-origin calls from inside the signed-in page (the cookie goes along).
const call = (page, method, path, body, headers = {}) => page.evaluate(async ([method, path, body, headers]) => {
  const r = await fetch(path, { method, headers: { 'Content-Type': 'application/json', ...headers },
                                body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, body: await r.json().catch(() => null) };
}, [method, path, body, headers]);
const csrf = async (page) => (await call(page, 'GET', '/api/v1/console/session')).body.csrf_token;

async function until(what, fn, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

try {
  // --- an administrator enrolls, signs out, signs in again ------------------
  const admin = await person('admin1');
  await enroll(admin, env('LINK_ADMIN1'));
  check('the used enrollment link is refused a second time',
        (await call(admin.page, 'POST', '/api/v1/console/enroll/options', { token: env('LINK_ADMIN1').split('#')[1] })).status === 410);
  await admin.page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await heading(admin.page, 'Wardline sign-in').waitFor();
  check('after sign-out the session is gone', (await call(admin.page, 'GET', '/api/v1/console/session')).status === 401);
  await admin.page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await heading(admin.page, 'Overview').waitFor({ timeout: 15000 });
  check('admin1: signs in again with the passkey', (await call(admin.page, 'GET', '/api/v1/console/session')).status === 200);

  // --- every page, screenshots ----------------------------------------------
  for (const name of ['Overview', 'Campaigns', 'Reports', 'Alerts', 'Incidents', 'Devices', 'Access', 'Threat intel', 'Audit',
                      'Runbooks', 'EHR alerts']) {
    await admin.page.getByRole('link', { name, exact: true }).click();
    await heading(admin.page, name).waitFor({ timeout: 10000 });
    await admin.page.waitForLoadState('networkidle');
    await shot(admin.page, `page-${name.toLowerCase().replace(' ', '-')}`);
  }
  check('admin1: every page opens from the navigation', true);
  await admin.page.goto(`${ORIGIN}/#/campaigns/${CAMPAIGN}`);
  await admin.page.getByText('lakesidemed-epic[.]com').first().waitFor({ timeout: 10000 });
  const body = await admin.page.locator('main').innerText();
  if (body.includes('lakesidemed-epic.com')) console.log('raw lure text:', body.split('\n').filter((l) => l.includes('lakesidemed-epic.com')));
  check('campaign detail shows the lure defanged', body.includes('[.]') && !body.includes('lakesidemed-epic.com'));
  check('campaign detail has no clickable link to the lure',
        (await admin.page.locator('main a[href*="lakesidemed-epic"]').count()) === 0);
  await shot(admin.page, 'campaign-detail');

  // --- a state-changing request without the CSRF token is refused -----------
  const noToken = await call(admin.page, 'POST', `/api/v1/campaigns/${CAMPAIGN}/notes`, { text: 'no token' });
  check('a POST without X-CSRF-Token is refused with 403', noToken.status === 403 && noToken.body.error.code === 'csrf_refused');
  const wrongToken = await call(admin.page, 'POST', `/api/v1/campaigns/${CAMPAIGN}/notes`, { text: 'wrong' }, { 'X-CSRF-Token': 'x' + (await csrf(admin.page)) });
  check('a POST with a wrong X-CSRF-Token is refused with 403', wrongToken.status === 403);
  const withToken = await call(admin.page, 'POST', `/api/v1/campaigns/${CAMPAIGN}/notes`, { text: 'checked by admin1' }, { 'X-CSRF-Token': await csrf(admin.page) });
  check(`the same POST with the session's CSRF token works (${withToken.status})`, withToken.status === 201);

  // --- an analyst confirms the campaign --------------------------------------
  const analyst = await person('analyst');
  await enroll(analyst, env('LINK_ANALYST'));
  await analyst.page.getByRole('link', { name: 'Campaigns', exact: true }).click();
  await analyst.page.getByRole('link', { name: CAMPAIGN }).click();
  await analyst.page.getByRole('button', { name: 'Confirm and block' }).click();
  check('analyst: "Confirm and block" confirms the campaign', await until('confirmed', async () =>
    (await call(analyst.page, 'GET', `/api/v1/campaigns/${CAMPAIGN}`)).body.status === 'confirmed'));
  await analyst.page.getByRole('button', { name: 'Mark false positive' }).first().click();
  check('analyst: one report of the campaign is labelled a false positive', await until('labelled', async () =>
    (await call(analyst.page, 'GET', `/api/v1/reports?campaign=${CAMPAIGN}`)).body.items.some(
      (r) => r.analyst_label === 'false_positive' && r.labelled_by === 'analyst')));
  await shot(analyst.page, 'campaign-confirmed');
  await analyst.page.getByRole('link', { name: 'Access', exact: true }).click();
  await heading(analyst.page, 'Access').waitFor();
  check('analyst: the Access page lists decisions without the audit log',
        (await call(analyst.page, 'GET', '/api/v1/access/decisions')).status === 200 &&
        (await call(analyst.page, 'GET', '/api/v1/audit/events')).status === 403);

  // --- a full wipe waits for a second administrator --------------------------
  await admin.page.goto(`${ORIGIN}/#/devices/${DEVICE}`);
  await admin.page.getByLabel('Reason (recorded in the audit log)').fill('Lost in the ED waiting room; reported by the owner');
  await admin.page.getByLabel('Wipe type').selectOption('full');
  await admin.page.getByRole('button', { name: 'Wipe', exact: true }).click();
  const waiting = async () => (await call(admin.page, 'GET', `/api/v1/response/actions?device=${DEVICE}`)).body.items;
  check('admin1: a full wipe is requested and awaits approval', await until('awaiting', async () =>
    (await waiting()).some((a) => a.state === 'awaiting_approval')));
  await shot(admin.page, 'wipe-awaiting-approval');
  await admin.page.getByRole('link', { name: 'Devices', exact: true }).click();
  await heading(admin.page, 'Devices').waitFor();
  await admin.page.getByRole('button', { name: 'Approve' }).first().click();
  await admin.page.getByRole('alert').filter({ hasText: /approve|own|second/i }).first().waitFor({ timeout: 10000 });
  check('admin1 cannot approve their own full wipe', (await waiting()).some((a) => a.state === 'awaiting_approval'));
  const admin2 = await person('admin2');
  await enroll(admin2, env('LINK_ADMIN2'));
  await admin2.page.getByRole('link', { name: 'Devices', exact: true }).click();
  await admin2.page.getByRole('button', { name: 'Approve' }).first().click();
  check('admin2 approves the wipe: it leaves awaiting_approval, approved by admin2', await until('approved', async () =>
    (await call(admin2.page, 'GET', `/api/v1/response/actions?device=${DEVICE}`)).body.items.some(
      (a) => a.approved_by === 'admin2' && a.state !== 'awaiting_approval')));
  await shot(admin2.page, 'wipe-approved');

  // --- an auditor can look but not change anything ----------------------------
  const auditor = await person('auditor');
  await enroll(auditor, env('LINK_AUDITOR'));
  check('auditor: no Campaigns page (no access to message bodies)',
        (await auditor.page.getByRole('link', { name: 'Campaigns', exact: true }).count()) === 0);
  await auditor.page.goto(`${ORIGIN}/#/devices/${DEVICE}`);
  await auditor.page.waitForLoadState('networkidle');
  check('auditor: the device page offers no Wipe or Lock',
        (await auditor.page.getByRole('button', { name: 'Wipe', exact: true }).count()) === 0 &&
        (await auditor.page.getByRole('button', { name: 'Lock', exact: true }).count()) === 0);
  const token = await csrf(auditor.page);
  for (const [path, payload] of [[`/api/v1/devices/${DEVICE}/lock`, { reason: 'auditor tries' }],
                                 [`/api/v1/campaigns/${CAMPAIGN}/status`, { status: 'closed' }],
                                 ['/api/v1/incidents', { title: 'auditor tries', type: 'other' }]]) {
    const r = await call(auditor.page, 'POST', path, payload, { 'X-CSRF-Token': token });
    check(`auditor: POST ${path} is refused with 403`, r.status === 403 && r.body.error.code === 'forbidden');
  }
  await auditor.page.getByRole('link', { name: 'Audit', exact: true }).click();
  await heading(auditor.page, 'Audit').waitFor();
  await auditor.page.waitForLoadState('networkidle');
  await shot(auditor.page, 'auditor-audit');

  // --- a phone-sized screen -----------------------------------------------------
  await admin.page.setViewportSize({ width: 375, height: 667 });
  await admin.page.goto(`${ORIGIN}/#/overview`);
  await heading(admin.page, 'Overview').waitFor();
  const overflow = await admin.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('the overview fits a 375 px wide screen (no sideways scrolling)', overflow <= 1);
  await shot(admin.page, 'phone-overview');

  // --- sign out everywhere ------------------------------------------------------
  await admin.page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await heading(admin.page, 'Wardline sign-in').waitFor();
  check('sign out everywhere ends the session', (await call(admin.page, 'GET', '/api/v1/console/session')).status === 401);
} catch (e) {
  check(`the browser scenario ran to the end (${e.message.split('\n')[0]})`, false);
}
await browser.close();
process.exit(failed() ? 1 : 0);
