// Accessibility (axe-core, every rule it runs by default: WCAG 2.x A/AA
// and best practices) over every kind of page, at 1280 × 800 in Chromium:
// the dashboard, every list (and one with a filter and the field list
// open), a show page of every resource, History, the edit form, a form
// with errors, the delete confirmation, the Support screens (Trial
// changes, Trials for SM, Namespace controls with a namespace found), the
// no-access page and the signed-out page.  Each must have no violation;
// a failure lists each one's rule, impact, and the elements it found.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { openSignedIn, signedInPage } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one } from '../lib/db.mjs';
import { LISTS } from '../lib/lists.mjs';

// The page's Content-Security-Policy refuses inline scripts (what
// addScriptTag would add): axe is evaluated through the DevTools protocol.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Records with related rows to show; the other resources' lowest id.
const SHOW = {
  customers: `SELECT id FROM customers WHERE email = 'dana.whitfield@northwind-robotics.com'`,
  billing_accounts: 'SELECT billing_account_id FROM invoices GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1',
  zuora_subscriptions: `SELECT id FROM zuora_subscriptions WHERE name = 'A-S00039268'`,
  namespaces: 'SELECT namespace_id FROM trials ORDER BY id LIMIT 1',
};

let browser;
let page;
before(async () => {
  ({ browser, page } = await openSignedIn('admin@example.com', { size: { width: 1280, height: 800 } }));
});
after(async () => { await browser?.close(); });

// axe's violations on p as it is now, one line each with its elements.
async function violations(p) {
  await p.evaluate(AXE);
  const result = await p.evaluate(() => window.axe.run(document));
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`).join('\n'));
}

async function assertClean(p, what) {
  const found = await violations(p);
  assert.deepEqual(found, [], `${what} (${p.url()}):\n${found.join('\n')}`);
}

async function visit(path, what) {
  const res = await page.goto(`${APP_URL}${path}`);
  assert.ok(res.status() < 400, `${what}: ${res.status()}`);
  await assertClean(page, what);
}

test('the dashboard', () => visit('/admin', 'dashboard'));

for (const [name, path] of Object.entries(LISTS)) {
  test(`the ${name} list`, () => visit(path, `${name} list`));
}

test('a list with a filter, and "Add filter" open', async () => {
  await page.goto(`${APP_URL}/admin/customers?f%5Bfirst_name%5D%5B1%5D%5Bo%5D=like&f%5Bfirst_name%5D%5B1%5D%5Bv%5D=Da&add=created_at`);
  await page.getByText('Add filter', { exact: true }).click();
  assert.ok(await page.isVisible('.add-filter .menu'));
  await assertClean(page, 'customers filtered');
});

for (const name of Object.keys(LISTS)) {
  test(`a ${name} show page`, async () => {
    const id = one(SHOW[name] ?? `SELECT min(id) FROM ${name}`);
    assert.ok(id, `a ${name} record`);
    await visit(`/admin/${name}/${id}`, `${name} show`);
  });
}

test('History', async () => {
  const id = one(SHOW.customers);
  await visit(`/admin/customers/${id}/history`, 'customer history');
  await visit('/admin/reconciliations/history', 'reconciliations history');
});

test('the edit form, and the form with errors', async () => {
  const id = one(SHOW.customers);
  await visit(`/admin/customers/${id}/edit`, 'customer edit');
  await page.fill('#f-email', '');
  await page.fill('#f-first_name', '');
  await Promise.all([page.waitForNavigation(), page.click('button[data-action="save"]')]);
  assert.ok(await page.isVisible('.field.has-error .field-error'), 'the form came back with its errors');
  await assertClean(page, 'customer edit with errors');
  await visit('/admin/billing_account_memberships/new', 'new membership');
});

test('the delete confirmation', async () => {
  const id = one('SELECT min(id) FROM billing_account_memberships');
  await visit(`/admin/billing_account_memberships/${id}/delete`, 'delete confirmation');
});

test('Support: Trial changes, Trials for SM, Namespace controls with a namespace found', async () => {
  await visit('/admin/support/trials', 'support trials');
  const trial = one(`SELECT min(id) FROM trials WHERE status <> 'cancelled'`);
  if (trial) await visit(`/admin/support/trials/${trial}/edit`, 'support trial edit');
  await visit('/admin/support/sm_trials', 'SM trials');
  await visit('/admin/support/sm_trials/new', 'new SM trial');
  await visit('/admin/support/namespaces', 'namespace controls');
  await page.fill('#l-namespace', 'northwind-robotics');
  await Promise.all([page.waitForNavigation(), page.click('button[data-action="find"]')]);
  assert.match(await page.textContent('[data-summary="namespace"]'), /northwind-robotics/);
  await assertClean(page, 'namespace controls, namespace found');
});

test('the no-access page, and the signed-out page', async () => {
  const nobody = await signedInPage(browser, 'nobody@example.com');
  await nobody.setViewportSize({ width: 1280, height: 800 });
  assert.match(await nobody.textContent('h1'), /No access/);
  await assertClean(nobody, 'no access');
  await Promise.all([nobody.waitForNavigation(), nobody.click('button:has-text("Sign out")')]);
  assert.match(await nobody.textContent('h1'), /signed out/i);
  await assertClean(nobody, 'signed out');
  await nobody.context().close();
});
