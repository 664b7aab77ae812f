// What the development provider cannot stage, against a second instance of
// the app and a misbehaving provider (auth_mockidp.mjs): the provider down
// at start-up and during a sign-in, ID tokens from another issuer, for
// another audience, with a wrong nonce or a foreign signature; and the
// session's absolute lifetime and idle timeout (short here), and the
// Secure flag when the panel is served over https.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.mjs';
import { MockIdP, freePort } from './auth_mockidp.mjs';
import { AppInstance } from './auth_instance.mjs';
import { follow, setCookies, logSince, logSize, sleep } from './auth_flow.mjs';

const HTML = { accept: 'text/html' };
const LIFETIME = 7;
const IDLE = 3;

let idp;
let app;
let secure;

before(async () => {
  idp = new MockIdP({ port: await freePort() });
  // The provider is not listening yet: the app must start anyway.
  app = new AppInstance('auth-idp', await freePort(), {
    CDOT_OIDC_ISSUER: idp.issuer,
    CDOT_SESSION_LIFETIME: String(LIFETIME),
    CDOT_SESSION_IDLE: String(IDLE),
    CDOT_OIDC_HTTP_TIMEOUT: '3',
  });
  await app.start();
});

after(async () => {
  await app?.stop();
  await secure?.stop();
  await idp?.close();
});

// A sign-in from start through the mock provider, up to the app's
// callback (not requested): follow()'s { res, url, stopped }.
async function toAppCallback(c, start = '/auth/signin') {
  const from = `${app.url}${start}`;
  const res = await c.get(from, { headers: HTML });
  return follow(c, res, from, (u) => u.origin === app.url && u.pathname === '/auth/callback');
}

// Sign in through the mock provider; returns the client and the callback's answer.
async function signIn(c = new Client(app.url), start = '/auth/signin') {
  const at = await toAppCallback(c, start);
  if (!at.stopped) throw new Error(`no callback: ${at.res.status} ${at.res.text_.slice(0, 200)}`);
  const done = await c.get(at.url.toString(), { headers: HTML });
  return { c, res: done, cb: at.url };
}

test('the app starts with the provider down and says sign-in is unavailable', async () => {
  assert.match(app.logText(), /sign-in provider not ready/);
  const c = new Client(app.url);
  for (let i = 0; i < 4; i++) {
    const res = await c.get('/auth/signin', { headers: HTML });
    assert.equal(res.status, 503);
    assert.match(res.text_, /Sign-in is unavailable/);
    assert.match(res.text_, /cannot be reached right now/);
  }
  // Protected pages still send people to sign in; the rest keeps working.
  assert.equal((await c.get('/admin', { headers: HTML })).status, 303);
  assert.equal((await c.get('/healthz')).status, 200);
  const j = await c.json('/auth/signin');
  assert.equal(j.res.status, 503);
});

test('once the provider is up, sign-in works without a restart', async () => {
  await idp.listen();
  await sleep(2200);     // the retry pause after a failed discovery
  let res;
  // Each worker fetches the provider's metadata on its own first sign-in.
  for (let i = 0; i < 4; i++) {
    res = await new Client(app.url).get('/auth/signin', { headers: HTML });
    assert.equal(res.status, 302);
    assert.ok(res.headers.get('location').startsWith(`${idp.issuer}/auth?`));
  }
  const { c, res: done } = await signIn();
  assert.equal(done.status, 303);
  const { body } = await c.json('/admin');
  assert.equal(body.user.email, 'editor@example.com');
  assert.deepEqual(body.user.roles, ['editor']);

  // The provider saw PKCE S256 and our client's credentials.
  const auth = idp.authRequests.at(-1);
  assert.equal(auth.code_challenge_method, 'S256');
  assert.ok(auth.nonce && auth.state);
  const tok = idp.tokenRequests.at(-1);
  assert.equal(tok.basicClientId, 'cdot-admin-dev');
  assert.match(tok.code_verifier, /^[A-Za-z0-9._~-]{43,128}$/);
});

const refusals = [
  ['another issuer', { iss: 'http://127.0.0.1:1' }, /ID token from another issuer/],
  ['another audience', { aud: 'someone-else' }, /ID token for another audience/],
  ['an audience list without us', { aud: ['a', 'b'] }, /another audience/],
  ['an audience list, no azp', { aud: ['cdot-admin-dev', 'other'] }, /another party/],
  ['another authorized party', { azp: 'other' }, /another party/],
  ['a wrong nonce', { nonce: 'AAAAAAAAAAAAAAAA' }, /nonce does not match/],
  ['no nonce', { nonce: undefined }, /nonce does not match/],
  ['an expired token', { exp: Math.floor(Date.now() / 1000) - 3600 }, /sign-in failed|ID token expired/],
  ['no expiry', { exp: undefined }, /without exp/],
  ['an issue time in the future', { iat: Math.floor(Date.now() / 1000) + 3600 }, /odd time|sign-in failed/],
  ['an unverified email', { email_verified: false }, /email not verified/],
];

for (const [what, tweak, reason] of refusals) {
  test(`an ID token with ${what} is refused`, async () => {
    idp.tweak = tweak;
    const before = logSize(app.log);
    try {
      const { c, res } = await signIn();
      assert.equal(res.status, 400, what);
      assert.match(res.text_, /could not be (verified|completed)/);
      assert.match(res.text_, /href="\/auth\/signin"/);
      assert.equal(setCookies(res).cdot_session, undefined);
      assert.equal((await c.get('/admin', { headers: HTML })).status, 303);
      const lines = logSince(app.log, before);
      const line = lines.find((l) => /sign-in (refused|failed)/.test(l.msg));
      assert.ok(line, 'the refusal is logged');
      assert.match(`${line.msg} ${line.reason}`, reason);
    } finally {
      idp.tweak = {};
    }
  });
}

