// A worker runs the requests waiting on it in the order they arrived
// (app/http/request_order.c): Kore queues each request it reads at the head of
// its queue, which served the newest first.  One worker, three clients on
// connections it already holds: the worker is stopped, the clients ask in
// turn, and once it runs again it answers them in that turn.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { freePort } from './auth_mockidp.mjs';
import { AppInstance } from './auth_instance.mjs';
import { sleep } from '../lib/wait.mjs';

let app = null;
after(async () => {
  if (app) await app.stop();
});

// The Kore processes whose parent is pid (its workers).
function children(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(d));
  }
  return out;
}

// One client: its own kept-alive connection.
function client(base) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    agent,
    get(path) {
      return new Promise((resolve, reject) => {
        http.get(`${base}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({
            status: res.statusCode,
            id: res.headers['x-request-id'],
          }));
        }).on('error', reject);
      });
    },
  };
}

test('a stopped worker answers its waiting clients first come, first served', async () => {
  app = new AppInstance('request-order', await freePort(), {}, { workers: 1 });
  await app.start();
  const clients = [client(app.url), client(app.url), client(app.url)];
  // Each connection is accepted and idle on the one worker.
  for (const c of clients) assert.equal((await c.get('/healthz')).status, 200);

  const workers = children(app.proc.pid)
    .filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('wrk'));
  assert.equal(workers.length, 1, 'one worker');
  process.kill(workers[0], 'SIGSTOP');
  const answers = [];
  try {
    for (const c of clients) {
      answers.push(c.get('/healthz'));
      await sleep(50);    // each request reaches the worker's socket in turn
    }
  } finally {
    process.kill(workers[0], 'SIGCONT');
  }
  const ids = (await Promise.all(answers)).map((a) => {
    assert.equal(a.status, 200);
    return a.id;
  });
  for (const c of clients) c.agent.destroy();

  // The request log is written as each request is answered.
  const served = app.logText().split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((e) => e.msg === 'request' && ids.includes(e.request_id))
    .map((e) => e.request_id);
  assert.deepEqual(served, ids, 'answered in the order asked');
  assert.deepEqual(app.problems(), []);
});
