// Support > Trial changes (SaaS): list trials; edit the type and end date
// of an active or expired trial; cancel an active trial.  Each with a
// Zendesk ticket link (validated, in history), the lock_version compared,
// the namespace's plan following; support admins only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  client, follow, fieldErrors, tag, sql, one, day, ticket, namespace, trial, account, subscription,
  SUPPORT, ADMIN, SUPPORT_ACTOR, HTML, JSON_, cleanup, lastEvent,
} from './support_helpers.mjs';

let sup; let adm; let ro; let ed;
before(async () => {
  [sup, adm, ro, ed] = await Promise.all([client(SUPPORT), client(ADMIN), client('readonly@example.com'),
    client('editor@example.com')]);
});
after(() => { cleanup(); });

const state = (id) => {
  const [r] = sql(`SELECT t.plan, t.ends_on::text, t.status, t.cancelled_at IS NOT NULL, n.plan, t.lock_version
    FROM trials t JOIN namespaces n ON n.id = t.namespace_id WHERE t.id = ${id}`);
  return { plan: r[0], ends: r[1], status: r[2], cancelled: r[3] === 't', nsPlan: r[4], lock: r[5] };
};

// A group on its trial's plan (or Free for an expired one).
function group(status = 'active', plan = 'ultimate_trial') {
  const ns = namespace(tag(), { plan: status === 'active' ? plan : 'free' });
  const id = trial(ns.id, {
    plan, status, starts: status === 'active' ? -5 : -50, ends: status === 'active' ? 25 : -20,
  });
  return { ns, id };
}

// A cell of a row of a list, as the page shows it.
const cell = (row, name) => row.cells.find((c) => c.name === name)?.value;

