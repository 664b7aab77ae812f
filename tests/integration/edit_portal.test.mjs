// The customers portal's side: Impersonate (an audited, short-lived,
// single-use grant), the one-time sign-in URL on the customer page
// (single use, stored hashed, a new one after use), and the API the
// portal redeems both with (service token; used, expired, unknown tokens
// refused with stable codes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  clients, makeCustomer, tag, sql, one, q, sha256, history, ACTOR, EDITOR, HTML, JSON_, follow,
  cleanup,
} from './edit_helpers.mjs';
import { APP_URL } from '../lib/http.mjs';

const SERVICE = process.env.CDOT_PORTAL_SERVICE_TOKEN;
let ed; let ro;
before(async () => { [ed, ro] = await clients(EDITOR, 'readonly@example.com'); });
after(() => { cleanup(); });

async function redeem(kind, token, { auth = `Bearer ${SERVICE}`, type = 'application/json', body } = {}) {
  const headers = { 'content-type': type };
  if (auth) headers.authorization = auth;
  const res = await fetch(`${APP_URL}/api/v1/${kind}/redeem`, {
    method: 'POST', headers, body: body ?? JSON.stringify({ token }),
  });
  return { status: res.status, body: await res.json() };
}

async function impersonate(id) {
  const res = await ed.submit(`/admin/customers/${id}/impersonate`, {});
  assert.equal(res.status, 303, res.text_.slice(0, 300));
  const url = new URL(res.headers.get('location'));
  return { url, token: url.searchParams.get('token') };
}

test('Impersonate: an audited grant, then the portal at its configured base URL', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const { body: page } = await ed.json(`/admin/customers/${id}`);
  assert.ok(page.post_actions.some((a) => a.name === 'impersonate'));

  const { url, token } = await impersonate(id);
  assert.equal(url.pathname, '/admin_impersonation');
  assert.equal(url.origin, process.env.CDOT_PORTAL_BASE_URL);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);

  // Only the token's hash is stored, with who asked; at most an hour.
  const [g] = sql(`SELECT id, admin_identity, encode(token_sha256, 'hex'),
      expires_at > now(), expires_at <= created_at + interval '1 hour', used_at IS NULL
    FROM impersonation_grants WHERE customer_id = ${id}`);
  assert.deepEqual(g.slice(1), [ACTOR, sha256(token), 't', 't', 't']);
  assert.equal(one(`SELECT count(*) FROM impersonation_grants WHERE token_sha256::text LIKE ${q(`%${token}%`)}`), '0');

  // In history with the actor, and on the customer's page.
  const [ev] = await history(ed, 'impersonation_grants', g[0]);
  assert.equal(ev.event, 'create');
  assert.equal(ev.actor, ACTOR);
  assert.ok(!ev.changes.some((ch) => ch.field === 'token_sha256'), 'the hash is not copied into history');
  const { body } = await ed.json(`/admin/customers/${id}`);
  const panel = body.panels.find((p) => p.name === 'impersonations');
  assert.equal(panel.rows[0].cells[0].value, ACTOR);

  // The portal redeems it once.
  let r = await redeem('impersonation', token);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { customer_id: id, email: `customer-${t}@edit-tests.example`, admin_identity: ACTOR });
  r = await redeem('impersonation', token);
  assert.equal(r.status, 410);
  assert.equal(r.body.error, 'token_used');
  const [ev2] = await history(ed, 'impersonation_grants', g[0]);
  assert.equal(ev2.event, 'update');
  assert.equal(ev2.actor, 'api:customers_portal');
});

test('an expired impersonation grant is refused', async () => {
  const id = makeCustomer(tag());
  const { token } = await impersonate(id);
  sql(`UPDATE impersonation_grants SET expires_at = created_at + interval '1 millisecond'
    WHERE customer_id = ${id}`);
  const r = await redeem('impersonation', token);
  assert.equal(r.status, 410);
  assert.equal(r.body.error, 'token_expired');
});

test('as JSON, Impersonate answers the URL instead of redirecting', async () => {
  const id = makeCustomer(tag());
  const res = await ed.submit(`/admin/customers/${id}/impersonate`, {}, JSON_);
  assert.equal(res.status, 200);
  const body = JSON.parse(res.text_);
  assert.match(body.impersonation_url, /\/admin_impersonation\?token=[A-Za-z0-9_-]{43}$/);
  assert.equal(body.admin_identity, ACTOR);
});

