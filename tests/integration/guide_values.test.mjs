// The Fulfillment Guide's words on the pages: stored values shown as staff
// say them (SaaS, Credit card, Premium trial...) in lists, show pages,
// filters and exports, while filters and URLs keep the stored values; and
// History as a person reads it: the record's fields by their labels, in
// the form's order, no bookkeeping columns, times to the second in UTC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  clients, editForm, follow, makeCustomer, tag, sql, one, ACTOR, EDITOR, HTML,
} from './edit_helpers.mjs';
import {
  account, subscription, namespace, trial, cleanup,
} from './support_helpers.mjs';

let ro; let ed;
before(async () => {
  [ro, ed] = await clients('readonly@example.com', EDITOR);
});
after(cleanup);

const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/;
const HIDDEN = ['lock_version', 'updated_at', 'search_text', 'search_bigrams', 'error_search'];

async function list(path) {
  const { res, body } = await ro.json(path);
  assert.equal(res.status, 200, `${path}: ${res.text_.slice(0, 300)}`);
  return body;
}

const cell = (row, name) => row.cells.find((c) => c.name === name);
const shown = (body, name) => body.fields.find((x) => x.name === name).value;

const f = (field, op, v, n = 1) => {
  let s = `f[${field}][${n}][o]=${encodeURIComponent(op)}`;
  if (Array.isArray(v)) for (const x of v) s += `&f[${field}][${n}][v][]=${encodeURIComponent(x)}`;
  else if (v !== undefined) s += `&f[${field}][${n}][v]=${encodeURIComponent(v)}`;
  return s;
};

// The text of a list cell or a show page's value in the HTML.
const text = (s) => s.replace(/<[^>]*>/g, '').trim();
const td = (html, name) => [...html.matchAll(new RegExp(`<td data-field="${name}"[^>]*>(.*?)</td>`, 'gs'))]
  .map((m) => text(m[1]));
const dd = (html, label) => {
  const m = html.match(new RegExp(`<dt>${label}</dt>\\s*<dd[^>]*>(.*?)</dd>`, 's'));
  return m ? text(m[1]) : undefined;
};

