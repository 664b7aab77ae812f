// Sign-out and used sign-in states, kept in PostgreSQL (session_marks,
// sql/migrations/018) instead of one host's shared memory: a signed-out
// cookie is refused by a second instance of the app on the same database,
// also after that instance restarts; thousands of marks fill nothing up;
// expired marks are deleted; a state is taken once, on any instance, even
// by two callbacks at once; and when the database cannot be reached a
// session is not let through (503, its cookie kept) until it is back.
//
// The second instance reaches PostgreSQL through a small TCP proxy here,
// so that the database can be taken away from it (and only from it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client, APP_URL } from '../lib/http.mjs';
import { sql, one, q } from '../lib/db.mjs';
import { AppInstance } from './auth_instance.mjs';
import { freePort } from './auth_mockidp.mjs';
import {
  toCallback, signInAs, cookie, setCookie, setCookies, csrfToken, waitForSignIn,
} from './auth_flow.mjs';

const HTML = { accept: 'text/html' };
const RUN = `marks-${process.pid}-${Date.now()}`;

// Forwards TCP connections to PostgreSQL; down() drops them all and stops
// listening (connections are refused), up() listens again on the same port.
class PgProxy {
  constructor(host, port) {
    this.target = { host, port };
    this.sockets = new Set();
    this.server = null;
    this.port = 0;
  }

