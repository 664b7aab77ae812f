// Billing accounts and their contacts: the panel's own account fields,
// the Zuora-owned ones read-only with "Refresh from Zuora", contact edits
// with country and state checked (and queued for Zuora), and "Add new"
// importing a contact from Zuora by its ID.  Zuora here is the local
// stand-in (tests/lib/zuora.mjs) that tests/run.sh starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  clients, editForm, fieldErrors, assertHistory, follow, makeAccount, tag, sql, one, q,
  waitFor, outboxRows, zuoraId, EDITOR, ADMIN, HTML, JSON_,
  cleanup, track,
} from './edit_helpers.mjs';
import { zuora } from '../lib/zuora.mjs';
import { sleep } from '../lib/wait.mjs';

let ed; let ed2; let ro;
before(async () => {
  [ed, ed2, ro] = await clients(EDITOR, ADMIN, 'readonly@example.com');
});
after(async () => { await zuora.mode('up'); cleanup(); });

const account = (id) => {
  const [r] = sql(`SELECT zuora_account_name, company, coalesce(salesforce_account_id, ''),
    po_required, portal_required, support_hold, credit_hold, auto_pay, currency, lock_version
    FROM billing_accounts WHERE id = ${id}`);
  return {
    name: r[0], company: r[1], sfdc: r[2], po: r[3] === 't', portal: r[4] === 't', support: r[5] === 't',
    credit: r[6] === 't', autopay: r[7] === 't', currency: r[8], lock: Number(r[9]),
  };
};

test('billing account: edit name, company and SFDC account ID; history records who', async () => {
  const t = tag();
  const a = makeAccount(t);
  const f = await editForm(ed, `/admin/billing_accounts/${a.id}/edit`);
  assert.deepEqual(Object.keys(f.values), ['zuora_account_name', 'company', 'salesforce_account_id']);
  // Zuora's fields are shown, read-only.
  const labels = f.body.shown.map((s) => s.label);
  assert.deepEqual(labels, ['Zuora account ID', 'PO required', 'Portal required', 'Support hold',
    'Credit hold', 'Auto-pay', 'Currency']);
  const html = await ed.get(`/admin/billing_accounts/${a.id}/edit`, { headers: HTML });
  assert.match(html.text_, /Owned by Zuora/);
  assert.doesNotMatch(html.text_, /name="credit_hold"/);

  const res = await ed.submit(`/admin/billing_accounts/${a.id}`, {
    zuora_account_name: `Renamed ${t} GmbH`, company: `Renamed ${t}`, salesforce_account_id: '0014M00001kQx7bQAC',
    lock_version: f.lock_version,
    // Zuora-owned fields sent anyway are ignored.
    credit_hold: 'true', currency: 'EUR',
  });
  const { flash } = await follow(ed, res);
  assert.equal(flash, 'Billing account successfully updated');
  const now = account(a.id);
  assert.deepEqual([now.name, now.company, now.sfdc, now.credit, now.currency],
    [`Renamed ${t} GmbH`, `Renamed ${t}`, '0014M00001kQx7bQAC', false, 'USD']);
  await assertHistory(ed, 'billing_accounts', a.id, 'update', ['zuora_account_name', 'company', 'salesforce_account_id']);
});

test('billing account: a bad SFDC ID or a blank name is refused, typed values kept', async () => {
  const t = tag();
  const a = makeAccount(t);
  const before_ = account(a.id);
  const f = await editForm(ed, `/admin/billing_accounts/${a.id}/edit`);
  const res = await ed.submit(`/admin/billing_accounts/${a.id}`, {
    zuora_account_name: ' ', company: 'Kept Co', salesforce_account_id: 'not-an-id', lock_version: f.lock_version,
  }, JSON_);
  assert.equal(res.status, 422);
  const body = JSON.parse(res.text_);
  assert.deepEqual(Object.keys(fieldErrors(body)).sort(), ['salesforce_account_id', 'zuora_account_name']);
  assert.equal(body.form.fields.find((x) => x.name === 'company').value, 'Kept Co');
  assert.equal(body.form.fields.find((x) => x.name === 'salesforce_account_id').value, 'not-an-id');
  assert.deepEqual(account(a.id), before_);
});