test('a SaaS subscription says SaaS in the list, on its page and in the export; filters use the stored value', async () => {
  const a = account(tag());
  const sub = subscription(a.id, { type: 'saas', plan: 'premium', ends: 30 });
  const sm = subscription(a.id, { type: 'sm', plan: 'ultimate', ends: 30 });
  const byAccount = f('billing_account_id', 'eq', String(a.id));

  const body = await list(`/admin/zuora_subscriptions?${byAccount}`);
  assert.equal(body.rows.length, 2);
  const saasRow = body.rows.find((r) => Number(r.id) === sub.id);
  const smRow = body.rows.find((r) => Number(r.id) === sm.id);
  assert.equal(cell(saasRow, 'deployment_type').value, 'SaaS');
  assert.equal(cell(smRow, 'deployment_type').value, 'SM');

  const html = await ro.get(`/admin/zuora_subscriptions?${byAccount}`);
  assert.equal(html.status, 200);
  assert.deepEqual(td(html.text_, 'deployment_type').sort(), ['SM', 'SaaS']);

  // The show page: type, plan and status in words.
  const { body: page } = await ro.json(`/admin/zuora_subscriptions/${sub.id}`);
  assert.equal(shown(page, 'deployment_type'), 'SaaS');
  assert.equal(shown(page, 'gitlab_plan'), 'Premium');
  assert.equal(shown(page, 'status'), 'Active');
  const pageHtml = await ro.get(`/admin/zuora_subscriptions/${sub.id}`);
  assert.equal(dd(pageHtml.text_, 'Type'), 'SaaS');
  assert.equal(dd(pageHtml.text_, 'Plan'), 'Premium');
  assert.equal((await ro.json(`/admin/zuora_subscriptions/${sm.id}`)).body.fields
    .find((x) => x.name === 'gitlab_plan').value, 'Ultimate');

  // The billing account's related list says the same.
  const { body: acct } = await ro.json(`/admin/billing_accounts/${a.id}`);
  const rel = acct.related.find((r) => r.label === 'Zuora subscriptions');
  assert.deepEqual(rel.rows.map((r) => cell(r, 'deployment_type').value).sort(), ['SM', 'SaaS']);

  // Filters take the stored value (as links and bookmarks have it).
  const saas = await list(`/admin/zuora_subscriptions?${byAccount}&${f('deployment_type', 'in', ['saas'])}`);
  assert.deepEqual(saas.rows.map((r) => Number(r.id)), [sub.id]);
  const smOnly = await list(`/admin/zuora_subscriptions?${byAccount}&${f('deployment_type', 'in', ['sm'])}`);
  assert.deepEqual(smOnly.rows.map((r) => Number(r.id)), [sm.id]);
  const both = await list(`/admin/zuora_subscriptions?${byAccount}&${f('deployment_type', 'in', ['saas', 'sm'])}`);
  assert.equal(both.rows.length, 2);
  // ... and the words shown for it, which stand for the stored value.
  const typed = await list(`/admin/zuora_subscriptions?${byAccount}&${f('deployment_type', 'in', ['SaaS'])}`);
  assert.deepEqual(typed.rows.map((r) => Number(r.id)), [sub.id]);
  assert.match(typed.export_href, /f%5Bdeployment_type%5D%5B1%5D%5Bv%5D%5B%5D=saas(&|$)/);
  // Anything else is refused with a message, never a 500.
  const bad = await ro.json(`/admin/zuora_subscriptions?${f('deployment_type', 'in', ['cloud'])}`);
  assert.equal(bad.res.status, 400);
  assert.match(bad.body.error, /is not one of the choices/);

  // The filter offers the choices in words, posting the stored values.
  const added = await list(`/admin/zuora_subscriptions?${f('deployment_type', 'in', ['saas'])}&add=gitlab_plan`);
  const typeFilter = added.filters.find((x) => x.field === 'deployment_type');
  assert.deepEqual(typeFilter.options.map((o) => [o.value, o.label, o.selected]),
    [['saas', 'SaaS', true], ['sm', 'SM', false]]);
  const planFilter = added.filters.find((x) => x.field === 'gitlab_plan');
  assert.deepEqual(planFilter.options.map((o) => o.label),
    ['Premium', 'Ultimate', 'Starter', 'Bronze', 'Silver', 'Gold']);
  const filterHtml = await ro.get(`/admin/zuora_subscriptions?${f('deployment_type', 'in', ['saas'])}`);
  assert.match(filterHtml.text_, /<option value="saas" selected>SaaS<\/option>/);
  assert.match(filterHtml.text_, /<option value="sm">SM<\/option>/);

  // Sorting on a column of the list still works.
  const sorted = await list(`/admin/zuora_subscriptions?${byAccount}&sort=term_end_date&sort_reverse=true`);
  assert.equal(sorted.rows.length, 2);

  // The CSV export says it as the page does.
  const csv = await ro.get(`/admin/zuora_subscriptions/export.csv?${byAccount}`);
  assert.equal(csv.status, 200);
  const line = csv.text_.split('\r\n').find((l) => l.includes(sub.name));
  assert.match(line, /,"SaaS",/);
});

test('payment methods say Credit card and ACH; the kind filter uses the stored value', async () => {
  const cards = await list(`/admin/payment_methods?${f('kind', 'in', ['credit_card'])}`);
  assert.ok(cards.rows.length > 0, 'the demo data has cards');
  assert.ok(cards.rows.every((r) => cell(r, 'kind').value === 'Credit card'));
  const ach = await list(`/admin/payment_methods?${f('kind', 'in', ['ach'])}`);
  assert.ok(ach.rows.length > 0, 'the demo data has bank accounts');
  assert.ok(ach.rows.every((r) => cell(r, 'kind').value === 'ACH'));
  assert.ok(ach.rows.every((r) => ['Checking', 'Savings', 'Business checking']
    .includes(cell(r, 'ach_account_type').value)));
  const html = await ro.get(`/admin/payment_methods?${f('kind', 'in', ['credit_card'])}`);
  assert.ok(td(html.text_, 'kind').every((v) => v === 'Credit card'));
  assert.ok(td(html.text_, 'kind').length > 0);
  const { body: page } = await ro.json(cards.rows[0].show_href);
  assert.equal(shown(page, 'kind'), 'Credit card');
});

