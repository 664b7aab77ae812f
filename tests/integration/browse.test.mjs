// Every screen readable: lists with search, filters, sort and pages; show
// pages with related lists; history; CSV export; JSON; and bad input,
// against the demo data.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { signIn } from '../lib/signin.mjs';
import { one, sql } from '../lib/db.mjs';

let ro; // a read_only user: everything here is readable by read_only

const RESOURCES = [
  'customers', 'billing_accounts', 'billing_account_contacts',
  'billing_account_memberships', 'zuora_subscriptions', 'invoices',
  'payment_methods', 'licenses', 'license_seat_links', 'orders',
  'reconciliations', 'namespaces', 'trials', 'temporary_extension_history',
];

before(async () => { ro = await signIn('readonly@example.com'); });

async function list(path) {
  const { res, body } = await ro.json(path);
  assert.equal(res.status, 200, `${path}: ${res.text_.slice(0, 200)}`);
  return body;
}

function column(body, name) {
  return body.rows.map((r) => r.cells.find((c) => c.name === name).value);
}

const f = (field, op, v, n = 1) => {
  let q = `f[${field}][${n}][o]=${encodeURIComponent(op)}`;
  if (Array.isArray(v)) for (const x of v) q += `&f[${field}][${n}][v][]=${encodeURIComponent(x)}`;
  else if (v !== undefined) q += `&f[${field}][${n}][v]=${encodeURIComponent(v)}`;
  return q;
};

test('every resource lists its records, as HTML and as JSON', async () => {
  for (const r of RESOURCES) {
    const html = await ro.get(`/admin/${r}`);
    assert.equal(html.status, 200, r);
    assert.match(html.text_, /<table class="records">/, r);
    const body = await list(`/admin/${r}`);
    assert.ok(body.rows.length > 0, `${r} has demo rows`);
    assert.ok(body.columns.length > 0);
    assert.ok(body.pages.total >= body.rows.length);
  }
});

test('search matches a partial email (a company domain)', async () => {
  const body = await list('/admin/customers?query=northwind-robotics.com');
  assert.equal(body.rows.length, 3);
  for (const e of column(body, 'email')) assert.match(e, /@northwind-robotics\.com$/);
});

test('search of a full name finds the person (every word matches some field)', async () => {
  const body = await list('/admin/customers?query=' + encodeURIComponent('Dana Whitfield'));
  assert.equal(body.rows.length, 1);
  assert.equal(column(body, 'last_name')[0], 'Whitfield');
  const none = await list('/admin/customers?query=' + encodeURIComponent('Dana Nobody'));
  assert.equal(none.rows.length, 0);
});

test('a word past 100 bytes is searched by its start, cut between characters; a search has 200 characters at most', async () => {
  // 1 + 2 * 60 bytes: cut at 100 bytes, the 50th "Ж" would be split.
  const body = await list('/admin/customers?query=' + encodeURIComponent('x' + 'Ж'.repeat(60)));
  assert.equal(body.rows.length, 0);
  const long = await list('/admin/customers?query=' + encodeURIComponent('Ж'.repeat(100)));
  assert.equal(long.rows.length, 0);
  // The search's own bound counts characters, not bytes.
  const words = (n) => Array(n).fill('ЖЖЖЖЖЖЖЖЖ').join(' '); // n * 10 - 1 characters
  assert.equal((await list('/admin/customers?query=' + encodeURIComponent(`${words(20)}Ж`))).rows.length, 0);
  const over = await ro.json('/admin/customers?query=' + encodeURIComponent(`${words(20)}ЖЖ`));
  assert.equal(over.res.status, 400);
  assert.equal(over.body.error, 'The search is too long (at most 200 characters).');
});

test('search is case-insensitive and treats % and _ literally', async () => {
  assert.equal((await list('/admin/customers?query=DANA.WHITFIELD')).rows.length, 1);
  assert.equal((await list('/admin/customers?query=%25')).rows.length, 0);
  assert.equal((await list('/admin/customers?query=_')).rows.length, 0);
});