test('the list: active and expired trials by default, searchable, with Edit and Cancel', async () => {
  const active = group('active');
  const expired = group('expired');
  const { body } = await sup.json(`/admin/support/trials?query=${active.ns.path}`);
  assert.equal(body.rows.length, 1);
  const row = body.rows[0];
  assert.equal(row.id, String(active.id));
  assert.equal(cell(row, 'status'), 'Active');
  assert.equal(cell(row, 'namespace'), active.ns.path);
  assert.equal(row.cells.find((c) => c.name === 'namespace').href, `/admin/namespaces/${active.ns.id}`);
  assert.equal(cell(row, 'plan'), 'Ultimate trial');
  assert.equal(row.show_href, `/admin/trials/${active.id}`);
  assert.equal(row.history_href, `/admin/trials/${active.id}/history`);
  assert.deepEqual(row.row_actions.map((a) => [a.name, a.href]), [
    ['edit', `/admin/support/trials/${active.id}/edit`], ['cancel', `/admin/support/trials/${active.id}/cancel`]]);
  assert.deepEqual(body.columns.map((c) => c.label),
    ['Trial', 'Namespace', 'Namespace ID', 'Owner', 'Type', 'Starts on', 'Ends on', 'Status']);
  assert.equal(body.export_href, undefined, 'no export of its own');

  const byId = await sup.json(`/admin/support/trials?query=${expired.ns.gitlabId}`);
  assert.deepEqual(byId.body.rows[0].row_actions.map((a) => a.name), ['edit'], 'an expired trial is not cancelled');
  assert.equal(cell(byId.body.rows[0], 'status'), 'Expired');

  // The demo's cancelled trial shows only when asked for: by the status
  // filter, or by the former ?status=.
  assert.equal((await sup.json('/admin/support/trials?query=ferngrove')).body.rows.length, 0);
  const owner = await sup.json('/admin/support/trials?query=fatima.alsayed%40ferngrove.dev&f[status][0][o]=in');
  assert.equal(owner.body.rows.length, 1, 'by the owner\'s email, every status');
  for (const url of ['/admin/support/trials?query=ferngrove&status=cancelled',
    '/admin/support/trials?query=ferngrove&f[status][0][o]=in&f[status][0][v][]=cancelled']) {
    const c = await sup.json(url);
    assert.equal(c.body.rows.length, 1, url);
    assert.equal(cell(c.body.rows[0], 'status'), 'Cancelled');
    assert.deepEqual(c.body.rows[0].row_actions, []);
  }
  const all = await sup.json(`/admin/support/trials?query=${active.ns.path}&status=all`);
  assert.equal(all.body.rows.length, 1);

  const html = await sup.get('/admin/support/trials', { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, /<h1>Trial changes \(SaaS\)<\/h1>/);
  assert.match(html.text_, /aria-current="page">Trial changes \(SaaS\)</, 'the Support menu shows where we are');
  assert.match(html.text_, /<div class="filter" data-field="status">/, 'the status filter, as every list\'s');
  assert.doesNotMatch(html.text_, /data-action="export"/);
});

test('the list pages by 25: next and previous links, as links on the page', async () => {
  const word = `pager${tag()}`;
  for (let i = 0; i < 26; i++) trial(namespace(word).id);
  const p1 = await sup.json(`/admin/support/trials?query=${word}`);
  assert.equal(p1.body.rows.length, 25);
  assert.equal(p1.body.pages.prev_href, undefined);
  assert.ok(p1.body.pages.next_href.startsWith('/admin/support/trials?'), p1.body.pages.next_href);
  assert.ok(p1.body.pages.next_href.endsWith('&page=2'), p1.body.pages.next_href);
  const p2 = await sup.json(p1.body.pages.next_href);
  assert.equal(p2.body.rows.length, 1);
  assert.equal(p2.body.pages.next_href, undefined);
  const html = await sup.get(p1.body.pages.next_href, { headers: HTML });
  assert.match(html.text_, /<nav class="pager" aria-label="Pages">/);
  assert.match(html.text_, /rel="prev">← Previous<\/a>/);
  assert.match(html.text_, /<span class="range">26–26 of 26<\/span>/);
  assert.doesNotMatch(html.text_, /rel="next"/);
});

test('edit an active trial: type and end date, with the ticket in history; the namespace follows', async () => {
  const { ns, id } = group('active');
  const { body } = await sup.json(`/admin/support/trials/${id}/edit`);
  const values = Object.fromEntries(body.form.fields.map((f) => [f.name, f.value]));
  assert.deepEqual(values, { plan: 'ultimate_trial', ends_on: day(25), zendesk_ticket: '' });
  assert.deepEqual(body.form.fields[0].options.map((o) => o.value),
    ['ultimate_trial', 'premium_trial', 'ultimate_trial_paid_customer']);
  assert.equal(body.summary.find((d) => d.label === 'Namespace').value, ns.path);

  const tk = ticket();
  const res = await sup.submit(`/admin/support/trials/${id}`, {
    plan: 'premium_trial', ends_on: day(40), zendesk_ticket: tk, lock_version: body.form.lock_version,
  });
  const { flash, location } = await follow(sup, res);
  assert.equal(location, '/admin/support/trials');
  assert.equal(flash, `Trial of ${ns.path} updated: Premium trial until ${day(40)}. The change is queued for GitLab.com.`);
  assert.deepEqual(state(id), { plan: 'premium_trial', ends: day(40), status: 'active', cancelled: false,
    nsPlan: 'premium_trial', lock: '1' });

  const ev = await lastEvent(ro, 'trials', id);
  assert.equal(ev.actor, SUPPORT_ACTOR);
  assert.equal(ev.ticket_url, tk);
  assert.deepEqual(ev.changes.map((c) => c.field).sort(), ['ends_on', 'plan']);
  const nev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(nev.ticket_url, tk);
  // History pages show the ticket as a link.
  const h = await ro.get(`/admin/trials/${id}/history`, { headers: HTML });
  assert.ok(h.text_.includes(`ticket <a href="${tk}"`));
});

test('edit an expired trial: active again until the new date, the namespace back on the trial', async () => {
  const { ns, id } = group('expired');
  const res = await sup.submit(`/admin/support/trials/${id}`, {
    plan: 'ultimate_trial', ends_on: day(14), zendesk_ticket: ticket(), lock_version: '0',
  });
  assert.equal(res.status, 303);
  assert.deepEqual(state(id), { plan: 'ultimate_trial', ends: day(14), status: 'active', cancelled: false,
    nsPlan: 'ultimate_trial', lock: '1' });
  assert.equal(one(`SELECT plan FROM namespaces WHERE id = ${ns.id}`), 'ultimate_trial');

  // A paid customer's namespace can only have the paid customers' trial.
  const sub = subscription(account(tag()).id, { ends: 200 });
  const paid = namespace(tag(), { subscriptionId: sub.id, plan: 'premium' });
  const t2 = trial(paid.id, { plan: 'ultimate_trial_paid_customer', status: 'expired', starts: -40, ends: -10 });
  let r = await sup.submit(`/admin/support/trials/${t2}`, {
    plan: 'ultimate_trial', ends_on: day(14), zendesk_ticket: ticket(), lock_version: '0',
  }, JSON_);
  assert.equal(r.status, 422);
  assert.match(fieldErrors(JSON.parse(r.text_)).plan, /paid for by a subscription/);
  assert.equal(state(t2).status, 'expired');
  r = await sup.submit(`/admin/support/trials/${t2}`, {
    plan: 'ultimate_trial_paid_customer', ends_on: day(14), zendesk_ticket: ticket(), lock_version: '0',
  });
  assert.equal(r.status, 303);
  assert.equal(state(t2).nsPlan, 'ultimate_trial_paid_customer');
});

test('refused: a date before today, no or a wrong ticket, a cancelled trial; what was typed is kept', async () => {
  const { id } = group('active');
  const cases = [
    [{ ends_on: day(-1) }, 'ends_on', /can't be before today/],
    [{ ends_on: '31/12/2030' }, 'ends_on', /YYYY-MM-DD/],
    [{ plan: 'gold' }, 'plan', /one of the choices/],
    [{ zendesk_ticket: '' }, 'zendesk_ticket', /can't be blank/],
    [{ zendesk_ticket: 'https://gitlab.zendesk.com/agent/tickets/abc' }, 'zendesk_ticket', /Zendesk ticket link/],
    [{ zendesk_ticket: 'javascript:alert(1)' }, 'zendesk_ticket', /Zendesk ticket link/],
  ];
  for (const [extra, field, why] of cases) {
    const f = { plan: 'premium_trial', ends_on: day(30), zendesk_ticket: ticket(), lock_version: '0', ...extra };
    const res = await sup.submit(`/admin/support/trials/${id}`, f, JSON_);
    assert.equal(res.status, 422, JSON.stringify(extra));
    const body = JSON.parse(res.text_);
    assert.match(fieldErrors(body)[field], why);
    assert.equal(body.form.fields.find((x) => x.name === field).value, f[field]);
  }
  assert.deepEqual(state(id).plan, 'ultimate_trial');
  assert.equal(state(id).lock, '0');

  const cancelled = group('expired');
  sql(`UPDATE trials SET status = 'cancelled', cancelled_at = now() WHERE id = ${cancelled.id}`);
  const res = await sup.submit(`/admin/support/trials/${cancelled.id}`, {
    plan: 'premium_trial', ends_on: day(30), zendesk_ticket: ticket(), lock_version: '1',
  }, JSON_);
  assert.equal(res.status, 422);
  assert.match(JSON.parse(res.text_).form.alert, /cancelled: it cannot be changed/);
});

test('two support admins on one trial: the second gets the conflict page, nothing overwritten', async () => {
  const { id } = group('active');
  let res = await sup.submit(`/admin/support/trials/${id}`, {
    plan: 'ultimate_trial', ends_on: day(33), zendesk_ticket: ticket(), lock_version: '0',
  });
  assert.equal(res.status, 303);
  res = await adm.submit(`/admin/support/trials/${id}`, {
    plan: 'premium_trial', ends_on: day(50), zendesk_ticket: ticket(), lock_version: '0',
  }, JSON_);
  assert.equal(res.status, 409);
  const body = JSON.parse(res.text_);
  const rows = Object.fromEntries(body.conflict.fields.map((f) => [f.name, [f.yours, f.current]]));
  assert.deepEqual(rows, { plan: ['Premium trial', 'Ultimate trial'], ends_on: [day(50), day(33)] });
  assert.equal(body.form.lock_version, '1', 'the form again, at the current version');
  assert.equal(state(id).ends, day(33));
  const html = await adm.submit(`/admin/support/trials/${id}`, {
    plan: 'premium_trial', ends_on: day(50), zendesk_ticket: ticket(), lock_version: '0',
  });
  assert.equal(html.status, 409);
  assert.match(html.text_, /Someone changed this record after you opened the form/);
});

test('cancel an active trial: with a ticket; the namespace goes back to Free (or its paid plan)', async () => {
  const { ns, id } = group('active');
  const form = await sup.get(`/admin/support/trials/${id}/cancel`, { headers: HTML });
  assert.equal(form.status, 200);
  assert.match(form.text_, /<h1>Cancel trial<\/h1>/);
  assert.match(form.text_, /data-action="save">Confirm</);
  const lv = form.text_.match(/name="lock_version" value="(\d+)"/)[1];

  let res = await sup.submit(`/admin/support/trials/${id}/cancel`, { lock_version: lv, zendesk_ticket: '' }, JSON_);
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).zendesk_ticket, /can't be blank/);
  assert.equal(state(id).status, 'active');

  const tk = ticket();
  res = await sup.submit(`/admin/support/trials/${id}/cancel`, { lock_version: lv, zendesk_ticket: tk });
  const { flash } = await follow(sup, res);
  assert.equal(flash, `Trial of ${ns.path} cancelled. The change is queued for GitLab.com.`);
  const s = state(id);
  assert.deepEqual([s.status, s.cancelled, s.nsPlan], ['cancelled', true, 'free']);
  const ev = await lastEvent(ro, 'trials', id);
  assert.equal(ev.ticket_url, tk);
  assert.deepEqual(ev.changes.map((c) => c.field).sort(), ['cancelled_at', 'status']);

  // Only an active trial, and only at the version shown.
  res = await sup.submit(`/admin/support/trials/${id}/cancel`, { lock_version: '1', zendesk_ticket: tk }, JSON_);
  assert.equal(res.status, 422);
  assert.match(JSON.parse(res.text_).form.alert, /Only an active trial can be cancelled/);
  const other = group('active');
  sql(`UPDATE trials SET ends_on = ends_on + 1 WHERE id = ${other.id}`);
  res = await sup.submit(`/admin/support/trials/${other.id}/cancel`, { lock_version: '0', zendesk_ticket: tk }, JSON_);
  assert.equal(res.status, 409);
  assert.equal(JSON.parse(res.text_).form.lock_version, '1');
  assert.equal(state(other.id).status, 'active');

  // A paid customer's trial: back to the subscription's plan; starter
  // (self-managed's) is Premium, as linking it gives (a namespace with a
  // subscription is never on Free).
  for (const [plan, nsPlan] of [['premium', 'premium'], ['starter', 'premium']]) {
    const sub = subscription(account(tag()).id, { ends: 200, plan });
    const paid = namespace(tag(), { subscriptionId: sub.id, plan: 'ultimate_trial_paid_customer' });
    const t3 = trial(paid.id, { plan: 'ultimate_trial_paid_customer' });
    res = await sup.submit(`/admin/support/trials/${t3}/cancel`, { lock_version: '0', zendesk_ticket: tk });
    assert.equal(res.status, 303, plan);
    assert.equal(one(`SELECT plan FROM namespaces WHERE id = ${paid.id}`), nsPlan, plan);
  }
});

test('support admins only; unknown trials are 404', async () => {
  const { id } = group('active');
  for (const c of [ro, ed]) {
    assert.equal((await c.get('/admin/support/trials')).status, 403);
    assert.equal((await c.get(`/admin/support/trials/${id}/edit`)).status, 403);
    const res = await c.submit(`/admin/support/trials/${id}/cancel`, { lock_version: '0', zendesk_ticket: ticket() }, JSON_);
    assert.equal(res.status, 403);
  }
  assert.equal(state(id).status, 'active');
  assert.equal((await sup.get('/admin/support/trials/999999999/edit')).status, 404);
  assert.equal((await sup.submit('/admin/support/trials/999999999', {
    plan: 'premium_trial', ends_on: day(3), zendesk_ticket: ticket(), lock_version: '0',
  }, JSON_)).status, 404);
  assert.equal((await sup.submit(`/admin/support/trials/${id}`, {
    plan: 'premium_trial', ends_on: day(3), zendesk_ticket: ticket(),
  }, JSON_)).status, 400, 'no lock_version');
});
