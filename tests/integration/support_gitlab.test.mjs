// Support's changes reach GitLab.com: each namespace control, trial change
// and SaaS extension becomes requests to GitLab's subscriptions internal
// API (tests/lib/gitlab.mjs, which checks every token as GitLab does with
// the keys the app publishes), sent by the outbox worker exactly once and
// in order per namespace, through outages, 429s and refusals; the panel
// shows the requests, a failed one can be sent again, "Find" reads
// GitLab.com live and marks what differs, and "Refresh from GitLab.com"
// takes GitLab.com's values.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import {
  follow, tag, sql, one, q, day, ticket, namespace, trial, account, subscription,
  SUPPORT, ADMIN, HTML, cleanup, lastEvent, waitFor,
} from './support_helpers.mjs';
import { clients } from './edit_helpers.mjs';
import { gitlab } from '../lib/gitlab.mjs';
import { sleep } from '../lib/wait.mjs';

const SCREEN = '/admin/support/namespaces';
const API = '/api/v4/internal/gitlab_subscriptions/namespaces';
const QUEUED = ' The change is queued for GitLab.com.';
let sup; let adm; let ed; let ro;

before(async () => {
  [sup, adm, ed, ro] = await clients(SUPPORT, ADMIN, 'editor@example.com', 'readonly@example.com');
});
beforeEach(async () => { await gitlab.mode('up'); });
after(async () => { await gitlab.mode('up'); cleanup(); });

// A namespace here and on GitLab.com (its group, with a free subscription).
async function both(t, opts = {}, remote = {}) {
  const ns = namespace(t, opts);
  await gitlab.namespace({ id: ns.gitlabId, name: `Support Tests ${t}`, path: ns.path, full_path: ns.path,
    extra_shared_runners_minutes_limit: 1000, additional_purchased_storage_size: 2048, ...remote });
  return ns;
}

// The changes GitLab.com was sent about a namespace (not the lookups
// "Find" makes), in arrival order.
async function received(ns) {
  const all = await gitlab.requests();
  return all.filter((r) => r.method !== 'GET' && r.path.startsWith(`${API}/${ns.gitlabId}`));
}

const sent = (list) => list.filter((r) => r.status >= 200 && r.status < 300);
const gitlabRows = (ns) => sql(`SELECT id, status, attempts, coalesce(last_error, ''), payload::text
  FROM outbox WHERE kind = 'gitlab_namespace_sync' AND record_id = ${ns.id} ORDER BY id`);
const settled = (ns, n = 1) => waitFor(`${n} request(s) of ${ns.path} settled`, () => {
  const rows = gitlabRows(ns);
  return rows.length >= n && rows.every((r) => r[1] !== 'pending') ? rows : null;
}, 30000);

async function look(c, tab, query) {
  const { res, body } = await c.json(`${SCREEN}?${new URLSearchParams({ tab, ...query })}`);
  assert.equal(res.status, 200, res.text_.slice(0, 300));
  return body;
}

async function act(c, page, values) {
  assert.ok(page.form, `a form: ${JSON.stringify(page.blocked ?? page.lookups)}`);
  const hidden = Object.fromEntries((page.form.hidden ?? []).map((h) => [h.name, h.value]));
  return c.submit(page.form.action, { lock_version: page.form.lock_version, ...hidden, ...values });
}

// Every request carried a token GitLab accepted, made by the panel.
function assertSigned(list) {
  for (const r of list) {
    assert.equal(r.auth_ok, true, `${r.method} ${r.path}: ${r.auth_error}`);
    assert.equal(r.claims.iss, `${process.env.APP_URL}/`);
    assert.equal(r.claims.sub, 'customers-dot-internal-api');
    assert.equal(r.claims.aud, 'gitlab-subscriptions');
    assert.ok(r.claims.exp - r.claims.iat <= 300, 'short-lived');
  }
}

test('the keys GitLab verifies with: discovery document and JWKS, public', async () => {
  const anon = await fetch(`${process.env.APP_URL}/.well-known/openid-configuration`);
  assert.equal(anon.status, 200);
  const doc = await anon.json();
  assert.equal(doc.issuer, `${process.env.APP_URL}/`);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['RS256']);
  const jwks = await (await fetch(doc.jwks_uri)).json();
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0].kty, 'RSA');
  assert.ok(jwks.keys[0].kid.length >= 40);
  assert.equal(jwks.keys[0].d, undefined, 'no private part');
});

