// Editing in a real browser (Chromium): edit a customer, see the message
// beside a wrong field with what was typed kept, save; add a billing
// account membership with the search as you type, delete it through the
// "Yes, I'm sure" page; read the change in History.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSignedIn, shot } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one, q, sql } from '../lib/db.mjs';

const t = randomBytes(4).toString('hex');
let browser;
let page;
let customer;

before(async () => {
  customer = Number(one(`INSERT INTO customers (first_name, last_name, email, company)
    VALUES ('Bria', ${q(`Browser${t}`)}, ${q(`bria-${t}@edit-tests.example`)}, 'Edit Tests') RETURNING id`));
  const zid = randomBytes(16).toString('hex');
  const zcid = randomBytes(16).toString('hex');
  sql(`BEGIN;
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name, company)
      VALUES (${q(zid)}, ${q(`Browserhaus ${t} AG`)}, 'Browserhaus');
    INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name, work_email, country)
      SELECT ${q(zcid)}, id, 'Anna', 'Konto', 'ap@browserhaus.example', 'DE' FROM billing_accounts WHERE zuora_account_id = ${q(zid)};
    UPDATE billing_accounts SET bill_to_contact_id = c.id, sold_to_contact_id = c.id
      FROM billing_account_contacts c WHERE c.zuora_contact_id = ${q(zcid)} AND billing_accounts.zuora_account_id = ${q(zid)};
    COMMIT;`);
  ({ browser, page } = await openSignedIn('editor@example.com', { path: `/admin/customers/${customer}` }));
});
after(async () => {
  await browser?.close();
  // Leave the lists as the demo data made them (other files count rows).
  sql(`BEGIN;
    DELETE FROM customers WHERE id = ${customer};
    DELETE FROM billing_accounts WHERE zuora_account_name = ${q(`Browserhaus ${t} AG`)};
    DELETE FROM billing_account_contacts WHERE work_email = 'ap@browserhaus.example'
      AND billing_account_id IS NULL;
    COMMIT;`);
});

const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

test('edit a customer: the message beside the wrong field, typed values kept, then saved', async () => {
  assert.match(await page.textContent('h1'), new RegExp(`Bria Browser${t}`));
  await go('.page-actions a[data-action="edit"]');
  assert.match(page.url(), new RegExp(`/admin/customers/${customer}/edit$`));

  await page.fill('#f-first_name', 'Brianna');
  await page.fill('#f-email', 'bria-at-nowhere');
  await go('button[data-action="save"]');
  const err = page.locator('.field[data-field="email"] .field-error');
  assert.match(await err.textContent(), /Email is not a valid email address/);
  assert.equal(await page.inputValue('#f-first_name'), 'Brianna', 'typed value kept');
  assert.equal(await page.inputValue('#f-email'), 'bria-at-nowhere');
  assert.equal(await page.getAttribute('#f-email', 'aria-invalid'), 'true');
  await shot(page, 'edit-customer-invalid');

  await page.fill('#f-email', `brianna-${t}@edit-tests.example`);
  await page.uncheck('#f-login_activated');
  await go('button[data-action="save"]');
  assert.match(page.url(), new RegExp(`/admin/customers/${customer}$`));
  assert.equal((await page.textContent('.flash')).trim(), 'Customer successfully updated');
  assert.match(await page.textContent('h1'), new RegExp(`Brianna Browser${t}`));
  await shot(page, 'edit-customer-saved');
});

test('the change is in History, with who made it', async () => {
  await go('.page-actions a:has-text("History")');
  const ev = page.locator('li.event-update').first();
  assert.equal(await ev.locator('.actor').textContent(), 'admin:editor@example.com');
  assert.equal(await ev.locator('tr[data-field="first_name"] .old').textContent(), 'Bria');
  assert.equal(await ev.locator('tr[data-field="first_name"] .new').textContent(), 'Brianna');
  assert.equal(await ev.locator('tr[data-field="login_activated"] .new').textContent(), 'No');
  await shot(page, 'edit-customer-history');
});

test('add a membership, picking customer and billing account as you type', async () => {
  await page.goto(`${APP_URL}/admin/billing_account_memberships`);
  await go('.page-actions a[data-action="new"]');

  await page.fill('#f-customer_id', `brianna-${t}`);
  const who = page.locator('.field[data-field="customer_id"] [role="option"]').first();
  await who.waitFor();
  assert.match(await who.textContent(), new RegExp(`Brianna Browser${t} <brianna-${t}@edit-tests\\.example>`));
  await who.click();
  assert.equal(await page.inputValue('input[type="hidden"][name="customer_id"]'), String(customer));

  await page.fill('#f-billing_account_id', `Browserhaus ${t}`);
  const acct = page.locator('.field[data-field="billing_account_id"] [role="option"]').first();
  await acct.waitFor();
  assert.match(await acct.textContent(), new RegExp(`^Browserhaus ${t} AG \\([0-9a-f]{32}\\)$`));
  await shot(page, 'membership-search');
  await acct.click();

  await go('button[data-action="save"]');
  assert.equal((await page.textContent('.flash')).trim(), 'Billing account membership successfully created');
  assert.match(await page.textContent('dl.record'), new RegExp(`Browserhaus ${t} AG`));
});

test('delete it through the confirmation page', async () => {
  await go('.page-actions a[data-action="delete"]');
  assert.match(await page.textContent('.question'), /Are you sure/);
  await shot(page, 'membership-delete-confirm');
  await go('button:has-text("Yes, I\'m sure")');
  assert.match(page.url(), /\/admin\/billing_account_memberships$/);
  assert.equal((await page.textContent('.flash')).trim(), 'Billing account membership successfully deleted');
  assert.equal(one(`SELECT count(*) FROM billing_account_memberships WHERE customer_id = ${customer}`), '0');
  await shot(page, 'membership-deleted');
});
