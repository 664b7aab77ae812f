// CSV exports are bounded (app/page_export.c): an export whose reader
// takes nothing for export_idle_timeout seconds ends, one that runs
// export_max_time seconds in all ends, and one person holds at most
// export_per_person of a worker's four export slots.  An export ended
// early resets its connection (a plain close would read as a complete
// file) and its slot is free again.
//
// Two instances of their own, one worker each (the limits are a
// worker's): "idle" (export_idle_timeout 4) and "total"
// (export_max_time 3), on a database of their own: the demo data and
// 30,000 wide license seat links (about 17 MB of CSV: far more than the
// sockets' buffers, so a reader that stops reading stops the export).
// Sessions come from the main app (same session secret).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { execFileSync, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { statSync, rmSync } from 'node:fs';
import { Client } from '../lib/http.mjs';
import { AppInstance } from './auth_instance.mjs';
import { freePort } from './auth_mockidp.mjs';
import {
  signInAs, cookie, setCookie, waitForSignIn, logSince, logSize,
} from './auth_flow.mjs';
import { psql as psqlOn } from '../lib/db.mjs';
import { sleep, poll } from '../lib/wait.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ROWS = 30000;
const DB = `cdot_exports_${process.pid}`;
const EXPORT = '/admin/license_seat_links/export.csv';
const JSON_ = { accept: 'application/json' };
const IDLE = 4;
const MAX_TIME = 3;

let rows;   // every seat link: the lines of a whole export
let idle;   // export_idle_timeout IDLE, export_max_time long
let total;  // export_max_time MAX_TIME, export_idle_timeout long
const sessions = {};
const open = new Set(); // raw sockets still open, destroyed at the end

// psql on the tests' own database: a script, or a file (-f).
const psql = (text, file = '-') => psqlOn(text, { db: DB, file }).trim();

function dbUrl() {
  const u = new URL(process.env.CDOT_DATABASE_URL);
  u.pathname = `/${DB}`;
  return u.toString();
}

before(async () => {
  await waitForSignIn();
  execFileSync('createdb', [DB], { env: process.env });
  execFileSync(`${ROOT}sql/migrate.sh`, [],
    { env: { ...process.env, DATABASE_URL: dbUrl() }, stdio: 'ignore' });
  psql('', `${ROOT}sql/demo.sql`);
  // Wide rows: host names and companies of 200-odd characters.
  psql(`INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname,
          company, license_user_count, billable_user_count, max_historical_user_count,
          gitlab_version, synced_at)
        SELECT s.id, s.name, 'gitlab-' || g || '.' || repeat('h', 200) || '.example.com',
               'Company ' || g || repeat('c', 240), 100, 90, 95, '16.11.2',
               now() - g * interval '1 minute'
          FROM generate_series(1, ${ROWS}) g,
               (SELECT id, name FROM zuora_subscriptions ORDER BY id LIMIT 1) s;`);
  // And values the CSV must quote: quotes doubled, a formula defused.
  psql(`INSERT INTO license_seat_links (zuora_subscription_id, subscription_name, hostname,
          company, license_user_count, billable_user_count, max_historical_user_count,
          gitlab_version, synced_at)
        SELECT s.id, s.name, 'quotes-' || n || '.example.com', c, 1, 1, 1, '16.11.2', now()
          FROM (VALUES (1, '=HYPERLINK("http://x","y")'), (2, 'A "quoted", name'), (3, '"'))
               AS v (n, c),
               (SELECT id, name FROM zuora_subscriptions ORDER BY id LIMIT 1) s;`);
  rows = Number(psql('SELECT count(*) FROM license_seat_links;'));
  assert.ok(rows > ROWS);

  for (const email of ['readonly@example.com', 'editor@example.com', 'support@example.com']) {
    const { c } = await signInAs(email);
    sessions[email] = cookie(c, 'cdot_session');
    assert.ok(sessions[email], `${email} signed in`);
  }

  const env = { CDOT_DATABASE_URL: dbUrl(), CDOT_EXPORT_PER_PERSON: '2' };
  idle = new AppInstance('export-idle', await freePort(),
    { ...env, CDOT_EXPORT_IDLE_TIMEOUT: String(IDLE), CDOT_EXPORT_MAX_TIME: '600' }, { workers: 1 });
  total = new AppInstance('export-total', await freePort(),
    { ...env, CDOT_EXPORT_IDLE_TIMEOUT: '600', CDOT_EXPORT_MAX_TIME: String(MAX_TIME) }, { workers: 1 });
  await idle.start();
  await total.start();
});

