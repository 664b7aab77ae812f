// The global search (/admin/search): every kind of key staff paste finds
// its record, as HTML (one match: a 303 to it) and as JSON (the match's
// href, the groups); several matches are grouped by resource, exact ones
// first; text falls back to the lists' own searches; bad input gets a
// clear 400 or an empty result, never a 500.  Against the demo data.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { signIn } from '../lib/signin.mjs';
import { one, sql, q } from '../lib/db.mjs';

let ro;

before(async () => { ro = await signIn('readonly@example.com'); });

const path = (key) => `/admin/search?query=${encodeURIComponent(key)}`;

async function search(key) {
  const { res, body } = await ro.json(path(key));
  assert.equal(res.status, 200, `${key}: ${res.text_.slice(0, 300)}`);
  return body;
}

// The rows of a resource's group, or [] when it has none.
const rowsOf = (body, resource) =>
  body.groups.find((g) => g.resource === resource)?.rows ?? [];

// One record found: HTML is sent to it, JSON names it.
async function findsOnly(key, resource, id, matched) {
  const body = await search(key);
  assert.equal(body.total, 1, `${key}: ${JSON.stringify(body.groups)}`);
  assert.equal(body.href, `/admin/${resource}/${id}`, key);
  assert.equal(body.groups.length, 1);
  assert.equal(body.groups[0].resource, resource);
  const row = body.groups[0].rows[0];
  assert.equal(row.id, String(id));
  assert.equal(row.exact, true);
  if (matched) assert.match(row.matched, matched);
  const html = await ro.get(path(key));
  assert.equal(html.status, 303, key);
  assert.equal(html.headers.get('location'), `/admin/${resource}/${id}`);
}

test('an e-mail finds whose it is, whatever its case', async () => {
  const email = one(`SELECT email FROM customers c WHERE NOT EXISTS
    (SELECT 1 FROM billing_account_contacts k WHERE lower(k.work_email) = lower(c.email))
    AND NOT EXISTS (SELECT 1 FROM licenses l WHERE lower(l.email) = lower(c.email))
    ORDER BY id LIMIT 1`);
  const id = one(`SELECT id FROM customers WHERE email = ${q(email)}`);
  await findsOnly(email, 'customers', id, /^Email /);
  await findsOnly(email.toUpperCase(), 'customers', id);
  await findsOnly(` <${email}> `, 'customers', id);
});

test('an e-mail of a contact and a customer finds both, exact first', async () => {
  const email = one(`SELECT c.email FROM customers c JOIN billing_account_contacts k
    ON lower(k.work_email) = lower(c.email) ORDER BY c.id LIMIT 1`);
  if (email === undefined) return;
  const body = await search(email);
  assert.ok(body.total >= 2);
  assert.equal(body.href, undefined);
  assert.ok(rowsOf(body, 'customers').length === 1);
  assert.ok(rowsOf(body, 'billing_account_contacts').length >= 1);
  const html = await ro.get(path(email));
  assert.equal(html.status, 200);
  assert.match(html.text_, /data-resource="customers"/);
});

test('a company domain finds the people at it', async () => {
  const body = await search('northwind-robotics.com');
  const customers = rowsOf(body, 'customers');
  const n = Number(one(`SELECT count(*) FROM customers
    WHERE lower(split_part(email, '@', 2)) = 'northwind-robotics.com'`));
  assert.equal(customers.length, Math.min(n, 5));
  for (const r of customers) assert.match(r.matched, /@northwind-robotics\.com$/);
  assert.ok(body.kinds.includes('domain'));
  // '@domain' is the same key.
  const at = await search('@northwind-robotics.com');
  assert.deepEqual(rowsOf(at, 'customers').map((r) => r.id), customers.map((r) => r.id));
  const html = await ro.get(path('northwind-robotics.com'));
  assert.equal(html.status, 200);
  assert.match(html.text_, /<h2 id="search-group-customers">Customers<\/h2>/);
});

