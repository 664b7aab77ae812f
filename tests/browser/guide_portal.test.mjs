// Impersonate in a real browser, as the Guide describes it: an editor on a
// customer's page clicks Impersonate and arrives at the customers portal
// (tests/lib/portal.mjs, which redeems the grant) signed in as that
// customer; the page policy lets exactly that origin through.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { openSignedIn, shot } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one } from '../lib/db.mjs';

let browser;
let page;
before(async () => {
  ({ browser, page } = await openSignedIn('editor@example.com', { size: { width: 1280, height: 800 } }));
});
after(async () => { await browser?.close(); });

test('Impersonate opens the customers portal as the customer', async () => {
  const [id, email] = one(`SELECT id || ' ' || email FROM customers
    WHERE email = 'dana.whitfield@northwind-robotics.com'`).split(' ');
  await page.goto(`${APP_URL}/admin/customers/${id}`);
  const before = Number(one(`SELECT count(*) FROM impersonation_grants WHERE customer_id = ${id}`));
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(process.env.CDOT_PORTAL_BASE_URL)),
    page.click('button[data-action="impersonate"]'),
  ]);
  assert.match(await page.textContent('[data-portal]'), new RegExp(`Signed in as ${email} \\(by admin:editor@example.com\\)`));
  await shot(page, 'guide-impersonate-portal');
  assert.equal(Number(one(`SELECT count(*) FROM impersonation_grants WHERE customer_id = ${id}`)), before + 1);
});
