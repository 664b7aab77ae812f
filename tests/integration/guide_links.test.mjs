// The Fulfillment Guide's own links and words: RailsAdmin's singular
// model paths (the QSR FAQ's filtered list, SFDC's record links) lead to
// the panel's pages with their query; /admin/sign_in and /admins/sign_in
// offer "Sign in with Okta"; the page policy lets Impersonate reach the
// configured portal and nothing else; "Renew trial" is not offered where
// it would be refused; a mistyped list's 404 offers the list it meant.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Client, APP_URL } from '../lib/http.mjs';
import { clients, one, HTML } from './edit_helpers.mjs';

let ed; let ro;
before(async () => { [ed, ro] = await clients('editor@example.com', 'readonly@example.com'); });

const QSR = '/admin/reconciliation?&f[error_message][98073][o]=like&f[error_message][98073][v]=' +
  'MaxAdditionalSeatsExceededError&model_name=reconciliation&sort=reconcile_on&sort_reverse=true';

test('the QSR FAQ\'s link: a permanent redirect to the list, filtered as it says', async () => {
  const res = await ro.get(QSR, { headers: HTML });
  assert.equal(res.status, 301);
  const to = res.headers.get('location');
  assert.equal(to, QSR.replace('/admin/reconciliation?', '/admin/reconciliations?'));
  const { res: list, body } = await ro.json(to);
  assert.equal(list.status, 200, list.text_.slice(0, 300));
  assert.ok(body.rows.length > 0, 'the demo has such a reconciliation');
  for (const r of body.rows) {
    const cell = JSON.stringify(r);
    assert.match(cell, /MaxAdditionalSeatsExceededError/);
  }
});

test('every resource answers at its RailsAdmin singular path: list, show, edit, history, export', async () => {
  const models = {
    customer: 'customers', billing_account: 'billing_accounts', billing_account_contact: 'billing_account_contacts',
    billing_account_membership: 'billing_account_memberships', zuora_subscription: 'zuora_subscriptions',
    invoice: 'invoices', payment_method: 'payment_methods', license: 'licenses',
    license_seat_link: 'license_seat_links', order: 'orders', reconciliation: 'reconciliations',
    namespace: 'namespaces', trial: 'trials',
  };
  for (const [one_, many] of Object.entries(models)) {
    const id = one(`SELECT min(id) FROM ${many}`);
    for (const [from, to] of [
      [`/admin/${one_}`, `/admin/${many}`],
      [`/admin/${one_}?query=a&model_name=${one_}`, `/admin/${many}?query=a&model_name=${one_}`],
      [`/admin/${one_}/${id}`, `/admin/${many}/${id}`],
      [`/admin/${one_}/${id}/edit`, `/admin/${many}/${id}/edit`],
      [`/admin/${one_}/${id}/history`, `/admin/${many}/${id}/history`],
      [`/admin/${one_}/export.csv?sort=id`, `/admin/${many}/export.csv?sort=id`],
    ]) {
      const res = await ro.get(from);
      assert.equal(res.status, 301, from);
      assert.equal(res.headers.get('location'), to, from);
    }
    // The list takes RailsAdmin's model_name as it comes.
    const { res } = await ro.json(`/admin/${many}?model_name=${one_}`);
    assert.equal(res.status, 200, `${many}: ${res.text_.slice(0, 200)}`);
    assert.equal((await ro.get(`/admin/${many}/${id}`, { headers: HTML })).status, 200);
  }
  // SFDC's "QSR Notes" record link.
  const rec = one('SELECT min(id) FROM reconciliations');
  const res = await ro.get(`/admin/reconciliation/${rec}`);
  assert.equal(res.headers.get('location'), `/admin/reconciliations/${rec}`);
  // Not signed in: the redirect first, then the sign-in the page asks for.
  const anon = new Client();
  const a = await anon.get(`/admin/reconciliation/${rec}`, { headers: HTML });
  assert.equal(a.status, 301);
});

test('/admin/sign_in and /admins/sign_in: "Sign in with Okta"; also after signing out', async () => {
  const anon = new Client();
  for (const path of ['/admin/sign_in', '/admins/sign_in']) {
    const to = await anon.get(path, { headers: HTML });
    assert.equal(to.status, 301, path);
    assert.equal(to.headers.get('location'), '/auth/sign_in');
  }
  const res = await anon.get('/auth/sign_in', { headers: HTML });
  assert.equal(res.status, 200);
  assert.match(res.text_, /<a class="button" href="\/auth\/signin" data-action="sign-in-okta">Sign in with Okta<\/a>/);
  const signed = await ro.get('/auth/sign_in', { headers: HTML });
  assert.equal(signed.status, 303);
  assert.equal(signed.headers.get('location'), '/admin');
  const out = await anon.get('/auth/signedout', { headers: HTML });
  assert.match(out.text_, />Sign in with Okta</);
});

test('the page policy lets forms reach the customers portal, and only it', async () => {
  const res = await ro.get('/admin', { headers: HTML });
  const csp = res.headers.get('content-security-policy');
  const origin = new URL(process.env.CDOT_PORTAL_BASE_URL).origin;
  assert.match(csp, new RegExp(`form-action 'self' ${origin.replace(/[.:/]/g, '\\$&')};`));
  assert.equal(csp.match(/form-action[^;]*/)[0].split(' ').length, 3, 'nothing else');
  assert.ok(APP_URL);
});

test('"Renew trial" is not offered on a cancelled trial', async () => {
  const cancelled = one('SELECT min(id) FROM trials WHERE status = \'cancelled\'');
  const active = one('SELECT min(id) FROM trials WHERE status <> \'cancelled\'');
  const { body: c } = await ed.json(`/admin/trials/${cancelled}`);
  assert.ok(!(c.actions ?? []).some((x) => x.name === 'renew_trial'));
  const { body: a } = await ed.json(`/admin/trials/${active}`);
  assert.ok(a.actions.some((x) => x.name === 'renew_trial'));
  const { body: list } = await ed.json('/admin/trials');
  for (const row of list.rows) {
    const offered = (row.row_actions ?? []).some((x) => x.name === 'renew_trial');
    const status = one(`SELECT status FROM trials WHERE id = ${Number(row.id)}`);
    assert.equal(offered, status !== 'cancelled', `trial ${row.id} (${status})`);
  }
});

test('a 404 for a mistyped list offers the list it meant', async () => {
  for (const [typed, meant] of [['custmers', 'customers'], ['reconcilations', 'reconciliations'],
    ['billing_acounts', 'billing_accounts']]) {
    const res = await ro.get(`/admin/${typed}/1`, { headers: HTML });
    assert.equal(res.status, 404, typed);
    assert.match(res.text_, new RegExp(`Did you mean <a href="/admin/${meant}">`), typed);
  }
  const res = await ro.get('/admin/zzzzzzzzzz/1', { headers: HTML });
  assert.equal(res.status, 404);
  assert.ok(!res.text_.includes('Did you mean'));
});