test('a trial says Premium trial; its namespace and the filters too', async () => {
  const ns = namespace(tag(), { plan: 'premium_trial' });
  const id = trial(ns.id, { plan: 'premium_trial' });
  const byNs = f('namespace_id', 'eq', String(ns.id));

  const body = await list(`/admin/trials?${byNs}`);
  assert.equal(body.rows.length, 1);
  assert.equal(cell(body.rows[0], 'plan').value, 'Premium trial');
  assert.equal(cell(body.rows[0], 'status').value, 'Active');
  assert.equal(body.rows[0].title, `${ns.path} Premium trial`);
  const html = await ro.get(`/admin/trials?${byNs}`);
  assert.deepEqual(td(html.text_, 'plan'), ['Premium trial']);
  const page = await ro.get(`/admin/trials/${id}`);
  assert.equal(dd(page.text_, 'Plan'), 'Premium trial');
  assert.match(page.text_, new RegExp(`<h1>${ns.path} Premium trial`));

  // Stored values in the filters.
  assert.equal((await list(`/admin/trials?${byNs}&${f('plan', 'in', ['premium_trial'])}`)).rows.length, 1);
  assert.equal((await list(`/admin/trials?${byNs}&${f('plan', 'in', ['ultimate_trial'])}`)).rows.length, 0);
  assert.equal((await list(`/admin/trials?${byNs}&${f('status', 'in', ['active'])}`)).rows.length, 1);

  const { body: nsPage } = await ro.json(`/admin/namespaces/${ns.id}`);
  assert.equal(shown(nsPage, 'plan'), 'Premium trial');
  assert.equal(shown(nsPage, 'kind'), 'Group');
  const planned = await list(`/admin/namespaces?${f('plan', 'in', ['premium_trial'])}&query=${ns.path}`);
  assert.deepEqual(planned.rows.map((r) => Number(r.id)), [ns.id]);
  const ultimate = await list('/admin/namespaces?add=plan');
  assert.deepEqual(ultimate.filters.find((x) => x.field === 'plan').options.map((o) => o.label),
    ['Free', 'Premium', 'Ultimate', 'Bronze', 'Silver', 'Gold', 'Premium trial', 'Ultimate trial',
      'Ultimate trial (paid customer)', 'Open Source']);

  // History of the trial: its plan in words too.
  const { body: hist } = await ro.json(`/admin/trials/${id}/history`);
  const create = hist.events.find((e) => e.event === 'create');
  const plan = create.changes.find((c) => c.field === 'plan');
  assert.equal(plan.label, 'Plan');
  assert.equal(plan.value, 'Premium trial');
});

test('license types say Cloud, Offline cloud, Legacy', async () => {
  const cloud = await list(`/admin/licenses?${f('license_type', 'in', ['cloud'])}`);
  assert.ok(cloud.rows.length > 0);
  assert.ok(cloud.rows.every((r) => cell(r, 'license_type').value === 'Cloud'));
  const legacy = await list(`/admin/licenses?${f('license_type', 'in', ['legacy', 'offline_cloud'])}`);
  assert.ok(legacy.rows.every((r) => ['Legacy', 'Offline cloud'].includes(cell(r, 'license_type').value)));
  assert.ok(cloud.rows.every((r) => /^[A-Z]/.test(cell(r, 'gitlab_plan').value)));
});

