// A customer's timeline: the history of the customer, their memberships
// (removed ones too), their billing account with its contacts, and the
// namespaces they own, newest first, with who made each change; a panel
// of the newest 20 on the customer's page and the whole timeline a page
// at a time at /admin/customers/<id>/timeline, HTML and JSON.  Another
// customer's changes never appear; a bad page number is a 400.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  client, editForm, follow, makeCustomer, makeAccount, tag, sql, one, q, track,
  ACTOR, EDITOR, ADMIN, HTML, JSON_, cleanup, decode,
} from './edit_helpers.mjs';

const ADMIN_ACTOR = `admin:${ADMIN}`;
const TICKET = 'https://gitlab.zendesk.com/agent/tickets/';
let ed; let adm; let ro; let sup;
before(async () => {
  [ed, adm, ro, sup] = await Promise.all([
    client(EDITOR), client(ADMIN), client('readonly@example.com'), client('support@example.com'),
  ]);
});
after(() => { cleanup(); });

const timeline = async (c, id, page) => {
  const { res, body } = await c.json(`/admin/customers/${id}/timeline${page === undefined ? '' : `?page=${page}`}`);
  assert.equal(res.status, 200, res.text_.slice(0, 300));
  return body;
};

// Events newest first: their versions ids only go down.
const assertNewestFirst = (events) => {
  for (let i = 1; i < events.length; i++) {
    assert.ok(Number(events[i - 1].id) > Number(events[i].id), `event ${i} is older than ${i - 1}`);
  }
};

// A form as its edit page shows it, posted with some values changed.
async function edit(c, path, changes) {
  const f = await editForm(c, `${path}/edit`);
  const res = await c.submit(path, { ...f.values, ...changes, lock_version: f.lock_version });
  assert.equal(res.status, 303, `${path}: ${res.status} ${res.text_.slice(0, 300)}`);
}