test('GitLab.com refuses a token that the panel did not sign', async () => {
  const ns = await both(tag());
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { keys: [jwk] } = await (await fetch(`${process.env.APP_URL}/oauth/discovery/keys`)).json();
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: jwk.kid })}.${b64({
    iss: `${process.env.APP_URL}/`, sub: 'customers-dot-internal-api', aud: 'gitlab-subscriptions',
    iat: now, exp: now + 300 })}`;
  const forged = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  const res = await fetch(`${process.env.GITLAB_URL}${API}/${ns.gitlabId}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', 'x-customers-dot-internal-token': forged },
    body: JSON.stringify({ extra_shared_runners_minutes_limit: 1 }),
  });
  assert.equal(res.status, 401);
  assert.equal((await gitlab.get(ns.gitlabId)).extra_shared_runners_minutes_limit, 1000);
});

test('extra CI minutes, storage and max seats: one PUT each, absolute values, a valid token', async () => {
  const sub = subscription(account(tag()).id, { ends: 200, plan: 'premium' });
  const ns = await both(tag(), { subscriptionId: sub.id });
  let page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  let res = await act(sup, page, { extra_ci_minutes: '9000', zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash, `Extra CI minutes of ${ns.path}: 9000 (was 1000).${QUEUED}`);
  page = await look(sup, 'additional_storage', { namespace: ns.path });
  res = await act(sup, page, { additional_storage_mib: '10240', zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash, `Additional storage (MiB) of ${ns.path}: 10240 (was 2048).${QUEUED}`);
  page = await look(sup, 'reset_max_seats', { namespace: ns.path });
  res = await act(sup, page, { max_seats_used: '3', zendesk_ticket: ticket() });
  await follow(sup, res);
  await settled(ns, 3);

  const got = await received(ns);
  assertSigned(got);
  assert.deepEqual(got.map((r) => [r.method, r.path.slice(API.length), r.body, r.status]), [
    ['PUT', `/${ns.gitlabId}`, { extra_shared_runners_minutes_limit: 9000 }, 200],
    ['PUT', `/${ns.gitlabId}`, { additional_purchased_storage_size: 10240,
      additional_purchased_storage_ends_on: sub.termEnd }, 200],
    ['PUT', `/${ns.gitlabId}/gitlab_subscription`, { max_seats_used: 3 }, 200],
  ]);
  const remote = await gitlab.get(ns.gitlabId);
  assert.equal(remote.extra_shared_runners_minutes_limit, 9000);
  assert.equal(remote.additional_purchased_storage_size, 10240);
  assert.equal(remote.gitlab_subscription.max_seats_used, 3);

  // The namespace's page shows them applied.
  const { body } = await ro.json(`/admin/namespaces/${ns.id}`);
  const panel = body.panels.find((p) => p.name === 'gitlab_sync');
  assert.equal(panel.rows.length, 3);
  for (const r of panel.rows) {
    assert.equal(r.cells[2].sync_status, 'sent');
    assert.equal(r.cells[2].value, 'sent (1 attempt)');
    assert.match(r.cells[3].value, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'applied at');
    assert.equal(r.cells[4].value, 'HTTP 200');
  }
});

test('clear subscription and force re-associate: the previous namespace to Free, then the target', async () => {
  const sub = subscription(account(tag()).id, { ends: 100, plan: 'ultimate' });
  const from = await both(tag(), { subscriptionId: sub.id, plan: 'ultimate' });
  const to = await both(tag());
  let page = await look(sup, 'force_reassociate', { namespace: to.path, subscription: sub.name });
  let res = await act(sup, page, { zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash,
    `Subscription ${sub.name} moved to ${to.path}; ${from.path} is now on Free.${QUEUED}`);
  await settled(from);
  await settled(to);
  const [a] = sent(await received(from));
  const [b] = sent(await received(to));
  assert.ok(a.at <= b.at, 'the previous namespace first');
  assert.deepEqual(a.body, { gitlab_subscription_attributes: {
    plan_code: 'free', seats: 0, start_date: one('SELECT CURRENT_DATE::text'), end_date: null,
    auto_renew: false, trial: false, trial_starts_on: null, trial_ends_on: null } });
  const start = one(`SELECT term_start_date::text FROM zuora_subscriptions WHERE id = ${sub.id}`);
  assert.deepEqual(b.body, { gitlab_subscription_attributes: {
    plan_code: 'ultimate', seats: 10, start_date: start, end_date: sub.termEnd, auto_renew: false,
    trial: false, trial_starts_on: null, trial_ends_on: null } });
  assert.equal((await gitlab.get(to.gitlabId)).gitlab_subscription.plan_code, 'ultimate');
  assert.equal((await gitlab.get(from.gitlabId)).gitlab_subscription.plan_code, 'free');

  page = await look(sup, 'clear_subscription', { subscription: sub.name });
  res = await act(sup, page, { zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash,
    `Subscription ${sub.name} cleared from ${to.path}, which is now on Free.${QUEUED}`);
  await settled(to, 2);
  const last = sent(await received(to)).at(-1);
  assert.equal(last.body.gitlab_subscription_attributes.plan_code, 'free');
  assert.equal((await gitlab.get(to.gitlabId)).gitlab_subscription.plan_code, 'free');
  assertSigned(await received(to));
});

test('trial edit, cancel and Renew trial: plan, trial and its dates', async () => {
  const ns = await both(tag(), { plan: 'ultimate_trial' });
  const id = trial(ns.id, { plan: 'ultimate_trial', starts: -10, ends: 5 });
  const { body: form } = await sup.json(`/admin/support/trials/${id}/edit`);
  let res = await sup.submit(`/admin/support/trials/${id}`, { lock_version: form.form.lock_version,
    plan: 'premium_trial', ends_on: day(30), zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash,
    `Trial of ${ns.path} updated: Premium trial until ${day(30)}.${QUEUED}`);
  await settled(ns);
  let last = sent(await received(ns)).at(-1);
  assert.deepEqual(last.body.gitlab_subscription_attributes, {
    plan_code: 'premium_trial', seats: 0, start_date: day(-10), end_date: day(30), auto_renew: false,
    trial: true, trial_starts_on: day(-10), trial_ends_on: day(30) });

  const { body: renew } = await adm.json(`/admin/trials/${id}/renew_trial`);
  res = await adm.submit(`/admin/trials/${id}/renew_trial`, { lock_version: renew.form.lock_version,
    ends_on: day(45) });
  assert.equal((await follow(adm, res)).flash, `Trial renewed: it now ends on ${day(45)}.${QUEUED}`);
  await settled(ns, 2);
  last = sent(await received(ns)).at(-1);
  assert.equal(last.body.gitlab_subscription_attributes.trial_ends_on, day(45));

  const { body: cancel } = await sup.json(`/admin/support/trials/${id}/cancel`);
  res = await sup.submit(`/admin/support/trials/${id}/cancel`, { lock_version: cancel.form.lock_version,
    zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash, `Trial of ${ns.path} cancelled.${QUEUED}`);
  await settled(ns, 3);
  last = sent(await received(ns)).at(-1);
  assert.equal(last.body.gitlab_subscription_attributes.plan_code, 'free');
  assert.equal(last.body.gitlab_subscription_attributes.trial, false);
  const remote = (await gitlab.get(ns.gitlabId)).gitlab_subscription;
  assert.deepEqual([remote.plan_code, remote.trial], ['free', false]);
  // Support's trial screens show what was sent for the trial's namespace.
  const { body: edit } = await sup.json(`/admin/support/trials/${id}/edit`);
  const panel = edit.panels.find((p) => p.name === 'gitlab_sync');
  assert.equal(panel.rows.length, 3);
  assert.ok(panel.rows.every((r) => r.cells[2].sync_status === 'sent'));
  assert.equal(sent(await received(ns)).length, 3, 'one request per change');
  assertSigned(await received(ns));
});

test('a SaaS temporary extension moves the GitLab subscription\'s end date', async () => {
  const sub = subscription(account(tag()).id, { ends: 5, plan: 'premium' });
  const ns = await both(tag(), { subscriptionId: sub.id });
  const page = await look(sup, 'extend_subscription', { namespace: ns.path });
  const res = await act(sup, page, { reason: 'Procurement delay', zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash,
    `Subscription ${sub.name} temporarily extended until ${day(26)}.${QUEUED}`);
  await settled(ns);
  const [r] = sent(await received(ns));
  assert.equal(r.body.gitlab_subscription_attributes.end_date, day(26));
  assert.equal(r.body.gitlab_subscription_attributes.plan_code, 'premium');
  assert.equal((await gitlab.get(ns.gitlabId)).gitlab_subscription.end_date, day(26));
});

test('an outage (down, then 503, then up): each change once, in the order made', async () => {
  const ns = await both(tag());
  await gitlab.mode('down');
  for (const v of ['100', '200', '300']) {
    const page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
    const res = await act(sup, page, { extra_ci_minutes: v, zendesk_ticket: ticket() });
    assert.equal(res.status, 303);
  }
  await waitFor('two tries while down', async () => (await received(ns)).length >= 2);
  // Held back: the later rows wait behind the first, untried.
  assert.deepEqual(gitlabRows(ns).map((r) => [r[1], Number(r[2]) > 0]),
    [['pending', true], ['pending', false], ['pending', false]]);
  const page = await ro.json(`/admin/namespaces/${ns.id}`);
  const panel = page.body.panels.find((p) => p.name === 'gitlab_sync');
  assert.match(panel.rows.at(-1).cells[2].value, /^queued \(retrying\), next try \d\d:\d\d:\d\d \(\d+ attempts?\)$/);
  assert.equal(panel.rows[0].cells[2].value, 'queued (0 attempts)', 'waiting behind the first');
  assert.match(panel.rows.at(-1).cells[4].value, /no answer from GitLab\.com/);
  assert.match(panel.note, /retried while GitLab\.com cannot be reached/);

  await gitlab.mode('error');
  const before503 = (await received(ns)).length;
  await waitFor('a 503', async () => (await received(ns)).slice(before503).some((r) => r.status === 503));
  await gitlab.mode('up');
  const rows = await settled(ns, 3);
  assert.deepEqual(rows.map((r) => r[1]), ['sent', 'sent', 'sent']);
  const got = await received(ns);
  assert.deepEqual(sent(got).map((r) => r.body.extra_shared_runners_minutes_limit), [100, 200, 300]);
  assert.equal((await gitlab.get(ns.gitlabId)).extra_shared_runners_minutes_limit, 300);
  console.log(`# outage: ${got.length} requests for 3 changes: ${got.filter((r) => r.status === 0).length} ` +
    `unanswered, ${got.filter((r) => r.status === 503).length} answered 503, ${sent(got).length} applied`);
});

test('429 with Retry-After: tried again when GitLab.com asked, not before', async () => {
  const ns = await both(tag());
  const page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  await gitlab.mode('throttle', { retry_after: 2, count: 1 });
  await act(sup, page, { extra_ci_minutes: '4242', zendesk_ticket: ticket() });
  await settled(ns);
  const got = await received(ns);
  assert.deepEqual(got.map((r) => r.status), [429, 200]);
  assert.ok(got[1].at - got[0].at >= 1900, `waited ${got[1].at - got[0].at} ms (backoff alone: 400)`);
});

test('a request GitLab.com refuses is failed with its message; a support admin retries it', async () => {
  const ns = await both(tag());
  await gitlab.refuse(ns.gitlabId, 400, 'extra_shared_runners_minutes_limit is invalid');
  const page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  await act(sup, page, { extra_ci_minutes: '777', zendesk_ticket: ticket() });
  const [row] = await settled(ns);
  assert.equal(row[1], 'failed');
  assert.equal(Number(row[2]), 1, 'not retried');
  assert.match(row[3], /GitLab\.com answered 400 .*: extra_shared_runners_minutes_limit is invalid/);

  // Shown with GitLab's answer; only a support admin gets the button.
  const html = await sup.get(`/admin/namespaces/${ns.id}`, { headers: HTML });
  assert.match(html.text_, /extra_shared_runners_minutes_limit is invalid/);
  assert.ok(html.text_.includes(`action="/admin/support/gitlab_sync/${row[0]}/retry"`));
  const seen = await ed.get(`/admin/namespaces/${ns.id}`, { headers: HTML });
  assert.ok(!seen.text_.includes('/retry"'));
  assert.equal((await ed.submit(`/admin/support/gitlab_sync/${row[0]}/retry`, {})).status, 403);
  assert.equal((await sup.post(`/admin/support/gitlab_sync/${row[0]}/retry`, {})).status, 403, 'no CSRF token');

  await gitlab.refuse(ns.gitlabId, null);
  const res = await sup.submit(`/admin/support/gitlab_sync/${row[0]}/retry`, {});
  assert.equal((await follow(sup, res)).flash, 'The request is queued for GitLab.com again.');
  const [again] = await settled(ns);
  assert.equal(again[1], 'sent');
  assert.equal((await gitlab.get(ns.gitlabId)).extra_shared_runners_minutes_limit, 777);
  const ev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(ev.actor, `admin:${SUPPORT}`);
  assert.equal(ev.changes[0].field, 'gitlab_sync_request');
  // Sent now, so not again.
  assert.equal((await sup.submit(`/admin/support/gitlab_sync/${row[0]}/retry`, {})).status, 409);
});

test('a failed request that a later change superseded is not sent again', async () => {
  const ns = await both(tag());
  await gitlab.refuse(ns.gitlabId, 422, 'not now');
  let page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  await act(sup, page, { extra_ci_minutes: '10', zendesk_ticket: ticket() });
  const [first] = await settled(ns);
  await gitlab.refuse(ns.gitlabId, null);
  page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  await act(sup, page, { extra_ci_minutes: '20', zendesk_ticket: ticket() });
  await settled(ns, 2);
  const res = await sup.submit(`/admin/support/gitlab_sync/${first[0]}/retry`, {});
  assert.equal(res.status, 409);
  assert.match(res.text_, /would undo that change/);
  assert.equal((await gitlab.get(ns.gitlabId)).extra_shared_runners_minutes_limit, 20);
});

test('two outbox workers and a slow GitLab.com: every request sent exactly once', async () => {
  const spaces = [];
  for (let i = 0; i < 12; i++) spaces.push(await both(tag()));
  // A second worker beside the one the test run started.
  const second = spawn('build/cdot-outbox', [], { env: process.env, stdio: 'ignore' });
  try {
    // Slow, yet well within gitlab_http_timeout (3 s here): a call that
    // timed out is rightly sent again, which is not what this checks.
    await gitlab.mode({ mode: 'slow', delay_ms: 1000 });
    sql(`BEGIN; SELECT set_config('cdot.actor', 'admin:${SUPPORT}', true);
      UPDATE namespaces SET extra_ci_minutes = 5555 WHERE id IN (${spaces.map((s) => s.id).join(', ')});
      COMMIT;`);
    for (const ns of spaces) await settled(ns);
  } finally {
    second.kill('SIGTERM');
  }
  const counts = [];
  for (const ns of spaces) {
    const got = await received(ns);
    counts.push(got.length);
    assert.deepEqual(got.map((r) => r.status), [200], `${ns.path}: ${JSON.stringify(got.map((r) => r.status))}`);
  }
  console.log(`# two workers, 1 s a call: 12 rows, ${counts.reduce((a, b) => a + b)} requests`);
});

test('Find reads GitLab.com live and marks what differs', async () => {
  const ns = await both(tag(), {}, { extra_shared_runners_minutes_limit: 1500, gitlab_subscription: {
    plan_code: 'free', seats: 0, max_seats_used: 12, start_date: '2024-01-01', end_date: null, trial: false,
    trial_starts_on: null, trial_ends_on: null, auto_renew: false } });
  const page = await look(sup, 'extra_ci_minutes', { namespace: ns.path });
  const rows = Object.fromEntries(page.gitlab.rows.map((r) => [r.label, r]));
  assert.deepEqual([rows['Extra CI minutes'].panel, rows['Extra CI minutes'].gitlab,
    rows['Extra CI minutes'].differs], ['1000', '1500', true]);
  assert.deepEqual([rows.Plan.panel, rows.Plan.gitlab, rows.Plan.differs], ['free', 'free', false]);
  assert.equal(rows['Max seats used'].differs, false);
  const html = await sup.get(`${SCREEN}?tab=extra_ci_minutes&namespace=${ns.path}`, { headers: HTML });
  assert.match(html.text_, /<h2>On GitLab.com<\/h2>/);
  assert.match(html.text_, /data-differs="true"><th scope="row">Extra CI minutes<\/th><td>1000<\/td><td>1500<\/td>/);
  assert.match(html.text_, /data-panel="gitlab_sync"/);

  // A namespace GitLab.com does not know: the panel's copy, said so.
  const lone = namespace(tag());
  const p2 = await look(sup, 'extra_ci_minutes', { namespace: lone.path });
  assert.equal(p2.gitlab.note, 'GitLab.com has no such namespace.');
  assert.ok(p2.form, 'the action can still be taken');
});

test('Find while GitLab.com hangs: other requests go on; the panel\'s copy, with a note', async () => {
  const ns = await both(tag());
  await gitlab.mode('hang');
  const order = [];
  const find = look(sup, 'extra_ci_minutes', { namespace: ns.path }).then((b) => { order.push('find'); return b; });
  await sleep(300);
  for (let i = 0; i < 4; i++) {
    const { res } = await ro.json('/admin/customers');
    assert.equal(res.status, 200);
  }
  order.push('others');
  const page = await find;
  assert.deepEqual(order, ['others', 'find'], 'the lookup held no one up');
  assert.equal(page.gitlab.note, 'GitLab.com cannot be reached, so the values shown are the panel\'s own copy.');
  assert.equal(page.namespace.extra_ci_minutes, '1000');
  assert.ok(page.form);
  await gitlab.mode('up');
});

test('Refresh from GitLab.com takes its values, as gitlab.com in history, and sends nothing back', async () => {
  const ns = await both(tag(), {}, { extra_shared_runners_minutes_limit: 4321,
    additional_purchased_storage_size: 512, gitlab_subscription: { plan_code: 'premium_trial', seats: 0,
      max_seats_used: 7, start_date: day(-3), end_date: day(20), trial: true, trial_starts_on: day(-3),
      trial_ends_on: day(20), auto_renew: false } });
  const html = await ed.get(`/admin/namespaces/${ns.id}`, { headers: HTML });
  assert.ok(html.text_.includes(`action="/admin/namespaces/${ns.id}/refresh_from_gitlab"`));
  const plain = await ro.get(`/admin/namespaces/${ns.id}`, { headers: HTML });
  assert.ok(!plain.text_.includes('refresh_from_gitlab'), 'not for read-only staff');
  assert.equal((await ro.submit(`/admin/namespaces/${ns.id}/refresh_from_gitlab`, {})).status, 403);

  const res = await ed.submit(`/admin/namespaces/${ns.id}/refresh_from_gitlab`, {});
  assert.equal((await follow(ed, res)).flash, 'The panel\'s copy now has GitLab.com\'s values; History shows what changed.');
  const [r] = sql(`SELECT plan, extra_ci_minutes, additional_storage_mib, max_seats_used FROM namespaces
    WHERE id = ${ns.id}`);
  assert.deepEqual(r, ['premium_trial', '4321', '512', '7']);
  const ev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(ev.actor, 'gitlab.com');
  assert.deepEqual(gitlabRows(ns), [], 'nothing queued back to GitLab.com');

  const again = await sup.submit(`/admin/namespaces/${ns.id}/refresh_from_gitlab`, {});
  assert.equal((await follow(sup, again)).flash, 'The panel already had GitLab.com\'s values; nothing was changed.');
  await gitlab.mode('down');
  const down = await ed.submit(`/admin/namespaces/${ns.id}/refresh_from_gitlab`, {});
  assert.equal((await follow(ed, down)).flash, 'GitLab.com cannot be reached, so nothing was changed.');
});
