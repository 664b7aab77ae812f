// A stand-in for GitLab.com's "Subscriptions internal API" (the one
// CustomersDot provisions namespaces with), for the tests.  Under
// /api/v4/internal/gitlab_subscriptions:
//
//   GET, PUT         /namespaces/:id                       (:id: a number or
//   GET, PUT, POST   /namespaces/:id/gitlab_subscription    a URL-encoded path)
//
// Authentication is checked
// as GitLab's ee/lib/gitlab_subscriptions/api/internal/auth.rb does: the
// X-CUSTOMERS-DOT-INTERNAL-TOKEN header holds an RS256 JWT signed by the
// issuer, whose keys are found through its OpenID discovery document.
//
// Tests drive it through /__test/...: load namespaces, read the requests it
// received (with whether authentication passed, and why not), and make it
// fail: "down" (connections cut), "error" (503), "throttle" (429 with
// Retry-After), "slow" (answers after delay_ms), "hang" (never answers) -
// for good or for the next `count` requests - or refuse one namespace's
// writes with a given status.
//
// As a program: node tests/lib/gitlab.mjs   (GITLAB_PORT, GITLAB_JWT_ISSUER;
// prints "gitlab listening on <url>").
// As a client of a running one: import { gitlab } from './gitlab.mjs'.
import { createServer } from 'node:http';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { controlCall } from './control.mjs';

const PREFIX = '/api/v4/internal/gitlab_subscriptions';
const SUBJECT = 'customers-dot-internal-api';
const AUDIENCE = 'gitlab-subscriptions';
const PLANS = {
  free: 'Free', bronze: 'Bronze', silver: 'Silver', premium: 'Premium', gold: 'Gold',
  ultimate: 'Ultimate', ultimate_trial: 'Ultimate Trial',
  ultimate_trial_paid_customer: 'Ultimate Trial for Premium Customers',
  premium_trial: 'Premium Trial', opensource: 'Open Source Program',
};
const SUB_DEFAULTS = {
  plan_code: 'free', seats: 0, max_seats_used: 0, start_date: '2020-01-01', end_date: null,
  trial: false, trial_starts_on: null, trial_ends_on: null, auto_renew: false,
};
// The attributes a PUT may change, by type; anything else sent is dropped,
// as Grape drops undeclared params.
const NS_FIELDS = {
  shared_runners_minutes_limit: 'int', extra_shared_runners_minutes_limit: 'int',
  additional_purchased_storage_size: 'int', additional_purchased_storage_ends_on: 'date',
};
const SUB_FIELDS = {
  seats: 'int', max_seats_used: 'int', start_date: 'date', end_date: 'date', trial_starts_on: 'date',
  trial_ends_on: 'date', trial: 'bool', auto_renew: 'bool', plan_code: 'plan',
};
const MODES = ['up', 'down', 'error', 'throttle', 'slow', 'hang'];

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const isDate = (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v);
// Picks the sent `fields` out of attrs: -> the values to store, the errors
// (ActiveRecord's words) added to `errors` under prefix + field.
function pick(attrs, fields, errors, prefix = '') {
  const sent = {};
  for (const [f, type] of Object.entries(fields)) {
    if (!Object.hasOwn(attrs, f)) continue;
    let v = attrs[f];
    if (type === 'int' && typeof v === 'string' && /^\d+$/.test(v)) v = Number(v); // Grape coerces "12"
    let error = null; // null is taken as sent: it clears the field
    if (v === null) error = null;
    else if (type === 'int') error = !Number.isInteger(v) ? 'is invalid' : v < 0 ? 'must be greater than or equal to 0' : null;
    else if (type === 'date') error = isDate(v) ? null : 'is invalid';
    else if (type === 'bool') error = typeof v === 'boolean' ? null : 'is invalid';
    else if (type === 'plan') error = Object.hasOwn(PLANS, v) ? null : 'is not included in the list';
    if (error) (errors[prefix + f] ??= []).push(error); else sent[f] = v;
  }
  return sent;
}

