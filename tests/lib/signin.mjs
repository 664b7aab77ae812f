// Signs a development user in through the real redirect flow: the app
// sends the browser to the OpenID Provider, whose login form is filled in
// and posted, and the redirects are followed back into the app.  Returns
// the Client holding the session cookie.
import assert from 'node:assert/strict';
import { Client, APP_URL } from './http.mjs';

async function follow(c, res, from, stop) {
  let url = new URL(from);
  for (let i = 0; i < 12 && res.status >= 300 && res.status < 400; i++) {
    url = new URL(res.headers.get('location'), url);
    if (stop && stop(url)) return { res, url };
    res = await c.request(url.toString(), { headers: { accept: 'text/html' } });
  }
  return { res, url };
}

export async function signIn(email, { base = APP_URL, path = '/admin' } = {}) {
  const c = new Client(base);
  const start = new URL(path, base).toString();
  let res = await c.request(start, { headers: { accept: 'text/html' } });
  let at = await follow(c, res, start, (u) => u.pathname.startsWith('/interaction/'));
  if (!at.url.pathname.startsWith('/interaction/')) {
    throw new Error(`no login form reached from ${path} (status ${at.res.status})`);
  }
  const form = at.url.toString();
  res = await c.request(form, { headers: { accept: 'text/html' } });
  if (res.status !== 200) throw new Error(`login form answered ${res.status}`);
  res = await c.request(form, {
    method: 'POST',
    form: { prompt: 'login', login: email, password: 'any' },
    headers: { accept: 'text/html' },
  });
  at = await follow(c, res, form);
  c.landing = at;
  return c;
}

// A signed-in client that knows its form token (c.csrf) and posts forms
// with it (c.submit), as the browser would.
export async function signedInClient(email, { base = APP_URL } = {}) {
  const c = await signIn(email, { base });
  const { body } = await c.json('/admin');
  assert.ok(body.csrf_token, `${email} has a form token`);
  c.csrf = body.csrf_token;
  c.submit = (path, form, headers = { accept: 'text/html' }) =>
    c.post(path, { csrf_token: c.csrf, ...form }, { headers });
  return c;
}

// The same session talking to another instance at base (the session
// cookie is sealed with the shared session_secret): a copy of the cookies
// c holds for its own address, and its form token.
export function sameSession(c, base) {
  const moved = new Client(base);
  const from = new URL(c.base).origin;
  const to = new URL(base).origin;
  for (const [key, value] of c.cookies) {
    const [origin, name] = key.split(' ');
    if (origin === from) moved.cookies.set(`${to} ${name}`, value);
  }
  moved.csrf = c.csrf;
  return moved;
}
