// Editing customers: the form, who may use it, CSRF, validation with the
// typed values kept, unique email, lost-update protection (409), "Login
// activated", history with the actor, and the Zuora contact sync through
// the outbox (delivered by cdot-outbox; Zuora down never fails an edit).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  client, editForm, fieldErrors, assertHistory, follow, makeCustomer, makeAccount, tag,
  sql, one, q, waitFor, outboxRows, ACTOR, EDITOR, ADMIN, HTML, JSON_, decode,
  cleanup,
} from './edit_helpers.mjs';
import { zuora } from '../lib/zuora.mjs';

let ed; let ed2; let ro; let sup;
before(async () => {
  await zuora.reset();
  [ed, ed2, ro, sup] = await Promise.all([
    client(EDITOR), client(ADMIN), client('readonly@example.com'), client('support@example.com'),
  ]);
});
after(async () => { await zuora.mode('up'); cleanup(); });

const row = (id) => {
  const [r] = sql(`SELECT first_name, last_name, email, login_activated, lock_version
    FROM customers WHERE id = ${id}`);
  return { first: r[0], last: r[1], email: r[2], login: r[3] === 't', lock: Number(r[4]) };
};

test('an editor edits first name, last name and email; history records who', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const html = await ed.get(`/admin/customers/${id}/edit`, { headers: HTML });
  assert.equal(html.status, 200);
  assert.match(html.text_, /<form class="edit-form" method="post" action="\/admin\/customers\/\d+"/);
  assert.match(html.text_, /name="csrf_token"/);
  assert.match(html.text_, /name="lock_version" value="0"/);

  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  assert.deepEqual(Object.keys(f.values), ['first_name', 'last_name', 'email', 'login_activated']);
  const res = await ed.submit(`/admin/customers/${id}`, {
    ...f.values, lock_version: f.lock_version,
    first_name: 'Edwina', last_name: 'Testerson', email: `edwina-${t}@edit-tests.example`,
  });
  const { location, kind, flash, page } = await follow(ed, res);
  assert.equal(location, `/admin/customers/${id}`);
  assert.equal(kind, 'notice');
  assert.equal(flash, 'Customer successfully updated');
  assert.match(page.text_, /Edwina Testerson/);

  assert.deepEqual(row(id), {
    first: 'Edwina', last: 'Testerson', email: `edwina-${t}@edit-tests.example`, login: true, lock: 1,
  });
  const ev = await assertHistory(ed, 'customers', id, 'update', ['first_name', 'last_name', 'email']);
  const first = ev.changes.find((ch) => ch.field === 'first_name');
  assert.equal(first.old, `Edith${t}`);
  assert.equal(first.new, 'Edwina');
  // The History page, as a person reads it.
  const hist = await ed.get(`/admin/customers/${id}/history`, { headers: HTML });
  assert.match(hist.text_, new RegExp(`by <span class="actor">${ACTOR}</span>`));
});