test('an unknown e-mail at a known domain shows the others there', async () => {
  const body = await search('nobody.at.all@northwind-robotics.com');
  const customers = rowsOf(body, 'customers');
  assert.ok(customers.length > 0);
  for (const r of customers) {
    assert.equal(r.exact, false);
    assert.match(r.matched, /^Same domain: .*@northwind-robotics\.com$/);
  }
});

test('a subscription name (A-S…), in any case, goes to the subscription', async () => {
  const id = one(`SELECT id FROM zuora_subscriptions WHERE name = 'A-S00039268'`);
  await findsOnly('A-S00039268', 'zuora_subscriptions', id, /A-S00039268/);
  await findsOnly('a-s00039268', 'zuora_subscriptions', id);
  await findsOnly('"A-S00039268"', 'zuora_subscriptions', id);
});

test("Zuora's account, subscription, contact and payment method IDs", async () => {
  for (const [table, col, resource] of [
    ['billing_accounts', 'zuora_account_id', 'billing_accounts'],
    ['zuora_subscriptions', 'zuora_subscription_id', 'zuora_subscriptions'],
    ['billing_account_contacts', 'zuora_contact_id', 'billing_account_contacts'],
    ['payment_methods', 'zuora_payment_method_id', 'payment_methods'],
  ]) {
    const [[id, zid]] = sql(`SELECT id, ${col} FROM ${table} ORDER BY id LIMIT 1`);
    await findsOnly(zid, resource, id, /Zuora/);
    await findsOnly(zid.toUpperCase(), resource, id);
  }
});

test('an SFDC account ID (18 or 15 characters) and an opportunity ID', async () => {
  const [[id, sfdc]] = sql(`SELECT id, salesforce_account_id FROM billing_accounts
    WHERE length(salesforce_account_id) = 18 ORDER BY id LIMIT 1`);
  await findsOnly(sfdc, 'billing_accounts', id, /^SFDC account ID /);
  await findsOnly(sfdc.slice(0, 15), 'billing_accounts', id);

  const opp = one(`SELECT salesforce_opportunity_id FROM temporary_extensions
    WHERE salesforce_opportunity_id IS NOT NULL ORDER BY id LIMIT 1`);
  const body = await search(opp);
  const exts = sql(`SELECT id FROM temporary_extensions WHERE salesforce_opportunity_id = ${q(opp)}`);
  const recs = sql(`SELECT id FROM reconciliations WHERE salesforce_opportunity_id = ${q(opp)}`);
  assert.equal(rowsOf(body, 'temporary_extensions').length, exts.length);
  assert.equal(rowsOf(body, 'reconciliations').length, Math.min(recs.length, 5));
  assert.equal(body.total, Math.min(recs.length, 5) + exts.length);
  for (const g of body.groups) for (const r of g.rows) assert.match(r.matched, /SFDC opportunity ID/);
});

test('a namespace path or GitLab namespace ID', async () => {
  const [[id, path_, gid]] = sql(`SELECT id, path, gitlab_id FROM namespaces n
    WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.gl_namespace_id = n.gitlab_id)
    AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.uid = n.gitlab_id)
    AND NOT EXISTS (SELECT 1 FROM zuora_subscriptions s WHERE s.id = n.gitlab_id)
    ORDER BY id DESC LIMIT 1`);
  await findsOnly(path_, 'namespaces', id, /^Path /);
  await findsOnly(path_.toUpperCase(), 'namespaces', id);
  await findsOnly(gid, 'namespaces', id, /^Namespace ID /);

  // A namespace ordered for: the namespace and its orders.
  const [[nid, ogid]] = sql(`SELECT n.id, n.gitlab_id FROM namespaces n
    JOIN orders o ON o.gl_namespace_id = n.gitlab_id ORDER BY n.id LIMIT 1`);
  const body = await search(ogid);
  assert.equal(body.groups[0].resource, 'namespaces');
  assert.equal(rowsOf(body, 'namespaces')[0].id, nid);
  assert.ok(rowsOf(body, 'orders').every((r) => /GitLab namespace ID/.test(r.matched)));
});

