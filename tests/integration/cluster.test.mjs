// Several instances on a replicated PostgreSQL, as README.md's "Running
// several instances" lays them out: a primary and a streaming hot standby
// (pg_basebackup, conf/dev/pg.sh), two instances of the app reading lists
// from the standby (database_read_url) and writing through a multi-host
// database_url, and HAProxy with conf/production/haproxy.cfg in front.
//
// It checks what an operator relies on: signing in through either
// instance; a sign-out holds on the other instance and after a restart;
// lists come from the standby while a person's page after a save shows
// the new value at once; a standby too far behind, or stopped, costs
// nothing; SIGTERM of an instance under load fails no request; a flood of
// slow connections from one address leaves others served; the sales
// system's retried request makes one extension across instances; and the
// primary stopped with the standby promoted, the service is back within
// seconds.  The figures it prints are the closing note's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppInstance } from './auth_instance.mjs';
import { freePort } from './auth_mockidp.mjs';
import { signedInClient, sameSession } from '../lib/signin.mjs';
import { one } from '../lib/db.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORK = join(process.env.CDOT_TEST_WORK ?? join(ROOT, 'var/test'), `cluster-${process.pid}`);
const PG = join(ROOT, 'conf/dev/pg.sh');
const MAX_LAG = 6;

const ports = {};
const procs = [];
let apps = [];
let lb;

const figure = (what, value) => console.log(`# figure: ${what}: ${value}`);

// SQL on one server of the pair: the first value it prints.
const psql = (port, text) => one(text, { port });

// Reads of customers counted by the server's own statistics.
function customerReads(port) {
  return Number(psql(port, `SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
    FROM pg_stat_user_tables WHERE relname = 'customers'`));
}

// Waits until fn is true (an error counts as false): -> how long it took, ms.
async function waitUntil(what, fn, ms = 20000) {
  const t0 = Date.now();
  await waitFor(what, async () => { try { return await fn(); } catch { return false; } }, ms);
  return Date.now() - t0;
}

function start(cmd, args, env, log) {
  const fd = openSync(join(WORK, log), 'a');
  const p = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  procs.push(p);
  return p;
}

function appEnv(name) {
  const dsn = (hosts) => `postgresql://cdot@${hosts}/cdot`;
  return {
    CDOT_DATABASE_URL: `${dsn(`127.0.0.1:${ports.primary},127.0.0.1:${ports.standby}`)}?target_session_attrs=read-write`,
    CDOT_DATABASE_READ_URL: dsn(`127.0.0.1:${ports.standby}`),
    CDOT_REPLICA_MAX_LAG: String(MAX_LAG),
    CDOT_BASE_URL: lb,
    CDOT_OIDC_ISSUER: `http://127.0.0.1:${ports.oidc}`,
    CDOT_TRUSTED_PROXY: '127.0.0.1',
    CDOT_INSTANCE_NAME: name,
    CDOT_SHUTDOWN_GRACE: '20',
  };
}

before(async () => {
  mkdirSync(WORK, { recursive: true });
  for (const k of ['primary', 'standby', 'app1', 'app2', 'lb', 'oidc']) ports[k] = await freePort();
  lb = `http://127.0.0.1:${ports.lb}`;

  // The primary, the app's schema and demo data, then its standby.
  execFileSync(PG, ['start', join(WORK, 'primary'), String(ports.primary), 'fast']);
  execFileSync('createdb', ['-h', '127.0.0.1', '-p', String(ports.primary), '-U', 'cdot', 'cdot']);
  const pgenv = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(ports.primary), PGUSER: 'cdot',
    PGDATABASE: 'cdot' };
  execFileSync(join(ROOT, 'sql/migrate.sh'), [], { env: pgenv, stdio: 'ignore' });
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-f', join(ROOT, 'sql/demo.sql')],
    { env: pgenv, stdio: 'ignore' });
  execFileSync(PG, ['standby', join(WORK, 'standby'), String(ports.standby), String(ports.primary)]);
  // The tests' own set-up and checks (tests/lib/db.mjs) go to the primary.
  Object.assign(process.env, { PGPORT: String(ports.primary), PGDATABASE: 'cdot' });

  start('node', ['conf/oidc/provider.js'], { OIDC_PORT: String(ports.oidc),
    OIDC_REDIRECT_URIS: `${lb}/auth/callback` }, 'oidc.log');
  await waitUntil('the OpenID Provider', async () =>
    (await fetch(`http://127.0.0.1:${ports.oidc}/.well-known/openid-configuration`)).ok);

  apps = [new AppInstance('cluster-app1', ports.app1, appEnv('app1'), { sanitizers: false }),
    new AppInstance('cluster-app2', ports.app2, appEnv('app2'), { sanitizers: false })];
  await Promise.all(apps.map((a) => a.start()));

  start('haproxy', ['-db', '-f', join(ROOT, 'conf/production/haproxy.cfg')], {
    CDOT_LB_BIND: `127.0.0.1:${ports.lb}`, CDOT_APP_1: `127.0.0.1:${ports.app1}`,
    CDOT_APP_2: `127.0.0.1:${ports.app2}`, CDOT_LB_HOST: '127.0.0.1', CDOT_LB_PER_CLIENT: '40',
  }, 'haproxy.log');
  await waitUntil('the load balancer', async () => (await fetch(`${lb}/healthz`)).ok);
});

