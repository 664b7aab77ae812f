// "Renew trial" from a customer's GitLab groups: a new end date, never
// before today (UTC); an expired trial becomes active again and its
// namespace gets the trial's plan back; lock_version and history as for
// every edit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  clients, fieldErrors, assertHistory, follow, makeCustomer, tag, sql, one, q, EDITOR, ADMIN, HTML, JSON_,
  cleanup, track,
} from './edit_helpers.mjs';

let ed; let ed2; let ro;
before(async () => {
  [ed, ed2, ro] = await clients(EDITOR, ADMIN, 'readonly@example.com');
});
after(() => { cleanup(); });

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

// A customer with a group on Free whose Ultimate trial ended.
function expiredTrial(t, status = 'expired') {
  const customer = makeCustomer(t);
  const gid = 700000000 + Math.floor(Math.random() * 100000000);
  const ns = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan)
    VALUES (${gid}, ${q(`edit-tests-${t}`)}, ${q(`Edit Tests ${t}`)}, 'group', ${customer}, 'free') RETURNING id`));
  track.namespace(ns);
  const trial = Number(one(`INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status, cancelled_at)
    VALUES (${ns}, 'ultimate_trial', ${q(day(-40))}, ${q(day(-10))}, ${q(status)},
    ${status === 'cancelled' ? 'now()' : 'NULL'}) RETURNING id`));
  return { customer, ns, trial };
}

const trialRow = (id) => {
  const [r] = sql(`SELECT t.ends_on::text, t.status, n.plan, t.lock_version FROM trials t
    JOIN namespaces n ON n.id = t.namespace_id WHERE t.id = ${id}`);
  return { ends: r[0], status: r[1], plan: r[2], lock: Number(r[3]) };
};

test('the customer\'s GitLab groups offer "Renew trial" to editors', async () => {
  const { customer, trial } = expiredTrial(tag());
  const { body } = await ed.json(`/admin/customers/${customer}`);
  const groups = body.related.find((r) => r.label === 'GitLab groups');
  const action = groups.rows[0].row_actions.find((a) => a.name === 'renew_trial');
  assert.equal(action.href, `/admin/trials/${trial}/renew_trial?return_to=/admin/customers/${customer}`);
  const asRo = await ro.json(`/admin/customers/${customer}`);
  assert.equal(asRo.body.related.find((r) => r.label === 'GitLab groups').rows[0].row_actions, undefined);
});

test('renew an expired trial: new end date, active again, plan back; back to the customer', async () => {
  const t = tag();
  const { customer, ns, trial } = expiredTrial(t);
  const form = await ed.get(`/admin/trials/${trial}/renew_trial?return_to=/admin/customers/${customer}`, { headers: HTML });
  assert.equal(form.status, 200);
  assert.match(form.text_, /<h1>Renew trial/);
  assert.match(form.text_, /name="ends_on" value="\d{4}-\d{2}-\d{2}"/);
  assert.match(form.text_, new RegExp(`name="return_to" value="/admin/customers/${customer}"`));
  const lv = form.text_.match(/name="lock_version" value="(\d+)"/)[1];

  const res = await ed.submit(`/admin/trials/${trial}/renew_trial`, {
    ends_on: day(30), lock_version: lv, return_to: `/admin/customers/${customer}`,
  });
  const { flash, location } = await follow(ed, res);
  assert.equal(location, `/admin/customers/${customer}`);
  assert.equal(flash, `Trial renewed: it now ends on ${day(30)}. The change is queued for GitLab.com.`);
  assert.deepEqual(trialRow(trial), { ends: day(30), status: 'active', plan: 'ultimate_trial', lock: 1 });
  await assertHistory(ed, 'trials', trial, 'update', ['ends_on', 'status']);
  await assertHistory(ed, 'namespaces', ns, 'update', ['plan']);
});

test('a date before today (UTC) is refused, with the typed date kept; today is fine', async () => {
  const { trial } = expiredTrial(tag());
  const lv = String(trialRow(trial).lock);
  let res = await ed.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: day(-1), lock_version: lv }, JSON_);
  assert.equal(res.status, 422);
  const body = JSON.parse(res.text_);
  assert.equal(fieldErrors(body).ends_on, `Trial ends on can't be before today (${day(0)}, UTC).`);
  assert.equal(body.form.fields[0].value, day(-1));
  res = await ed.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: '2031-02-30', lock_version: lv }, JSON_);
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).ends_on, /YYYY-MM-DD/);
  assert.equal(trialRow(trial).status, 'expired');

  res = await ed.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: day(0), lock_version: lv });
  assert.equal(res.status, 303);
  assert.equal(trialRow(trial).ends, day(0));
});

test('renew trial: a stale form gets the conflict page; a cancelled trial is refused', async () => {
  const { trial } = expiredTrial(tag());
  const lv = String(trialRow(trial).lock);
  let res = await ed.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: day(20), lock_version: lv });
  assert.equal(res.status, 303);
  res = await ed2.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: day(40), lock_version: lv }, JSON_);
  assert.equal(res.status, 409);
  const c = JSON.parse(res.text_).conflict.fields[0];
  assert.deepEqual([c.yours, c.current], [day(40), day(20)]);
  assert.equal(trialRow(trial).ends, day(20));

  const cancelled = expiredTrial(tag(), 'cancelled');
  res = await ed.submit(`/admin/trials/${cancelled.trial}/renew_trial`, { ends_on: day(5), lock_version: '0' }, JSON_);
  assert.equal(res.status, 422);
  assert.match(JSON.parse(res.text_).form.alert, /cancelled/);
  assert.equal(trialRow(cancelled.trial).status, 'cancelled');
});

test('renew trial: editors only, with the form token', async () => {
  const { trial } = expiredTrial(tag());
  assert.equal((await ro.get(`/admin/trials/${trial}/renew_trial`)).status, 403);
  let res = await ro.submit(`/admin/trials/${trial}/renew_trial`, { ends_on: day(9), lock_version: '0' }, JSON_);
  assert.equal(res.status, 403);
  res = await ed.post(`/admin/trials/${trial}/renew_trial`, { ends_on: day(9), lock_version: '0' }, { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.equal(trialRow(trial).status, 'expired');
  assert.equal((await ed.get('/admin/trials/999999999/renew_trial')).status, 404);
});