test('an audience list with us as the authorized party is accepted', async () => {
  idp.tweak = { aud: ['cdot-admin-dev', 'other'], azp: 'cdot-admin-dev' };
  try {
    const { res } = await signIn();
    assert.equal(res.status, 303);
  } finally {
    idp.tweak = {};
  }
});

test('an ID token signed with another key is refused', async () => {
  idp.signWithOther = true;
  try {
    const { c, res } = await signIn();
    assert.equal(res.status, 400);
    assert.equal((await c.get('/admin', { headers: HTML })).status, 303);
  } finally {
    idp.signWithOther = false;
  }
  // And the right key still works afterwards.
  assert.equal((await signIn()).res.status, 303);
});

test('groups come from the token; unknown groups give no role', async () => {
  idp.user = { email: 'Mixed.Case@Example.com', groups: ['everyone', 'okta-cdot-stg-support-admins'] };
  try {
    const { c, res } = await signIn();
    assert.equal(res.status, 303);
    const { body } = await c.json('/admin');
    assert.equal(body.user.email, 'mixed.case@example.com');
    assert.deepEqual(body.user.roles, ['support_admin']);
  } finally {
    idp.user = { email: 'editor@example.com', groups: ['okta-cdot-prod-editors'] };
  }
});

test('the provider going down mid-sign-in gets a clear page; the worker keeps serving', async () => {
  const c = new Client(app.url);
  const at = await toAppCallback(c);
  assert.ok(at.stopped);

  await idp.close();
  try {
    const t0 = Date.now();
    const res = await c.get(at.url.toString(), { headers: HTML });
    assert.equal(res.status, 503);
    assert.match(res.text_, /did not answer/);
    assert.ok(Date.now() - t0 < 10000, 'bounded by oidc_http_timeout');
    assert.equal(setCookies(res).cdot_session, undefined);
    for (let i = 0; i < 4; i++) assert.equal((await c.get('/healthz')).status, 200);
  } finally {
    await idp.listen();
  }
  assert.equal((await signIn()).res.status, 303);
});

test('other requests are served while a sign-in waits on a slow provider', async () => {
  const c = new Client(app.url);
  const at = await toAppCallback(c);

  // The token endpoint answers only after 2 seconds.
  const handle = idp.handle.bind(idp);
  idp.handle = async (req, res) => {
    if (req.url.startsWith('/token')) await sleep(2000);
    return handle(req, res);
  };
  try {
    const pending = c.get(at.url.toString(), { headers: HTML });
    await sleep(200);
    // Both workers answer meanwhile, quickly.
    const t0 = Date.now();
    for (let i = 0; i < 6; i++) {
      assert.equal((await new Client(app.url).get('/healthz')).status, 200);
    }
    assert.ok(Date.now() - t0 < 1500, `health checks took ${Date.now() - t0} ms`);
    const res = await pending;
    assert.equal(res.status, 303);
  } finally {
    idp.handle = handle;
  }
});

test('a session ends after its idle time', async () => {
  const { c } = await signIn();
  assert.equal((await c.get('/admin', { headers: HTML })).status, 200);
  await sleep((IDLE + 1.2) * 1000);
  const res = await c.get('/admin/customers', { headers: HTML });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/auth\/signin\?return_to=/);
  assert.match(setCookies(res).cdot_session, /Max-Age=0/);
});

test('use keeps a session alive past its idle time, but not past its lifetime', async () => {
  const { c } = await signIn();
  const t0 = Date.now();
  let refreshed = 0;
  while (Date.now() - t0 < (IDLE + 2) * 1000) {
    await sleep(1100);
    const res = await c.get('/admin', { headers: HTML });
    assert.equal(res.status, 200, `still signed in after ${Date.now() - t0} ms`);
    if (setCookies(res).cdot_session) refreshed++;
  }
  assert.ok(refreshed >= 2, 'the cookie was re-issued with a new last-seen time');
  while (Date.now() - t0 < (LIFETIME + 1.5) * 1000) {
    await sleep(1000);
    const res = await c.get('/admin', { headers: HTML });
    if (res.status === 303) break;
  }
  assert.ok(Date.now() - t0 >= (LIFETIME - 1) * 1000, 'not before its lifetime');
  const { res, body } = await c.json('/admin');
  assert.equal(res.status, 401);
  assert.ok(['session_expired', 'signed_out'].includes(body.reason));
});

test('over https every cookie is Secure', async () => {
  const port = await freePort();
  secure = new AppInstance('auth-https', port, {
    CDOT_OIDC_ISSUER: idp.issuer,
    CDOT_BASE_URL: `https://127.0.0.1:${port}`,
  });
  await secure.start();
  const res = await new Client(secure.url).get('/auth/signin', { headers: HTML });
  assert.equal(res.status, 302);
  const q = new URL(res.headers.get('location')).searchParams;
  assert.equal(q.get('redirect_uri'), `https://127.0.0.1:${port}/auth/callback`);
  const lines = res.headers.getSetCookie();
  assert.ok(lines.length >= 2);
  for (const line of lines) {
    assert.match(line, /; HttpOnly; SameSite=Lax; Secure$/);
  }
  await secure.stop();
  assert.deepEqual(secure.problems(), []);
});

test('no sanitizer or sandbox reports from this instance', async () => {
  await app.stop();
  assert.deepEqual(app.problems(), []);
});