test('billing account: the second of two editors gets the conflict page', async () => {
  const a = makeAccount(tag());
  const x = await editForm(ed, `/admin/billing_accounts/${a.id}/edit`);
  const y = await editForm(ed2, `/admin/billing_accounts/${a.id}/edit`);
  let res = await ed.submit(`/admin/billing_accounts/${a.id}`, { ...x.values, company: 'First Co', lock_version: x.lock_version });
  assert.equal(res.status, 303);
  res = await ed2.submit(`/admin/billing_accounts/${a.id}`, { ...y.values, company: 'Second Co', lock_version: y.lock_version }, JSON_);
  assert.equal(res.status, 409);
  const c = JSON.parse(res.text_).conflict.fields.find((f) => f.name === 'company');
  assert.deepEqual([c.yours, c.current], ['Second Co', 'First Co']);
  assert.equal(account(a.id).company, 'First Co');
});

// Zuora's "Retrieve an account" for our account, with these flags.
function zuoraAccount(a, flags) {
  return {
    basicInfo: {
      id: a.zid, name: 'Zuora Name', accountNumber: 'A00001',
      PORequired__c: flags.po ? 'Yes' : 'No', PortalRequired__c: flags.portal ?? false,
      SupportHold__c: flags.support ?? false, CreditHold__c: flags.credit ? 'Yes' : 'No',
    },
    billingAndPayment: { currency: flags.currency ?? 'USD', autoPay: flags.autopay ?? false },
  };
}

test('Refresh from Zuora re-reads the account and records what changed in history', async () => {
  const a = makeAccount(tag());
  const { body: page } = await ed.json(`/admin/billing_accounts/${a.id}`);
  assert.ok(page.post_actions.some((x) => x.name === 'refresh_from_zuora'));

  await zuora.account(zuoraAccount(a, { po: true, credit: true, currency: 'EUR' }));
  await zuora.clearRequests();
  const res = await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {});
  const { flash, kind } = await follow(ed, res);
  assert.equal(kind, 'notice');
  assert.equal(flash, 'Refreshed from Zuora: PO required, Credit hold, Currency changed.');
  const now = account(a.id);
  assert.deepEqual([now.po, now.credit, now.currency, now.support], [true, true, 'EUR', false]);
  const ev = await assertHistory(ed, 'billing_accounts', a.id, 'update', ['po_required', 'credit_hold', 'currency']);
  assert.equal(ev.changes.length, 3);
  const reqs = await zuora.requests();
  assert.ok(reqs.some((r) => r.method === 'GET' && r.path === `/v1/accounts/${a.zid}` && r.authorization === 'Bearer'));

  // Again: nothing changed, nothing written.
  const again = await follow(ed, await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}));
  assert.equal(again.flash, 'Refreshed from Zuora: nothing had changed.');
  assert.equal(account(a.id).lock, now.lock);
});

test('Refresh from Zuora fills each subscription\'s sales channel, community program and product', async () => {
  const a = makeAccount(tag());
  const zid = zuoraId();
  const sid = Number(one(`INSERT INTO zuora_subscriptions (zuora_subscription_id, name, billing_account_id,
      deployment_type, gitlab_plan, term_start_date, term_end_date, seats)
    VALUES (${q(zid)}, ${q(`RF-${tag()}`)}, ${a.id}, 'saas', 'premium', CURRENT_DATE - 100, CURRENT_DATE + 265, 5)
    RETURNING id`));
  const eligibility = () => sql(`SELECT sales_channel, coalesce(partner_name, ''), community_program,
    coalesce(product_name, ''), enterprise_agile_planning FROM zuora_subscriptions WHERE id = ${sid}`)[0];
  try {
    const bought = (extra) => zuora.account({ ...zuoraAccount(a, {}), subscriptions: [
      { id: zuoraId(), accountId: a.zid, invoiceOwnerAccountId: a.zid },
      { id: zid, accountId: a.zid, ratePlans: [{ productName: 'GitLab Premium - SaaS' },
        { productName: 'GitLab Enterprise Agile Planning - SaaS' }], ...extra },
    ] });
    await bought({ invoiceOwnerAccountId: zuoraId(), invoiceOwnerAccountName: 'Northstar Software Resellers',
      ChannelType__c: 'Reseller', CommunityProgram__c: 'Education' });
    let r = await follow(ed, await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}));
    assert.equal(r.flash, 'Refreshed from Zuora: 1 subscription changed.');
    assert.deepEqual(eligibility(),
      ['reseller', 'Northstar Software Resellers', 'education', 'GitLab Premium - SaaS', 't']);
    await assertHistory(ed, 'zuora_subscriptions', sid, 'update',
      ['sales_channel', 'partner_name', 'community_program', 'product_name', 'enterprise_agile_planning']);
    assert.ok((await zuora.requests()).some((x) => x.path === `/v1/subscriptions/accounts/${a.zid}`));
    r = await follow(ed, await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}));
    assert.equal(r.flash, 'Refreshed from Zuora: nothing had changed.');

    await bought({ invoiceOwnerAccountId: zuoraId(), invoiceOwnerAccountName: 'Summit Cloud Marketplace',
      ChannelType__c: 'Channel Partner', CommunityProgram__c: 'Open Source', ratePlans: [] });
    await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {});
    assert.deepEqual(eligibility(), ['channel_partner', 'Summit Cloud Marketplace', 'open_source', '', 'f']);
    // Bought directly: the invoice owner is the account itself.
    await bought({ invoiceOwnerAccountId: a.zid, CommunityProgram__c: 'Startups' });
    await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {});
    assert.deepEqual(eligibility(), ['direct', '', 'startups', 'GitLab Premium - SaaS', 't']);
  } finally {
    sql(`DELETE FROM zuora_subscriptions WHERE id = ${sid}`);
  }
});