test('a long word finds exactly the rows holding it, whichever of its trigrams lead', async () => {
  // Words of four characters or more reach the index through their
  // rarest trigrams (from a sample of the column), then are checked whole.
  const holding = (w) => Number(one(`SELECT count(*) FROM customers
    WHERE search_text LIKE '%' || lower('${w}') || '%'`));
  for (const w of ['whitfield', 'WHITFIELD', 'northwind', 'Robotics', 'dana', 'example', 'Jürgen',
    'rgen', 'whitfieldnorthwind', 'danawhit', 'qzxw', '2024']) {
    const body = await list('/admin/customers?query=' + encodeURIComponent(w));
    assert.equal(body.pages.total ?? 0, holding(w), w);
  }
  const both = await list('/admin/customers?query=' + encodeURIComponent('Jürgen example'));
  assert.equal(both.pages.total ?? 0, Number(one(`SELECT count(*) FROM customers
    WHERE search_text LIKE '%jürgen%' AND search_text LIKE '%example%'`)));
});

test('a word with punctuation matches as typed, not as its parts in any form', async () => {
  const one_ = await list('/admin/customers?query=' + encodeURIComponent('Dana.Whitfield@Northwind-Robotics'));
  assert.deepEqual(column(one_, 'email'), ['dana.whitfield@northwind-robotics.com']);
  for (const q of ['dana-whitfield', 'whitfield.dana', 'dana.whitfield@northwind.robotics', 'dana%whitfield', 'dana_whitfield']) {
    assert.equal((await list('/admin/customers?query=' + encodeURIComponent(q))).rows.length, 0, q);
  }
  assert.equal((await list('/admin/customers?query=' + encodeURIComponent('@northwind-robotics.'))).rows.length, 3);
  assert.equal((await list('/admin/customers?query=' + encodeURIComponent('.-@'))).rows.length, 0);
});

test('a host name is found whole or in part, and only as typed', async () => {
  const L = '/admin/license_seat_links?query=';
  const hosts = (q) => list(L + encodeURIComponent(q)).then((b) => [...new Set(column(b, 'hostname'))]);
  assert.deepEqual(await hosts('git.internal.meridianbank.com'), ['git.internal.meridianbank.com']);
  assert.deepEqual(await hosts('INTERNAL.meridianbank'), ['git.internal.meridianbank.com']);
  assert.deepEqual(await hosts('.meridianbank.'), ['git.internal.meridianbank.com']);
  assert.deepEqual(await hosts('nal.meridianb'), ['git.internal.meridianbank.com']);
  assert.deepEqual(await hosts('internal-meridianbank'), []);
  assert.deepEqual(await hosts('git.meridianbank.com'), []);
  assert.deepEqual(await hosts('.internal.meridianbank.org'), []);
});

test('a number is searched on every resource, whether or not it has number fields', async () => {
  for (const r of RESOURCES) {
    const { res } = await ro.json(`/admin/${r}?query=123`);
    assert.equal(res.status, 200, `${r}: ${res.text_.slice(0, 200)}`);
  }
  const body = await list('/admin/customers?query=' + encodeURIComponent('2024 Dana'));
  assert.equal(body.rows.length, 0);
});

test('the Subscription badge marks customers who have one', async () => {
  const body = await list('/admin/customers?query=dana.whitfield');
  assert.equal(body.rows[0].badge, 'Subscription');
});

test('text filters: contains, is, starts with, ends with, blank, present', async () => {
  let b = await list('/admin/customers?' + f('email', 'like', 'NORTHWIND'));
  assert.equal(b.rows.length, 3);
  b = await list('/admin/customers?' + f('email', 'is', 'Dana.Whitfield@northwind-robotics.com'));
  assert.equal(b.rows.length, 1);
  b = await list('/admin/customers?' + f('first_name', 'starts_with', 'da'));
  assert.ok(b.rows.every((r) => /^da/i.test(r.cells.find((c) => c.name === 'first_name').value)));
  b = await list('/admin/customers?' + f('email', 'ends_with', 'arcticfox.ca'));
  assert.equal(b.rows.length, 2);
  const blank = await list('/admin/customers?' + f('company', '_blank'));
  const present = await list('/admin/customers?' + f('company', '_present'));
  const all = await list('/admin/customers');
  assert.ok(blank.rows.length > 0);
  assert.equal(blank.pages.total + present.pages.total, all.pages.total);
});

