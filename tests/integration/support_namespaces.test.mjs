// Support > Namespace controls (SaaS), by namespace ID or path: extra CI
// minutes (the new total), additional storage, clear subscription, force
// re-associate, reset max seats, and extend subscription (a temporary
// extension; a namespace that had a trial is sent to the trial).  Each
// with a Zendesk ticket in history, the lock_version read with the page
// compared (409 otherwise), nothing half-done; support admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  follow, fieldErrors, tag, sql, one, day, ticket, namespace, trial, account, subscription,
  SUPPORT, ADMIN, SUPPORT_ACTOR, HTML, JSON_, cleanup, lastEvent, MESSAGES, appLog,
} from './support_helpers.mjs';
import { clients } from './edit_helpers.mjs';

const SCREEN = '/admin/support/namespaces';
// Every change of a namespace is queued for GitLab.com (support_gitlab.test.mjs).
const QUEUED = ' The change is queued for GitLab.com.';
let sup; let adm; let ro; let ed;
before(async () => {
  [sup, adm, ro, ed] = await clients(SUPPORT, ADMIN, 'readonly@example.com', 'editor@example.com');
});
after(() => { cleanup(); });

const row = (id) => {
  const [r] = sql(`SELECT n.plan, coalesce(s.name, ''), n.extra_ci_minutes, n.additional_storage_mib,
      n.max_seats_used, n.lock_version, coalesce(n.subscription_expires_on::text, '')
    FROM namespaces n LEFT JOIN zuora_subscriptions s ON s.id = n.zuora_subscription_id WHERE n.id = ${id}`);
  return { plan: r[0], sub: r[1], minutes: Number(r[2]), storage: Number(r[3]), seats: Number(r[4]),
    lock: r[5], expires: r[6] };
};

// The tab's page as JSON, looked up by namespace and/or subscription.
async function look(c, tab, { ns, sub } = {}) {
  const qs = new URLSearchParams({ tab });
  if (ns !== undefined) qs.set('namespace', ns);
  if (sub !== undefined) qs.set('subscription', sub);
  const { res, body } = await c.json(`${SCREEN}?${qs}`);
  assert.equal(res.status, 200, res.text_.slice(0, 300));
  return body;
}

// Posts the tab's form as read from the page, with values.
async function act(c, page, values, headers = HTML) {
  assert.ok(page.form, `a form on ${page.tab}: ${JSON.stringify(page.blocked ?? page.lookups)}`);
  const hidden = Object.fromEntries((page.form.hidden ?? []).map((h) => [h.name, h.value]));
  return c.submit(page.form.action, { lock_version: page.form.lock_version, ...hidden, ...values }, headers);
}

test('the screen: one tab per action; a namespace is found by its ID or its path', async () => {
  const ns = namespace(tag());
  const html = await sup.get(SCREEN, { headers: HTML });
  assert.equal(html.status, 200);
  for (const label of ['Set extra CI minutes', 'Set additional storage', 'Clear subscription',
    'Force re-associate', 'Reset max seats', 'Extend subscription']) {
    assert.ok(html.text_.includes(`>${label}</a>`), label);
  }
  let page = await look(sup, 'extra_ci_minutes', { ns: String(ns.gitlabId) });
  assert.equal(page.namespace.path, ns.path);
  assert.equal(page.namespace.extra_ci_minutes, '1000');
  assert.equal(page.form.action, `${SCREEN}/${ns.id}/extra_ci_minutes`);
  assert.equal(page.form.fields.find((f) => f.name === 'extra_ci_minutes').value, '1000');
  page = await look(sup, 'extra_ci_minutes', { ns: ns.path.toUpperCase() });
  assert.equal(page.namespace.id, String(ns.id), 'a path, whatever its case');
  page = await look(sup, 'extra_ci_minutes', { ns: 'no-such-namespace-anywhere' });
  assert.equal(page.form, undefined);
  assert.equal(page.lookups[0].error, 'No namespace has the ID or path \u201cno-such-namespace-anywhere\u201d.');
  // Quoted cut to 100 bytes, within a "Σ": the part left of it is dropped.
  page = await look(sup, 'extra_ci_minutes', { ns: 'x' + 'Σ'.repeat(60) });
  assert.equal(page.lookups[0].error, `No namespace has the ID or path \u201cx${'Σ'.repeat(49)}\u201d.`);
  page = await look(sup, 'clear_subscription', { sub: 'A'.repeat(120) });
  assert.equal(page.lookups[0].error,
    `No subscription has the Zuora subscription ID or name \u201c${'A'.repeat(100)}\u201d.`);
  page = await look(sup, 'clear_subscription', { sub: 'A-S99999999' });
  assert.match(page.lookups[0].error, /No subscription has the Zuora subscription ID or name/);
});