after(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  for (const p of procs) { try { p.kill('SIGTERM'); } catch { /* gone */ } }
  for (const d of ['standby', 'primary']) {
    try { execFileSync(PG, ['stop', join(WORK, d)]); } catch { /* stopped */ }
  }
});

// A signed-in person whose requests go through the load balancer, with
// their form token.
const person = (email) => signedInClient(email, { base: lb });

// The same session, sent straight to one instance.
const on = (c, app) => sameSession(c, app.url);

const JSON_ = { accept: 'application/json' };

test('signing in through the load balancer: the session works on either instance', async () => {
  const ro = await person('readonly@example.com');
  for (const app of apps) {
    const res = await on(ro, app).get('/admin', { headers: JSON_ });
    assert.equal(res.status, 200, `${app.name}: ${res.text_.slice(0, 200)}`);
  }
  const health = JSON.parse((await (await fetch(`${apps[0].url}/healthz`)).text()));
  assert.equal(health.database, 'ok');
  assert.equal(health.read_database.status, 'ok');
  assert.equal(health.read_database.reads_from, 'standby');
});

test('a sign-out on one instance is refused on the other, and after it restarts', async () => {
  const c = await person('editor@example.com');
  const copy = on(c, apps[1]);
  assert.equal((await copy.get('/admin', { headers: JSON_ })).status, 200);
  const out = await on(c, apps[0]).post('/auth/signout', { csrf_token: c.csrf }, { headers: { accept: 'text/html' } });
  assert.equal(out.status, 303);
  const after1 = await copy.get('/admin', { headers: JSON_ });
  assert.notEqual(after1.status, 200, 'the other instance refuses the signed-out cookie');
  await apps[1].stop();
  await apps[1].start();
  const after2 = await copy.get('/admin', { headers: JSON_ });
  assert.notEqual(after2.status, 200, 'and so it does after a restart');
});