after(async () => {
  for (const s of open) s.destroy();
  await idle?.stop();
  await total?.stop();
  try {
    execFileSync('psql', ['-X', '-q', '-c', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`],
      { env: process.env, stdio: 'ignore' });
  } catch { /* the cluster goes with the run anyway */ }
});

// A client of app signed in as email (a copy of the session cookie).
function as(app, email) {
  const c = new Client(app.url);
  setCookie(c, 'cdot_session', sessions[email]);
  return c;
}

// An export on a raw socket: the request is sent and the head read, then
// the socket is left paused: nothing more is read until the test says so.
function startExport(app, email, path = EXPORT) {
  const { hostname, port } = new URL(app.url);
  const sock = net.connect({ host: hostname, port: Number(port) });
  open.add(sock);
  const r = { sock, status: 0, head: '', bytes: 0, error: null, opened: Date.now() };
  sock.on('error', (e) => { r.error = e; });
  r.closed = new Promise((resolve) => sock.on('close', () => { open.delete(sock); resolve(); }));
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const at = buf.indexOf('\r\n\r\n');
      if (at === -1) return;
      sock.pause();
      sock.off('data', onData);
      r.head = buf.subarray(0, at).toString();
      r.status = Number(r.head.split(' ')[1]);
      r.bytes = buf.length - at - 4;
      resolve(r);
    };
    sock.on('data', onData);
    sock.on('close', () => reject(new Error(`closed before the head: ${r.error?.code ?? 'no error'}`)));
    sock.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      `Cookie: cdot_session=${sessions[email]}\r\nAccept: text/csv\r\nConnection: close\r\n\r\n`);
  });
}

// Reads the rest of r as fast as it comes; resolves when the socket closes.
async function drain(r) {
  r.sock.on('data', (chunk) => { r.bytes += chunk.length; });
  r.sock.resume();
  await r.closed;
  return r;
}

// An export downloaded by curl to a file: c.proc is the process, c.done
// its exit code (56: the connection was reset) and the bytes it got.
function curlExport(app, email) {
  const out = `${app.dir}/curl-${Date.now()}.csv`;
  const args = ['-sS', '-o', out, '-w', '%{size_download}',
    '-H', `Cookie: cdot_session=${sessions[email]}`, `${app.url}${EXPORT}`];
  const c = { out };
  c.done = new Promise((resolve) => {
    c.proc = execFile('curl', args, { encoding: 'utf8', timeout: 60000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      rmSync(out, { force: true });
      resolve({ code: err ? err.code : 0, size: Number(stdout), stderr });
    });
  });
  return c;
}

// The "export ended" events of the app's log since offset from.
function endedSince(app, from) {
  return logSince(app.log, from).filter((e) => e.msg === 'export ended');
}

// Waits until n "export ended" events for bound are in the log since from.
async function ended(app, bound, n, from, ms = 15000) {
  const byBound = () => endedSince(app, from).filter((e) => e.bound === bound);
  const events = await poll(() => { const e = byBound(); return e.length >= n && e; }, ms);
  if (events) return events;
  throw new Error(`${byBound().length} of ${n} exports ended by ${bound}; the log:\n` +
    app.logText().slice(from).slice(-2000));
}

// A complete export: every row, and the last one whole.
async function wholeExport(app, email) {
  const res = await as(app, email).get(EXPORT);
  assert.equal(res.status, 200, `${email}: ${res.text_.slice(0, 200)}`);
  assert.match(res.headers.get('content-type'), /^text\/csv/);
  assert.ok(res.text_.endsWith('\r\n'), 'the file ends with a whole row');
  const lines = res.text_.slice(0, -2).split('\r\n');
  assert.equal(lines.length, 1 + rows);
  assert.match(lines[0], /^"ID",/);
  assert.equal(lines.filter((l) => /"gitlab-\d+\.h{200}\.example\.com"/.test(l)).length, ROWS);
  const company = (host) => lines.find((l) => l.includes(`"${host}"`));
  assert.match(company('quotes-1.example.com'), /,"'=HYPERLINK\(""http:\/\/x"",""y""\)",/);
  assert.match(company('quotes-2.example.com'), /,"A ""quoted"", name",/);
  assert.match(company('quotes-3.example.com'), /,"""","quotes-3/);
  return res.text_.length;
}

let fullSize = 0;

test('the export is large enough to fill the sockets, and comes whole to a reader who reads', async () => {
  fullSize = await wholeExport(idle, 'editor@example.com');
  assert.ok(fullSize > 12 * 1024 * 1024, `${fullSize} bytes`);
});

test('readers who stop reading are cut off after export_idle_timeout, and their slots free', async () => {
  const from = logSize(idle.log);
  // Four stalled exports, two people's shares: every slot of the worker.
  const slow = [];
  for (const email of ['readonly@example.com', 'readonly@example.com',
    'editor@example.com', 'editor@example.com']) {
    const r = await startExport(idle, email);
    assert.equal(r.status, 200, r.head);
    slow.push(r);
  }
  const t0 = Date.now();
  const busy = await as(idle, 'support@example.com').get(EXPORT, { headers: JSON_ });
  assert.equal(busy.status, 503);
  assert.match(JSON.parse(busy.text_).error, /^Too many exports are running/);

  const events = await ended(idle, 'export_idle_timeout', 4, from);
  const waited = Date.now() - t0;
  assert.ok(waited >= (IDLE - 1) * 1000, `cut after ${waited} ms`);
  assert.deepEqual(events.map((e) => e.user).sort(), ['editor@example.com', 'editor@example.com',
    'readonly@example.com', 'readonly@example.com']);
  for (const e of events) {
    assert.equal(e.level, 'warning');
    assert.equal(e.resource, 'license_seat_links');
    assert.equal(e.seconds, IDLE);
    assert.match(e.request_id, /^[0-9a-f]{32}$/);
  }

  // The slots are free again (nothing of the stalled clients' doing).
  const size = await wholeExport(idle, 'support@example.com');
  assert.equal(size, fullSize);

  // Each stalled reader got part of the file.  (The connection was
  // reset; Node's socket reports a reset that follows a partial read as
  // an end, so curl shows it below.)
  for (const r of slow) {
    await drain(r);
    assert.ok(r.bytes < fullSize, `${r.bytes} of ${fullSize} bytes`);
  }

  // curl, stopped (SIGSTOP) once the file has begun: cut off the same
  // way; let go again, it reads what had reached it, then the reset,
  // not the end of what would pass for a complete file.
  const n = endedSince(idle, from).length;
  const c = curlExport(idle, 'readonly@example.com');
  const begun = () => statSync(c.out, { throwIfNoEntry: false })?.size > 0;
  for (let i = 0; i < 1000 && !begun() && c.proc.exitCode === null; i++) await sleep(10);
  assert.ok(begun() && c.proc.exitCode === null, 'curl is receiving the file');
  c.proc.kill('SIGSTOP');
  await ended(idle, 'export_idle_timeout', n + 1, from);
  c.proc.kill('SIGCONT');
  const got = await c.done;
  assert.equal(got.code, 56, got.stderr);
  assert.match(got.stderr, /Connection reset by peer/);
  assert.ok(got.size < fullSize, `${got.size} of ${fullSize} bytes`);
});

test('one person runs export_per_person exports at once; another person still gets theirs whole', async () => {
  const from = logSize(idle.log);
  const ro = as(idle, 'readonly@example.com');
  let mine = [await startExport(idle, 'readonly@example.com'), await startExport(idle, 'readonly@example.com')];
  for (const r of mine) assert.equal(r.status, 200, r.head);
  const third = await ro.get(EXPORT, { headers: JSON_ });
  assert.equal(third.status, 503);
  assert.equal(JSON.parse(third.text_).error,
    'You already have 2 exports running; wait for one of them to finish, then try again.');

  // A client that goes away frees its slot at once, long before the
  // idle bound.
  for (const r of mine) r.sock.destroy();
  const t0 = Date.now();
  let status = 0;
  while (status !== 200 && Date.now() - t0 < 2000) {
    status = (await ro.get(EXPORT, { method: 'HEAD' })).status;
    if (status !== 200) await sleep(50);
  }
  assert.equal(status, 200, 'slots freed on disconnect');
  assert.deepEqual(endedSince(idle, from), []);

  // Taken again: refused again (the page too), while another person's
  // export runs, whole, in the slots left.
  mine = [await startExport(idle, 'readonly@example.com'), await startExport(idle, 'readonly@example.com')];
  for (const r of mine) assert.equal(r.status, 200, r.head);
  const page = await ro.get(EXPORT, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 503);
  assert.match(page.text_, /You already have 2 exports running/);
  assert.equal(await wholeExport(idle, 'editor@example.com'), fullSize);
  for (const r of mine) r.sock.destroy();
});

test('an export read slowly but steadily ends after export_max_time', async () => {
  const from = logSize(total.log);
  const r = await startExport(total, 'readonly@example.com');
  assert.equal(r.status, 200, r.head);
  const t0 = r.opened;

  // A few bytes every 100 ms until the export is cut.
  let cut = null;
  let taken = r.bytes;
  while (cut === null && Date.now() - t0 < 15000) {
    await sleep(100);
    const b = r.sock.read(32);
    if (b) taken += b.length;
    if (endedSince(total, from).length > 0) cut = Date.now() - t0;
  }
  assert.ok(cut !== null, `no export ended:\n${total.logText().slice(from).slice(-2000)}`);
  assert.ok(cut >= MAX_TIME * 1000 - 200 && cut < MAX_TIME * 1000 + 5000, `cut after ${cut} ms`);
  assert.ok(taken > r.bytes, 'the reader was taking bytes all along');
  const [e, ...more] = endedSince(total, from);
  assert.deepEqual(more, []);
  assert.equal(e.bound, 'export_max_time');
  assert.equal(e.seconds, MAX_TIME);
  assert.equal(e.user, 'readonly@example.com');

  // It got part of the file (reset like the idle ones: see curl above).
  r.bytes = taken;
  await drain(r);
  assert.ok(r.bytes < fullSize, `${r.bytes} of ${fullSize} bytes`);

  // Its slot is free: the same person has their whole share again.
  const again = [await startExport(total, 'readonly@example.com'), await startExport(total, 'readonly@example.com')];
  for (const a of again) {
    assert.equal(a.status, 200, a.head);
    a.sock.destroy();
  }
});

test('bad input is answered as before, also by someone whose share is taken; HEAD holds no slot', async () => {
  const mine = [await startExport(idle, 'readonly@example.com'), await startExport(idle, 'readonly@example.com')];
  for (const r of mine) assert.equal(r.status, 200, r.head);
  const ro = as(idle, 'readonly@example.com');

  const sort = await ro.get('/admin/license_seat_links/export.csv?sort=nope', { headers: JSON_ });
  assert.equal(sort.status, 400);
  assert.match(JSON.parse(sort.text_).error, /cannot be sorted by 'nope'/);
  const filter = await ro.get('/admin/license_seat_links/export.csv?f[hostname]=x', { headers: JSON_ });
  assert.equal(filter.status, 400);
  assert.match(JSON.parse(filter.text_).error, /malformed/);
  assert.equal((await ro.get('/admin/no_such_thing/export.csv')).status, 404);
  const anon = await new Client(idle.url).get(EXPORT, { headers: { accept: 'text/html' } });
  assert.ok(anon.status >= 300 && anon.status < 400, `not signed in: ${anon.status}`);
  assert.match(anon.headers.get('location'), /\/auth\/signin/);

  // HEAD: the headers of the export, and no slot taken.
  const ed = as(idle, 'editor@example.com');
  for (let i = 0; i < 5; i++) {
    const head = await ed.get(EXPORT, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type'), /^text\/csv/);
    assert.match(head.headers.get('content-disposition'), /^attachment; filename="license_seat_links-/);
  }
  assert.equal((await ro.get(EXPORT, { method: 'HEAD' })).status, 503);
  assert.equal(await wholeExport(idle, 'editor@example.com'), fullSize);
  for (const r of mine) r.sock.destroy();
});

test('no sanitizer or sandbox reports from the two instances', async () => {
  for (const s of open) s.destroy();
  await Promise.all([idle.stop(), total.stop()]);
  assert.deepEqual(idle.problems(), []);
  assert.deepEqual(total.problems(), []);
});