test('Refresh from Zuora with Zuora down changes nothing and says so', async () => {
  const a = makeAccount(tag());
  await zuora.account(zuoraAccount(a, { credit: true }));
  const before_ = account(a.id);
  for (const mode of ['down', 'error']) {
    await zuora.mode(mode);
    try {
      const j = await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}, JSON_);
      assert.equal(j.status, 502, mode);
      assert.equal(JSON.parse(j.text_).error, 'zuora_unavailable');
      const { kind, flash } = await follow(ed, await ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}));
      assert.equal(kind, 'alert');
      assert.match(flash, /Zuora could not be reached.*Nothing was changed/);
    } finally {
      await zuora.mode('up');
    }
  }
  assert.deepEqual(account(a.id), before_);
  // An account Zuora does not know.
  const b = makeAccount(tag());
  const j = await ed.submit(`/admin/billing_accounts/${b.id}/refresh_from_zuora`, {}, JSON_);
  assert.equal(j.status, 502);
  assert.equal(JSON.parse(j.text_).error, 'zuora_not_found');
});

test('a slow Zuora is waited for in a task: bounded, and the panel keeps serving meanwhile', async () => {
  const a = makeAccount(tag());
  await zuora.account(zuoraAccount(a, { credit: true }));
  await zuora.mode('slow', 5000); // beyond zuora_http_timeout (3 s in the tests)
  try {
    const t0 = Date.now();
    const refresh = ed.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}, JSON_);
    await sleep(300);
    // Meanwhile, other requests (on either worker) are answered at once.
    const quick = await Promise.all(Array.from({ length: 6 }, async () => {
      const s = Date.now();
      const res = await fetch(`${process.env.APP_URL}/healthz`);
      return { status: res.status, ms: Date.now() - s };
    }));
    assert.ok(quick.every((x) => x.status === 200 && x.ms < 1500), JSON.stringify(quick));
    const res = await refresh;
    const took = Date.now() - t0;
    assert.equal(res.status, 502);
    assert.ok(took >= 2500 && took < 12000, `answered after ${took} ms`);
  } finally {
    await zuora.mode('up');
  }
  assert.equal(account(a.id).credit, false, 'nothing changed');
});

test('Refresh from Zuora: editors only, with the form token', async () => {
  const a = makeAccount(tag());
  let res = await ro.submit(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}, JSON_);
  assert.equal(res.status, 403);
  res = await ed.post(`/admin/billing_accounts/${a.id}/refresh_from_zuora`, {}, { headers: JSON_ });
  assert.equal(res.status, 403);
  res = await ed.submit('/admin/billing_accounts/999999999/refresh_from_zuora', {});
  assert.equal(res.status, 404);
});

const contact = (id) => {
  const [r] = sql(`SELECT first_name, last_name, work_email, coalesce(address1, ''), coalesce(address2, ''),
    country, coalesce(state, ''), coalesce(city, ''), coalesce(postal_code, ''), lock_version
    FROM billing_account_contacts WHERE id = ${id}`);
  return {
    first: r[0], last: r[1], email: r[2], address1: r[3], address2: r[4], country: r[5], state: r[6],
    city: r[7], postal: r[8], lock: Number(r[9]),
  };
};