test('set extra CI minutes: the new total, the ticket in history', async () => {
  const ns = namespace(tag());
  const page = await look(sup, 'extra_ci_minutes', { ns: ns.path });
  const tk = ticket();
  const res = await act(sup, page, { extra_ci_minutes: '2500', zendesk_ticket: tk });
  const { flash, location } = await follow(sup, res);
  assert.equal(flash, `Extra CI minutes of ${ns.path}: 2500 (was 1000).${QUEUED}`);
  assert.equal(location, `${SCREEN}?tab=extra_ci_minutes&namespace=${ns.gitlabId}`);
  assert.equal(row(ns.id).minutes, 2500, 'the total, not 1000 + 2500');
  const ev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(ev.actor, SUPPORT_ACTOR);
  assert.equal(ev.ticket_url, tk);
  assert.deepEqual(ev.changes.map((c) => [c.field, c.old, c.new]), [['extra_ci_minutes', '1000', '2500']]);

  // The same value again changes nothing.
  const again = await look(sup, 'extra_ci_minutes', { ns: ns.path });
  const r2 = await act(sup, again, { extra_ci_minutes: '2500', zendesk_ticket: tk });
  assert.equal((await follow(sup, r2)).flash, 'Nothing was changed.');
  assert.equal(row(ns.id).lock, '1');
});

