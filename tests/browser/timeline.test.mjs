// A customer's timeline in a real browser (Chromium) at 1280x800: an
// editor saves a change to the customer and to their billing account, and
// finds both at the top of the Timeline panel of the customer's page, with
// who made them; the panel's link leads to the whole timeline, paged.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, shot, signedInPage, SHOTS } from '../lib/browser.mjs';
import { one, q, sql } from '../lib/db.mjs';

const t = randomBytes(4).toString('hex');
let browser;
let page;
let customer;
let account;

before(async () => {
  customer = Number(one(`INSERT INTO customers (first_name, last_name, email, company)
    VALUES ('Tilda', ${q(`Timeline${t}`)}, ${q(`tilda-${t}@edit-tests.example`)}, 'Edit Tests') RETURNING id`));
  const zid = randomBytes(16).toString('hex');
  const zcid = randomBytes(16).toString('hex');
  sql(`BEGIN;
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name, company)
      VALUES (${q(zid)}, ${q(`Timelinehaus ${t} AG`)}, 'Timelinehaus');
    INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email, country)
      SELECT ${q(zcid)}, id, 'Anna', 'Konto', 'ap@timelinehaus.example', 'DE' FROM billing_accounts WHERE zuora_account_id = ${q(zid)};
    UPDATE billing_accounts SET bill_to_contact_id = c.id, sold_to_contact_id = c.id
      FROM billing_account_contacts c WHERE c.zuora_contact_id = ${q(zcid)} AND billing_accounts.zuora_account_id = ${q(zid)};
    INSERT INTO billing_account_memberships (customer_id, billing_account_id)
      SELECT ${customer}, id FROM billing_accounts WHERE zuora_account_id = ${q(zid)};
    COMMIT;`);
  account = Number(one(`SELECT id FROM billing_accounts WHERE zuora_account_id = ${q(zid)}`));
  // Earlier history, enough for a second page of the whole timeline.
  sql(Array.from({ length: 55 }, (_, i) => `BEGIN;
    SELECT set_config('cdot.actor', 'admin:earlier@example.com', true);
    UPDATE customers SET company = ${q(`Earlier ${i}`)} WHERE id = ${customer};
    COMMIT;`).join('\n'));
  browser = await launch();
  page = await signedInPage(browser, 'editor@example.com', `/admin/customers/${customer}`);
  await page.setViewportSize({ width: 1280, height: 800 });
});
after(async () => {
  await browser?.close();
  sql(`BEGIN;
    DELETE FROM customers WHERE id = ${customer};
    DELETE FROM billing_accounts WHERE id = ${account};
    DELETE FROM billing_account_contacts WHERE work_email = 'ap@timelinehaus.example'
      AND billing_account_id IS NULL;
    COMMIT;`);
});

const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

async function save(path, field, value) {
  await page.goto(new URL(`${path}/edit`, page.url()).toString());
  await page.fill(`#f-${field}`, value);
  await go('button[data-action="save"]');
  assert.equal((await page.textContent('.flash')).trim().endsWith('successfully updated'), true);
}

test('the changes saved are at the top of the Timeline panel, with who made them', async () => {
  await save(`/admin/customers/${customer}`, 'first_name', 'Tilde');
  await save(`/admin/billing_accounts/${account}`, 'company', `Timelinehaus ${t} GmbH`);
  await page.goto(new URL(`/admin/customers/${customer}`, page.url()).toString());

  const panel = page.locator('section[data-panel="timeline"]');
  assert.equal(await panel.locator('h2').textContent(), 'Timeline');
  const events = panel.locator('li.event');
  assert.equal(await events.count(), 20);
  const first = events.nth(0);
  assert.equal(await first.locator('.event-record').textContent(), `Billing account #${account}`);
  assert.equal(await first.locator('.actor').textContent(), 'admin:editor@example.com');
  assert.equal(await first.locator('tr[data-field="company"] .new').textContent(), `Timelinehaus ${t} GmbH`);
  const second = events.nth(1);
  assert.equal(await second.locator('.event-record').textContent(), `Customer #${customer}`);
  assert.equal(await second.locator('tr[data-field="first_name"] .old').textContent(), 'Tilda');
  assert.equal(await second.locator('tr[data-field="first_name"] .new').textContent(), 'Tilde');

  // Nothing wider than the window.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 1280, `page is ${width}px wide`);
  await shot(page, 'timeline-customer-page');
  await panel.screenshot({ path: `${SHOTS}timeline-panel.png` });
});

test('the panel links to the whole timeline, a page at a time', async () => {
  await go('section[data-panel="timeline"] a[data-timeline="all"]');
  assert.match(page.url(), new RegExp(`/admin/customers/${customer}/timeline$`));
  assert.equal(await page.textContent('h1'), `Timeline of Tilde Timeline${t}`);
  assert.equal(await page.locator('li.event').count(), 50);
  await shot(page, 'timeline-page-1');
  await go('a[rel="next"]');
  assert.match(page.url(), /\?page=2$/);
  const rest = await page.locator('li.event').count();
  assert.ok(rest > 0 && rest < 50, `${rest} on page 2`);
  assert.equal(await page.locator('li.event').last().locator('.event-kind').textContent(), 'Created');
  await go('a[rel="prev"]');
  assert.match(page.url(), /\?page=1$/);
  await go('a:has-text("Back to the customer")');
  assert.match(page.url(), new RegExp(`/admin/customers/${customer}$`));
});