test('number filters: =, <, >, between, blank', async () => {
  let b = await list('/admin/licenses?' + f('user_count', 'eq', '400'));
  assert.ok(b.rows.length >= 1);
  assert.ok(column(b, 'user_count').every((v) => v === '400'));
  b = await list('/admin/licenses?' + f('user_count', 'lt', '50'));
  assert.ok(column(b, 'user_count').every((v) => Number(v) < 50));
  b = await list('/admin/licenses?' + f('user_count', 'gt', '100'));
  assert.ok(column(b, 'user_count').every((v) => Number(v) > 100));
  b = await list('/admin/licenses?' + f('user_count', 'between', ['40', '100']));
  assert.ok(b.rows.length > 0);
  assert.ok(column(b, 'user_count').every((v) => Number(v) >= 40 && Number(v) <= 100));
  b = await list('/admin/reconciliations?' + f('invoiced_amount', '_blank'));
  assert.ok(b.rows.every((r) => r.cells.find((c) => c.name === 'invoiced_amount').value === null));
});

test('date filters: =, <, >, between, blank, on dates and timestamps', async () => {
  const all = await list('/admin/license_seat_links');
  const day = all.rows[0].cells.find((c) => c.name === 'synced_at').value.slice(0, 10);
  let b = await list('/admin/license_seat_links?' + f('synced_at', 'eq', day));
  assert.ok(b.rows.length >= 1);
  assert.ok(column(b, 'synced_at').every((v) => v.startsWith(day)));
  b = await list('/admin/license_seat_links?' + f('synced_at', 'gt', day));
  assert.ok(column(b, 'synced_at').every((v) => v.slice(0, 10) > day));
  b = await list('/admin/license_seat_links?' + f('synced_at', 'lt', day));
  assert.ok(column(b, 'synced_at').every((v) => v.slice(0, 10) < day));
  b = await list('/admin/zuora_subscriptions?' + f('term_end_date', 'between', ['2026-01-01', '2026-12-31']));
  assert.ok(b.rows.length > 0);
  assert.ok(column(b, 'term_end_date').every((v) => v >= '2026-01-01' && v <= '2026-12-31'));
  b = await list('/admin/reconciliations?' + f('done_at', '_blank'));
  assert.ok(column(b, 'done_at').every((v) => v === null));
});

test('boolean and enum filters', async () => {
  let b = await list('/admin/billing_accounts?' + f('credit_hold', 'is', 'true'));
  assert.equal(b.rows.length, 1);
  assert.equal(column(b, 'zuora_account_name')[0], 'Helios Data GmbH');
  b = await list('/admin/customers?' + f('login_activated', 'is', 'false'));
  assert.equal(b.rows.length, 1);
  b = await list('/admin/reconciliations?' + f('status', 'in', ['failed', 'skipped']));
  assert.equal(b.rows.length, 5);
  // Filtered by the stored values, shown in the Guide's words.
  assert.ok(column(b, 'status').every((s) => s === 'Failed' || s === 'Skipped'));
});

test('several filters combine with AND', async () => {
  const b = await list('/admin/customers?' + f('email', 'like', 'northwind') + '&' +
    f('first_name', 'is', 'Tom', 2));
  assert.equal(b.rows.length, 1);
});

test("the Guide's QSR link: error message contains MaxAdditionalSeatsExceededError", async () => {
  const body = await list('/admin/reconciliations?f%5Berror_message%5D%5B98073%5D%5Bo%5D=like' +
    '&f%5Berror_message%5D%5B98073%5D%5Bv%5D=MaxAdditionalSeatsExceededError&sort=reconcile_on&sort_reverse=true');
  assert.equal(body.rows.length, 1);
  assert.match(column(body, 'error_message')[0], /MaxAdditionalSeatsExceededError/);
  assert.equal(body.filters[0].field, 'error_message');
  assert.ok(body.filters[0].remove_href.startsWith('/admin/reconciliations'));
});