test("a license's hostname finds its subscription and licenses", async () => {
  const [[host, sub]] = sql(`SELECT hostname, zuora_subscription_id FROM license_seat_links
    ORDER BY id LIMIT 1`);
  const body = await search(host);
  const subs = rowsOf(body, 'zuora_subscriptions');
  assert.ok(subs.some((r) => r.id === sub), JSON.stringify(body.groups));
  for (const r of subs) assert.match(r.matched, /^Seat links from /);
  const licenses = sql(`SELECT id FROM licenses WHERE zuora_subscription_id IN
    (SELECT zuora_subscription_id FROM license_seat_links WHERE lower(hostname) = lower(${q(host)}))`);
  assert.equal(rowsOf(body, 'licenses').length, Math.min(licenses.length, 5));
  // Its domain: the subscriptions with a host in it (when nothing else is).
  const domain = host.split('.').slice(1).join('.');
  if (domain.includes('.')) {
    const d = await search(domain);
    if (!d.groups.some((g) => g.exact)) {
      assert.ok(rowsOf(d, 'zuora_subscriptions').some((r) => r.id === sub));
    }
  }
});

test('an order ID finds the order, and any record with that ID', async () => {
  const id = one('SELECT max(id) FROM orders');
  const body = await search(id);
  const orders = rowsOf(body, 'orders');
  assert.ok(orders.some((r) => r.id === id && r.matched === `Order ID ${id}`));
  assert.ok(body.kinds.includes('number'));
  for (const g of body.groups) assert.ok(g.rows.every((r) => r.exact));
});

test('an invoice number goes to the invoice', async () => {
  const [[id, num]] = sql('SELECT id, zuora_invoice_number FROM invoices ORDER BY id LIMIT 1');
  await findsOnly(num, 'invoices', id, /^Invoice /);
});

test("other text: the lists' own searches, a few rows each, exact first", async () => {
  const body = await search('Dana Whitfield');
  assert.ok(body.kinds.includes('text'));
  const customers = rowsOf(body, 'customers');
  assert.ok(customers.length >= 1);
  assert.match(customers[0].title, /Dana Whitfield/);

  // More matches than shown: a link to the list searched for the same.
  const company = one(`SELECT company FROM customers WHERE company IS NOT NULL
    GROUP BY 1 HAVING count(*) > 5 ORDER BY count(*) DESC LIMIT 1`);
  if (company !== undefined) {
    const c = await search(company);
    const g = c.groups.find((x) => x.resource === 'customers');
    assert.equal(g.rows.length, 5);
    assert.equal(g.more, true);
    assert.equal(g.all_href, `/admin/customers?query=${encodeURIComponent(company).replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase())}`);
    const list = await ro.get(g.all_href);
    assert.equal(list.status, 200);
  }
});

test("text reads each record's own columns; the lists of records that belong to another are linked", async () => {
  // A billing account's name is also in its orders' and memberships'
  // searches (through the account): here the account is found, and the
  // other lists are offered, searched for the same.
  const [id, name] = sql(`SELECT b.id, b.zuora_account_name FROM billing_accounts b
    WHERE EXISTS (SELECT 1 FROM orders o WHERE o.billing_account_id = b.id)
      AND b.zuora_account_name LIKE '% %' ORDER BY b.id LIMIT 1`)[0];
  const body = await search(name);
  assert.ok(rowsOf(body, 'billing_accounts').some((r) => r.id === id), name);
  for (const r of ['orders', 'billing_account_memberships', 'trials', 'temporary_extensions'])
    assert.deepEqual(rowsOf(body, r), [], r);
  const lists = body.elsewhere.lists.map((l) => l.resource).sort();
  assert.deepEqual(lists, ['billing_account_memberships', 'orders',
    'temporary_extensions', 'trials']);
  const orders = body.elsewhere.lists.find((l) => l.resource === 'orders');
  assert.equal(orders.href, `/admin/orders?query=${encodeURIComponent(name)}`);
  const list = await ro.json(orders.href);
  assert.equal(list.res.status, 200);
  assert.ok(list.body.rows.length >= 1, 'the orders list finds them');

  const html = await ro.get(path(name));
  assert.match(html.text_, /<p class="search-elsewhere">Text is not searched here/);
  assert.match(html.text_, /<a href="\/admin\/orders\?query=[^"]+" data-resource="orders">Orders<\/a>/);
});