test('times in lists and on show pages are to the second, in UTC', async () => {
  const id = makeCustomer(tag());
  const body = await list(`/admin/customers?${f('id', 'eq', String(id))}`);
  assert.match(cell(body.rows[0], 'created_at').value, TIME);
  const { body: page } = await ro.json(`/admin/customers/${id}`);
  assert.match(shown(page, 'created_at'), TIME);
  assert.match(shown(page, 'updated_at'), TIME);
  const expected = one(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'
    FROM customers WHERE id = ${id}`);
  assert.equal(shown(page, 'created_at'), expected);
});

test("a customer's history: labels in the form's order, no bookkeeping, times to the second in UTC", async () => {
  const t = tag();
  const id = makeCustomer(t);
  const form = await editForm(ed, `/admin/customers/${id}/edit`);
  const res = await ed.submit(`/admin/customers/${id}`, {
    ...form.values, lock_version: form.lock_version,
    first_name: `Greta${t}`, last_name: 'Guidewright', email: `guide-${t}@edit-tests.example`,
  });
  assert.equal((await follow(ed, res)).kind, 'notice');
  // Old history rows may carry bookkeeping columns: they stay out too;
  // times are shown in UTC whatever their offset; a column no field
  // describes is named in words.
  sql(`INSERT INTO versions (item_type, item_id, event, changes, actor)
    VALUES ('customers', ${id}, 'update', '{"lock_version": [0, 1], "search_text": ["a", "b"],
      "updated_at": ["2024-05-01T16:03:27.123456+02:00", "2024-05-01T16:04:00+02:00"],
      "company": ["Old Co", "New Co"], "created_at": ["2024-05-01T16:03:27.123456+02:00", "2024-05-01T23:30:00-05:30"],
      "portal_note": ["a", "b"]}', 'system')`);

  const { body } = await ed.json(`/admin/customers/${id}/history`);
  const [old, update, create] = body.events;
  assert.equal(old.actor, 'system');
  assert.deepEqual(old.changes.map((c) => [c.field, c.label, c.old, c.new]),
    [['company', 'Company', 'Old Co', 'New Co'],
      ['created_at', 'Created at', '2024-05-01 14:03:27 UTC', '2024-05-02 05:00:00 UTC'],
      ['portal_note', 'Portal note', 'a', 'b']]);

  assert.equal(update.event, 'update');
  assert.equal(update.actor, ACTOR);
  assert.deepEqual(update.changes.map((c) => c.field), ['first_name', 'last_name', 'email']);
  assert.deepEqual(update.changes.map((c) => c.label), ['First name', 'Last name', 'Email']);
  assert.deepEqual(update.changes.map((c) => [c.old, c.new]), [
    [`Edith${t}`, `Greta${t}`], ['Tester', 'Guidewright'],
    [`customer-${t}@edit-tests.example`, `guide-${t}@edit-tests.example`]]);

  assert.equal(create.event, 'create');
  const fields = create.changes.map((c) => c.field);
  for (const h of HIDDEN) assert.ok(!fields.includes(h), `${h} in ${fields}`);
  assert.deepEqual(create.changes.map((c) => c.label),
    ['ID', 'First name', 'Last name', 'Email', 'Company', 'Login activated', 'GitLab.com user ID', 'Created at']);
  assert.equal(create.changes.find((c) => c.field === 'login_activated').value, 'Yes');
  assert.match(create.changes.find((c) => c.field === 'created_at').value, TIME);
  assert.equal(create.changes.find((c) => c.field === 'created_at').value,
    one(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' FROM customers WHERE id = ${id}`));

  for (const ev of body.events) {
    assert.match(ev.at, TIME);
    assert.match(ev.at_iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(ev.at_iso.replace('T', ' ').replace('Z', ' UTC'), ev.at);
  }

  // The page as a person reads it.
  const html = await ed.get(`/admin/customers/${id}/history`, { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, /<th scope="row">First name<\/th>/);
  assert.match(html.text_, /<th scope="row">Created at<\/th>/);
  assert.doesNotMatch(html.text_, /lock_version|search_text|search_bigrams|Lock version|Updated at/);
  assert.doesNotMatch(html.text_, /\d\d:\d\d:\d\d\.\d+/, 'no fractions of a second');
  const times = [...html.text_.matchAll(/<time datetime="[^"]+">([^<]*)<\/time>/g)].map((m) => m[1]);
  assert.equal(times.length, body.events.length);
  for (const x of times) assert.match(x, TIME);
  assert.match(html.text_, /data-event="update">Updated</);
  // The order of a row's fields on the page is the form's.
  const update_ = html.text_.slice(html.text_.indexOf(`by <span class="actor">${ACTOR}</span>`));
  const order = ['First name', 'Last name', 'Email'].map((l) => update_.indexOf(`<th scope="row">${l}</th>`));
  assert.ok(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1])), `order ${order}`);
});

test('the resource-wide history uses the same labels and times', async () => {
  const { body } = await ro.json('/admin/customers/history');
  assert.ok(body.events.length > 0);
  for (const ev of body.events) {
    assert.match(ev.at, TIME);
    for (const c of ev.changes) {
      assert.ok(!HIDDEN.includes(c.field), `${c.field} shown`);
      assert.match(c.label, /^[A-Z]/, `${c.field}: ${c.label}`);
    }
  }
});

test('the delete confirmation shows the record as its page does: times to the second in UTC', async () => {
  const id = one('SELECT min(id) FROM billing_account_memberships');
  const res = await ed.get(`/admin/billing_account_memberships/${id}/delete`, { headers: HTML });
  assert.equal(res.status, 200);
  assert.match(res.text_, /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
  assert.doesNotMatch(res.text_, /\d\d:\d\d:\d\d\.\d+/, 'no fractions of a second');
  assert.doesNotMatch(res.text_, /\d\d:\d\d:\d\d\+00/, 'no offset');
});
