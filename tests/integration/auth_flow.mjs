// Step-by-step sign-in for the auth and role tests: the real redirect flow
// (app -> provider login form -> provider -> app callback) with a cookie
// jar, stopping wherever a test wants to look or to tamper.
import { readFileSync } from 'node:fs';
import { Client, APP_URL } from '../lib/http.mjs';
import { sleep, poll } from '../lib/wait.mjs';

export { sleep };

export const OIDC_URL = process.env.OIDC_URL ?? 'http://127.0.0.1:9400';
const HTML = { accept: 'text/html' };

// The roles each development user has (conf/oidc/README.md, conf/app.conf).
export const USERS = {
  'readonly@example.com': ['read_only'],
  'editor@example.com': ['editor'],
  'support@example.com': ['support_admin'],
  'admin@example.com': ['editor', 'support_admin'],
  'nobody@example.com': [],
};

// Follows redirects from res (the answer to `from`) until stop(url) says
// so, without requesting that url.
export async function follow(c, res, from, stop = () => false) {
  let url = new URL(from);
  for (let i = 0; i < 12 && res.status >= 300 && res.status < 400; i++) {
    url = new URL(res.headers.get('location'), url);
    if (stop(url)) return { res, url, stopped: true };
    res = await c.request(url.toString(), { headers: HTML });
  }
  return { res, url, stopped: false };
}

const isCallback = (c) => (u) =>
  u.origin === new URL(c.base).origin && u.pathname === '/auth/callback';

// Runs the flow from `start` (an app path) through the provider's login
// form up to, not including, the app's callback; returns the callback
// URL.  With the provider's SSO session already in the jar, there is no
// form and the provider sends straight back.
export async function toCallback(c, email, start = '/auth/signin') {
  const from = new URL(start, c.base).toString();
  let res = await c.request(from, { headers: HTML });
  let at = await follow(c, res, from,
    (u) => u.pathname.startsWith('/interaction/') || isCallback(c)(u));
  if (at.stopped && isCallback(c)(at.url)) return at.url;
  if (!at.stopped) {
    throw new Error(`no login form from ${start}: ${at.res.status} ${at.url}`);
  }
  const form = at.url.toString();
  res = await c.request(form, { headers: HTML });
  if (res.status !== 200) throw new Error(`login form answered ${res.status}`);
  res = await c.request(form, {
    method: 'POST',
    form: { prompt: 'login', login: email, password: 'any' },
    headers: HTML,
  });
  at = await follow(c, res, form, isCallback(c));
  if (!at.stopped) throw new Error(`provider did not send back: ${at.res.status}`);
  return at.url;
}

// url with its query parameter name set to value: a callback URL
// tampered with, or forged.
export function withParam(url, name, value) {
  const u = new URL(url);
  u.searchParams.set(name, value);
  return u.toString();
}

// A client signed in as email; res is the callback's answer.
export async function signInAs(email, start = '/auth/signin', base = APP_URL) {
  const c = new Client(base);
  const cb = await toCallback(c, email, start);
  const res = await c.get(cb.toString(), { headers: HTML });
  return { c, res, cb };
}

// The cookie value the jar holds for name (or undefined).
export function cookie(c, name) {
  return c.cookies.get(`${new URL(c.base).origin} ${name}`);
}

export function setCookie(c, name, value) {
  c.cookies.set(`${new URL(c.base).origin} ${name}`, value);
}

// Set-Cookie lines of a response, by cookie name.
export function setCookies(res) {
  const out = {};
  for (const line of res.headers.getSetCookie()) {
    out[line.slice(0, line.indexOf('='))] = line;
  }
  return out;
}

// The CSRF token of the signed-in client (from the page's JSON view).
export async function csrfToken(c, path = '/admin') {
  const res = await c.get(path, { headers: { accept: 'application/json' } });
  return JSON.parse(res.text_).csrf_token;
}

// Lines of an app log written since `from` (a byte offset), parsed.
export function logSince(path, from = 0) {
  const text = readFileSync(path, 'utf8').slice(from);
  const out = [];
  for (const l of text.split('\n')) {
    if (!l.startsWith('{')) continue;
    try { out.push(JSON.parse(l)); } catch { /* a line still being written */ }
  }
  return out;
}

export function logSize(path) {
  return readFileSync(path, 'utf8').length;
}

// tests/run.sh starts the provider and the app together; until the
// provider listens, sign-in answers 503 (and each worker retries by
// itself).  Wait for it rather than fail.
export async function waitForSignIn(base = APP_URL, ms = 20000) {
  let status = 0;
  const up = await poll(async () => {
    status = (await new Client(base).get('/auth/signin', { headers: HTML })).status;
    return status === 302;
  }, ms, 250);
  if (!up) throw new Error(`sign-in never became available (last status ${status})`);
}
