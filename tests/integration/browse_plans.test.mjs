// Pages read by id run statements prepared once per database connection
// (app/db.c).  They must survive what happens to those connections and to
// the tables under them: a session ended by the server, a column whose
// type a migration changed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { signIn } from '../lib/signin.mjs';
import { sql, one } from '../lib/db.mjs';

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
