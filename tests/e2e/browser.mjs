// Shared by the browser tests: Debian's Chromium through Playwright, one
// browser profile per person with its own virtual passkey authenticator
// (Chrome DevTools Protocol WebAuthn domain), and checks that print
// "ok:"/"FAILED:" lines.
import { createRequire } from 'node:module';

export const env = (name) => {
  if (!process.env[name]) throw new Error(`${name} is not set (run the test through tests/integration/*.sh)`);
  return process.env[name];
};

let failures = 0;
export const check = (what, cond) => {
  console.log(`${cond ? 'ok' : 'FAILED'}: ${what}`);
  if (!cond) failures++;
};
export const failed = () => failures;

export async function launch() {
  const { chromium } = createRequire(env('PLAYWRIGHT_DIR') + '/')('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A browser profile with its own passkey store: one per person.
export async function person(browser, name) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => check(`${name}: no script error (${e.message})`, false));
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
               isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { ctx, page, name };
}

export const heading = (page, name) => page.getByRole('heading', { name, exact: true, level: 1 });

// Opens a one-time enrollment link and creates the passkey.
export async function enroll(who, link) {
  await who.page.goto(link);
  await who.page.getByRole('button', { name: 'Create passkey' }).click();
  await heading(who.page, 'Overview').waitFor({ timeout: 15000 });
  check(`${who.name}: registers a passkey from the enrollment link and lands on the overview`, true);
  check(`${who.name}: the token is gone from the address bar`, !who.page.url().includes(link.split('#')[1]));
}