test('set additional storage and reset max seats', async () => {
  const ns = namespace(tag());
  let page = await look(sup, 'additional_storage', { ns: String(ns.gitlabId) });
  let res = await act(sup, page, { additional_storage_mib: '10240', zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash, `Additional storage (MiB) of ${ns.path}: 10240 (was 2048).${QUEUED}`);
  page = await look(sup, 'reset_max_seats', { ns: String(ns.gitlabId) });
  res = await act(sup, page, { max_seats_used: '0', zendesk_ticket: ticket() });
  assert.equal((await follow(sup, res)).flash, `Max seats used of ${ns.path}: 0 (was 12).${QUEUED}`);
  const r = row(ns.id);
  assert.deepEqual([r.storage, r.seats], [10240, 0]);
});

test('wrong values and tickets are refused beside their field; nothing changes', async () => {
  const ns = namespace(tag());
  const page = await look(sup, 'extra_ci_minutes', { ns: ns.path });
  const cases = [
    [{ extra_ci_minutes: '-5' }, 'extra_ci_minutes', /whole number \(0 or more\)/],
    [{ extra_ci_minutes: '12.5' }, 'extra_ci_minutes', /whole number/],
    [{ extra_ci_minutes: '' }, 'extra_ci_minutes', /can't be blank/],
    [{ extra_ci_minutes: '99999999999' }, 'extra_ci_minutes', /too large/],
    [{ zendesk_ticket: '' }, 'zendesk_ticket', /can't be blank/],
    [{ zendesk_ticket: 'https://gitlab.zendesk.com/agent/tickets/' }, 'zendesk_ticket', /Zendesk ticket link/],
    [{ zendesk_ticket: 'https://gitlab.example.com/agent/tickets/5' }, 'zendesk_ticket', /Zendesk ticket link/],
  ];
  for (const [extra, field, why] of cases) {
    const values = { extra_ci_minutes: '5000', zendesk_ticket: ticket(), ...extra };
    const res = await act(sup, page, values, JSON_);
    assert.equal(res.status, 422, JSON.stringify(extra));
    const body = JSON.parse(res.text_);
    assert.match(fieldErrors(body)[field], why);
    assert.equal(body.form.fields.find((f) => f.name === field).value, values[field], 'typed value kept');
    assert.equal(body.namespace.path, ns.path, 'the namespace is still shown');
  }
  assert.deepEqual([row(ns.id).minutes, row(ns.id).lock], [1000, '0']);
  // Without the version read with the page, nothing is done.
  const res = await sup.submit(`${SCREEN}/${ns.id}/extra_ci_minutes`, { extra_ci_minutes: '1', zendesk_ticket: ticket() });
  assert.equal(res.status, 400);
  assert.equal((await sup.submit(`${SCREEN}/${ns.id}/no_such_action`, { lock_version: '0' })).status, 404);
  // A namespace or subscription that is gone: 404, the form valid or not.
  const gone = Number(one('SELECT max(id) FROM namespaces')) + 1000;
  for (const minutes of ['5', '-5']) {
    const r = await sup.submit(`${SCREEN}/${gone}/extra_ci_minutes`,
      { extra_ci_minutes: minutes, zendesk_ticket: ticket(), lock_version: '0' }, JSON_);
    assert.equal(r.status, 404, minutes);
  }
  const goneSub = Number(one('SELECT max(id) FROM zuora_subscriptions')) + 1000;
  const r = await sup.submit(`${SCREEN}/${ns.id}/force_reassociate`,
    { subscription: String(goneSub), previous: 'none', zendesk_ticket: ticket(), lock_version: '0' }, JSON_);
  assert.equal(r.status, 404);
  assert.deepEqual([row(ns.id).minutes, row(ns.id).lock], [1000, '0']);
});

test('a change made meanwhile: 409 with the current values, then applied on purpose', async () => {
  const ns = namespace(tag());
  const mine = await look(sup, 'extra_ci_minutes', { ns: ns.path });
  const theirs = await look(adm, 'extra_ci_minutes', { ns: ns.path });
  let res = await act(adm, theirs, { extra_ci_minutes: '7000', zendesk_ticket: ticket() });
  assert.equal(res.status, 303);
  res = await act(sup, mine, { extra_ci_minutes: '3000', zendesk_ticket: ticket() }, JSON_);
  assert.equal(res.status, 409);
  const body = JSON.parse(res.text_);
  assert.equal(body.namespace.extra_ci_minutes, '7000', 'the current value');
  assert.equal(body.form.fields.find((f) => f.name === 'extra_ci_minutes').value, '3000', 'theirs, kept');
  assert.match(body.form.alert, /Someone changed this namespace/);
  assert.equal(row(ns.id).minutes, 7000);
  res = await act(sup, body, { extra_ci_minutes: '3000', zendesk_ticket: ticket() });
  assert.equal(res.status, 303);
  assert.equal(row(ns.id).minutes, 3000);
});

test('clear subscription, by Zuora subscription ID or name: the namespace goes to Free', async () => {
  const sub = subscription(account(tag()).id, { ends: 100, plan: 'ultimate' });
  const ns = namespace(tag(), { subscriptionId: sub.id, plan: 'ultimate' });
  let page = await look(sup, 'clear_subscription', { sub: sub.zid.toUpperCase() });
  assert.equal(page.subscription.name, sub.name);
  assert.equal(page.subscription.namespace, ns.path);
  page = await look(sup, 'clear_subscription', { sub: sub.name });
  assert.equal(page.form.action, `${SCREEN}/${ns.id}/clear_subscription`);
  const tk = ticket();
  const res = await act(sup, page, { zendesk_ticket: tk });
  const { flash } = await follow(sup, res);
  assert.equal(flash, `Subscription ${sub.name} cleared from ${ns.path}, which is now on Free.${QUEUED}`);
  assert.deepEqual([row(ns.id).plan, row(ns.id).sub], ['free', '']);
  const ev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(ev.ticket_url, tk);
  assert.deepEqual(ev.changes.map((c) => c.field).sort(), ['plan', 'zuora_subscription_id']);

  // Nothing to clear any more.
  page = await look(sup, 'clear_subscription', { sub: sub.name });
  assert.equal(page.form, undefined);
  assert.equal(page.blocked.message, `Subscription ${sub.name} is not linked to any namespace: there is nothing to clear.`);
});

test('force re-associate: the subscription moves, the previous namespace goes to Free', async () => {
  const sub = subscription(account(tag()).id, { ends: 100, plan: 'ultimate' });
  const from = namespace(tag(), { subscriptionId: sub.id, plan: 'ultimate' });
  const to = namespace(tag());
  const page = await look(sup, 'force_reassociate', { ns: String(to.gitlabId), sub: sub.zid });
  assert.equal(page.namespace.path, to.path);
  assert.equal(page.subscription.namespace, from.path);
  const tk = ticket();
  const res = await act(sup, page, { zendesk_ticket: tk });
  assert.equal((await follow(sup, res)).flash, `Subscription ${sub.name} moved to ${to.path}; ${from.path} is now on Free.${QUEUED}`);
  assert.deepEqual([row(to.id).plan, row(to.id).sub], ['ultimate', sub.name]);
  assert.deepEqual([row(from.id).plan, row(from.id).sub], ['free', '']);
  for (const id of [from.id, to.id]) assert.equal((await lastEvent(ro, 'namespaces', id)).ticket_url, tk);

  // Where it cannot be done, the page says why and offers no form.
  let p = await look(sup, 'force_reassociate', { ns: to.path, sub: sub.name });
  assert.equal(p.blocked.message, `Subscription ${sub.name} is already linked to ${to.path}.`);
  const other = namespace(tag());
  const sm = subscription(account(tag()).id, { type: 'sm', ends: 100 });
  p = await look(sup, 'force_reassociate', { ns: other.path, sub: sm.name });
  assert.match(p.blocked.message, /self-managed GitLab/);
  const sub2 = subscription(account(tag()).id, { ends: 100 });
  p = await look(sup, 'force_reassociate', { ns: to.path, sub: sub2.name });
  assert.equal(p.blocked.message, `Namespace ${to.path} is linked to subscription ${sub.name}: clear that subscription first.`);

  // A legacy plan: gold stays Gold; starter, self-managed's, is Premium
  // (as cancelling a trial reads it).
  for (const [plan, nsPlan] of [['gold', 'gold'], ['starter', 'premium']]) {
    const legacy = subscription(account(tag()).id, { ends: 100, plan });
    const target = namespace(tag());
    const lp = await look(sup, 'force_reassociate', { ns: target.path, sub: legacy.name });
    await follow(sup, await act(sup, lp, { zendesk_ticket: ticket() }));
    assert.deepEqual([row(target.id).plan, row(target.id).sub], [nsPlan, legacy.name], plan);
  }

  // The subscription moved after the page was read: 409, nothing changed.
  const third = namespace(tag());
  const stale = await look(sup, 'force_reassociate', { ns: third.path, sub: sub2.name });
  sql(`UPDATE namespaces SET zuora_subscription_id = ${sub2.id}, plan = 'premium' WHERE id = ${other.id}`);
  const r = await act(sup, stale, { zendesk_ticket: ticket() }, JSON_);
  assert.equal(r.status, 409);
  assert.equal(row(third.id).sub, '');
  assert.equal(row(other.id).sub, sub2.name);
});

test('extend subscription: a temporary extension of the namespace\'s subscription', async () => {
  const a = account(tag());
  const sub = subscription(a.id, { ends: 4, plan: 'premium' });
  const ns = namespace(tag(), { subscriptionId: sub.id });
  const page = await look(sup, 'extend_subscription', { ns: ns.path });
  assert.deepEqual(page.form.fields.map((f) => f.name), ['reason', 'salesforce_opportunity_id', 'notes', 'zendesk_ticket']);
  let res = await act(sup, page, { reason: '', zendesk_ticket: ticket() }, JSON_);
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).reason, /can't be blank/);

  const tk = ticket();
  res = await act(sup, page, { reason: 'Procurement delay', salesforce_opportunity_id: '0064M00000ZkQ9zQAF', zendesk_ticket: tk });
  assert.equal((await follow(sup, res)).flash, `Subscription ${sub.name} temporarily extended until ${day(25)}.${QUEUED}`);
  const [[ext, createdBy, opp, users, ends]] = sql(`SELECT id, created_by, salesforce_opportunity_id,
      coalesce(users::text, ''), ends_on::text FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`);
  assert.deepEqual([createdBy, opp, users, ends], [SUPPORT_ACTOR, '0064M00000ZkQ9zQAF', '', day(25)]);
  assert.equal(row(ns.id).expires, day(25));
  const ev = await lastEvent(ro, 'temporary_extensions', ext);
  assert.equal(ev.actor, SUPPORT_ACTOR);
  assert.equal(ev.ticket_url, tk);
  assert.equal((await lastEvent(ro, 'namespaces', ns.id)).ticket_url, tk);
  assert.ok(appLog({ functionality: 'temporary_extension', workflow: 'create_saas_extension',
    zuora_subscription_id: sub.zid }).length === 1);

  // Again: the guardrail's own message, nothing changed.
  const again = await look(sup, 'extend_subscription', { ns: ns.path });
  res = await act(sup, again, { reason: 'Procurement delay', zendesk_ticket: ticket() }, JSON_);
  assert.equal(res.status, 422);
  assert.equal(JSON.parse(res.text_).form.alert, MESSAGES.upcoming(day(4)));
  const html = await act(sup, again, { reason: 'Procurement delay', zendesk_ticket: ticket() });
  assert.equal(html.status, 422);
  assert.ok(html.text_.includes(`role="alert">${MESSAGES.upcoming(day(4))}</div>`));

  // Outside the window, bad debt: the rules are the API's.
  const far = subscription(account(tag()).id, { ends: 16 });
  const farNs = namespace(tag(), { subscriptionId: far.id });
  res = await act(sup, await look(sup, 'extend_subscription', { ns: farNs.path }), { reason: 'x', zendesk_ticket: ticket() }, JSON_);
  assert.equal(JSON.parse(res.text_).form.alert, MESSAGES.outside_window);
  const held = subscription(account(tag(), { creditHold: true }).id, { ends: 1 });
  const heldNs = namespace(tag(), { subscriptionId: held.id });
  res = await act(sup, await look(sup, 'extend_subscription', { ns: heldNs.path }), { reason: 'x', zendesk_ticket: ticket() }, JSON_);
  assert.equal(JSON.parse(res.text_).form.alert, MESSAGES.bad_debt);
  assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id IN (${far.id}, ${held.id})`), '0');
});

test('extend subscription of a namespace that had a trial: sent to the trial instead', async () => {
  const sub = subscription(account(tag()).id, { ends: 3 });
  const ns = namespace(tag(), { subscriptionId: sub.id });
  const tr = trial(ns.id, { plan: 'ultimate_trial_paid_customer', status: 'expired', starts: -90, ends: -60 });
  const page = await look(sup, 'extend_subscription', { ns: ns.path });
  assert.equal(page.form, undefined);
  assert.equal(page.blocked.message, `Namespace ${ns.path} had a trial: extend it through the trial instead.`);
  assert.equal(page.blocked.href, `/admin/support/trials/${tr}/edit`);
  // A form posted anyway goes to the trial, and nothing is extended.
  const res = await sup.submit(`${SCREEN}/${ns.id}/extend_subscription`, {
    lock_version: '0', reason: 'x', zendesk_ticket: ticket(),
  });
  const { location, kind } = await follow(sup, res);
  assert.equal(location, `/admin/support/trials/${tr}/edit`);
  assert.equal(kind, 'alert');
  assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`), '0');

  const free = namespace(tag());
  const p2 = await look(sup, 'extend_subscription', { ns: free.path });
  assert.equal(p2.blocked.message, `Namespace ${free.path} has no subscription to extend.`);
});

test('support admins only: others get 403 and change nothing', async () => {
  const ns = namespace(tag());
  for (const c of [ro, ed]) {
    assert.equal((await c.get(`${SCREEN}?tab=extra_ci_minutes&namespace=${ns.path}`)).status, 403);
    const res = await c.submit(`${SCREEN}/${ns.id}/extra_ci_minutes`, {
      lock_version: '0', extra_ci_minutes: '1', zendesk_ticket: ticket(),
    }, JSON_);
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.text_).reason, 'role');
  }
  assert.equal(row(ns.id).minutes, 1000);
  const html = await ro.get('/admin', { headers: HTML });
  assert.doesNotMatch(html.text_, /<h2>Support<\/h2>/);
  const shtml = await sup.get('/admin', { headers: HTML });
  assert.match(shtml.text_, /<h2>Support<\/h2>/);
});