export function startGitlab({
  port = 0,
  issuer = process.env.GITLAB_JWT_ISSUER ?? 'http://127.0.0.1:8080/',
} = {}) {
  const namespaces = new Map();
  const refusals = new Map(); // namespace id (string) -> { status, message }
  const hung = new Set(); // sockets held open by "hang", cut on reset
  let requests = [];
  let mode = { mode: 'up' };
  let discovery = null; // GitLab caches both documents; /__test/reset forgets them
  let jwks = null;

  // --- authentication ------------------------------------------------------
  const getJson = async (url, what) => {
    let res;
    try { res = await fetch(url, { signal: AbortSignal.timeout(3000) }); } catch (e) {
      throw new Error(`${what} fetch failed: ${e.cause?.code ?? e.message}`);
    }
    if (res.status !== 200) throw new Error(`${what} fetch failed: HTTP ${res.status}`);
    try { return await res.json(); } catch { throw new Error(`${what} is not JSON`); }
  };
  const getDiscovery = async () => {
    if (!discovery) {
      const d = await getJson(new URL('.well-known/openid-configuration', issuer), 'discovery');
      if (typeof d.issuer !== 'string' || typeof d.jwks_uri !== 'string') throw new Error('discovery lacks issuer or jwks_uri');
      discovery = d;
    }
    return discovery;
  };
  const getKeys = async (fresh) => {
    if (!jwks || fresh) {
      const { keys } = await getJson((await getDiscovery()).jwks_uri, 'jwks');
      if (!Array.isArray(keys)) throw new Error('jwks lacks keys');
      jwks = keys;
    }
    return jwks;
  };

  // -> { ok, reason, claims }: reason is a short string for the request log.
  const authenticate = async (token) => {
    let header = null; let claims = null;
    const fail = (reason) => ({ ok: false, reason, claims });
    if (!token) return fail('missing token');
    const parts = token.split('.');
    try { header = b64json(parts[0]); claims = b64json(parts[1]); } catch { /* malformed: below */ }
    if (parts.length !== 3 || !isObject(header) || !isObject(claims)) return fail('malformed token');
    try {
      const d = await getDiscovery();
      const algs = d.id_token_signing_alg_values_supported ?? [];
      // Only RS256 is verified here, so only it may pass even if more are listed.
      if (!algs.includes(header.alg) || header.alg !== 'RS256') return fail(`alg not allowed: ${header.alg}`);
      if (!header.kid) return fail('missing kid');
      // A kid not in the cached set may be a rotated key: fetch the set once more.
      let jwk = (await getKeys(false)).find((k) => k.kid === header.kid);
      if (!jwk) jwk = (await getKeys(true)).find((k) => k.kid === header.kid);
      if (!jwk) return fail(`unknown kid: ${header.kid}`);
      let key;
      try { key = createPublicKey({ key: jwk, format: 'jwk' }); } catch { return fail('unusable jwk'); }
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
      if (!verifySignature('sha256', signed, key, Buffer.from(parts[2], 'base64url'))) return fail('bad signature');
      const now = Math.floor(Date.now() / 1000); // no leeway, as GitLab
      if (claims.iss !== d.issuer) return fail(`wrong iss: ${claims.iss}`);
      if (claims.sub !== SUBJECT) return fail(`wrong sub: ${claims.sub}`);
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(AUDIENCE)) return fail(`wrong aud: ${JSON.stringify(claims.aud)}`);
      if (claims.exp !== undefined && !(typeof claims.exp === 'number' && claims.exp > now)) return fail('expired');
      if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= now)) return fail('not yet valid');
      return { ok: true, reason: null, claims };
    } catch (e) {
      return fail(e.message);
    }
  };

  // --- representations and validation --------------------------------------
  const find = (id) => (/^\d+$/.test(id) ? namespaces.get(Number(id))
    : [...namespaces.values()].find((n) => n.full_path?.toLowerCase() === id.toLowerCase()));

  const nsView = (n) => {
    const s = n.gitlab_subscription;
    return {
      id: n.id, name: n.name, path: n.path, kind: n.kind, full_path: n.full_path, parent_id: null,
      shared_runners_minutes_limit: n.shared_runners_minutes_limit ?? null,
      extra_shared_runners_minutes_limit: n.extra_shared_runners_minutes_limit,
      additional_purchased_storage_size: n.additional_purchased_storage_size,
      additional_purchased_storage_ends_on: n.additional_purchased_storage_ends_on,
      billable_members_count: 0, plan: s?.plan_code ?? 'free',
      trial_ends_on: s?.trial_ends_on ?? null, trial: Boolean(s?.trial),
      ...(s && { seats_in_use: 0, max_seats_used: s.max_seats_used, max_seats_used_changed_at: null, end_date: s.end_date }),
    };
  };
  const subView = (s) => {
    const code = s ? s.plan_code ?? 'free' : null;
    return {
      plan: { code, name: s ? PLANS[code] : null, trial: s ? s.trial : null, auto_renew: s ? s.auto_renew : null, upgradable: false, exclude_guests: false },
      usage: {
        seats_in_subscription: s?.seats ?? null, seats_in_use: s ? 0 : null, max_seats_used: s?.max_seats_used ?? null,
        seats_owed: s ? Math.max(0, s.max_seats_used - s.seats) : null,
      },
      billing: { subscription_start_date: s?.start_date ?? null, subscription_end_date: s?.end_date ?? null, trial_ends_on: s?.trial_ends_on ?? null },
    };
  };

  // Checks the sent subscription attributes and merges them into `current`
  // (or into a new one): -> { sub } or { errors }, keys prefixed as GitLab
  // names them (the namespace's PUT says "gitlab_subscription.seats").
  const mergeSub = (current, attrs, prefix) => {
    const errors = {};
    const err = (f, msg) => { (errors[prefix + f] ??= []).push(msg); };
    const sent = pick(attrs, SUB_FIELDS, errors, prefix);
    const sub = { ...(current ?? { ...SUB_DEFAULTS, seats: null, start_date: null }), ...sent };
    if (sub.seats === null) err('seats', "can't be blank");
    if (sub.start_date === null) err('start_date', "can't be blank");
    if (sub.trial) {
      if (!sub.trial_starts_on) err('trial_starts_on', "can't be blank");
      if (!sub.trial_ends_on) err('trial_ends_on', "can't be blank");
      else if (sub.trial_starts_on && sub.trial_ends_on <= sub.trial_starts_on) err('trial_ends_on', 'must be after trial_starts_on');
    }
    return Object.keys(errors).length ? { errors } : { sub };
  };

  // --- the API ---------------------------------------------------------------
  const route = (req, send, path, body) => {
    const m = path.startsWith(PREFIX) && path.slice(PREFIX.length).match(/^\/namespaces\/([^/]+)(\/gitlab_subscription)?$/);
    if (!m) return send(404, { message: '404 Not Found' });
    let id;
    try { id = decodeURIComponent(m[1]); } catch { return send(404, { message: '404 Not Found' }); }
    const ns = find(id);
    const refusal = req.method !== 'GET' && refusals.get(String(ns?.id ?? id));
    if (refusal) return send(refusal.status, { message: refusal.message });
    if (!ns) return send(404, { message: '404 Namespace Not Found' });
    const attrs = body ?? {};

    if (!m[2]) {
      if (req.method === 'GET') return send(200, nsView(ns));
      if (req.method !== 'PUT') return send(404, { message: '404 Not Found' });
      const errors = {};
      const changes = pick(attrs, NS_FIELDS, errors);
      if (Object.hasOwn(attrs, 'gitlab_subscription_attributes')) {
        const a = attrs.gitlab_subscription_attributes;
        if (!isObject(a)) errors.gitlab_subscription_attributes = ['is invalid'];
        else {
          const r = mergeSub(ns.gitlab_subscription, a, 'gitlab_subscription.');
          if (r.errors) Object.assign(errors, r.errors); else changes.gitlab_subscription = r.sub;
        }
      }
      // All or nothing, as one ActiveRecord save.
      if (Object.keys(errors).length) return send(400, { message: errors });
      Object.assign(ns, changes);
      return send(200, nsView(ns));
    }

    if (req.method === 'GET') return send(200, subView(ns.gitlab_subscription));
    if (req.method === 'PUT') {
      if (!ns.gitlab_subscription) return send(404, { message: '404 GitlabSubscription Not Found' });
      const r = mergeSub(ns.gitlab_subscription, attrs, '');
      if (r.errors) return send(400, { message: r.errors });
      ns.gitlab_subscription = r.sub;
      return send(200, subView(r.sub));
    }
    if (req.method === 'POST') {
      // A Grape `requires`: refused before the model sees it, in Grape's shape.
      if (attrs.start_date === undefined) return send(400, { error: 'start_date is missing' });
      const r = mergeSub(null, attrs, ''); // has_one: a new one replaces any old
      if (r.errors) return send(400, { message: r.errors });
      ns.gitlab_subscription = r.sub;
      return send(201, subView(r.sub));
    }
    return send(404, { message: '404 Not Found' });
  };

  // --- control ---------------------------------------------------------------
  const control = (req, send, path, body) => {
    const b = body ?? {};
    if (path === '/__test/reset') {
      namespaces.clear(); refusals.clear(); requests = []; mode = { mode: 'up' };
      discovery = null; jwks = null;
      for (const r of hung) r.destroy();
      hung.clear();
      return send(200, { ok: true });
    }
    if (path === '/__test/namespaces' && req.method === 'POST') {
      if (!Number.isInteger(b.id)) return send(400, { error: 'id must be an integer' });
      const p = b.path ?? `group-${b.id}`;
      const ns = {
        name: p, path: p, full_path: p, kind: 'group', extra_shared_runners_minutes_limit: 0,
        additional_purchased_storage_size: 0, additional_purchased_storage_ends_on: null, ...b,
        gitlab_subscription: b.gitlab_subscription === null ? null : { ...SUB_DEFAULTS, ...b.gitlab_subscription },
      };
      namespaces.set(b.id, ns);
      return send(200, ns);
    }
    if (path.startsWith('/__test/namespaces/')) {
      const ns = namespaces.get(Number(path.slice('/__test/namespaces/'.length)));
      return ns ? send(200, ns) : send(404, { message: '404 Namespace Not Found' });
    }
    if (path === '/__test/requests') {
      if (req.method === 'DELETE') { requests = []; return send(200, { ok: true }); }
      return send(200, requests);
    }
    if (path === '/__test/mode') {
      if (!MODES.includes(b.mode ?? 'up')) return send(400, { error: `unknown mode ${b.mode}` });
      mode = { mode: b.mode ?? 'up', delay_ms: b.delay_ms ?? 0, retry_after: b.retry_after ?? 1, count: b.count ?? null };
      return send(200, mode);
    }
    if (path === '/__test/refuse') {
      if (b.status === null || b.status === undefined) refusals.delete(String(b.id));
      else refusals.set(String(b.id), { status: b.status, message: b.message ?? `${b.status}` });
      return send(200, { ok: true });
    }
    return send(404, { error: 'unknown control' });
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const { pathname } = new URL(req.url, 'http://gitlab.test');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null; let badBody = false;
      try { body = raw ? JSON.parse(raw) : null; } catch { badBody = true; }
      if (body !== null && !isObject(body)) badBody = true;

      const reply = (status, payload, headers = {}) => {
        if (res.destroyed) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      if (pathname.startsWith('/__test/')) return control(req, reply, pathname, body);
      if (!pathname.startsWith('/api/v4/')) return reply(404, { message: '404 Not Found' });

      // Logged on arrival, so the log keeps arrival order; the mode is taken
      // now too, so "count" means the next N requests, whatever their speed.
      const entry = {
        at: Date.now(), method: req.method, path: pathname, body: badBody ? raw : body,
        auth_ok: false, auth_error: null, claims: null, status: 0,
      };
      requests.push(entry);
      const send = (status, payload, headers) => { entry.status = status; reply(status, payload, headers); };
      const m = mode;
      if (m.count !== null && m.count !== undefined && --m.count <= 0) mode = { mode: 'up' };

      // Checked in every mode, so a test can see what a retried call carried.
      const auth = await authenticate(req.headers['x-customers-dot-internal-token']);
      Object.assign(entry, { auth_ok: auth.ok, auth_error: auth.reason, claims: auth.claims });

      if (m.mode === 'down') { req.socket.destroy(); return undefined; }
      if (m.mode === 'hang') { hung.add(req.socket); return undefined; }
      if (m.mode === 'error') return send(503, { message: '503 Service Unavailable' });
      if (m.mode === 'throttle') return send(429, { message: '429 Too Many Requests' }, { 'retry-after': String(m.retry_after) });
      if (m.mode === 'slow') await new Promise((r) => { setTimeout(r, m.delay_ms); });

      // Grape parses the body before any endpoint code, authentication included.
      if (badBody && (req.method === 'PUT' || req.method === 'POST')) {
        return send(400, { error: 'message body does not match declared format' });
      }
      if (pathname.startsWith(`${PREFIX}/`) && !auth.ok) return send(401, { message: '401 Unauthorized' });
      return route(req, send, pathname, badBody ? null : body);
    });
  });

  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        close: () => new Promise((done) => {
          for (const s of hung) s.destroy();
          server.close(done);
          server.closeAllConnections();
        }),
      });
    });
  });
}

// A client of the running stand-in (GITLAB_URL), for the tests.
const call = controlCall('GITLAB_URL', 'http://127.0.0.1:9420');

export const gitlab = {
  reset: () => call('POST', '/__test/reset', {}),
  namespace: (ns) => call('POST', '/__test/namespaces', ns),
  get: (id) => call('GET', `/__test/namespaces/${id}`),
  requests: () => call('GET', '/__test/requests'),
  clearRequests: () => call('DELETE', '/__test/requests'),
  // mode('error'), mode('error', { count: 2 }), or mode({ mode: 'slow', delay_ms: 500 }).
  mode: (m, opts = {}) => call('POST', '/__test/mode', typeof m === 'string' ? { mode: m, ...opts } : m),
  refuse: (id, status, message) => call('POST', '/__test/refuse', { id, status, message }),
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startGitlab({ port: Number(process.env.GITLAB_PORT ?? 9420) });
  console.log(`gitlab listening on ${url}`);
}
