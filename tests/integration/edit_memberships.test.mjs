// Billing account memberships: add (customer and billing account typed or
// picked; a customer who already has one gets a clear error), delete
// through the "Yes, I'm sure" page with the Guide's flash, the lock on a
// stale confirmation, and history with the actor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  clients, fieldErrors, assertHistory, follow, makeCustomer, makeAccount, tag, sql, one,
  history, EDITOR, HTML, JSON_,
  cleanup,
} from './edit_helpers.mjs';

let ed; let ro;
before(async () => { [ed, ro] = await clients(EDITOR, 'readonly@example.com'); });
after(() => { cleanup(); });

const membershipOf = (customer) => sql(`SELECT id, billing_account_id, lock_version
  FROM billing_account_memberships WHERE customer_id = ${customer}`)[0];

// A new customer c, already a member of a new billing account a.
function memberOf(t) {
  const c = makeCustomer(t);
  const a = makeAccount(t);
  sql(`INSERT INTO billing_account_memberships (customer_id, billing_account_id) VALUES (${c}, ${a.id})`);
  return { c, a };
}

test('the new form: customer and billing account, searchable as you type', async () => {
  const list = await ed.json('/admin/billing_account_memberships');
  assert.equal(list.body.new_href, '/admin/billing_account_memberships/new');
  assert.ok(list.body.rows.every((r) => r.row_actions.some((a) => a.name === 'delete')));
  const html = await ed.get('/admin/billing_account_memberships/new', { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, /name="customer_id"[^>]*data-lookup="\/admin\/customers"/);
  assert.match(html.text_, /name="billing_account_id"[^>]*data-lookup="\/admin\/billing_accounts"[^>]*data-lookup-label="\{title\} \(\{zuora_account_id\}\)"/);
  // What the search as you type reads: the lists' JSON.
  const t = tag();
  const a = makeAccount(t);
  const { body } = await ed.json(`/admin/billing_accounts?query=${encodeURIComponent(`Edit Tests ${t}`)}`);
  assert.equal(body.rows.length, 1);
  assert.equal(body.rows[0].title, `Edit Tests ${t} Inc.`);
  assert.equal(body.rows[0].cells.find((c) => c.name === 'zuora_account_id').value, a.zid);
  // Not for read-only staff.
  assert.equal((await ro.get('/admin/billing_account_memberships/new', { headers: HTML })).status, 403);
  assert.equal((await ro.json('/admin/billing_account_memberships')).body.new_href, undefined);
});

test('add a membership by email and Zuora account ID; shown as "name (Zuora ID)"', async () => {
  const t = tag();
  const c = makeCustomer(t);
  const a = makeAccount(t);
  const res = await ed.submit('/admin/billing_account_memberships', {
    customer_id: `Customer-${t}@EDIT-TESTS.example`, billing_account_id: a.zid,
  });
  const { flash, location, page } = await follow(ed, res);
  assert.equal(flash, 'Billing account membership successfully created');
  const [mid, acct] = membershipOf(c);
  assert.equal(Number(acct), a.id);
  assert.equal(location, `/admin/billing_account_memberships/${mid}`);
  assert.match(page.text_, new RegExp(`Edit Tests ${t} Inc\\. \\(${a.zid}\\)`));
  await assertHistory(ed, 'billing_account_memberships', mid, 'create', ['customer_id', 'billing_account_id']);
});

test('add by IDs (what the search as you type sends)', async () => {
  const t = tag();
  const c = makeCustomer(t);
  const a = makeAccount(t);
  const res = await ed.submit('/admin/billing_account_memberships', { customer_id: String(c), billing_account_id: String(a.id) });
  assert.equal(res.status, 303);
  assert.equal(Number(membershipOf(c)[1]), a.id);
});

test('a customer who already has a membership gets a clear error beside the field', async () => {
  const t = tag();
  const { c, a } = memberOf(t);
  const b = makeAccount(`${t}b`);
  const res = await ed.submit('/admin/billing_account_memberships', { customer_id: String(c), billing_account_id: String(b.id) }, JSON_);
  assert.equal(res.status, 422);
  const body = JSON.parse(res.text_);
  assert.match(fieldErrors(body).customer_id, /already has a billing account membership/);
  // What was typed stays, and the picks keep their labels.
  const fields = Object.fromEntries(body.form.fields.map((f) => [f.name, f]));
  assert.equal(fields.customer_id.value, String(c));
  assert.equal(fields.billing_account_id.value, String(b.id));
  assert.equal(fields.billing_account_id.ref_label, `Edit Tests ${t}b Inc. (${b.zid})`);
  assert.equal(Number(membershipOf(c)[1]), a.id, 'the existing one is untouched');
  const html = await ed.submit('/admin/billing_account_memberships', { customer_id: String(c), billing_account_id: String(b.id) });
  assert.match(html.text_, /<p class="field-error" id="f-customer_id-error">This customer already has a billing account membership/);
});

test('unknown or blank customer and billing account are refused', async () => {
  let res = await ed.submit('/admin/billing_account_memberships', { customer_id: 'nobody@nowhere.example', billing_account_id: '' }, JSON_);
  assert.equal(res.status, 422);
  const errs = fieldErrors(JSON.parse(res.text_));
  assert.match(errs.customer_id, /No Customer matches \u201cnobody@nowhere\.example\u201d/);
  assert.equal(errs.billing_account_id, "Billing account can't be blank.");
  res = await ed.submit('/admin/billing_account_memberships', { customer_id: '999999999', billing_account_id: 'x' }, JSON_);
  assert.deepEqual(Object.keys(fieldErrors(JSON.parse(res.text_))).sort(), ['billing_account_id', 'customer_id']);
  res = await ro.submit('/admin/billing_account_memberships', { customer_id: '1', billing_account_id: '1' }, JSON_);
  assert.equal(res.status, 403);
});

test('delete: the confirmation page, "Yes, I\'m sure", then the Guide\'s flash', async () => {
  const t = tag();
  const { c } = memberOf(t);
  const [mid] = membershipOf(c);

  const { body: show } = await ed.json(`/admin/billing_account_memberships/${mid}`);
  assert.ok(show.actions.some((x) => x.name === 'delete' && x.href === `/admin/billing_account_memberships/${mid}/delete`));
  const page = await ed.get(`/admin/billing_account_memberships/${mid}/delete`, { headers: HTML });
  assert.equal(page.status, 200);
  assert.match(page.text_, /Are you sure you want to delete this Billing account membership\?/);
  assert.match(page.text_, /Yes, I'm sure/);
  assert.match(page.text_, new RegExp(`customer-${t}@edit-tests\\.example`));
  const lv = page.text_.match(/name="lock_version" value="(\d+)"/)[1];

  // Only editors, with the form token.
  assert.equal((await ro.get(`/admin/billing_account_memberships/${mid}/delete`)).status, 403);
  let res = await ro.submit(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv }, JSON_);
  assert.equal(res.status, 403);
  res = await ed.post(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv }, { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.ok(membershipOf(c));

  res = await ed.submit(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv });
  const { flash, kind, location } = await follow(ed, res);
  assert.equal(location, '/admin/billing_account_memberships');
  assert.equal(kind, 'notice');
  assert.equal(flash, 'Billing account membership successfully deleted');
  assert.equal(membershipOf(c), undefined);
  const [ev] = await history(ed, 'billing_account_memberships', mid);
  assert.equal(ev.event, 'delete');
  assert.equal(ev.actor, `admin:${EDITOR}`);

  // Gone: a second delete is 404.
  res = await ed.submit(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv });
  assert.equal(res.status, 404);
});

test('a confirmation opened before someone changed the membership does not delete it', async () => {
  const t = tag();
  const { c, a } = memberOf(t);
  const b = makeAccount(`${t}b`);
  const [mid, , lv] = membershipOf(c);
  sql(`UPDATE billing_account_memberships SET billing_account_id = ${b.id} WHERE id = ${mid}`);
  const res = await ed.submit(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv }, JSON_);
  assert.equal(res.status, 409);
  assert.match(JSON.parse(res.text_).error, /changed by someone else/);
  assert.ok(membershipOf(c));
  // Not deletable: customers (no such page).
  assert.equal((await ed.get(`/admin/customers/${c}/delete`)).status, 404);
  assert.equal(one(`SELECT count(*) FROM customers WHERE id = ${c}`), '1');
});
