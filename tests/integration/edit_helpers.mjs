// Helpers shared by the edit_*.test.mjs files.  Each file makes its own
// records (emails @edit-tests.example, names with a random tag) so the
// files never depend on each other, nor change the demo records that
// other tests count.
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { signedInClient } from '../lib/signin.mjs';
import { sql, one, q } from '../lib/db.mjs';
import { zuoraId } from '../lib/zuora.mjs';
import { waitFor } from '../lib/wait.mjs';

export { sql, one, q, zuoraId, waitFor };

export const EDITOR = 'editor@example.com';
export const ADMIN = 'admin@example.com';
export const ACTOR = `admin:${EDITOR}`;
export const HTML = { accept: 'text/html' };
export const JSON_ = { accept: 'application/json' };

export const tag = () => randomBytes(4).toString('hex');
export const sha256 = (s) => createHash('sha256').update(s).digest('hex');

// A signed-in client that knows its form token (c.csrf) and posts forms
// with it (c.submit(path, form, headers = HTML)).
export const client = (email) => signedInClient(email);

// Signed-in clients, one for each email, in that order.
export const clients = (...emails) => Promise.all(emails.map(client));

// The edit form as JSON: { lock_version, values: {name: value}, fields }.
export async function editForm(c, path) {
  const { res, body } = await c.json(path);
  assert.equal(res.status, 200, `${path}: ${res.text_.slice(0, 300)}`);
  const values = Object.fromEntries(body.form.fields.map((f) => [f.name, f.value]));
  return { lock_version: body.form.lock_version, values, fields: body.form.fields, body };
}

// The answer to a form posted with random values (JSON): done (303),
// refused beside the fields (422), the conflict page (409) or a message
// about the form itself (400), counted in seen; anything else fails, why
// saying what was posted.  Returns the 422's body, else null.
export function assertFormAnswer(res, seen, why) {
  assert.ok([303, 400, 409, 422].includes(res.status), `${res.status} for ${why}: ${res.text_.slice(0, 300)}`);
  seen[res.status] = (seen[res.status] ?? 0) + 1;
  if (res.status === 400) assert.ok(JSON.parse(res.text_).error.length > 0, `no message: ${why}`);
  if (res.status !== 422) return null;
  const body = JSON.parse(res.text_);
  assert.ok(body.form.fields.some((x) => x.error) || body.form.alert, `no message: ${why}`);
  return body;
}

// The messages beside the fields of a refused form (JSON answer).
export function fieldErrors(body) {
  return Object.fromEntries(body.form.fields.filter((f) => f.error).map((f) => [f.name, f.error]));
}

export async function history(c, resource, id) {
  const { res, body } = await c.json(`/admin/${resource}/${id}/history`);
  assert.equal(res.status, 200);
  return body.events;
}

// The newest history event of a record must be this, by the editor.
export async function assertHistory(c, resource, id, event, fields, actor = ACTOR) {
  const [ev] = await history(c, resource, id);
  assert.ok(ev, `${resource}/${id} has history`);
  assert.equal(ev.event, event, `${resource}/${id}: ${JSON.stringify(ev)}`);
  assert.equal(ev.actor, actor);
  const changed = ev.changes.map((ch) => ch.field);
  for (const f of fields) assert.ok(changed.includes(f), `${f} in ${changed}`);
  return ev;
}

// The flash after a redirect: follow it and read the page.
export async function follow(c, res) {
  assert.equal(res.status, 303, `expected a redirect, got ${res.status}: ${res.text_.slice(0, 400)}`);
  const page = await c.get(res.headers.get('location'), { headers: HTML });
  const m = page.text_.match(/<div class="flash flash-(\w+)" role="status">([^<]*)<\/div>/);
  return { page, location: res.headers.get('location'), kind: m?.[1], flash: m ? decode(m[2]) : null };
}

export function decode(s) {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

// What this file made, removed again by cleanup() (run it in after()), so
// that lists counted by other files look as the demo data left them.
const made = { customers: [], accounts: [], contacts: [], namespaces: [] };
export const track = {
  customer: (id) => made.customers.push(Number(id)),
  account: (id) => made.accounts.push(Number(id)),
  contact: (zuoraContactId) => made.contacts.push(zuoraContactId),
  namespace: (id) => made.namespaces.push(Number(id)),
};

export function cleanup() {
  const ids = (list) => (list.length ? list.join(', ') : 'NULL');
  const zids = made.contacts.length ? made.contacts.map(q).join(', ') : 'NULL';
  // Memberships, tokens and grants go with their customer; contacts are
  // left unattached by their account, then removed.
  sql(`BEGIN;
    DELETE FROM namespaces WHERE id IN (${ids(made.namespaces)});
    DELETE FROM customers WHERE id IN (${ids(made.customers)});
    DELETE FROM billing_accounts WHERE id IN (${ids(made.accounts)});
    DELETE FROM billing_account_contacts WHERE zuora_contact_id IN (${zids});
    COMMIT;`);
  for (const list of Object.values(made)) list.length = 0;
}

export function makeCustomer(t, extra = {}) {
  const first = extra.first ?? `Edith${t}`;
  const last = extra.last ?? 'Tester';
  const email = extra.email ?? `customer-${t}@edit-tests.example`;
  const id = Number(one(`INSERT INTO customers (first_name, last_name, email, company, login_activated)
    VALUES (${q(first)}, ${q(last)}, ${q(email)}, 'Edit Tests', ${extra.login === false ? 'false' : 'true'})
    RETURNING id`));
  track.customer(id);
  return id;
}

// A billing account with one contact as Bill_To and Sold_To (the
// database wants both set by COMMIT), optionally that contact's email.
export function makeAccount(t, { email, country = 'US', state = 'California' } = {}) {
  const zid = zuoraId();
  const zcid = zuoraId();
  const rows = sql(`BEGIN;
    INSERT INTO billing_accounts (zuora_account_id, zuora_account_name, company, currency)
      VALUES (${q(zid)}, ${q(`Edit Tests ${t} Inc.`)}, ${q(`Edit Tests ${t}`)}, 'USD');
    INSERT INTO billing_account_contacts (zuora_contact_id, billing_account_id, first_name, last_name,
        work_email, address1, city, state, postal_code, country)
      SELECT ${q(zcid)}, id, 'Bill', ${q(`Payer${t}`)}, ${q(email ?? `ap-${t}@edit-tests.example`)},
        '1 Test Way', 'Testville', ${q(state)}, '94000', ${q(country)}
        FROM billing_accounts WHERE zuora_account_id = ${q(zid)};
    UPDATE billing_accounts SET
        bill_to_contact_id = (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = ${q(zcid)}),
        sold_to_contact_id = (SELECT id FROM billing_account_contacts WHERE zuora_contact_id = ${q(zcid)})
      WHERE zuora_account_id = ${q(zid)};
    COMMIT;
    SELECT b.id, c.id FROM billing_accounts b JOIN billing_account_contacts c
      ON c.billing_account_id = b.id WHERE b.zuora_account_id = ${q(zid)};`);
  track.account(rows[0][0]);
  track.contact(zcid);
  return { id: Number(rows[0][0]), contactId: Number(rows[0][1]), zid, zcid };
}

export function outboxRows(type, id) {
  return sql(`SELECT id, status, attempts, coalesce(last_error, ''), payload::text
    FROM outbox WHERE record_type = ${q(type)} AND record_id = ${id} ORDER BY id`)
    .map(([oid, status, attempts, lastError, payload]) => ({
      id: Number(oid), status, attempts: Number(attempts), lastError, payload: JSON.parse(payload),
    }));
}
