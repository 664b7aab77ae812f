// Pages read by id run statements prepared once per database connection
// (app/db/db.c).  They must survive what happens to those connections and to
// the tables under them: a session ended by the server, a column whose
// type a migration changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signIn } from '../lib/signin.mjs';
import { sql, one } from '../lib/db.mjs';
import { makeCustomer, cleanup, tag } from './edit_helpers.mjs';

after(cleanup);

let ro;

before(async () => { ro = await signIn('readonly@example.com'); });

// Enough requests for both workers to prepare the page's statements and
// for PostgreSQL to settle on their generic plans (after five runs).
async function readMany(path, times = 16) {
  const bodies = [];
  for (let i = 0; i < times; i++) {
    const { res, body } = await ro.json(path);
    assert.equal(res.status, 200, `${path}: ${res.text_.slice(0, 300)}`);
    bodies.push(body);
  }
  return bodies;
}

test('prepared statements are prepared again after the server ends the sessions', async () => {
  const id = one("SELECT id FROM customers WHERE email = 'dana.whitfield@northwind-robotics.com'");
  const path = `/admin/customers/${id}`;
  const [before] = await readMany(path);
  const ended = one("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity " +
    "WHERE application_name = 'cdot-admin' AND pid <> pg_backend_pid()");
  assert.ok(Number(ended) >= 1, 'the app had sessions to end');
  const after = await readMany(path);
  for (const b of after) {
    assert.equal(b.title, before.title);
    assert.deepEqual(b.related.map((r) => r.rows.length), before.related.map((r) => r.rows.length));
  }
});

test('a column type changed under a prepared statement: the page is planned afresh', async () => {
  const id = one("SELECT id FROM customers WHERE email = 'dana.whitfield@northwind-robotics.com'");
  const path = `/admin/customers/${id}/history`;
  const [before] = await readMany(path);
  try {
    // The history statement returns actor as it is stored: its result
    // type changes with the column's.
    sql('ALTER TABLE versions ALTER COLUMN actor TYPE varchar(320)');
    for (const b of await readMany(path)) assert.deepEqual(b.events, before.events);
  } finally {
    sql('ALTER TABLE versions ALTER COLUMN actor TYPE text');
  }
  for (const b of await readMany(path)) assert.deepEqual(b.events, before.events);
});

test('lists read in id order pick their page from the matches: every page, both ways', async () => {
  const all = [];
  for (let page = 1; ; page++) {
    const { res, body } = await ro.json(`/admin/customers?query=%40&sort=id&sort_reverse=false&page=${page}`);
    assert.equal(res.status, 200);
    all.push(...body.rows.map((r) => Number(r.id)));
    if (!body.pages.next_href) break;
  }
  const expected = sql("SELECT id FROM customers WHERE search_text LIKE '%@%' ORDER BY id")
    .map((r) => Number(r[0]));
  assert.ok(expected.length > 25, 'more than one page');
  assert.deepEqual(all, expected);
  const { body } = await ro.json('/admin/customers?query=%40&sort=id&sort_reverse=true&page=2');
  assert.deepEqual(body.rows.map((r) => Number(r.id)), [...expected].reverse().slice(25, 50));
});

test('a full name with a two-character word: the pairs index finds what LIKE would', async () => {
  const t = tag();
  const last = `Nguyen${t}`;
  const ids = {
    li: makeCustomer(t + 'a', { first: 'Li', last }),
    olivia: makeCustomer(t + 'b', { first: 'Olivia', last }),
    jo: makeCustomer(t + 'c', { first: 'Jo', last, email: `jo-${t}@pairs.example` }),
    joli: makeCustomer(t + 'd', { first: 'Jo', last, email: `jo.li-${t}@pairs.example` }),
    accent: makeCustomer(t + 'e', { first: 'Lí', last, email: `accent-${t}@pairs.example` }),
  };
  const found = async (query) => {
    const { res, body } = await ro.json('/admin/customers?query=' + encodeURIComponent(query));
    assert.equal(res.status, 200);
    return body.rows.map((r) => Number(r.id)).sort((a, b) => a - b);
  };
  const like = (words) => sql(`SELECT id FROM customers WHERE ${words.map((w) =>
    `search_text LIKE '%' || lower('${w}') || '%'`).join(' AND ')} ORDER BY id`).map((r) => Number(r[0]));
  assert.deepEqual(await found(`Li ${last}`), like(['li', last]));
  assert.deepEqual(await found(`Li ${last}`), [ids.li, ids.olivia, ids.joli]);
  assert.deepEqual(await found(`LÍ ${last.toUpperCase()}`), [ids.accent]);
  assert.deepEqual(await found(`jo ${last} li`), [ids.joli]);
  assert.deepEqual(await found(`o. ${last}`), [ids.joli]);
  assert.deepEqual(await found(`zq ${last}`), []);
  // The pairs are bookkeeping, as search_text is: not in history.
  const { body } = await ro.json(`/admin/customers/${ids.li}/history`);
  const create = body.events.find((e) => e.event === 'create');
  assert.ok(create.changes.some((ch) => ch.field === 'first_name'));
  assert.ok(create.changes.every((ch) => !['search_bigrams', 'search_text'].includes(ch.field)));
});

test("a search's count and page come from one set of matches: other orders, past the last page, more than 1000", async () => {
  const t = tag();
  const many = `Manymatch${t}`;
  const few = `Fewmatch${t}`;
  sql(`INSERT INTO customers (first_name, last_name, email, company)
    SELECT 'P' || g, CASE WHEN g <= 30 THEN '${few}' ELSE '${many}' END,
      'p' || g || '-${t}@count.example', 'Count Tests'
    FROM generate_series(1, 1031) g`);
  try {
    const ids = (order, name) => sql(`SELECT id FROM customers WHERE last_name = '${name}' ORDER BY ${order}`)
      .map((r) => Number(r[0]));
    const page = async (path) => {
      const { res, body } = await ro.json(path);
      assert.equal(res.status, 200, `${path}: ${res.text_.slice(0, 200)}`);
      return body;
    };
    const rowIds = (body) => body.rows.map((r) => Number(r.id));

    // Few matches, in another order than id: every page, then past the last.
    const byEmail = ids('email DESC, id DESC', few);
    const p1 = await page(`/admin/customers?query=${few}&sort=email&sort_reverse=true`);
    assert.equal(p1.pages.total_label, '30');
    const p2 = await page(p1.pages.next_href);
    assert.deepEqual([...rowIds(p1), ...rowIds(p2)], byEmail);
    assert.equal(p2.pages.next_href, undefined);
    const past = await page(`/admin/customers?query=${few}&sort=email&sort_reverse=true&page=3`);
    assert.deepEqual(past.rows, []);
    assert.equal(past.pages.total_label, '30');
    assert.equal(past.pages.to, 0);
    assert.ok(past.pages.prev_href.includes('page=2'));

    // No match at all.
    const none = await page(`/admin/customers?query=${few}zz`);
    assert.deepEqual(none.rows, []);
    assert.equal(none.pages.total_label, '0');

    // More matches than the bounded count: the page still in list order.
    const m1 = await page(`/admin/customers?query=${many}`);
    assert.equal(m1.pages.total_label, 'more than 1000');
    assert.deepEqual(rowIds(m1), ids('id DESC', many).slice(0, 25));
    const m2 = await page(`/admin/customers?query=${many}&sort=email&sort_reverse=false&page=2`);
    assert.deepEqual(rowIds(m2), ids('email, id', many).slice(25, 50));
  } finally {
    sql(`DELETE FROM customers WHERE last_name IN ('${few}', '${many}')`);
  }
});
