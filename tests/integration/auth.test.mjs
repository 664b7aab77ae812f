// Sign-in against the development OpenID Provider through the real
// redirect flow (no shortcut into the session), sign-out, CSRF, and every
// kind of bad input the sign-in can meet: tampered cookies, wrong or
// replayed state, replayed or invalid codes, open redirects.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, APP_URL } from '../lib/http.mjs';
import {
  OIDC_URL, USERS, follow, toCallback, signInAs, cookie, setCookie,
  setCookies, csrfToken, logSince, logSize, waitForSignIn, withParam,
} from './auth_flow.mjs';

const LOG = process.env.CDOT_TEST_APP_LOG;
const HTML = { accept: 'text/html' };
const JSON_ = { accept: 'application/json' };

before(() => waitForSignIn());

async function stillServing() {
  const res = await new Client().get('/healthz');
  assert.equal(res.status, 200);
}

test('anonymous pages send the browser to sign in, with the way back', async () => {
  const c = new Client();
  let res = await c.get('/admin', { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/auth/signin');

  res = await c.get('/admin/customers?query=ann%20lee&page=2', { headers: HTML });
  assert.equal(res.status, 303);
  const loc = new URL(res.headers.get('location'), APP_URL);
  assert.equal(loc.pathname, '/auth/signin');
  assert.equal(loc.searchParams.get('return_to'), '/admin/customers?query=ann%20lee&page=2');
});

test('anonymous JSON clients get 401 with the sign-in URL, not a redirect', async () => {
  const c = new Client();
  const { res, body } = await c.json('/admin/customers');
  assert.equal(res.status, 401);
  assert.equal(body.reason, 'signed_out');
  assert.equal(body.signin_url, '/auth/signin?return_to=%2Fadmin%2Fcustomers');
  assert.equal(body.user, undefined);
  // Accept without text/html (liboauth2 would answer 410): still a redirect
  // for a browser-like client, 401 for JSON.
  const plain = await c.get('/admin', { headers: { accept: '*/*' } });
  assert.equal(plain.status, 303);
});

test('an anonymous form post is refused and changes nothing', async () => {
  const c = new Client();
  const res = await c.post('/auth/signout', { csrf_token: 'x' }, { headers: HTML });
  assert.equal(res.status, 403);
  assert.match(res.text_, /You are not signed in/);
  assert.equal(res.headers.getSetCookie().length, 0);
});

test('sign-in starts with state, nonce and PKCE S256, cookies HttpOnly and SameSite=Lax', async () => {
  const c = new Client();
  const res = await c.get('/auth/signin?return_to=%2Fadmin%2Flicenses', { headers: HTML });
  assert.equal(res.status, 302);
  const loc = new URL(res.headers.get('location'));
  assert.equal(loc.origin, OIDC_URL);
  assert.equal(loc.pathname, '/auth');
  const q = loc.searchParams;
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('client_id'), 'cdot-admin-dev');
  assert.equal(q.get('redirect_uri'), `${APP_URL}/auth/callback`);
  assert.deepEqual(q.get('scope').split(' ').sort(), ['email', 'groups', 'openid', 'profile']);
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.match(q.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.match(q.get('state'), /^[A-Za-z0-9_-]{8,}$/);
  assert.match(q.get('nonce'), /^[A-Za-z0-9_-]{8,}$/);

  const set = setCookies(res);
  const state = set[`cdot_oidc_state_${q.get('state')}`];
  const txn = set[`cdot_txn_${q.get('state')}`];
  for (const line of [state, txn]) {
    assert.ok(line, 'state and transaction cookies are set');
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.match(line, /; Path=\//);
    assert.doesNotMatch(line, /Secure/, 'no Secure flag over plain http');
    assert.match(line, /Max-Age=300/);
  }
  // Neither cookie says anything readable: the nonce and the way back are sealed.
  assert.ok(!txn.includes(q.get('nonce')));
  assert.ok(!txn.includes('licenses'));
});

test('unfinished sign-ins do not pile up cookies', async () => {
  const c = new Client();
  let last;
  for (let i = 0; i < 10; i++) {
    last = await c.get('/auth/signin', { headers: HTML });
    assert.equal(last.status, 302);
  }
  const names = [...c.cookies.keys()].filter((k) => k.startsWith(`${APP_URL} `))
    .map((k) => k.split(' ')[1]);
  assert.ok(names.filter((n) => n.startsWith('cdot_txn_')).length <= 4, names.join());
  assert.ok(names.filter((n) => n.startsWith('cdot_oidc_state_')).length <= 4, names.join());
  // The newest one still finishes.
  const at = await follow(c, last, `${APP_URL}/auth/signin`,
    (u) => u.pathname.startsWith('/interaction/'));
  assert.ok(at.stopped);
  const form = at.url.toString();
  await c.request(form, { headers: HTML });
  const posted = await c.request(form, {
    method: 'POST', form: { prompt: 'login', login: 'readonly@example.com', password: 'x' },
    headers: HTML,
  });
  const back = await follow(c, posted, form,
    (u) => u.origin === APP_URL && u.pathname === '/auth/callback');
  assert.ok(back.stopped);
  const res = await c.get(back.url.toString(), { headers: HTML });
  assert.equal(res.status, 303);
  assert.ok(cookie(c, 'cdot_session'));
});

test('forwarded headers from the browser do not change where the provider sends back', async () => {
  const c = new Client();
  const res = await c.get('/auth/signin', {
    headers: {
      ...HTML,
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '8443',
      forwarded: 'host=evil.example;proto=https',
    },
  });
  assert.equal(res.status, 302);
  const q = new URL(res.headers.get('location')).searchParams;
  assert.equal(q.get('redirect_uri'), `${APP_URL}/auth/callback`);
});

for (const [email, roles] of Object.entries(USERS)) {
  test(`${email} signs in through the provider and the header shows who and which roles`, async () => {
    const before = logSize(LOG);
    const { c, res } = await signInAs(email, '/admin');
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/admin');

    const line = setCookies(res).cdot_session;
    assert.ok(line, 'a session cookie is issued');
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.doesNotMatch(line, /Secure/);
    const maxAge = Number(/Max-Age=(\d+)/.exec(line)[1]);
    assert.ok(maxAge > 0 && maxAge <= 28800, `Max-Age ${maxAge}`);
    assert.ok(!line.includes(email), 'the cookie is sealed');
    // The transaction and state cookies are gone after the callback.
    assert.deepEqual([...c.cookies.keys()].filter((k) => k.startsWith(`${APP_URL} `)),
      [`${APP_URL} cdot_session`]);

    const page = await c.get('/admin', { headers: HTML });
    const whoami = page.text_.match(/<div class="whoami">[\s\S]*?<\/div>/)?.[0] ?? '';
    assert.match(whoami, new RegExp(`<span class="email">${email}</span>`));
    const shown = [...whoami.matchAll(/<span class="role">([^<]+)<\/span>/g)].map((m) => m[1]);
    assert.deepEqual(shown, roles);
    assert.match(whoami, /action="\/auth\/signout"/);
    assert.match(whoami, /name="csrf_token" value="[A-Za-z0-9_-]{43}"/);

    const { body } = await c.json('/admin');
    assert.equal(body.user.email, email);
    assert.deepEqual(body.user.roles, roles);

    if (roles.length === 0) {
      // Signed in, but no mapped group: "no access", no navigation, no data.
      assert.equal(page.status, 403);
      assert.match(page.text_, /No access/);
      assert.doesNotMatch(page.text_, /class="sidebar"/);
      assert.doesNotMatch(page.text_, /class="cards"/);
      for (const path of ['/admin/customers', '/admin/customers/1', '/admin/support/trials']) {
        const r = await c.get(path, { headers: HTML });
        assert.equal(r.status, 403, path);
        assert.doesNotMatch(r.text_, /<table/);
      }
      const j = await c.json('/admin/customers');
      assert.equal(j.res.status, 403);
      assert.equal(j.body.reason, 'no_role');
      assert.equal(j.body.rows, undefined);
    } else {
      assert.notEqual(page.status, 403);
      assert.match(page.text_, /class="sidebar"/);
      assert.equal(/Support<\/h2>/.test(page.text_), roles.includes('support_admin'),
        'the Support menu is for support admins');
    }

    // One log line for the sign-in with the audit identity; no secrets.
    const lines = logSince(LOG, before);
    const signedIn = lines.find((l) => l.msg === 'signed in' && l.user === email);
    assert.ok(signedIn, 'the sign-in is logged');
    assert.equal(signedIn.actor, `admin:${email}`);
    assert.deepEqual(signedIn.roles, roles);
    const raw = JSON.stringify(lines);
    assert.doesNotMatch(raw, /code=|id_token|access_token|cdot_session=|eyJ/);
    const callbackLine = lines.find((l) => l.path === '/auth/callback');
    assert.equal(callbackLine.user, email);
  });
}

test('the way back after sign-in is kept, and only ever a path of this site', async () => {
  const c = new Client();
  // First sign-in shows the form; later ones go straight through (SSO).
  let cb = await toCallback(c, 'readonly@example.com',
    '/auth/signin?return_to=%2Fadmin%2Fcustomers%3Fquery%3Dann%2520lee');
  let res = await c.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin/customers?query=ann%20lee');

  const hostile = [
    '//evil.example/x', 'https://evil.example/', 'http:evil.example',
    '/\\evil.example', '\\\\evil.example', '/\\/evil.example', 'javascript:alert(1)',
    'evil.example', '/admin\r\nSet-Cookie: x=1', '/auth/signin', '/auth/signout',
    ' /admin', `/${'a'.repeat(500)}`,
  ];
  for (const target of hostile) {
    cb = await toCallback(c, 'readonly@example.com',
      `/auth/signin?return_to=${encodeURIComponent(target)}`);
    res = await c.get(cb.toString(), { headers: HTML });
    assert.equal(res.status, 303, target);
    assert.equal(res.headers.get('location'), '/admin', `return_to=${JSON.stringify(target)}`);
  }
});

test('sign-out needs the form token, ends the session, and a copy of the cookie is dead', async () => {
  const { c } = await signInAs('editor@example.com');
  const stolen = cookie(c, 'cdot_session');
  const token = await csrfToken(c);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);

  // Missing and wrong tokens: 403, nothing changes.
  for (const form of [{}, { csrf_token: '' }, { csrf_token: 'x'.repeat(43) },
    { csrf_token: token.slice(0, 42) }]) {
    const res = await c.post('/auth/signout', form, { headers: HTML });
    assert.equal(res.status, 403, JSON.stringify(form));
    assert.match(res.text_, /did not come from this site/);
    assert.equal(setCookies(res).cdot_session, undefined);
    assert.equal((await c.get('/admin', { headers: HTML })).status, 200);
  }
  // A GET cannot sign out.
  assert.equal((await c.get('/auth/signout', { headers: HTML })).status, 405);
  // Another user's token does not work either.
  const other = await signInAs('readonly@example.com');
  const res0 = await c.post('/auth/signout', { csrf_token: await csrfToken(other.c) });
  assert.equal(res0.status, 403);

  const res = await c.post('/auth/signout', { csrf_token: token }, { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/auth/signedout');
  assert.match(setCookies(res).cdot_session, /Max-Age=0/);
  assert.equal(cookie(c, 'cdot_session'), undefined);

  const page = await c.get('/auth/signedout', { headers: HTML });
  assert.equal(page.status, 200);
  assert.match(page.text_, /You have signed out/);
  assert.doesNotMatch(page.text_, /class="whoami"/);

  assert.equal((await c.get('/admin', { headers: HTML })).status, 303);

  // The cookie as it was before signing out no longer opens a session.
  const thief = new Client();
  setCookie(thief, 'cdot_session', stolen);
  const again = await thief.get('/admin', { headers: HTML });
  assert.equal(again.status, 303);
  assert.equal(again.headers.get('location'), '/auth/signin');
  assert.match(setCookies(again).cdot_session, /Max-Age=0/);
});

test('a tampered or foreign session cookie is refused: a fresh sign-in, no crash', async () => {
  const { c } = await signInAs('support@example.com');
  const good = cookie(c, 'cdot_session');
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const bad = [
    flip(good, 5), flip(good, Math.floor(good.length / 2)), flip(good, good.length - 2),
    good.slice(0, -4), `${good}AAAA`, '', 'x', '!!!!', '%00%00',
    'A'.repeat(3000), good.split('').reverse().join(''),
    // A sealed cookie of another kind (the transaction cookie) is not a session.
  ];
  const t = new Client();
  const start = await t.get('/auth/signin', { headers: HTML });
  const txn = Object.entries(setCookies(start)).find(([k]) => k.startsWith('cdot_txn_'))[1];
  bad.push(txn.slice(txn.indexOf('=') + 1, txn.indexOf(';')));

  for (const value of bad) {
    const x = new Client();
    setCookie(x, 'cdot_session', value);
    const res = await x.get('/admin/customers', { headers: HTML });
    assert.equal(res.status, 303, `cookie ${value.slice(0, 20)}`);
    assert.equal(new URL(res.headers.get('location'), APP_URL).pathname, '/auth/signin');
    const j = await x.json('/admin');
    assert.equal(j.res.status, 401);
  }
  // The good one still works, and the worker kept serving.
  assert.equal((await c.get('/admin', { headers: HTML })).status, 200);
  await stillServing();
});

test('a wrong, missing or replayed state gets a clear page and no session', async () => {
  // Wrong state: no transaction for it.
  const c = new Client();
  const cb = await toCallback(c, 'editor@example.com');
  let res = await c.get(withParam(cb, 'state', 'AAAAAAAAAAAAAAAA'), { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /This sign-in has expired, was already used/);
  assert.match(res.text_, /href="\/auth\/signin"/);
  assert.equal(setCookies(res).cdot_session, undefined);

  for (const q of ['', '?code=abc', `?state=${cb.searchParams.get('state')}`,
    `?code=a&code=b&state=${cb.searchParams.get('state')}`, '?code=x&state=..%2F..',
    `?code=x&state=${'A'.repeat(100)}`]) {
    res = await c.get(`/auth/callback${q}`, { headers: HTML });
    assert.equal(res.status, 400, q);
    assert.equal(setCookies(res).cdot_session, undefined);
  }

  // The right state once: signed in.  Keep the cookies it came with.
  const saved = new Map(c.cookies);
  res = await c.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 303);
  assert.ok(cookie(c, 'cdot_session'));

  // Replayed from the same browser: its cookies are gone, so it is refused.
  res = await c.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /already/);

  // Replayed with the cookies it had (an attacker's copy): still refused,
  // and before the provider is even asked.
  const replay = new Client();
  replay.cookies = new Map([...saved].filter(([k]) => k.startsWith(`${APP_URL} `)));
  res = await replay.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /already used/);
  assert.equal(setCookies(res).cdot_session, undefined);
  await stillServing();
});

test('a replayed or invalid code is refused by the provider: a clear page, the worker keeps serving', async () => {
  const first = new Client();
  const used = await toCallback(first, 'editor@example.com');
  assert.equal((await first.get(used.toString(), { headers: HTML })).status, 303);

  for (const code of [used.searchParams.get('code'), 'not-a-code', 'x'.repeat(1500)]) {
    // A fresh sign-in (new state and transaction) finished with that code.
    const cb = await toCallback(first, 'editor@example.com');
    const res = await first.get(withParam(cb, 'code', code), { headers: HTML });
    assert.equal(res.status, 400, code.slice(0, 20));
    assert.match(res.text_, /could not be completed/);
    assert.equal(setCookies(res).cdot_session, undefined, 'no new session');
  }
  // Codes too long never reach the provider (Kore itself refuses URIs
  // over 2000 bytes with 414).
  const cb = await toCallback(first, 'editor@example.com');
  assert.ok([400, 414].includes((await first.get(withParam(cb, 'code', 'x'.repeat(5000)),
    { headers: HTML })).status));
  await stillServing();
});

test('a provider error or an answer naming another issuer is refused', async () => {
  const c = new Client();
  const cb = await toCallback(c, 'editor@example.com');
  let res = await c.get(withParam(cb, 'iss', 'http://evil.example'), { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /another sign-in service/);

  res = await c.get(`/auth/callback?error=access_denied&state=${cb.searchParams.get('state')}`,
    { headers: HTML });
  assert.equal(res.status, 403);
  assert.match(res.text_, /did not sign you in/);
  assert.equal(setCookies(res).cdot_session, undefined);

  // The provider's own "cancel" link on its login form ends the same way.
  const d = new Client();
  const start = await d.get('/auth/signin', { headers: HTML });
  const at = await follow(d, start, `${APP_URL}/auth/signin`,
    (u) => u.pathname.startsWith('/interaction/'));
  const abort = await d.request(`${at.url}/abort`, { headers: HTML });
  const back = await follow(d, abort, `${at.url}/abort`,
    (u) => u.origin === APP_URL && u.pathname === '/auth/callback');
  assert.ok(back.stopped);
  assert.equal(back.url.searchParams.get('error'), 'access_denied');
  res = await d.get(back.url.toString(), { headers: HTML });
  assert.equal(res.status, 403);
  assert.equal(cookie(d, 'cdot_session'), undefined);
});