test('lists read from the standby; a save\'s next pages read the primary', async () => {
  const ro = await person('readonly@example.com');
  const ed = await person('editor@example.com');
  const id = psql(ports.primary, 'SELECT min(id) FROM customers');

  // A list read by someone who saved nothing is the standby's.
  let before = customerReads(ports.standby);
  assert.equal((await ro.get('/admin/customers?query=example', { headers: JSON_ })).status, 200);
  await waitUntil('the standby counting the read', () => customerReads(ports.standby) > before, 5000);

  // So is a CSV export.
  before = customerReads(ports.standby);
  const csv = await ro.get('/admin/customers/export.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.text_, /^"ID",/);
  await waitUntil('the standby counting the export', () => customerReads(ports.standby) > before, 5000);

  // The standby stops replaying: within replica_max_lag it is still used,
  // and is now behind.
  await waitUntil('the standby caught up', () =>
    psql(ports.standby, 'SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()') === 't');
  psql(ports.primary, `UPDATE customers SET updated_at = updated_at WHERE id = ${id}`);
  await waitUntil('that change replayed', () =>
    psql(ports.standby, 'SELECT pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()') === 't');
  psql(ports.standby, 'SELECT pg_wal_replay_pause()');
  try {
    const form = JSON.parse((await ed.get(`/admin/customers/${id}/edit`, { headers: JSON_ })).text_).form;
    const name = `Lag${Date.now() % 100000}`;
    const values = Object.fromEntries(form.fields.map((f) => [f.name, f.value]));
    const saved = await ed.post(`/admin/customers/${id}`, { ...values, last_name: name,
      lock_version: form.lock_version, csrf_token: ed.csrf }, { headers: { accept: 'text/html' } });
    assert.equal(saved.status, 303, saved.text_.slice(0, 300));
    assert.match(saved.headers.get('set-cookie') ?? '', /cdot_read_primary=1/);

    // The person who saved sees it at once in the list (the primary) ...
    const mine = JSON.parse((await ed.get(`/admin/customers?query=${name}`, { headers: JSON_ })).text_);
    assert.equal(mine.rows.length, 1, `the saver's list shows ${name}`);
    // ... someone else's list still comes from the standby, not there yet.
    before = customerReads(ports.standby);
    const theirs = JSON.parse((await ro.get(`/admin/customers?query=${name}`, { headers: JSON_ })).text_);
    assert.equal(theirs.rows.length, 0, 'the standby has not replayed it');
    await waitUntil('the standby counting that read', () => customerReads(ports.standby) > before, 5000);

    // Further behind than replica_max_lag: everybody reads the primary.
    await waitUntil('the standby reported behind', async () => {
      const h = JSON.parse(await (await fetch(`${apps[0].url}/healthz`)).text());
      return h.read_database.status === 'behind';
    }, (MAX_LAG + 10) * 1000);
    await sleep(1100);   // each worker checks once a second
    const late = JSON.parse((await ro.get(`/admin/customers?query=${name}`, { headers: JSON_ })).text_);
    assert.equal(late.rows.length, 1, 'read from the primary');
  } finally {
    psql(ports.standby, 'SELECT pg_wal_replay_resume()');
  }
});

test('in Chromium through the load balancer: sign in, save, find it in the list, sign out', async () => {
  const { launch, shot } = await import('../lib/browser.mjs');
  const id = psql(ports.primary, 'SELECT min(id) FROM customers');
  const name = `Browser${Date.now() % 100000}`;
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);
    await page.goto(`${lb}/admin/customers/${id}/edit`);
    await page.fill('input[name="login"]', 'editor@example.com');
    await page.fill('input[name="password"]', 'any');
    await Promise.all([page.waitForURL((u) => u.toString().startsWith(`${lb}/admin/customers/${id}/edit`)),
      page.click('button[type="submit"], input[type="submit"]')]);
    await page.fill('#f-last_name', name);
    await go('button[data-action="save"]');
    assert.equal((await page.textContent('.flash')).trim(), 'Customer successfully updated');
    await page.goto(`${lb}/admin/customers?query=${name}`);
    assert.match(await page.textContent('main'), new RegExp(name), 'the list shows the saved name');
    await shot(page, 'cluster-list-after-save');
    const cookies = await context.cookies(lb);
    await go('form.signout button');
    await shot(page, 'cluster-signed-out');
    // The copied session cookie, on each instance: refused.
    const session = cookies.find((c) => c.name === 'cdot_session');
    for (const app of apps) {
      const res = await fetch(`${app.url}/admin`, { headers: { cookie: `cdot_session=${session.value}`,
        accept: 'application/json' }, redirect: 'manual' });
      assert.notEqual(res.status, 200, app.name);
    }
  } finally {
    await browser.close();
  }
});