test('Impersonate is for editors, with the form token; unknown customers are 404', async () => {
  const id = makeCustomer(tag());
  let res = await ro.submit(`/admin/customers/${id}/impersonate`, {}, JSON_);
  assert.equal(res.status, 403);
  res = await ed.post(`/admin/customers/${id}/impersonate`, {}, { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.equal(JSON.parse(res.text_).reason, 'csrf');
  assert.equal(one(`SELECT count(*) FROM impersonation_grants WHERE customer_id = ${id}`), '0');
  res = await ed.submit('/admin/customers/999999999/impersonate', {});
  assert.equal(res.status, 404);
  const { body } = await ro.json(`/admin/customers/${id}`);
  assert.equal(body.post_actions, undefined);
});

function shownUrl(body) {
  return body.panels.find((p) => p.name === 'one_time_sign_in').url;
}

test('one-time sign-in URL: made on request, shown to editors, stored only as a hash', async () => {
  const t = tag();
  const id = makeCustomer(t);
  let { body } = await ed.json(`/admin/customers/${id}`);
  assert.equal(shownUrl(body), undefined);
  assert.match(body.panels.find((p) => p.name === 'one_time_sign_in').note, /no unused/);

  const { flash } = await follow(ed, await ed.submit(`/admin/customers/${id}/one_time_sign_in`, {}));
  assert.match(flash, /new one-time sign-in URL/);
  ({ body } = await ed.json(`/admin/customers/${id}`));
  const url = new URL(shownUrl(body));
  assert.equal(url.pathname, '/sign_in/one_time');
  const token = url.searchParams.get('token');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  // The same URL on every visit, while unused.
  ({ body } = await ed.json(`/admin/customers/${id}`));
  assert.equal(new URL(shownUrl(body)).searchParams.get('token'), token);
  // Only the hash is in the database.
  const rows = sql(`SELECT encode(token_sha256, 'hex') FROM one_time_sign_in_tokens WHERE customer_id = ${id}`);
  assert.deepEqual(rows, [[sha256(token)]]);
  const [ev] = (await history(ed, 'customers', id)).filter(() => true);
  assert.ok(ev);
  assert.equal(one(`SELECT actor FROM versions WHERE item_type = 'one_time_sign_in_tokens'
    AND (changes->>'customer_id')::bigint = ${id} AND event = 'create'`), ACTOR);

  // Read-only staff do not see it.
  const asRo = await ro.json(`/admin/customers/${id}`);
  assert.equal(shownUrl(asRo.body), undefined);
  assert.doesNotMatch(asRo.res.text_, new RegExp(token));
  const html = await ro.get(`/admin/customers/${id}`, { headers: HTML });
  assert.match(html.text_, /Only editors can see/);
});

test('one-time sign-in: single use, and a new URL is made after use', async () => {
  const t = tag();
  const id = makeCustomer(t);
  await ed.submit(`/admin/customers/${id}/one_time_sign_in`, {});
  let { body } = await ed.json(`/admin/customers/${id}`);
  const first = new URL(shownUrl(body)).searchParams.get('token');

  let r = await redeem('one_time_sign_in', first);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { customer_id: id, email: `customer-${t}@edit-tests.example` });
  r = await redeem('one_time_sign_in', first);
  assert.equal(r.status, 410);
  assert.equal(r.body.error, 'token_used');

  ({ body } = await ed.json(`/admin/customers/${id}`));
  const second = new URL(shownUrl(body)).searchParams.get('token');
  assert.notEqual(second, first);
  assert.equal(one(`SELECT count(*) FROM one_time_sign_in_tokens WHERE customer_id = ${id}`), '2');
  // Who used it, in history.
  assert.equal(one(`SELECT actor FROM versions WHERE item_type = 'one_time_sign_in_tokens'
    AND event = 'update' AND item_id = (SELECT min(id) FROM one_time_sign_in_tokens
    WHERE customer_id = ${id})`), 'api:customers_portal');

  // Asking for a new one retires the current one.
  await ed.submit(`/admin/customers/${id}/one_time_sign_in`, {});
  ({ body } = await ed.json(`/admin/customers/${id}`));
  const third = new URL(shownUrl(body)).searchParams.get('token');
  assert.notEqual(third, second);
  r = await redeem('one_time_sign_in', second);
  assert.equal(r.status, 410);
  assert.equal(r.body.error, 'token_expired');
  r = await redeem('one_time_sign_in', third);
  assert.equal(r.status, 200);
});

test('one-time sign-in refused for a customer whose login is deactivated', async () => {
  const id = makeCustomer(tag(), { login: false });
  await ed.submit(`/admin/customers/${id}/one_time_sign_in`, {});
  const { body } = await ed.json(`/admin/customers/${id}`);
  const token = new URL(shownUrl(body)).searchParams.get('token');
  const r = await redeem('one_time_sign_in', token);
  assert.equal(r.status, 403);
  assert.equal(r.body.error, 'login_deactivated');
  assert.equal(one(`SELECT count(*) FROM one_time_sign_in_tokens WHERE customer_id = ${id}
    AND used_at IS NOT NULL`), '0');
});

test('the redeem API: service token, JSON body, stable error codes', async () => {
  let r = await redeem('one_time_sign_in', 'x'.repeat(43), { auth: null });
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'unauthorized');
  r = await redeem('one_time_sign_in', 'x'.repeat(43), { auth: 'Bearer wrong-token' });
  assert.equal(r.status, 401);
  r = await redeem('impersonation', 'x'.repeat(43), { auth: `Basic ${SERVICE}` });
  assert.equal(r.status, 401);
  r = await redeem('one_time_sign_in', 'x'.repeat(43));
  assert.equal(r.status, 404);
  assert.equal(r.body.error, 'invalid_token');
  r = await redeem('impersonation', 'unknown');
  assert.equal(r.status, 404);
  assert.equal(r.body.error, 'invalid_token');
  for (const body of ['{', '[]', '{"token": 5}', '{"token": ""}', JSON.stringify({ token: 'y'.repeat(200) })]) {
    r = await redeem('one_time_sign_in', null, { body });
    assert.equal(r.status, 400, body);
    assert.equal(r.body.error, 'bad_request');
  }
  r = await redeem('one_time_sign_in', 'abc', { type: 'application/x-www-form-urlencoded', body: 'token=abc' });
  assert.equal(r.status, 415);
  // No session, no form token needed; and a browser session is no key.
  const viaSession = await ed.post('/api/v1/one_time_sign_in/redeem', { token: 'abc', csrf_token: ed.csrf }, { headers: JSON_ });
  assert.equal(viaSession.status, 401);
});