function makeNamespace(t, owner) {
  const id = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan,
      extra_ci_minutes) VALUES (${700000000 + Math.floor(Math.random() * 100000000)},
      ${q(`timeline-${t}`)}, ${q(`Timeline ${t}`)}, 'group', ${owner}, 'free', 1000) RETURNING id`));
  track.namespace(id);
  return id;
}

// Support > Namespace controls: extra CI minutes, with a ticket.
async function setMinutes(c, nsId, minutes, ticket) {
  const path = one(`SELECT path FROM namespaces WHERE id = ${nsId}`);
  const { body: page } = await c.json(`/admin/support/namespaces?tab=extra_ci_minutes&namespace=${path}`);
  assert.ok(page.form, JSON.stringify(page.lookups));
  const hidden = Object.fromEntries((page.form.hidden ?? []).map((h) => [h.name, h.value]));
  const res = await c.submit(page.form.action, {
    lock_version: page.form.lock_version, ...hidden, extra_ci_minutes: String(minutes), zendesk_ticket: ticket,
  });
  assert.equal(res.status, 303, res.text_.slice(0, 300));
}

test('changes made through the panel appear on the customer\'s timeline, newest first, with who made them', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const other = makeCustomer(`${t}x`);
  const a = makeAccount(t);
  const ns = makeNamespace(t, id);
  const otherNs = makeNamespace(`${t}x`, other);

  // The customer joins the account, through the panel.
  let res = await ed.submit('/admin/billing_account_memberships', { customer_id: String(id), billing_account_id: String(a.id) });
  assert.equal(res.status, 303);
  const mid = one(`SELECT id FROM billing_account_memberships WHERE customer_id = ${id}`);
  await edit(ed, `/admin/customers/${id}`, { first_name: `Tim${t}` });
  await edit(ed, `/admin/billing_accounts/${a.id}`, { company: `Timeline Co ${t}` });
  await edit(ed, `/admin/billing_account_contacts/${a.contactId}`, { address1: '2 Timeline Road' });
  const tk = `${TICKET}${100000 + Math.floor(Math.random() * 899999)}`;
  await setMinutes(adm, ns, 2500, tk);
  // Another customer's changes, made after.
  await edit(ed, `/admin/customers/${other}`, { first_name: `Other${t}` });
  await setMinutes(adm, otherNs, 3000, tk);

  const body = await timeline(ro, id);
  const ev = body.events;
  assertNewestFirst(ev);
  assert.equal(body.title, `Timeline of Tim${t} Tester`);
  assert.equal(body.customer.href, `/admin/customers/${id}`);
  const mine = ev.filter((e) => e.actor !== 'system').map((e) => [e.item_type, e.item_id, e.event, e.actor]);
  assert.deepEqual(mine, [
    ['namespaces', String(ns), 'update', ADMIN_ACTOR],
    ['billing_account_contacts', String(a.contactId), 'update', ACTOR],
    ['billing_accounts', String(a.id), 'update', ACTOR],
    ['customers', String(id), 'update', ACTOR],
    ['billing_account_memberships', mid, 'create', ACTOR],
  ]);

  // Each as the history pages show it: the fields old -> new, the record.
  const [nsEv, contactEv, accountEv, customerEv] = ev.filter((e) => e.actor !== 'system');
  assert.deepEqual(nsEv.changes.map((c) => [c.field, c.old, c.new]), [['extra_ci_minutes', '1000', '2500']]);
  assert.equal(nsEv.ticket_url, tk);
  assert.equal(nsEv.record_href, `/admin/namespaces/${ns}`);
  assert.equal(nsEv.record_label, `Namespace #${ns}`);
  assert.ok(contactEv.changes.some((c) => c.field === 'address1' && c.new === '2 Timeline Road'));
  assert.ok(accountEv.changes.some((c) => c.field === 'company' && c.new === `Timeline Co ${t}`));
  assert.deepEqual(customerEv.changes.map((c) => [c.label, c.old, c.new]), [['First name', `Edith${t}`, `Tim${t}`]]);
  assert.equal(customerEv.event_label, 'Updated');
  assert.match(customerEv.at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

  // What was made before (by the system): the records' creation.
  for (const [type, rid] of [['customers', id], ['billing_accounts', a.id], ['billing_account_contacts', a.contactId],
    ['namespaces', ns]]) {
    assert.ok(ev.some((e) => e.item_type === type && e.item_id === String(rid) && e.event === 'create'), `${type} created`);
  }
  // Nothing of the other customer's.
  assert.ok(!ev.some((e) => (e.item_type === 'customers' && e.item_id === String(other)) ||
    (e.item_type === 'namespaces' && e.item_id === String(otherNs))), 'no event of the other customer');
  const theirs = await timeline(ro, other);
  assert.ok(theirs.events.some((e) => e.item_type === 'customers' && e.event === 'update'));
  assert.ok(!theirs.events.some((e) => e.item_type === 'billing_accounts' || e.item_id === String(ns)));

  // The same as a person reads it.
  const html = await ro.get(`/admin/customers/${id}/timeline`, { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, new RegExp(`<h1>Timeline of Tim${t} Tester</h1>`));
  const links = [...html.text_.matchAll(/<a href="([^"]+)" class="event-record">([^<]+)<\/a>\s*by <span class="actor">([^<]+)<\/span>/g)]
    .map((m) => [m[1], decode(m[2]), m[3]]);
  assert.deepEqual(links.slice(0, 2), [
    [`/admin/namespaces/${ns}`, `Namespace #${ns}`, ADMIN_ACTOR],
    [`/admin/billing_account_contacts/${a.contactId}`, `Billing account contact #${a.contactId}`, ACTOR],
  ]);
  assert.match(html.text_, /<td class="old">1000<\/td><td class="arrow">→<\/td><td class="new">2500<\/td>/);
  assert.match(html.text_, new RegExp(`ticket <a href="${tk}"`));
});

test('a removed membership stays on the timeline, with who removed it', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const a = makeAccount(t);
  let res = await ed.submit('/admin/billing_account_memberships', { customer_id: String(id), billing_account_id: String(a.id) });
  assert.equal(res.status, 303);
  const mid = one(`SELECT id FROM billing_account_memberships WHERE customer_id = ${id}`);
  const page = await ed.get(`/admin/billing_account_memberships/${mid}/delete`, { headers: HTML });
  const lv = page.text_.match(/name="lock_version" value="(\d+)"/)[1];
  res = await adm.submit(`/admin/billing_account_memberships/${mid}/delete`, { lock_version: lv });
  assert.equal((await follow(adm, res)).flash, 'Billing account membership successfully deleted');

  const { events } = await timeline(sup, id);
  const m = events.filter((e) => e.item_type === 'billing_account_memberships');
  assert.deepEqual(m.map((e) => [e.item_id, e.event, e.actor]), [[mid, 'delete', ADMIN_ACTOR], [mid, 'create', ACTOR]]);
  assert.ok(m[0].changes.some((c) => c.field === 'customer_id' && c.value === String(id)));
  // The account is no longer theirs: its later changes are not.
  await edit(ed, `/admin/billing_accounts/${a.id}`, { company: `Gone ${t}` });
  const after_ = await timeline(sup, id);
  assert.ok(!after_.events.some((e) => e.item_type === 'billing_accounts' && e.event === 'update'));
});