test('"Login activated" off blocks the customer; on again; both in history', async () => {
  const id = makeCustomer(tag());
  let f = await editForm(ed, `/admin/customers/${id}/edit`);
  // The unticked box sends only its hidden "false".
  let res = await ed.submit(`/admin/customers/${id}`, { ...f.values, login_activated: 'false', lock_version: f.lock_version });
  assert.equal(res.status, 303);
  assert.equal(row(id).login, false);
  let ev = await assertHistory(ed, 'customers', id, 'update', ['login_activated']);
  assert.deepEqual([ev.changes[0].old, ev.changes[0].new], ['Yes', 'No']);

  f = await editForm(ed, `/admin/customers/${id}/edit`);
  assert.equal(f.fields.find((x) => x.name === 'login_activated').checked, false);
  // A ticked box sends "false" then "true": the last one wins.
  const body = new URLSearchParams([['csrf_token', ed.csrf], ['lock_version', f.lock_version],
    ['first_name', f.values.first_name], ['last_name', f.values.last_name], ['email', f.values.email],
    ['login_activated', 'false'], ['login_activated', 'true']]);
  res = await ed.request(`/admin/customers/${id}`, {
    method: 'POST', body: body.toString(),
    headers: { ...HTML, 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(res.status, 303);
  assert.equal(row(id).login, true);
  ev = await assertHistory(ed, 'customers', id, 'update', ['login_activated']);
  assert.deepEqual([ev.changes[0].old, ev.changes[0].new], ['No', 'Yes']);
});

test('a rejected form keeps every typed value, with a message beside each wrong field', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const before_ = row(id);
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  const typed = { first_name: '   ', last_name: 'Keeps <Typed> & "Quoted"', email: 'not-an-email', login_activated: 'false' };
  const res = await ed.submit(`/admin/customers/${id}`, { ...typed, lock_version: f.lock_version });
  assert.equal(res.status, 422);
  assert.match(res.text_, /Nothing was saved/);
  // The typed values, escaped, in the re-rendered inputs.
  assert.match(res.text_, /name="last_name" value="Keeps &lt;Typed&gt; &amp; &quot;Quoted&quot;"/);
  assert.match(res.text_, /name="email" value="not-an-email"/);
  assert.match(res.text_, /name="login_activated" value="true">/);
  assert.doesNotMatch(res.text_, /name="login_activated" value="true" checked/);
  // Each message beside its field.
  const block = (name) => res.text_.match(new RegExp(`<div class="field has-error" data-field="${name}">[\\s\\S]*?</div>`))?.[0] ?? '';
  assert.match(block('first_name'), /First name can&#39;t be blank\./);
  assert.match(block('email'), /Email is not a valid email address/);
  assert.equal(block('last_name'), '');
  assert.deepEqual(row(id), before_, 'nothing changed');

  // The same as JSON.
  const j = await ed.submit(`/admin/customers/${id}`, { ...typed, lock_version: f.lock_version }, JSON_);
  assert.equal(j.status, 422);
  const body = JSON.parse(j.text_);
  assert.deepEqual(Object.keys(fieldErrors(body)).sort(), ['email', 'first_name']);
  assert.equal(body.form.fields.find((x) => x.name === 'last_name').value, typed.last_name);
});

test('an email another customer has (whatever its case) is refused beside the field', async () => {
  const t = tag();
  const id = makeCustomer(t);
  makeCustomer(`${t}b`, { email: `taken-${t}@edit-tests.example` });
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  const res = await ed.submit(`/admin/customers/${id}`, {
    ...f.values, first_name: 'Changed', email: `TAKEN-${t}@Edit-Tests.example`, lock_version: f.lock_version,
  }, JSON_);
  assert.equal(res.status, 422);
  assert.deepEqual(fieldErrors(JSON.parse(res.text_)), { email: 'Email is already used by another customer.' });
  assert.equal(row(id).first, `Edith${t}`, 'the whole change was refused');
  assert.equal(one(`SELECT count(*) FROM versions WHERE item_type = 'customers' AND item_id = ${id}
    AND event = 'update'`), '0');
});

test('two editors: the second save gets the conflict page with both values, nothing overwritten', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const a = await editForm(ed, `/admin/customers/${id}/edit`);
  const b = await editForm(ed2, `/admin/customers/${id}/edit`);
  assert.equal(a.lock_version, b.lock_version);

  let res = await ed.submit(`/admin/customers/${id}`, { ...a.values, first_name: 'FirstSaver', lock_version: a.lock_version });
  assert.equal(res.status, 303);

  res = await ed2.submit(`/admin/customers/${id}`, {
    ...b.values, first_name: 'SecondSaver', last_name: 'Late', lock_version: b.lock_version,
  }, HTML);
  assert.equal(res.status, 409);
  assert.match(res.text_, /changed by someone else/);
  const tr = (name) => res.text_.match(new RegExp(`<tr data-field="${name}"[^>]*>[\\s\\S]*?</tr>`))?.[0] ?? '';
  assert.match(tr('first_name'), /class="differs"/);
  assert.match(tr('first_name'), /<td class="yours">SecondSaver<\/td><td class="current">FirstSaver<\/td>/);
  assert.match(tr('last_name'), /<td class="yours">Late<\/td><td class="current">Tester<\/td>/);
  assert.doesNotMatch(tr('email'), /differs/);
  assert.match(tr('login_activated'), /<td class="yours">(Yes|No)<\/td><td class="current">(Yes|No)<\/td>/);
  assert.deepEqual([row(id).first, row(id).last], ['FirstSaver', 'Tester'], 'not overwritten');

  // JSON: the same, machine-readable.
  const j = await ed2.submit(`/admin/customers/${id}`, {
    ...b.values, first_name: 'SecondSaver', lock_version: b.lock_version,
  }, JSON_);
  assert.equal(j.status, 409);
  const body = JSON.parse(j.text_);
  const fn = body.conflict.fields.find((x) => x.name === 'first_name');
  assert.deepEqual([fn.yours, fn.current, fn.differs], ['SecondSaver', 'FirstSaver', true]);
  // The conflict form re-applies theirs at the current version, on purpose.
  assert.equal(body.form.lock_version, String(row(id).lock));
  res = await ed2.submit(`/admin/customers/${id}`, {
    ...Object.fromEntries(body.form.fields.map((x) => [x.name, x.value])), lock_version: body.form.lock_version,
  });
  assert.equal(res.status, 303);
  assert.equal(row(id).first, 'SecondSaver');
  await assertHistory(ed, 'customers', id, 'update', ['first_name'], `admin:${ADMIN}`);
});

test('saving unchanged values changes nothing and says so', async () => {
  const id = makeCustomer(tag());
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  const res = await ed.submit(`/admin/customers/${id}`, { ...f.values, lock_version: f.lock_version });
  const { flash } = await follow(ed, res);
  assert.equal(flash, 'Nothing was changed.');
  assert.equal(row(id).lock, 0);
});

test('only editors: read-only and support staff get 403 and change nothing', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  for (const c of [ro, sup]) {
    const page = await c.get(`/admin/customers/${id}/edit`, { headers: HTML });
    assert.equal(page.status, 403);
    const res = await c.submit(`/admin/customers/${id}`, { ...f.values, first_name: 'Hacked', lock_version: f.lock_version }, JSON_);
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.text_).reason, 'role');
    // No Edit button for them either.
    const { body } = await c.json(`/admin/customers/${id}`);
    assert.equal(body.actions, undefined);
  }
  assert.equal(row(id).first, `Edith${t}`);
});