test('contact: edit the Guide\'s fields; queued for Zuora and delivered', async () => {
  const t = tag();
  const a = makeAccount(t);
  await zuora.contact({ id: a.zcid, firstName: 'Bill' });
  const f = await editForm(ed, `/admin/billing_account_contacts/${a.contactId}/edit`);
  assert.deepEqual(Object.keys(f.values), ['first_name', 'last_name', 'work_email', 'address1', 'address2',
    'country', 'state', 'city', 'postal_code']);
  const country = f.fields.find((x) => x.name === 'country');
  assert.ok(country.is_select);
  assert.ok(country.options.length >= 249);
  assert.equal(country.options.find((o) => o.selected).value, 'US');

  const res = await ed.submit(`/admin/billing_account_contacts/${a.contactId}`, {
    first_name: 'Ona', last_name: 'Tario', work_email: `ona-${t}@edit-tests.example`,
    address1: '88 Queen St W', address2: 'Floor 3', country: 'CA', state: 'on', city: 'Toronto',
    postal_code: 'M5H 2M5', lock_version: f.lock_version,
  });
  const { flash } = await follow(ed, res);
  assert.equal(flash, 'Billing account contact successfully updated');
  assert.deepEqual(contact(a.contactId), {
    first: 'Ona', last: 'Tario', email: `ona-${t}@edit-tests.example`, address1: '88 Queen St W',
    address2: 'Floor 3', country: 'CA', state: 'Ontario', city: 'Toronto', postal: 'M5H 2M5', lock: 1,
  });
  await assertHistory(ed, 'billing_account_contacts', a.contactId, 'update',
    ['first_name', 'last_name', 'work_email', 'address2', 'country', 'state', 'city', 'postal_code']);

  const [ob] = outboxRows('billing_account_contacts', a.contactId);
  assert.equal(ob.payload.zuora_contact_id, a.zcid);
  assert.deepEqual(ob.payload.contact, {
    firstName: 'Ona', lastName: 'Tario', workEmail: `ona-${t}@edit-tests.example`, address1: '88 Queen St W',
    address2: 'Floor 3', city: 'Toronto', state: 'Ontario', zipCode: 'M5H 2M5', country: 'Canada',
  });
  await waitFor('the contact sync', () => outboxRows('billing_account_contacts', a.contactId)[0].status === 'sent');
  const z = await zuora.contactNow(a.zcid);
  assert.deepEqual([z.firstName, z.state, z.country], ['Ona', 'Ontario', 'Canada']);
  const { body } = await ro.json(`/admin/billing_account_contacts/${a.contactId}`);
  assert.equal(body.panels.find((p) => p.name === 'outbox').outbox[0].status, 'sent');
});

test('contact: country must be ISO 3166-1, and a US/CA state one of the country\'s', async () => {
  const t = tag();
  const a = makeAccount(t);
  const f = await editForm(ed, `/admin/billing_account_contacts/${a.contactId}/edit`);
  const post = (over) => ed.submit(`/admin/billing_account_contacts/${a.contactId}`,
    { ...f.values, lock_version: f.lock_version, ...over }, JSON_);

  let res = await post({ country: 'XX', state: 'Anything' });
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).country, /is not a country/);

  res = await post({ country: 'US', state: 'Narnia' });
  assert.equal(res.status, 422);
  let body = JSON.parse(res.text_);
  assert.deepEqual(fieldErrors(body), { state: '\u201cNarnia\u201d is not a state or province of United States.' });
  assert.equal(body.form.fields.find((x) => x.name === 'state').value, 'Narnia');

  res = await post({ country: 'CA', state: '' });
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).state, /required for Canada/);

  res = await post({ work_email: 'nope@', first_name: '' });
  body = JSON.parse(res.text_);
  assert.deepEqual(Object.keys(fieldErrors(body)).sort(), ['first_name', 'work_email']);
  assert.equal(contact(a.contactId).lock, 0, 'nothing saved');
  assert.equal(outboxRows('billing_account_contacts', a.contactId).length, 0);

  // Elsewhere the state is free text, and the country can be typed by name.
  res = await post({ country: 'Germany', state: 'Bayern' });
  assert.equal(res.status, 303);
  assert.deepEqual([contact(a.contactId).country, contact(a.contactId).state], ['DE', 'Bayern']);
});

test('contact: read-only staff get 403 and change nothing', async () => {
  const a = makeAccount(tag());
  const f = await editForm(ed, `/admin/billing_account_contacts/${a.contactId}/edit`);
  const res = await ro.submit(`/admin/billing_account_contacts/${a.contactId}`, { ...f.values, first_name: 'X', lock_version: f.lock_version }, JSON_);
  assert.equal(res.status, 403);
  assert.equal(contact(a.contactId).first, 'Bill');
});