test('text without a word of three characters: no table is scanned, the lists are offered', async () => {
  for (const key of ['a b', 'Li Wu', 'x']) {
    const body = await search(key);
    assert.equal(body.total, 0, key);
    assert.equal(body.short_words, true, key);
    assert.ok(body.elsewhere.lists.some((l) => l.resource === 'customers'), key);
    const html = await ro.get(path(key));
    assert.equal(html.status, 200);
    assert.match(html.text_, /data-short>Nothing matches <q>[^<]+<\/q> exactly\. To search text here, type a word of three characters or more\./);
    assert.doesNotMatch(html.text_, /data-empty/);
  }
  // A short number is still an ID.
  const id = one('SELECT min(id) FROM customers');
  if (Number(id) < 100) {
    const body = await search(id);
    assert.ok(rowsOf(body, 'customers').some((r) => r.id === id));
  }
  // A word of three is searched.
  assert.equal((await search('Li Nguyen')).short_words, false);
});

test('nothing found: an empty result, not an error', async () => {
  for (const key of ['zzqx-nothing-here', 'nobody@nowhere.invalid', '006ZZZZZZZZZZZZ',
    '0'.repeat(32), '99999999999999999999', '123456789012345678']) {
    const body = await search(key);
    assert.equal(body.total, 0, key);
    assert.equal(body.empty, true);
    assert.deepEqual(body.groups, []);
    const html = await ro.get(path(key));
    assert.equal(html.status, 200);
    assert.match(html.text_, /Nothing matches/);
  }
});

test('bad input: a clear 400 or an empty page, never a 500', async () => {
  const empty = await ro.get('/admin/search');
  assert.equal(empty.status, 200);
  assert.match(empty.text_, /Paste what you have/);
  for (const p of ['/admin/search?query=', '/admin/search?query=%20%20']) {
    const r = await ro.json(p);
    assert.equal(r.res.status, 200);
    assert.equal(r.body.hint, true);
  }

  const long = await ro.json(path('x'.repeat(201)));
  assert.equal(long.res.status, 400);
  assert.match(long.body.error, /too long \(at most 200 characters\)/);
  assert.equal((await ro.get(path('é'.repeat(200)))).status, 200);

  for (const raw of ['%01abc', 'a%0Bb']) {
    const r = await ro.json(`/admin/search?query=${raw}`);
    assert.equal(r.res.status, 400, raw);
    assert.match(r.body.error, /control characters/);
  }
  for (const raw of ['%FF%FE', '%00', '%E2%82']) {
    const r = await ro.get(`/admin/search?query=${raw}`);
    assert.equal(r.status, 400, raw);
  }
  for (const key of ["'; DROP TABLE customers; --", '%_\\', '@', '@@', 'a@b', '.', '-',
    '1.5', 'A-S', '\u{1F600}', '<script>alert(1)</script>', 'x'.repeat(200)]) {
    const r = await ro.get(path(key));
    assert.ok(r.status === 200 || r.status === 303, `${key}: ${r.status}`);
    assert.ok(!r.text_.includes('<script>alert'), key);
  }
});

test('every role may search; the header has the box on every signed-in page', async () => {
  for (const who of ['editor@example.com', 'support@example.com']) {
    const c = await signIn(who);
    const r = await c.get(path('northwind-robotics.com'));
    assert.equal(r.status, 200, who);
  }
  const dash = await ro.get('/admin');
  assert.match(dash.text_, /<form class="global-search" method="get" action="\/admin\/search" role="search"/);
  assert.match(dash.text_, /<label for="global-search" class="visually-hidden">Search every record<\/label>/);
  const page = await ro.get(path('zzqx-nothing-here'));
  assert.match(page.text_, /id="global-search"[^>]*value="zzqx-nothing-here"/);

  const nobody = await signIn('nobody@example.com');
  const none = await nobody.get('/admin');
  assert.doesNotMatch(none.text_, /global-search/);
  assert.notEqual((await nobody.get(path('x'))).status, 200);
});