test('a post without the form token, or with another session\'s, is refused (CSRF)', async () => {
  const t = tag();
  const id = makeCustomer(t);
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  let res = await ed.post(`/admin/customers/${id}`, { ...f.values, first_name: 'Forged', lock_version: f.lock_version }, { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.equal(JSON.parse(res.text_).reason, 'csrf');
  res = await ed.post(`/admin/customers/${id}`, {
    ...f.values, first_name: 'Forged', lock_version: f.lock_version, csrf_token: ed2.csrf,
  }, { headers: JSON_ });
  assert.equal(res.status, 403);
  // A stale token: from a session since signed out, in a new session.
  const gone = await client(EDITOR);
  assert.equal((await gone.submit('/auth/signout', {})).status, 303);
  const fresh = await client(EDITOR);
  res = await fresh.post(`/admin/customers/${id}`, {
    ...f.values, first_name: 'Forged', lock_version: f.lock_version, csrf_token: gone.csrf,
  }, { headers: JSON_ });
  assert.equal(res.status, 403);
  assert.equal(JSON.parse(res.text_).reason, 'csrf');
  assert.equal(row(id).first, `Edith${t}`);
});

test('a form without its lock_version is refused; an unknown customer is 404', async () => {
  const id = makeCustomer(tag());
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  let res = await ed.submit(`/admin/customers/${id}`, { ...f.values, first_name: 'NoVersion' });
  assert.equal(res.status, 400);
  res = await ed.submit('/admin/customers/999999999', { ...f.values, lock_version: '0' });
  assert.equal(res.status, 404);
  res = await ed.get('/admin/customers/999999999/edit');
  assert.equal(res.status, 404);
  // A resource that has no edit form.
  res = await ed.get('/admin/invoices/1/edit');
  assert.equal(res.status, 404);
});

// The customer is the Bill_To/Sold_To of their billing account.
function customerWithContact(t) {
  const email = `synced-${t}@edit-tests.example`;
  const id = makeCustomer(t, { email });
  const acct = makeAccount(t, { email });
  sql(`INSERT INTO billing_account_memberships (customer_id, billing_account_id) VALUES (${id}, ${acct.id})`);
  return { id, acct, email };
}

test('a name change is queued for Zuora in the same transaction and delivered by the outbox worker', async () => {
  const t = tag();
  const { id, acct } = customerWithContact(t);
  await zuora.contact({ id: acct.zcid, firstName: 'Bill', lastName: `Payer${t}`, workEmail: 'x@y.zz' });
  await zuora.clearRequests();

  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  const res = await ed.submit(`/admin/customers/${id}`, {
    ...f.values, first_name: 'Synced', last_name: `Name${t}`, lock_version: f.lock_version,
  });
  assert.equal(res.status, 303);

  // The matching contact changed with the customer, in history too.
  assert.deepEqual(sql(`SELECT first_name, last_name FROM billing_account_contacts WHERE id = ${acct.contactId}`)[0],
    ['Synced', `Name${t}`]);
  await assertHistory(ed, 'billing_account_contacts', acct.contactId, 'update', ['first_name', 'last_name']);

  const [ob] = outboxRows('customers', id);
  assert.equal(ob.payload.zuora_contact_id, acct.zcid);
  assert.deepEqual(ob.payload.contact, { firstName: 'Synced', lastName: `Name${t}`, workEmail: f.values.email });

  await waitFor('the sync to be sent', () => outboxRows('customers', id)[0].status === 'sent');
  const puts = (await zuora.requests()).filter((r) => r.method === 'PUT' && r.path === `/v1/contacts/${acct.zcid}`);
  assert.equal(puts.length, 1);
  assert.equal(puts[0].authorization, 'Bearer');
  assert.deepEqual(puts[0].body, ob.payload.contact);
  assert.equal((await zuora.contactNow(acct.zcid)).firstName, 'Synced');

  // Its state is on the customer's page.
  const { body } = await ed.json(`/admin/customers/${id}`);
  const panel = body.panels.find((p) => p.name === 'outbox');
  assert.equal(panel.outbox[0].status, 'sent');
  assert.equal(panel.outbox[0].kind, 'zuora_contact_sync');
  const html = await ed.get(`/admin/customers/${id}`, { headers: HTML });
  assert.match(html.text_, /<h2>Zuora sync<\/h2>/);

  // "Login activated" alone is nothing Zuora has: no sync.
  const g = await editForm(ed, `/admin/customers/${id}/edit`);
  await ed.submit(`/admin/customers/${id}`, { ...g.values, login_activated: 'false', lock_version: g.lock_version });
  assert.equal(outboxRows('customers', id).length, 1);
});

test('Zuora down never fails the edit: the sync waits, is retried with backoff, then sent', async () => {
  const t = tag();
  const { id, acct } = customerWithContact(t);
  await zuora.contact({ id: acct.zcid, firstName: 'Bill' });
  await zuora.mode('down');
  try {
    const f = await editForm(ed, `/admin/customers/${id}/edit`);
    const res = await ed.submit(`/admin/customers/${id}`, { ...f.values, first_name: 'WhileDown', lock_version: f.lock_version });
    const { flash } = await follow(ed, res);
    assert.equal(flash, 'Customer successfully updated');
    assert.equal(row(id).first, 'WhileDown');

    const failed = await waitFor('a failed attempt', () => {
      const [ob] = outboxRows('customers', id);
      return ob.attempts >= 2 && ob.lastError !== '' ? ob : null;
    });
    assert.equal(failed.status, 'pending');
    assert.match(failed.lastError, /Zuora|reach|connection|recv|fail/i);
    const [[next]] = sql(`SELECT next_attempt_at > now() FROM outbox WHERE id = ${failed.id}`);
    assert.equal(next, 't', 'the next attempt waits (backoff)');
    const { body } = await ed.json(`/admin/customers/${id}`);
    assert.equal(body.panels.find((p) => p.name === 'outbox').outbox[0].status, 'pending');
  } finally {
    await zuora.mode('up');
  }
  const sent = await waitFor('the retry to succeed', () => {
    const [ob] = outboxRows('customers', id);
    return ob.status === 'sent' ? ob : null;
  }, 20000);
  assert.equal(sent.lastError, '');
  assert.equal((await zuora.contactNow(acct.zcid)).firstName, 'WhileDown');
});

test('all or nothing: when the contact cannot take the change, the customer keeps theirs too', async () => {
  const t = tag();
  const { id, acct } = customerWithContact(t);
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  const long = 'L'.repeat(150); // fine for a customer (255), too long for a contact (100)
  const res = await ed.submit(`/admin/customers/${id}`, { ...f.values, last_name: long, lock_version: f.lock_version }, JSON_);
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).last_name, /too long for the customer's Zuora contact/);
  assert.equal(row(id).last, 'Tester');
  assert.equal(row(id).lock, 0);
  assert.equal(outboxRows('customers', id).length, 0);
  assert.equal(one(`SELECT count(*) FROM versions WHERE ((item_type = 'customers' AND item_id = ${id})
    OR (item_type = 'billing_account_contacts' AND item_id = ${acct.contactId})) AND event = 'update'`), '0');
});

test('the edit page answers JSON, and the list offers Edit to editors only', async () => {
  const id = makeCustomer(tag());
  const f = await editForm(ed, `/admin/customers/${id}/edit`);
  assert.equal(f.body.form.action, `/admin/customers/${id}`);
  assert.equal(f.fields.find((x) => x.name === 'email').required, true);
  const { body } = await ed.json('/admin/customers?query=edit-tests.example');
  assert.ok(body.rows.length > 0);
  assert.ok(body.rows.every((r) => r.row_actions.some((a) => a.name === 'edit')));
  const asRo = await ro.json('/admin/customers');
  assert.ok(asRo.body.rows.every((r) => r.row_actions === undefined));
  assert.equal(decode('&#39;'), "'");
});