test('the error message filter ignores case with every operator, and takes % and _ literally', async () => {
  const R = '/admin/reconciliations?';
  const msg = 'MaxAdditionalSeatsExceededError: EOA subscription cannot be reconciled for more than 25 additional seats (requested 31)';
  let b = await list(R + f('error_message', 'like', 'maxadditionalSEATS'));
  assert.deepEqual(column(b, 'error_message'), [msg]);
  b = await list(R + f('error_message', 'is', msg.toUpperCase()));
  assert.deepEqual(column(b, 'error_message'), [msg]);
  b = await list(R + f('error_message', 'starts_with', 'zuora::paymenterror'));
  assert.equal(b.rows.length, 1);
  assert.match(column(b, 'error_message')[0], /^Zuora::PaymentError/);
  b = await list(R + f('error_message', 'ends_with', '(REQUESTED 31)'));
  assert.equal(b.rows.length, 1);
  b = await list(R + f('error_message', 'starts_with', 'requested'));
  assert.equal(b.rows.length, 0, 'starts_with anchors at the start');
  b = await list(R + f('error_message', 'like', 'multiple_rate_plans'));
  assert.deepEqual(column(b, 'error_message'), ['multiple_rate_plans']);
  b = await list(R + f('error_message', 'like', 'multiple%plans'));
  assert.equal(b.rows.length, 0, '% is a character, not a wildcard');
  b = await list(R + f('error_message', 'like', 'multiple_rate_'));
  assert.equal(b.rows.length, 1);
  b = await list(R + f('error_message', 'like', 'multiplexrate'));
  assert.equal(b.rows.length, 0, '_ is a character, not a wildcard');
  const blank = await list(R + f('error_message', '_blank'));
  const present = await list(R + f('error_message', '_present'));
  const all = await list('/admin/reconciliations');
  assert.equal(present.pages.total, 3);
  assert.equal(blank.pages.total + present.pages.total, all.pages.total);
});

test("the error message's lower-cased copy stays out of history", async () => {
  const id = one("SELECT id FROM reconciliations WHERE error_message = 'multiple_rate_plans'");
  const { res, body } = await ro.json(`/admin/reconciliations/${id}/history`);
  assert.equal(res.status, 200);
  const create = body.events.find((e) => e.event === 'create');
  assert.ok(create.changes.some((ch) => ch.field === 'error_message'));
  assert.ok(create.changes.every((ch) => !['error_search', 'search_text'].includes(ch.field)));
});

test("fields of joined tables: search and filters find the rows through that table", async () => {
  const expect = (where) => sql(`SELECT t.id FROM billing_account_memberships t
    JOIN customers c ON c.id = t.customer_id JOIN billing_accounts b ON b.id = t.billing_account_id
    WHERE ${where} ORDER BY t.id DESC`).map((r) => r[0]);
  const ids = (b) => b.rows.map((r) => String(r.id));
  const M = '/admin/billing_account_memberships?';
  let b = await list(M + 'query=NORTHWIND-robotics');
  assert.ok(b.rows.length > 0);
  assert.deepEqual(ids(b), expect("c.email ILIKE '%northwind-robotics%' OR b.zuora_account_name ILIKE '%northwind-robotics%'"));
  const account = one('SELECT zuora_account_name FROM billing_accounts b JOIN billing_account_memberships m ON m.billing_account_id = b.id ORDER BY b.id LIMIT 1');
  const word = account.split(' ')[0];
  b = await list(M + 'query=' + encodeURIComponent(word.toUpperCase()));
  assert.deepEqual(ids(b), expect(`c.email ILIKE '%${word}%' OR b.zuora_account_name ILIKE '%${word}%'`));
  b = await list(M + f('customer_email', 'is', 'DANA.WHITFIELD@northwind-robotics.com'));
  assert.deepEqual(ids(b), expect("lower(c.email) = 'dana.whitfield@northwind-robotics.com'"));
  assert.equal(b.rows.length, 1);
  b = await list(M + f('customer_email', 'starts_with', 'dana.'));
  assert.deepEqual(ids(b), expect("c.email ILIKE 'dana.%'"));
  b = await list(M + f('customer_email', 'ends_with', '@NORTHWIND-robotics.com'));
  assert.deepEqual(ids(b), expect("c.email ILIKE '%@northwind-robotics.com'"));
  b = await list(M + f('zuora_account_name', 'like', word) + '&' + f('customer_email', 'like', '%', 2));
  assert.equal(b.rows.length, 0, 'a % in a filter is a character');
  const orders = await list('/admin/orders?query=' + encodeURIComponent(word));
  assert.deepEqual(orders.rows.map((r) => String(r.id)), sql(`SELECT t.id FROM orders t
    JOIN billing_accounts b ON b.id = t.billing_account_id
    WHERE b.zuora_account_name ILIKE '%${word}%' OR t.subscription_name ILIKE '%${word}%'
       OR t.gl_namespace_name ILIKE '%${word}%' ORDER BY t.id DESC`).map((r) => r[0]));
});