test('the customer page shows the newest 20 events and links to the rest; pages of 50', async () => {
  const t = tag();
  const id = makeCustomer(t);
  // 60 changes, one transaction each, by a named actor.
  const updates = Array.from({ length: 60 }, (_, i) => `BEGIN;
    SELECT set_config('cdot.actor', 'admin:paging@example.com', true);
    UPDATE customers SET company = ${q(`Co ${i}`)} WHERE id = ${id};
    COMMIT;`).join('\n');
  sql(updates);

  // The panel: JSON and HTML, for every role that sees the customer.
  for (const c of [ro, ed, sup]) {
    const { res, body } = await c.json(`/admin/customers/${id}`);
    assert.equal(res.status, 200);
    assert.equal(body.timeline.events.length, 20);
    assert.equal(body.timeline.more, true);
    assert.equal(body.timeline.href, `/admin/customers/${id}/timeline`);
    assertNewestFirst(body.timeline.events);
    assert.deepEqual(body.timeline.events[0].changes.map((ch) => [ch.field, ch.old, ch.new]), [['company', 'Co 58', 'Co 59']]);
  }
  const show = await ro.get(`/admin/customers/${id}`, { headers: HTML });
  const panel = show.text_.match(/<section class="related panel timeline" data-panel="timeline"[\s\S]*?<\/section>/)?.[0] ?? '';
  assert.equal((panel.match(/<li class="event /g) ?? []).length, 20);
  assert.match(panel, new RegExp(`<a href="/admin/customers/${id}/timeline" data-timeline="all">`));
  assert.match(panel, /by <span class="actor">admin:paging@example.com<\/span>/);

  // The whole timeline: 61 events (60 updates and the creation).
  const p1 = await timeline(ro, id);
  const p2 = await timeline(ro, id, 2);
  assert.equal(p1.events.length, 50);
  assert.equal(p1.next_href, '?page=2');
  assert.equal(p1.prev_href, undefined);
  assert.equal(p2.events.length, 11);
  assert.equal(p2.next_href, undefined);
  assert.equal(p2.prev_href, '?page=1');
  const all = [...p1.events, ...p2.events];
  assertNewestFirst(all);
  assert.equal(all.at(-1).event, 'create');
  assert.deepEqual(p1.events.slice(0, 20).map((e) => e.id), (await ro.json(`/admin/customers/${id}`)).body.timeline.events.map((e) => e.id));
  // Past the end: an empty page, not an error.
  const p9 = await timeline(ro, id, 9);
  assert.deepEqual(p9.events, []);
  const html = await ro.get(`/admin/customers/${id}/timeline?page=9`, { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, /No history yet\./);
  assert.match((await ro.get(`/admin/customers/${id}/timeline?page=2`, { headers: HTML })).text_, /<a href="\?page=1" rel="prev">/);
});

test('a bad page number is a 400, an unknown customer a 404; never a 500', async () => {
  const id = makeCustomer(tag());
  for (const p of ['0', '-1', 'abc', '', '1.5', '401', '2x', '99999999999999999999999', '%00']) {
    for (const headers of [JSON_, HTML]) {
      const res = await ro.get(`/admin/customers/${id}/timeline?page=${p}`, { headers });
      assert.equal(res.status, 400, `page=${p}: ${res.status}`);
      // A NUL byte is refused with the other query parameters' message.
      if (headers === JSON_ && p !== '%00') assert.match(JSON.parse(res.text_).error, /The page must be a number from 1 to 400/);
    }
  }
  assert.equal((await ro.get(`/admin/customers/${id}/timeline?page=400`, { headers: JSON_ })).status, 200);
  const gone = Number(one('SELECT coalesce(max(id), 0) + 1000000 FROM customers'));
  for (const c of [gone, '99999999999999999999', '9223372036854775808']) {
    const res = await ro.get(`/admin/customers/${c}/timeline`, { headers: JSON_ });
    assert.equal(res.status, 404, `customer ${c}: ${res.status}`);
  }
});
