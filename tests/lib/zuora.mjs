// A stand-in for Zuora's REST API, for the tests and `make run`: the few
// calls the panel and cdot-outbox make, with OAuth client credentials.
//
//   POST /oauth/token              client_credentials -> bearer token
//   GET  /v1/accounts/{id}         "Retrieve an account"
//   GET  /v1/subscriptions/accounts/{id}  "List subscriptions by account
//                                  key": the loaded account's
//                                  `subscriptions` (none if not given)
//   GET  /v1/contacts/{id}         "Retrieve a contact"
//   PUT  /v1/contacts/{id}         "Update a contact"
//
// Tests drive it through /__test/...: load accounts and contacts, read the
// requests it received, and make it fail ("down": connections are cut;
// "error": 503; "slow": answers after delay_ms).
//
// As a program: node tests/lib/zuora.mjs   (ZUORA_PORT, ZUORA_CLIENT_ID,
// ZUORA_CLIENT_SECRET; prints "zuora listening on <url>").
// As a client of a running one: import { zuora } from './zuora.mjs'.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { controlCall } from './control.mjs';

export function startZuora({
  port = 0,
  clientId = process.env.ZUORA_CLIENT_ID ?? 'cdot-test',
  clientSecret = process.env.ZUORA_CLIENT_SECRET ?? 'zuora-test-secret',
  // For `make run`: a contact first sent by PUT is taken in, not refused.
  lenient = process.env.ZUORA_LENIENT === '1',
} = {}) {
  const accounts = new Map();
  const contacts = new Map();
  const tokens = new Set();
  let requests = [];
  let mode = { mode: 'up', delay_ms: 0 };

  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const notFound = (res, what) => send(res, 404, {
    success: false, reasons: [{ code: 50000040, message: `Cannot find entity by key: '${what}'.` }],
  });

  const control = (req, res, path, body) => {
    if (path === '/__test/reset') {
      accounts.clear(); contacts.clear(); requests = []; mode = { mode: 'up', delay_ms: 0 };
      return send(res, 200, { ok: true });
    }
    if (path === '/__test/accounts') { accounts.set(body.basicInfo.id, body); return send(res, 200, { ok: true }); }
    if (path === '/__test/contacts') { contacts.set(body.id, body); return send(res, 200, { ok: true }); }
    if (path === '/__test/mode') { mode = { mode: body.mode ?? 'up', delay_ms: body.delay_ms ?? 0 }; return send(res, 200, mode); }
    if (path === '/__test/requests') {
      if (req.method === 'DELETE') { requests = []; return send(res, 200, { ok: true }); }
      return send(res, 200, requests);
    }
    if (path.startsWith('/__test/contacts/')) {
      const c = contacts.get(path.slice('/__test/contacts/'.length));
      return c ? send(res, 200, c) : notFound(res, path);
    }
    return send(res, 404, { error: 'unknown control' });
  };

  const api = (req, res, path, raw, body) => {
    if (req.method === 'POST' && path === '/oauth/token') {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'client_credentials' ||
          form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return send(res, 401, { error: 'invalid_client' });
      }
      const token = randomBytes(24).toString('hex');
      tokens.add(token);
      return send(res, 200, { access_token: token, token_type: 'bearer', expires_in: 3599, scope: 'entity.x' });
    }

    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) {
      return send(res, 401, { success: false, reasons: [{ code: 90000011, message: 'Authentication error' }] });
    }

    let m;
    if (req.method === 'GET' && (m = path.match(/^\/v1\/accounts\/([^/]+)$/))) {
      const a = accounts.get(m[1]);
      return a ? send(res, 200, { success: true, ...a }) : notFound(res, m[1]);
    }
    if (req.method === 'GET' && (m = path.match(/^\/v1\/subscriptions\/accounts\/([^/]+)$/))) {
      const a = accounts.get(m[1]);
      return a ? send(res, 200, { success: true, subscriptions: a.subscriptions ?? [] }) : notFound(res, m[1]);
    }
    if ((m = path.match(/^\/v1\/contacts\/([^/]+)$/))) {
      if (lenient && req.method === 'PUT' && !contacts.has(m[1])) contacts.set(m[1], { id: m[1] });
      const c = contacts.get(m[1]);
      if (!c) return notFound(res, m[1]);
      if (req.method === 'GET') return send(res, 200, { success: true, ...c });
      if (req.method === 'PUT') {
        if (body === null || typeof body !== 'object') return send(res, 400, { success: false });
        Object.assign(c, body);
        return send(res, 200, { success: true, id: m[1] });
      }
    }
    return send(res, 404, { success: false, reasons: [{ message: 'no such endpoint' }] });
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://zuora.test');
      const raw = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try { body = raw ? JSON.parse(raw) : null; } catch { body = null; }

      if (url.pathname.startsWith('/__test/')) return control(req, res, url.pathname, body);

      requests.push({
        method: req.method, path: url.pathname, at: Date.now(),
        authorization: req.headers.authorization ? req.headers.authorization.split(' ')[0] : null,
        body: url.pathname === '/oauth/token' ? null : body,
      });
      if (mode.mode === 'down') { req.socket.destroy(); return undefined; }
      if (mode.mode === 'error') {
        return send(res, 503, { success: false, reasons: [{ message: 'Service unavailable' }] });
      }
      if (mode.mode === 'slow') {
        setTimeout(() => { if (!res.destroyed) api(req, res, url.pathname, raw, body); }, mode.delay_ms);
        return undefined;
      }
      return api(req, res, url.pathname, raw, body);
    });
  });

  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

// A client of the running stand-in (ZUORA_URL), for the tests.
const call = controlCall('ZUORA_URL', 'http://127.0.0.1:9410');

export const zuora = {
  reset: () => call('POST', '/__test/reset', {}),
  account: (a) => call('POST', '/__test/accounts', a),
  contact: (c) => call('POST', '/__test/contacts', c),
  contactNow: (id) => call('GET', `/__test/contacts/${id}`),
  mode: (mode, delayMs = 0) => call('POST', '/__test/mode', { mode, delay_ms: delayMs }),
  requests: () => call('GET', '/__test/requests'),
  clearRequests: () => call('DELETE', '/__test/requests'),
};

// A Zuora-shaped id: 32 lower-case hex characters.
export const zuoraId = () => randomBytes(16).toString('hex');

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { url } = await startZuora({ port: Number(process.env.ZUORA_PORT ?? 9410) });
  console.log(`zuora listening on ${url}`);
}