test('sorting by a column, both ways', async () => {
  const asc = column(await list('/admin/customers?sort=email&sort_reverse=false'), 'email');
  const desc = column(await list('/admin/customers?sort=email&sort_reverse=true'), 'email');
  const sorted = [...asc].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(asc, sorted);
  assert.deepEqual(desc, [...desc].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  assert.ok(desc[0] > asc[0]);
  // Newest licenses first by default.
  const issued = column(await list('/admin/licenses'), 'issued_at');
  assert.deepEqual(issued, [...issued].sort().reverse());
});

test('pages: 25 rows a page, next and previous links, bounded total', async () => {
  const p1 = await list('/admin/customers');
  assert.equal(p1.rows.length, 25);
  assert.ok(p1.pages.next_href.includes('page=2'));
  const p2 = await list(p1.pages.next_href);
  assert.equal(p2.rows.length, p1.pages.total - 25);
  assert.ok(p2.pages.prev_href);
  assert.equal(p2.pages.next_href, undefined);
  const ids1 = new Set(p1.rows.map((r) => r.id));
  assert.ok(p2.rows.every((r) => !ids1.has(r.id)));
});

test('a customer show page has subscriptions with owed seats, membership and GitLab groups', async () => {
  const c = (await list('/admin/customers?query=dana.whitfield')).rows[0];
  const { res, body } = await ro.json(c.show_href);
  assert.equal(res.status, 200);
  const labels = body.related.map((r) => r.label);
  assert.deepEqual(labels, ['Billing account membership', 'Zuora subscriptions', 'GitLab groups', 'Orders']);
  const subs = body.related.find((r) => r.label === 'Zuora subscriptions');
  assert.ok(subs.rows.length >= 1);
  assert.ok(subs.columns.some((col) => col.label === 'Owed seats'));
  const html = await ro.get(c.show_href);
  assert.match(html.text_, /Owed seats/);
  assert.match(html.text_, /GitLab groups/);
});

test('a billing account shows Bill_To and Sold_To, invoices, masked payment methods', async () => {
  const ba = (await list('/admin/billing_accounts?query=Northwind')).rows[0];
  const { body } = await ro.json(ba.show_href);
  const field = (n) => body.fields.find((x) => x.name === n);
  assert.match(field('bill_to').value, /<.+@.+>/);
  assert.match(field('bill_to').href, /^\/admin\/billing_account_contacts\/\d+$/);
  assert.match(field('sold_to').href, /^\/admin\/billing_account_contacts\/\d+$/);
  const inv = body.related.find((r) => r.label === 'Invoices');
  assert.ok(inv.rows.length > 0);
  const pm = await list('/admin/payment_methods');
  for (const r of pm.rows) {
    for (const name of ['card_last4', 'ach_account_number_last4']) {
      const v = r.cells.find((c) => c.name === name).value;
      if (v !== null) assert.match(v, /^•••• \d{4}$/);
    }
  }
});

test('a license links its subscription and the version service', async () => {
  const b = await list('/admin/licenses?' + f('license_type', 'in', ['cloud']));
  const withSub = b.rows.find((r) => r.cells.find((c) => c.name === 'subscription').href);
  const { body } = await ro.json(withSub.show_href);
  assert.match(body.lookup.href, /\/licenses\/\d+\/hostnames$/);
  assert.equal(body.lookup.label, 'Lookup hostnames');
  assert.match(body.fields.find((x) => x.name === 'subscription').href, /^\/admin\/zuora_subscriptions\/\d+$/);
});

test('a reconciliation links its subscription', async () => {
  const r = (await list('/admin/reconciliations')).rows[0];
  assert.match(r.cells.find((c) => c.name === 'subscription_name').href, /^\/admin\/zuora_subscriptions\/\d+$/);
});

test('history per record and per resource, field by field', async () => {
  const c = (await list('/admin/customers?query=dana.whitfield')).rows[0];
  const { res, body } = await ro.json(c.history_href);
  assert.equal(res.status, 200);
  const create = body.events.find((e) => e.event === 'create');
  assert.ok(create);
  assert.equal(create.actor, 'system');
  assert.ok(create.changes.some((ch) => ch.field === 'email' && ch.value === 'dana.whitfield@northwind-robotics.com'));
  const all = await ro.json('/admin/customers/history');
  assert.equal(all.res.status, 200);
  assert.ok(all.body.events.length > 0);
  assert.ok(all.body.events.every((e) => e.record_href.startsWith('/admin/customers/')));
});

test('CSV export of the filtered list, with the same rows as the list', async () => {
  const q = f('email', 'like', 'northwind');
  const res = await ro.get('/admin/customers/export.csv?' + q);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.match(res.headers.get('content-disposition'), /attachment; filename="customers-\d{4}-\d\d-\d\d\.csv"/);
  const lines = res.text_.trim().split('\r\n');
  assert.match(lines[0], /^"ID","ID","First name","Last name","Email"/);
  assert.equal(lines.length, 1 + 3);
  assert.ok(lines.slice(1).every((l) => l.includes('northwind-robotics.com')));
  // The whole seat-link table streams out too.
  const all = await ro.get('/admin/license_seat_links/export.csv');
  const total = (await list('/admin/license_seat_links')).pages.total;
  assert.equal(all.text_.trim().split('\r\n').length, 1 + total);
  const te = await ro.get('/admin/temporary_extension_history/export.csv');
  assert.equal(te.status, 200);
});

test('bad filters, sorts and pages get a clear message, never a database error', async () => {
  const cases = [
    ['/admin/customers?' + f('password', 'like', 'x'), /cannot be filtered on 'password'/],
    ['/admin/customers?' + f('email', 'gt', 'x'), /'gt' is not an operator for Email/],
    ['/admin/licenses?' + f('user_count', 'eq', 'ten'), /'ten' is not a whole number/],
    ['/admin/licenses?' + f('expires_at', 'eq', '2024-02-30'), /not a date/],
    ['/admin/licenses?' + f('expires_at', 'lt', "2024-01-01'; drop table licenses;--"), /not a date/],
    ['/admin/reconciliations?' + f('status', 'in', ['done']), /not one of the choices/],
    ['/admin/customers?' + f('login_activated', 'is', 'maybe'), /choose yes or no/],
    ['/admin/invoices?' + f('amount', 'gt', '1e9'), /not a number/],
    ['/admin/customers?f[email]=x', /malformed/],
    // Quoted cut to 60 bytes, which splits a "Σ": the part left is dropped.
    ['/admin/customers?f[x' + encodeURIComponent('Σ'.repeat(40)) + '][1][o]=like',
      /^The filter parameter 'f\[xΣ{28}' is malformed\.$/],
    ['/admin/customers?sort=lock_version', /cannot be sorted by 'lock_version'/],
    ['/admin/customers?sort=email&sort_reverse=maybe', /sort_reverse must be true or false/],
    ['/admin/customers?page=0', /page must be a number/],
    ['/admin/customers?page=99999999999999999999', /page must be a number/],
    // Values enough for more statement parameters than the engine takes.
    ['/admin/payment_methods?' + [1, 2, 3].map((n) => f('kind', 'in', Array(22).fill('ach'), n)).join('&'),
      /Too many filter values/],
    ['/admin/payment_methods?query=' + encodeURIComponent('a.b '.repeat(8)) + '&' +
      [1, 2].map((n) => f('kind', 'in', Array(20).fill('ach'), n)).join('&'), /Too many filter values/],
  ];
  for (const [path, message] of cases) {
    const res = await ro.get(path, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 400, path);
    assert.match(JSON.parse(res.text_).error, message, path);
    const html = await ro.get(path);
    assert.equal(html.status, 400);
    assert.match(html.text_, /flash-alert/);
  }
  // Still alive, still right.
  assert.equal((await list('/admin/licenses')).rows.length > 0, true);
});

test('a missing record is a 404; a non-numeric or oversized id matches no route', async () => {
  assert.equal((await ro.get('/admin/customers/999999999')).status, 404);
  assert.equal((await ro.get('/admin/customers/0123')).status, 404);
  assert.equal((await ro.get('/admin/customers/1234567890123456789')).status, 404);
  assert.equal((await ro.get('/admin/no_such_thing/1')).status, 404);
  assert.equal((await ro.get('/admin/customers/999999999/history')).status, 200);
});

test('read_only reads invoices and payment methods', async () => {
  assert.equal((await ro.get('/admin/invoices')).status, 200);
  assert.equal((await ro.get('/admin/payment_methods')).status, 200);
});

test('a database error is a 500 page through the layout, naming the request id', async () => {
  const { sql } = await import('../lib/db.mjs');
  sql('ALTER TABLE invoices RENAME TO invoices_away');
  try {
    const res = await ro.get('/admin/invoices');
    assert.equal(res.status, 500);
    assert.match(res.text_, /<title>Internal Server Error · CustomersDot Admin<\/title>/);
    const id = res.headers.get('x-request-id');
    assert.match(res.text_, new RegExp(`logged with request id ${id}`));
    assert.doesNotMatch(res.text_, /invoices_away|relation|SELECT/);
  } finally {
    sql('ALTER TABLE invoices_away RENAME TO invoices');
  }
  assert.equal((await ro.get('/admin/invoices')).status, 200);
});

test('every resource: search, each sort both ways, show, history, export', async () => {
  for (const r of RESOURCES) {
    const body = await list(`/admin/${r}`);
    const first = body.rows[0];

    // Search by a word of a searchable column of the first row finds it.
    const searchable = body.columns.findIndex((c) => c.searchable &&
      first.cells.find((x) => x.name === c.name)?.value);
    if (searchable >= 0) {
      const value = first.cells.find((x) => x.name === body.columns[searchable].name).value;
      const word = value.split(/\s+/).sort((a, b) => b.length - a.length)[0];
      const found = await list(`/admin/${r}?query=${encodeURIComponent(word)}`);
      assert.ok(found.rows.some((row) => row.id === first.id), `${r}: search "${word}" finds #${first.id}`);
    }

    // Every sortable column sorts both ways.
    for (const col of body.columns.filter((c) => c.sort_href)) {
      for (const rev of ['false', 'true']) {
        const sorted = await list(`/admin/${r}?sort=${col.name}&sort_reverse=${rev}`);
        assert.equal(sorted.sort, col.name);
        assert.equal(sorted.rows.length, Math.min(25, body.pages.total), `${r} by ${col.name}`);
      }
    }

    const show = await ro.json(first.show_href);
    assert.equal(show.res.status, 200, `${r} show`);
    assert.ok(show.body.fields.length >= body.columns.length - 1);
    const html = await ro.get(first.show_href);
    assert.match(html.text_, /<dl class="record">/);

    const hist = await ro.json(first.history_href);
    assert.equal(hist.res.status, 200, `${r} history`);

    const csv = await ro.get(body.export_href);
    assert.equal(csv.status, 200, `${r} export`);
    assert.equal(csv.text_.trim().split('\r\n').length, 1 + body.pages.total, `${r} export rows`);
  }
});
