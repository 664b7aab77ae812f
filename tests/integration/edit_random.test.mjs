// Edit forms under random input: customers, billing accounts and their
// contacts, each form posted with some fields kept and others set to odd
// values (other scripts, markup, SQL and LIKE metacharacters, lengths at
// and past the limits, numbers, dates and e-mail addresses at their
// edges), and now and then a stale or malformed lock_version.  Every
// answer is saved (303), refused with messages beside the fields (422),
// the conflict page (409) or a message about the form itself (400), never
// a 500; a refused form changes nothing in the record.
// RANDOM_SEED=<seed> repeats the same posts, EDIT_ROUNDS=<n> makes more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomRounds } from '../lib/random.mjs';
import {
  client, editForm, assertFormAnswer, makeCustomer, makeAccount, tag, one, cleanup, EDITOR, JSON_,
} from './edit_helpers.mjs';

const ROUNDS = Number(process.env.EDIT_ROUNDS ?? 120);

let ed;
const records = [];
before(async () => {
  ed = await client(EDITOR);
  for (let i = 0; i < 3; i++) {
    const t = tag();
    records.push({ table: 'customers', id: makeCustomer(t) });
    const a = makeAccount(t);
    records.push({ table: 'billing_accounts', id: a.id });
    records.push({ table: 'billing_account_contacts', id: a.contactId });
  }
});
after(() => { cleanup(); });

const ODD = [
  '', ' ', '   x   ', '<b>bold</b>', '"quoted"', "O'Brien", '%', '_', '\\', "'; DROP TABLE customers;--",
  'Σ', 'ß', 'İstanbul', '日本語', '🙂', 'e\u0301', '\u200b', '\u202e', 'Ａ', 'a\r\nb', '\t',
  'x'.repeat(100), 'x'.repeat(101), 'Ж'.repeat(255), 'Ж'.repeat(256), '語'.repeat(300),
  'a@b.co', 'user@example.com', 'USER@EXAMPLE.COM', 'no-at-sign', 'a@b', '@b.co', 'a@@b.co',
  `${'l'.repeat(64)}@example.com`, `${'l'.repeat(250)}@example.com`, 'üser@exämple.com',
  '0', '-1', '1e9', '9223372036854775808', '2024-02-29', '2023-02-29', '9999-12-31',
  'true', 'false', 'on', 'yes', 'US', 'DE', 'XX', 'us', 'California', 'Bavaria', 'Nowhere',
  '00000000000000000000000000000000', 'f'.repeat(32), 'F'.repeat(32), 'g'.repeat(32),
  '001000000000001', '001000000000001AAA', '0010000000000', 'https://gitlab.zendesk.com/agent/tickets/1',
];

function oddValue(g) {
  const n = 1 + g.int(2);
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(g.pick(ODD));
  return parts.join(g.next() < 0.5 ? '' : ' ');
}

const snapshot = (r) => one(`SELECT row_to_json(t)::text FROM ${r.table} t WHERE id = ${r.id}`);

test('random edits: saved, refused beside the fields, or a conflict; never a 500, never half-saved', async (t) => {
  const seen = { 303: 0, 422: 0 };
  await randomRounds(t, { rounds: ROUNDS, seen, enough: (s) => s[303] > 0 && s[422] > 0 }, async (g, i, tell) => {
    const r = g.pick(records);
    const f = await editForm(ed, `/admin/${r.table}/${r.id}/edit`);
    const form = { lock_version: f.lock_version };
    for (const fd of f.fields) {
      // Kept: cleanup() finds the contacts it made by their Zuora ID.
      if (fd.name === 'zuora_contact_id' || g.next() < 0.5) form[fd.name] = fd.value;
      else if (fd.options && g.next() < 0.5) form[fd.name] = g.pick(fd.options).value;
      else if (g.next() < 0.1) continue; // left out altogether
      else form[fd.name] = oddValue(g);
    }
    if (g.next() < 0.08) form.lock_version = String(Number(f.lock_version) - 1);
    if (g.next() < 0.02) form.lock_version = g.pick(['', 'x', '1.5', '99999999999999999999']);
    const before_ = snapshot(r);
    const why = tell(`post ${i} to ${r.table}/${r.id}: ${JSON.stringify(form).slice(0, 600)}`);
    const res = await ed.submit(`/admin/${r.table}/${r.id}`, form, JSON_);
    const refused = assertFormAnswer(res, seen, why);
    if (refused) assert.equal(refused.form.fields.length, f.fields.length, `every field is shown again: ${why}`);
    if (res.status !== 303) assert.equal(snapshot(r), before_, `changed though refused: ${why}`);
  });
});
