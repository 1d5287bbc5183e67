// `make demo` as its printout says: the enrollment link opened in Chromium
// (which trusts the demo's CA, as the README asks) gives a populated dashboard.
// Run by tests/integration/demo_test.sh.
import { check, enroll, env, failed, heading, launch, person } from './browser.mjs';

const browser = await launch();
try {
  const admin = await person(browser, 'demo.admin');
  await enroll(admin, env('ENROLL_LINK'));
  check('the dashboard is served over TLS with no certificate error', admin.page.url().startsWith('https://localhost:'));
  await admin.page.waitForLoadState('networkidle');
  const counts = await admin.page.evaluate(async () => (await (await fetch('/api/v1/overview')).json()).counts);
  check(`the overview counts demo work: ${JSON.stringify(counts)}`,
        counts.open_campaigns > 0 && counts.noncompliant_devices > 0 && counts.ehr_alerts_7d > 0);
  await admin.page.screenshot({ path: `${env('ARTIFACTS')}/demo-overview.png`, fullPage: true });
  for (const [name, what] of [['Campaigns', 'campaign'], ['Devices', 'device'], ['EHR alerts', 'EHR alert']]) {
    await admin.page.getByRole('link', { name, exact: true }).click();
    await heading(admin.page, name).waitFor();
    await admin.page.locator('main table tbody tr').first().waitFor({ timeout: 10000 });
    check(`the ${name} page lists at least one ${what}`, (await admin.page.locator('main table tbody tr').count()) > 0);
    await admin.page.screenshot({ path: `${env('ARTIFACTS')}/demo-${name.toLowerCase().replace(' ', '-')}.png`, fullPage: true });
  }
} catch (e) {
  check(`the demo scenario ran to the end (${e.message.split('\n')[0]})`, false);
}
await browser.close();
process.exit(failed() ? 1 : 0);