  async up() {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      for (const s of [client, upstream]) {
        s.on('error', drop);
        s.on('close', drop);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
  }

  async down() {
    if (!this.server) return;
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

let proxy;
let other; // the second instance

before(async () => {
  await waitForSignIn();
  const db = new URL(process.env.CDOT_DATABASE_URL);
  proxy = new PgProxy(db.hostname, Number(db.port || 5432));
  await proxy.up();
  db.port = String(proxy.port);
  other = new AppInstance('auth-marks', await freePort(), {
    CDOT_DATABASE_URL: db.toString(),
  });
  await other.start();
});

after(async () => {
  try {
    sql(`DELETE FROM session_marks
          WHERE key IN (SELECT sha256(convert_to(${q(RUN)} || '-' || g, 'UTF8'))
                          FROM generate_series(1, 4000) g);`);
  } finally {
    await killOther();
    await proxy?.down();
  }
});

// A client of base holding only the session cookie value (a copy).
function holder(base, value) {
  const c = new Client(base);
  setCookie(c, 'cdot_session', value);
  return c;
}

async function refused(c, where) {
  const res = await c.get('/admin', { headers: HTML });
  assert.equal(res.status, 303, `${where}: a signed-out cookie must be refused`);
  assert.equal(res.headers.get('location'), '/auth/signin', where);
  assert.match(setCookies(res).cdot_session ?? '', /Max-Age=0/, `${where}: cookie cleared`);
}

async function accepted(c, where) {
  const res = await c.get('/admin', { headers: HTML });
  assert.equal(res.status, 200, `${where}: the cookie must still work`);
}

// A restart, the hard way (as after a crash; also quicker than a polite
// stop under the sanitizers): every process of the instance killed, then
// started again.
async function killOther() {
  if (other?.proc && other.proc.exitCode === null && other.proc.signalCode === null) {
    try { process.kill(-other.proc.pid, 'SIGKILL'); } catch { /* gone */ }
    await other.exited;
  }
}

async function restartOther() {
  await killOther();
  await other.start();
}

const ended = () => Number(one("SELECT count(*) FROM session_marks WHERE kind = 'ended_session'"));

// Copies kept across tests: signed out once, refused for good.
const stolen = [];

test('a copied cookie is refused after sign-out, on this instance and on a second one', async () => {
  const { c } = await signInAs('editor@example.com');
  const copy = cookie(c, 'cdot_session');
  // Same secret, same database: the second instance takes the cookie.
  await accepted(holder(other.url, copy), 'second instance before sign-out');

  const before_ = ended();
  const t0 = one('SELECT now()');
  const res = await c.post('/auth/signout', { csrf_token: await csrfToken(c) }, { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/auth/signedout');

  await refused(holder(APP_URL, copy), 'this instance');
  await refused(holder(other.url, copy), 'second instance');
  stolen.push(copy);

  // One mark, kept until the session would have ended anyway (its
  // lifetime, hours), not merely its idle time.
  assert.equal(ended(), before_ + 1);
  const [[n, secs]] = sql(`SELECT count(*), min(extract(epoch FROM expires_at - created_at))::int
                             FROM session_marks
                            WHERE kind = 'ended_session' AND created_at >= ${q(t0)}`);
  assert.equal(Number(n), 1);
  assert.ok(Number(secs) > 3600, `mark lasts ${secs} s`);
});

test('a sign-out made on the second instance holds on the first, and after a restart', async () => {
  const { c } = await signInAs('admin@example.com');
  const copy = cookie(c, 'cdot_session');
  const there = holder(other.url, copy);
  const res = await there.post('/auth/signout', { csrf_token: await csrfToken(there) },
    { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/auth/signedout');

  await refused(holder(APP_URL, copy), 'first instance');
  await refused(c, 'the browser that was signed in');
  stolen.push(copy);

  // A restart forgets nothing: nothing was kept in its memory.
  await restartOther();
  for (const s of stolen) await refused(holder(other.url, s), 'restarted second instance');
  for (const s of stolen) await refused(holder(APP_URL, s), 'first instance');
});

test('4,000 sign-out marks do not stop a new sign-out from holding', async () => {
  sql(`INSERT INTO session_marks (kind, key, expires_at)
       SELECT 'ended_session', sha256(convert_to(${q(RUN)} || '-' || g, 'UTF8')),
              now() + interval '1 hour'
         FROM generate_series(1, 4000) g;`);
  assert.ok(ended() >= 4000);

  const { c } = await signInAs('editor@example.com');
  const copy = cookie(c, 'cdot_session');
  await accepted(holder(APP_URL, copy), 'signed in among 4,000 marks');
  const res = await c.post('/auth/signout', { csrf_token: await csrfToken(c) }, { headers: HTML });
  assert.equal(res.status, 303);
  await refused(holder(APP_URL, copy), 'this instance');
  await refused(holder(other.url, copy), 'second instance');
  stolen.push(copy);

  // Earlier sign-outs still hold too.
  for (const s of stolen) await refused(holder(APP_URL, s), 'earlier sign-out');
});

test('expired marks count as absent and are deleted when marks are recorded', async () => {
  // A worker sweeps with its first mark; a restarted instance's workers
  // have recorded none yet.
  await restartOther();
  const keys = ['old-1', 'old-2', 'old-3'].map((k) => `sha256(convert_to(${q(`${RUN}-${k}`)}, 'UTF8'))`);
  sql(`INSERT INTO session_marks (kind, key, expires_at, created_at) VALUES
       ('ended_session', ${keys[0]}, now() - interval '1 second', now() - interval '1 hour'),
       ('ended_session', ${keys[1]}, now() - interval '2 days', now() - interval '3 days'),
       ('used_state', ${keys[2]}, now() - interval '1 minute', now() - interval '10 minutes');`);
  const left = () => Number(one(`SELECT count(*) FROM session_marks WHERE key IN (${keys.join(', ')})`));
  assert.equal(left(), 3);

  // A state whose (expired) mark is still there can be used: expired is absent.
  const c = new Client();
  const cb = await toCallback(c, 'readonly@example.com');
  const state = cb.searchParams.get('state');
  const stateKey = `sha256(convert_to(${q(state)}, 'UTF8'))`;
  sql(`INSERT INTO session_marks (kind, key, expires_at, created_at)
       VALUES ('used_state', ${stateKey}, now() - interval '1 second', now() - interval '6 minutes');`);
  let res = await c.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 303, res.text_.slice(0, 300));
  assert.ok(cookie(c, 'cdot_session'));
  assert.equal(one(`SELECT expires_at > now() FROM session_marks
                     WHERE kind = 'used_state' AND key = ${stateKey}`), 't');

  // The second instance's first mark (this sign-out) deletes expired ones.
  const there = holder(other.url, cookie(c, 'cdot_session'));
  res = await there.post('/auth/signout', { csrf_token: await csrfToken(there) }, { headers: HTML });
  assert.equal(res.status, 303);
  assert.equal(left(), 0);
  await refused(holder(APP_URL, cookie(c, 'cdot_session')), 'signed out after the sweep');
});

test('a used sign-in state is refused a second time, on any instance, also when raced', async () => {
  const c = new Client();
  const cb = await toCallback(c, 'editor@example.com');
  const state = cb.searchParams.get('state');
  const saved = [...c.cookies].filter(([k]) => k.startsWith(`${APP_URL} `));
  const replayer = (base) => {
    const r = new Client(base);
    for (const [k, v] of saved) r.cookies.set(`${base} ${k.slice(k.indexOf(' ') + 1)}`, v);
    return r;
  };

  let res = await c.get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 303);
  assert.ok(cookie(c, 'cdot_session'));
  // Stored as a hash of the state only.
  assert.equal(one(`SELECT count(*) FROM session_marks
                     WHERE kind = 'used_state' AND key = sha256(convert_to(${q(state)}, 'UTF8'))`), '1');

  // Replayed with the browser's cookies, here and on the second instance
  // (which never saw this sign-in): refused before the provider is asked.
  res = await replayer(APP_URL).get(cb.toString(), { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /was already used/);
  assert.equal(setCookies(res).cdot_session, undefined);
  res = await replayer(other.url).get(`${other.url}${cb.pathname}${cb.search}`, { headers: HTML });
  assert.equal(res.status, 400);
  assert.match(res.text_, /was already used/);
  assert.equal(setCookies(res).cdot_session, undefined);

  // Two callbacks with one fresh state at once: exactly one takes it.
  const d = new Client();
  const cb2 = await toCallback(d, 'editor@example.com');
  const copy = new Client();
  copy.cookies = new Map(d.cookies);
  const answers = await Promise.all([d.get(cb2.toString(), { headers: HTML }),
    copy.get(cb2.toString(), { headers: HTML })]);
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [303, 400]);
  assert.match(answers.find((r) => r.status === 400).text_, /was already used/);
});

test('a sign-out that cannot be recorded says so and leaves the person signed in', async () => {
  const { c } = await signInAs('editor@example.com');
  const copy = cookie(c, 'cdot_session');
  const fn = `test_refuse_marks_${process.pid}`;
  // The database refuses the mark (as it would if it failed mid-request).
  sql(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS
         $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$;
       CREATE TRIGGER ${fn} BEFORE INSERT ON session_marks
         FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
  let res;
  try {
    res = await c.post('/auth/signout', { csrf_token: await csrfToken(c) }, { headers: HTML });
  } finally {
    sql(`DROP TRIGGER ${fn} ON session_marks; DROP FUNCTION ${fn}();`);
  }
  assert.equal(res.status, 503);
  assert.match(res.text_, /You are still signed in/);
  assert.match(res.text_, /class="whoami"/);
  assert.equal(setCookies(res).cdot_session, undefined);
  await accepted(c, 'still signed in');

  // Tried again once it can be recorded: it holds, for copies too.
  res = await c.post('/auth/signout', { csrf_token: await csrfToken(c) }, { headers: HTML });
  assert.equal(res.status, 303);
  await refused(holder(APP_URL, copy), 'after the second try');
  stolen.push(copy);
});

test('when the database cannot be reached, a session is not let through, and works once it is back', async () => {
  const { c } = await signInAs('support@example.com');
  const there = holder(other.url, cookie(c, 'cdot_session'));
  await accepted(there, 'second instance, database up');
  const token = await csrfToken(there);
  // A sign-in stopped just before its callback, to be finished there.
  const signer = new Client();
  const cb = await toCallback(signer, 'readonly@example.com');
  const signerThere = new Client(other.url);
  for (const [k, v] of signer.cookies) {
    if (k.startsWith(`${APP_URL} `)) signerThere.cookies.set(`${other.url} ${k.slice(k.indexOf(' ') + 1)}`, v);
  }

  await proxy.down();
  try {
    let res = await there.get('/admin/customers?query=x', { headers: HTML });
    assert.equal(res.status, 503);
    assert.match(res.text_, /Your session could not be checked/);
    assert.match(res.text_, /href="\/admin\/customers\?query=x"/);
    assert.doesNotMatch(res.text_, /class="whoami"/);
    // Not signed out: the cookie is kept for when the database is back.
    assert.equal(setCookies(res).cdot_session, undefined);
    assert.ok(cookie(there, 'cdot_session'));

    const j = await there.json('/admin');
    assert.equal(j.res.status, 503);
    assert.equal(j.body.reason, 'session_unchecked');
    assert.equal(j.body.user, undefined);

    // A form post is refused and changes nothing (not even a sign-out).
    res = await there.post('/auth/signout', { csrf_token: token }, { headers: HTML });
    assert.equal(res.status, 503);
    assert.equal(setCookies(res).cdot_session, undefined);

    // A state that cannot be recorded as used is not accepted.
    res = await signerThere.get(`${other.url}${cb.pathname}${cb.search}`, { headers: HTML });
    assert.equal(res.status, 503);
    assert.match(res.text_, /database cannot be reached/);
    assert.equal(setCookies(res).cdot_session, undefined);

    // Replayed copies of signed-out cookies do not slip through either.
    for (const s of stolen) {
      const r = await holder(other.url, s).get('/admin', { headers: HTML });
      assert.equal(r.status, 503);
    }
  } finally {
    await proxy.up();
  }

  // The database is back: the same cookie works, the signed-out ones not,
  // and the refused callback took nothing (it completes where it started).
  await accepted(there, 'second instance, database back');
  const done = await signer.get(cb.toString(), { headers: HTML });
  assert.equal(done.status, 303);
  assert.ok(cookie(signer, 'cdot_session'));
  for (const s of stolen) await refused(holder(other.url, s), 'database back');
  assert.deepEqual(other.problems(), []);
});
