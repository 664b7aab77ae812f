// What an operator of several instances relies on: /livez answers without
// the database (the load balancer's liveness check), /healthz is the
// readiness; /metrics is labelled with its instance and answers only the
// configured addresses or its token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { APP_URL } from '../lib/http.mjs';
import { signedInClient, sameSession } from '../lib/signin.mjs';
import { sleep, poll } from '../lib/wait.mjs';

// A GET from a given local address (127.0.0.2 is not in metrics_allow).
function get(path, { from = '127.0.0.1', headers = {} } = {}) {
  const url = new URL(path, APP_URL);
  return new Promise((done, fail) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, localAddress: from, headers },
      (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => done({ status: res.statusCode, body, headers: res.headers }));
      });
    req.on('error', fail);
    req.end();
  });
}

const TOKEN = process.env.CDOT_METRICS_TOKEN ??
  readFileSync(new URL('../../conf/app.conf', import.meta.url), 'utf8').match(/^metrics_token\s+(\S+)/m)[1];

test('/livez answers without a session or the database', async () => {
  const res = await get('/livez');
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok\n');
  assert.equal((await get('/healthz')).status, 200);
});

test('/metrics: labelled with the instance, for the configured addresses or the token', async () => {
  const ok = await get('/metrics');
  assert.equal(ok.status, 200);
  const name = process.env.CDOT_INSTANCE_NAME || hostname();
  assert.match(ok.body, new RegExp(`^cdot_http_requests_total\\{instance="${name}",method="GET",route="[^"]+",status="200"\\} \\d+$`, 'm'));
  assert.match(ok.body, new RegExp(`^cdot_db_errors_total\\{instance="${name}"\\} \\d+$`, 'm'));

  const other = await get('/metrics', { from: '127.0.0.2' });
  assert.equal(other.status, 403);
  assert.doesNotMatch(other.body, /cdot_http/);
  const wrong = await get('/metrics', { from: '127.0.0.2', headers: { authorization: 'Bearer not-the-token-0123456789abcdef0123' } });
  assert.equal(wrong.status, 403);
  const token = await get('/metrics', { from: '127.0.0.2', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(token.status, 200);
  assert.match(token.body, /cdot_http_requests_total/);
});

test('a killed parent takes its workers with it: a new instance starts on the same port', async () => {
  const { AppInstance } = await import('./auth_instance.mjs');
  const { freePort } = await import('./auth_mockidp.mjs');
  const port = await freePort();
  const first = new AppInstance('instances-killed', port, {}, { sanitizers: false });
  const second = new AppInstance('instances-after', port, {}, { sanitizers: false });
  await first.start();
  try {
    process.kill(first.proc.pid, 'SIGKILL');   // the parent only
    await first.exited;
    // Its workers follow (PR_SET_PDEATHSIG): the port is free again.
    const freed = await poll(async () => {
      try { await fetch(`${first.url}/livez`); } catch { return true; }
      return false;
    }, 10000);
    assert.ok(freed, 'no worker kept the port');
    await second.start();
    assert.equal((await fetch(`${second.url}/livez`)).status, 200);
  } finally {
    await second.stop();
    // Whatever is left of the first one's group (its workers, on failure).
    try { process.kill(-first.proc.pid, 'SIGKILL'); } catch { /* all gone */ }
  }
});

// The same signed-in person, talking to another instance (the session
// cookie is sealed with the shared session_secret).
async function sameSessionOn(email, url) {
  return sameSession(await signedInClient(email), url);
}

test('SIGTERM: a request in flight finishes, new connections are refused, then the instance exits', async () => {
  const { AppInstance } = await import('./auth_instance.mjs');
  const { freePort } = await import('./auth_mockidp.mjs');
  const { makeAccount, tag, cleanup, sql } = await import('./edit_helpers.mjs');
  const { zuora } = await import('../lib/zuora.mjs');
  const port = await freePort();
  const inst = new AppInstance('instances-drain', port, { CDOT_SHUTDOWN_GRACE: '20' },
    { sanitizers: false, workers: 2 });
  await inst.start();
  const a = makeAccount(tag());
  try {
    const ed = await sameSessionOn('editor@example.com', inst.url);
    await zuora.account({
      basicInfo: { id: a.zid, name: 'Drained Name', accountNumber: 'A00001', PORequired__c: 'Yes',
        PortalRequired__c: false, SupportHold__c: false, CreditHold__c: 'No' },
      billingAndPayment: { currency: 'USD', autoPay: false },
    });
    // Zuora answers after 2 s: the refresh is in flight when SIGTERM comes.
    await zuora.mode('slow', 2000);
    const t0 = Date.now();
    const inFlight = ed.post(`/admin/billing_accounts/${a.id}/refresh_from_zuora`,
      { csrf_token: ed.csrf }, { headers: { accept: 'text/html' } });
    await sleep(500);
    process.kill(inst.proc.pid, 'SIGTERM');

    // Within a second new connections are refused (or told it is stopping).
    let refused = false;
    for (let i = 0; i < 20 && !refused; i++) {
      await sleep(100);
      try {
        const res = await fetch(`${inst.url}/healthz`);
        assert.equal(res.status, 503, 'a stopping instance is not ready');
      } catch (e) {
        refused = e.cause?.code === 'ECONNREFUSED';
      }
    }
    assert.ok(refused, 'the listening socket was closed');

    const res = await inFlight;
    assert.equal(res.status, 303, `the request in flight finished: ${res.text_?.slice(0, 200)}`);
    assert.match(res.headers.get('location'), new RegExp(`/admin/billing_accounts/${a.id}$`));
    assert.ok(Date.now() - t0 >= 2000, 'it waited for Zuora');
    assert.equal(sql(`SELECT po_required FROM billing_accounts WHERE id = ${a.id}`)[0][0], 't');
    const code = await Promise.race([inst.exited, sleep(10000).then(() => 'still running')]);
    assert.equal(code, 0, 'the instance exited by itself');
    assert.match(inst.logText(), /SIGTERM: finishing requests in flight/);
  } finally {
    await zuora.mode('up');
    await inst.stop();
    cleanup();
  }
});