test('Add new contact: imported from Zuora by its ID, attached to its billing account', async () => {
  const t = tag();
  const a = makeAccount(t);
  const zcid = zuoraId();
  await zuora.contact({
    id: zcid, accountId: a.zid, firstName: 'Imported', lastName: `Person${t}`, workEmail: `imp-${t}@edit-tests.example`,
    address1: '1 Import Rd', address2: null, city: 'Austin', state: 'TX', zipCode: '73301', country: 'United States',
  });
  const list = await ed.json('/admin/billing_account_contacts');
  assert.equal(list.body.new_href, '/admin/billing_account_contacts/new');
  const form = await ed.get('/admin/billing_account_contacts/new', { headers: HTML });
  assert.equal(form.status, 200);
  assert.match(form.text_, /name="zuora_contact_id"/);

  track.contact(zcid);
  const res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: zcid.toUpperCase() });
  const { flash, location } = await follow(ed, res);
  assert.equal(flash, 'Billing account contact imported from Zuora');
  const id = Number(location.split('/').pop());
  const [r] = sql(`SELECT zuora_contact_id, billing_account_id, first_name, last_name, work_email, address1,
    address2 IS NULL, city, state, postal_code, country FROM billing_account_contacts WHERE id = ${id}`);
  assert.deepEqual(r, [zcid, String(a.id), 'Imported', `Person${t}`, `imp-${t}@edit-tests.example`,
    '1 Import Rd', 't', 'Austin', 'Texas', '73301', 'US']);
  await assertHistory(ed, 'billing_account_contacts', id, 'create', ['first_name', 'zuora_contact_id']);

  // Once only.
  const again = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: zcid }, JSON_);
  assert.equal(again.status, 422);
  assert.match(fieldErrors(JSON.parse(again.text_)).zuora_contact_id, /already imported/);
});

test('Add new contact: a contact of an account we do not have comes without one', async () => {
  const zcid = zuoraId();
  await zuora.contact({ id: zcid, accountId: zuoraId(), firstName: 'Loose', lastName: 'Contact',
    workEmail: `loose-${tag()}@edit-tests.example`, country: 'DE', state: 'Berlin', city: 'Berlin' });
  track.contact(zcid);
  const res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: zcid });
  assert.equal(res.status, 303);
  assert.equal(one(`SELECT billing_account_id IS NULL FROM billing_account_contacts WHERE zuora_contact_id = ${q(zcid)}`), 't');
});

test('Add new contact: malformed, unknown, unusable, or Zuora down: nothing imported, value kept', async () => {
  const count = () => one('SELECT count(*) FROM billing_account_contacts');
  const n = count();
  let res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: 'not-hex' }, JSON_);
  assert.equal(res.status, 422);
  assert.match(fieldErrors(JSON.parse(res.text_)).zuora_contact_id, /32 hexadecimal/);

  const unknown = zuoraId();
  res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: unknown }, JSON_);
  assert.equal(res.status, 422);
  assert.equal(fieldErrors(JSON.parse(res.text_)).zuora_contact_id, 'Zuora has no contact with this ID.');

  const odd = zuoraId();
  await zuora.contact({ id: odd, firstName: 'Odd', lastName: 'One', workEmail: 'odd@edit-tests.example', country: 'Atlantis' });
  res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: odd }, JSON_);
  assert.equal(res.status, 422);
  assert.match(JSON.parse(res.text_).form.alert, /cannot be imported as it is.*Atlantis/);

  const later = zuoraId();
  await zuora.contact({ id: later, firstName: 'Later', lastName: 'On', workEmail: 'later@edit-tests.example', country: 'FR' });
  await zuora.mode('down');
  try {
    res = await ed.submit('/admin/billing_account_contacts', { zuora_contact_id: later }, HTML);
    assert.equal(res.status, 502);
    assert.match(res.text_, /Zuora could not be reached/);
    assert.match(res.text_, new RegExp(`name="zuora_contact_id" value="${later}"`));
  } finally {
    await zuora.mode('up');
  }
  assert.equal(count(), n);
  res = await ro.submit('/admin/billing_account_contacts', { zuora_contact_id: later }, JSON_);
  assert.equal(res.status, 403);
  assert.equal(count(), n);
});
