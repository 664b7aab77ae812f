// The foundation: health, layout, error pages, metrics, assets, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Client } from '../lib/http.mjs';
import { sleep } from '../lib/wait.mjs';

const c = new Client();

test('healthz answers 200 with the database reachable', async () => {
  const res = await c.get('/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.text_), { status: 'ok', database: 'ok',
    read_database: { status: 'not configured' } });
  assert.match(res.headers.get('x-request-id'), /^[0-9a-f]{32}$/);
});

test('the site root redirects to the dashboard', async () => {
  const res = await c.get('/');
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/admin');
});

test('an unknown page is a 404 rendered through the layout', async () => {
  const res = await c.get('/no/such/page');
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.match(res.text_, /<title>Not Found · CustomersDot Admin<\/title>/);
  assert.match(res.text_, /There is no page at this address\./);
  assert.match(res.text_, /href="\/assets\/app.css"/);
});

test('a 404 answers JSON when JSON is asked for', async () => {
  const { res, body } = await c.json('/no/such/page');
  assert.equal(res.status, 404);
  assert.equal(body.status, 404);
  assert.equal(body.error, 'There is no page at this address.');
});

test('a wrong method is a 405, not a 404', async () => {
  const res = await c.post('/healthz', { a: '1' });
  assert.equal(res.status, 405);
});

test('the stylesheet is served with an ETag and revalidates', async () => {
  const res = await c.get('/assets/app.css');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/css/);
  const etag = res.headers.get('etag');
  assert.ok(etag);
  const again = await c.get('/assets/app.css', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  assert.equal((await c.get('/assets/nope.css')).status, 404);
  assert.equal((await c.get('/assets/../conf/app.conf')).status, 404);
});

test('malformed query strings get a clear 400 and the worker keeps serving', async () => {
  for (const q of ['?a=%zz', '?a=%00', '?a=%ff%fe', '?=x', `?${'k'.repeat(300)}=1`]) {
    const res = await c.get(`/admin${q}`);
    assert.equal(res.status, 400, q);
    assert.match(res.text_, /parameter/);
  }
  assert.equal((await c.get('/healthz')).status, 200);
});

test('metrics are in Prometheus text format and count requests', async () => {
  await c.get('/healthz');
  const res = await c.get('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/plain; version=0.0.4/);
  assert.match(res.text_, /# TYPE cdot_http_requests_total counter/);
  assert.match(res.text_, /cdot_http_requests_total\{instance="[^"]+",method="GET",route="\/healthz",status="200"\} [1-9]/);
  assert.match(res.text_, /cdot_http_request_duration_seconds_bucket\{instance="[^"]+",method="GET",route="\/healthz",le="\+Inf"\} [1-9]/);
  assert.match(res.text_, /cdot_http_requests_total\{instance="[^"]+",method="any",route="unmatched",status="404"\} [1-9]/);
  assert.match(res.text_, /^cdot_db_errors_total\{instance="[^"]+"\} \d+$/m);
});

test('every request is one JSON log line without cookies or query strings', async () => {
  const res = await c.get('/healthz?secret=abc', { headers: { cookie: 'session=topsecret' } });
  const id = res.headers.get('x-request-id');
  // Kore writes when the request is freed; give it a moment.
  await sleep(200);
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(process.env.CDOT_TEST_APP_LOG, 'utf8').split('\n');
  const line = lines.find((l) => l.includes(id));
  assert.ok(line, 'a log line carries the request id');
  const entry = JSON.parse(line);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.path, '/healthz');
  assert.equal(entry.status, 200);
  assert.equal(typeof entry.duration_ms, 'number');
  assert.equal(typeof entry.db_ms, 'number');
  assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(!line.includes('topsecret'));
  assert.ok(!line.includes('abc'));
});

test('healthz is 503 while PostgreSQL is down and recovers by itself', async () => {
  const dir = process.env.CDOT_TEST_PG_DIR;
  const pg = new URL('../../conf/dev/pg.sh', import.meta.url).pathname;
  execFileSync(pg, ['stop', dir]);
  try {
    const res = await c.get('/healthz');
    assert.equal(res.status, 503);
    assert.equal(JSON.parse(res.text_).status, 'unavailable');
  } finally {
    execFileSync(pg, ['start', dir, process.env.PGPORT, 'fast']);
  }
  // Both workers must come back, whichever answers.
  for (let i = 0; i < 6; i++) {
    const res = await c.get('/healthz');
    assert.equal(res.status, 200);
  }
});