test('the sales system\'s retry through the load balancer: one extension, the same answer', async () => {
  const { tag, account, subscription, OPPORTUNITY, API } = await import('./support_helpers.mjs');
  const post = async (base, body, headers = {}) => {
    const res = await fetch(`${base}${API}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.CDOT_SALES_SERVICE_TOKEN}`,
        ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const count = (sub) => Number(psql(ports.primary,
    `SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`));

  // Twice at once, one to each instance.
  const sub = subscription(account(tag()).id, { type: 'saas', ends: 4 });
  const req = { zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Budget' };
  const [a, b] = await Promise.all([post(apps[0].url, req), post(apps[1].url, req)]);
  assert.deepEqual([a.status, b.status], [201, 201], JSON.stringify([a.body, b.body]));
  assert.deepEqual(a.body, b.body);
  // Once more through the load balancer, with an Idempotency-Key.
  const again = await post(lb, req);
  assert.deepEqual([again.status, again.body], [201, a.body]);
  assert.equal(count(sub), 1);

  const sub2 = subscription(account(tag()).id, { type: 'saas', ends: 4 });
  const req2 = { zuora_subscription_id: sub2.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Budget' };
  const key = { 'idempotency-key': `retry-${tag()}` };
  const [c, d] = await Promise.all([post(lb, req2, key), post(lb, req2, key)]);
  assert.deepEqual([c.status, d.status, d.body], [201, 201, c.body]);
  assert.equal(count(sub2), 1);
});

// Signed-in GETs of a list through the load balancer, 8 at a time, until
// stop() is called: how many answered 200, and what else came back.
function load(c, path) {
  const state = { ok: 0, failed: [], running: true, t0: Date.now() };
  const one = async () => {
    while (state.running) {
      try {
        const res = await c.get(path, { headers: JSON_ });
        if (res.status === 200) state.ok += 1;
        else state.failed.push(`${res.status} ${res.text_.slice(0, 80)}`);
      } catch (e) {
        state.failed.push(String(e.cause?.code ?? e.message));
      }
    }
  };
  const all = Promise.all(Array.from({ length: 8 }, one));
  state.stop = async () => { state.running = false; await all; state.ms = Date.now() - state.t0; return state; };
  return state;
}

test('SIGTERM of an instance under load: no request fails; requests per second of two and of one', async () => {
  const ro = await person('readonly@example.com');
  const path = '/admin/customers?query=example';

  // Warm both instances (their connections, prepared statements and
  // search statistics), then measure.
  const warm = load(ro, path);
  await sleep(1500);
  await warm.stop();
  const both = load(ro, path);
  await sleep(3000);
  await both.stop();
  figure('requests per second, two instances', (both.ok / (both.ms / 1000)).toFixed(0));

  const during = load(ro, path);
  await sleep(1000);
  const t0 = Date.now();
  process.kill(apps[0].proc.pid, 'SIGTERM');
  const code = await apps[0].exited;
  figure('SIGTERM to exit under load, ms', Date.now() - t0);
  const oneOk = during.ok;
  const t1 = Date.now();
  await sleep(3000);
  const done = await during.stop();
  figure('requests per second, one instance', ((done.ok - oneOk) / ((Date.now() - t1) / 1000)).toFixed(0));
  figure('failed requests around SIGTERM', `${done.failed.length} of ${done.ok + done.failed.length}`);
  assert.deepEqual(done.failed, []);
  assert.equal(code, 0);

  apps[0] = new AppInstance('cluster-app1', ports.app1, appEnv('app1'), { sanitizers: false });
  await apps[0].start();
});

// An HTTP GET from a given local address (127.0.0.2: not the flood's).
function getFrom(address, url) {
  return new Promise((done, fail) => {
    const u = new URL(url);
    const req = net.connect({ host: u.hostname, port: u.port, localAddress: address });
    let data = '';
    req.on('connect', () => req.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`));
    req.on('data', (c) => { data += c; });
    req.on('end', () => done(Number(data.slice(9, 12))));
    req.on('error', fail);
  });
}

test('a flood of slow connections from one address: others are still served', async () => {
  const flood = [];
  for (let i = 0; i < 1100; i++) {
    const s = net.connect({ host: '127.0.0.1', port: ports.lb });
    s.on('error', () => {});
    s.on('close', () => { s.gone = true; });
    s.on('connect', () => s.write('GET /admin/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    flood.push(s);
  }
  try {
    await sleep(1000);
    const refused = flood.filter((s) => s.gone).length;
    figure('slow connections refused at once (of 1,100 from one address)', refused);
    assert.ok(refused >= 1100 - 40, `${refused} refused`);
    const t0 = Date.now();
    for (let i = 0; i < 10; i++) {
      assert.equal(await getFrom('127.0.0.2', `${lb}/healthz`), 200);
      assert.equal(await getFrom('127.0.0.2', `${lb}/auth/sign_in`), 200);
    }
    figure('20 requests of another address during the flood, ms', Date.now() - t0);
    // The instances themselves hold none of them (HAProxy waits for the
    // whole request): each still answers at once.
    for (const app of apps) assert.equal((await fetch(`${app.url}/livez`)).status, 200);
  } finally {
    for (const s of flood) s.destroy();
  }
  await sleep(500);
});

test('two outbox workers and a slow GitLab.com on the cluster: each request sent once', async () => {
  const { tag, namespace } = await import('./support_helpers.mjs');
  const { gitlab } = await import('../lib/gitlab.mjs');
  const API = '/api/v4/internal/gitlab_subscriptions/namespaces';
  const spaces = [];
  for (let i = 0; i < 8; i++) {
    const t = tag();
    const ns = namespace(t);
    await gitlab.namespace({ id: ns.gitlabId, name: `Cluster ${t}`, path: ns.path, full_path: ns.path,
      extra_shared_runners_minutes_limit: 1000, additional_purchased_storage_size: 2048 });
    spaces.push(ns);
  }
  const env = { CDOT_DATABASE_URL: appEnv('outbox').CDOT_DATABASE_URL };
  const workers = [start(join(ROOT, 'build/cdot-outbox'), [], env, 'outbox1.log'),
    start(join(ROOT, 'build/cdot-outbox'), [], env, 'outbox2.log')];
  try {
    // Well within gitlab_http_timeout (3 s): a call that timed out is
    // rightly sent again, which is not what this checks.
    await gitlab.mode({ mode: 'slow', delay_ms: 1000 });
    psql(ports.primary, `BEGIN; SELECT set_config('cdot.actor', 'admin:support@example.com', true);
      UPDATE namespaces SET extra_ci_minutes = 4321 WHERE id IN (${spaces.map((s) => s.id).join(', ')});
      COMMIT;`);
    await waitUntil('every request settled', () => Number(psql(ports.primary, `SELECT count(*) FROM outbox
      WHERE kind = 'gitlab_namespace_sync' AND status = 'pending'
        AND record_id IN (${spaces.map((s) => s.id).join(', ')})`)) === 0, 60000);
  } finally {
    await gitlab.mode('up');
    for (const w of workers) w.kill('SIGTERM');
  }
  const all = await gitlab.requests();
  let total = 0;
  for (const ns of spaces) {
    const got = all.filter((r) => r.method !== 'GET' && r.path.startsWith(`${API}/${ns.gitlabId}`));
    total += got.length;
    assert.deepEqual(got.map((r) => r.status), [200], `${ns.path}`);
  }
  figure('outbox: rows, requests sent (two workers, 1 s a call)', `${spaces.length}, ${total}`);
});

test('the standby stopped: lists read from the primary, no error', async () => {
  const ro = await person('readonly@example.com');
  execFileSync(PG, ['stop', join(WORK, 'standby')]);
  try {
    for (let i = 0; i < 6; i++) {
      const res = await ro.get('/admin/customers?query=example', { headers: JSON_ });
      assert.equal(res.status, 200, res.text_.slice(0, 200));
    }
    const h = JSON.parse(await (await fetch(`${apps[0].url}/healthz`)).text());
    assert.equal(h.status, 'ok');
    assert.equal(h.read_database.status, 'unreachable');
    assert.equal(h.read_database.reads_from, 'primary');
  } finally {
    execFileSync(PG, ['start', join(WORK, 'standby'), String(ports.standby)]);
  }
  await waitUntil('the standby back in use', async () => {
    const h = JSON.parse(await (await fetch(`${apps[1].url}/healthz`)).text());
    return h.read_database.status === 'ok';
  });
});

test('the primary stopped and the standby promoted: the service is back within seconds', async () => {
  const ed = await person('editor@example.com');
  const id = psql(ports.primary, 'SELECT min(id) FROM customers');
  execFileSync(PG, ['stop', join(WORK, 'primary')]);
  const t0 = Date.now();
  execFileSync(PG, ['promote', join(WORK, 'standby')]);
  figure('promotion, ms', Date.now() - t0);
  Object.assign(process.env, { PGPORT: String(ports.standby) });

  const ready = await waitUntil('the load balancer ready again', async () => (await fetch(`${lb}/healthz`)).ok, 30000);
  figure('primary stopped to /healthz 200 through the load balancer, ms', Date.now() - t0);
  assert.ok(ready < 30000);
  // A save goes to the new primary.
  await waitUntil('a save accepted', async () => {
    const form = JSON.parse((await ed.get(`/admin/customers/${id}/edit`, { headers: JSON_ })).text_).form;
    const values = Object.fromEntries(form.fields.map((f) => [f.name, f.value]));
    const res = await ed.post(`/admin/customers/${id}`, { ...values, last_name: 'Promoted',
      lock_version: form.lock_version, csrf_token: ed.csrf }, { headers: { accept: 'text/html' } });
    return res.status === 303;
  }, 30000);
  figure('primary stopped to a save accepted, ms', Date.now() - t0);
  assert.equal(psql(ports.standby, `SELECT last_name FROM customers WHERE id = ${id}`), 'Promoted');
  for (const app of apps) assert.deepEqual(app.problems(), []);
});
