// The route table walk: every route the app declares (it writes its table
// to CDOT_ROUTES_FILE at start) for an anonymous visitor, a signed-in
// person without a role, and each role, signed in through the real flow.
// Each answer must be what the route declares: sent to sign in, refused
// (403), or allowed.  A route without a declared need fails the walk (and
// the app refuses to start with one).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Client } from '../lib/http.mjs';
import { USERS, signInAs, waitForSignIn } from './auth_flow.mjs';

const ROLES = ['read_only', 'editor', 'support_admin'];
const routes = JSON.parse(readFileSync(process.env.CDOT_ROUTES_FILE, 'utf8'));

// A concrete path for a pattern.
const pathOf = (pattern) => pattern
  .replace(/:id\b/g, '1')
  .replace(/:name\b/g, 'customers')
  .replace(/\*$/, 'app.css');

// What a route should answer to a user (null: anonymous).
function expected(route, roles) {
  const { need } = route;
  if (need.public) return 'allowed';
  if (roles === null) return 'signin';
  if (need.signed_in) return 'allowed';
  if (roles.length === 0) return 'no_role';
  return need.roles.some((r) => roles.includes(r)) ? 'allowed' : 'role';
}

const who = {};
before(async () => {
  await waitForSignIn();
  who.anonymous = { c: new Client(), roles: null };
  for (const [email, roles] of Object.entries(USERS)) {
    const { c, res } = await signInAs(email);
    assert.equal(res.status, 303, `${email} signs in`);
    who[email] = { c, roles };
  }
});

test('the route table is there and every route declares what it needs', () => {
  assert.ok(routes.length >= 10, 'the table lists the routes');
  for (const r of routes) {
    const n = r.need;
    const what = `${r.method} ${r.pattern} (${r.name})`;
    assert.notEqual(n.raw, 0, `${what} declares no need`);
    const kinds = [n.public, n.signed_in, n.roles.length > 0].filter(Boolean).length;
    assert.equal(kinds, 1, `${what} must declare exactly one of public, signed-in, roles`);
    // A service API (no session, its own token check) is public and POST.
    if (n.api) assert.ok(n.public && r.method === 'POST', `${what}: API route`);
    for (const role of n.roles) assert.ok(ROLES.includes(role), `${what}: role ${role}`);
    assert.ok(['GET', 'POST'].includes(r.method), what);
    if (n.api) assert.ok(n.public && r.method === 'POST', `${what}: an API route is public and POST`);
  }
  // The admin screens are never public.
  for (const r of routes.filter((x) => x.pattern.startsWith('/admin'))) {
    assert.equal(r.need.public, false, `${r.method} ${r.pattern} is public`);
  }
  // What the sign-in itself needs.
  const find = (m, p) => routes.find((r) => r.method === m && r.pattern === p);
  assert.equal(find('GET', '/auth/signin').need.public, true);
  assert.equal(find('GET', '/auth/callback').need.public, true);
  assert.equal(find('POST', '/auth/signout').need.signed_in, true);
});

test('the app reports each user with the roles their groups give', async () => {
  for (const [email, roles] of Object.entries(USERS)) {
    const { body } = await who[email].c.json('/admin');
    assert.equal(body.user.email, email);
    assert.deepEqual(body.user.roles, roles, email);
  }
});

async function check(route, name, { c, roles }) {
  const path = pathOf(route.pattern);
  const want = expected(route, roles);
  const what = `${route.method} ${path} as ${name}: expected ${want}`;

  if (route.method === 'GET') {
    const html = await c.get(path, { headers: { accept: 'text/html' } });
    const loc = html.headers.get('location') ?? '';
    const json = await c.get(path, { headers: { accept: 'application/json' } });
    let body = {};
    try { body = JSON.parse(json.text_); } catch { /* not JSON: an asset, metrics */ }

    switch (want) {
    case 'signin':
      assert.equal(html.status, 303, what);
      assert.match(loc, /^\/auth\/signin(\?return_to=|$)/, what);
      assert.equal(json.status, 401, what);
      assert.equal(body.reason, 'signed_out', what);
      break;
    case 'no_role':
      assert.equal(html.status, 403, what);
      assert.match(html.text_, /No access/, what);
      assert.equal(json.status, 403, what);
      assert.equal(body.reason, 'no_role', what);
      break;
    case 'role':
      assert.equal(html.status, 403, what);
      assert.equal(json.status, 403, what);
      assert.equal(body.reason, 'role', what);
      break;
    default:
      for (const res of [html, json]) {
        assert.ok(![401, 403].includes(res.status), `${what}, got ${res.status}`);
        assert.doesNotMatch(res.headers.get('location') ?? '', /\/auth\/signin/, what);
      }
    }
    return;
  }

  // A service's API (the customers portal's): no session and no form
  // token; without its service token everyone is refused alike.
  if (route.need.api) {
    const res = await c.post(path, { probe: '1' }, { headers: { accept: 'application/json' } });
    assert.equal(res.status, 401, `${route.method} ${path} as ${name}`);
    // The portal's API answers {"error": code}, the sales system's
    // {"error": {"code", "message"}}.
    const { error } = JSON.parse(res.text_);
    assert.equal(error?.code ?? error, 'unauthorized', `${route.method} ${path} as ${name}`);
    return;
  }

  // A service's API: no session and no CSRF token; the handler refuses a
  // caller without the service token itself, whoever is signed in here.
  if (route.need.api) {
    const res = await c.request(path, {
      method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 401, `${what}: no service token`);
    return;
  }

  // A state-changing route, posted without a CSRF token: who may use it
  // gets past the access check and is stopped by the token check, so
  // nothing runs either way.
  const res = await c.post(path, { probe: '1' }, { headers: { accept: 'application/json' } });
  const body = JSON.parse(res.text_);
  assert.equal(res.status, 403, what);
  const reason = { signin: 'signed_out', no_role: 'no_role', role: 'role', allowed: 'csrf' }[want];
  assert.equal(body.reason, reason, what);
}

for (const name of ['anonymous', ...Object.keys(USERS)]) {
  test(`every route answers ${name} as the table says`, async () => {
    for (const route of routes) await check(route, name, who[name]);
    // Still signed in after the walk (a refused sign-out changed nothing).
    if (name !== 'anonymous') {
      const { body } = await who[name].c.json('/admin');
      assert.equal(body.user?.email, name);
    }
  });
}
