// The sales system's retries of POST /api/v1/temporary_extensions: a
// repeat of a request already answered (same subscription and Salesforce
// opportunity in the current term, or the same Idempotency-Key), one
// after the other or at the same time, gets the first answer again (201,
// same body) and makes no second extension, license or e-mail; another
// request for the same term is still refused.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL } from '../lib/http.mjs';
import { smtp } from '../lib/smtp.mjs';
import {
  tag, one, account, subscription, cleanup, OPPORTUNITY, MESSAGES, API,
} from './support_helpers.mjs';
import { sleep } from '../lib/wait.mjs';

after(() => { cleanup(); });

async function post(body, headers = {}) {
  const res = await fetch(`${APP_URL}${API}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${process.env.CDOT_SALES_SERVICE_TOKEN}`,
      ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), location: res.headers.get('location') };
}

const sm = () => subscription(account(tag()).id, { type: 'sm', ends: 6, plan: 'premium' });
const count = (sub) => Number(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`));

test('the same request twice: one extension, one license, one e-mail, the same answer', async () => {
  const sub = sm();
  const req = { zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Procurement delay',
    users: 20 };
  const first = await post(req);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await post(req);
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  assert.equal(again.location, first.location);
  assert.equal(count(sub), 1);
  assert.equal(one(`SELECT count(*) FROM licenses WHERE zuora_subscription_id = ${sub.id}`), '1');
  const contact = one(`SELECT work_email FROM billing_account_contacts WHERE billing_account_id =
    (SELECT billing_account_id FROM zuora_subscriptions WHERE id = ${sub.id})`);
  await smtp.waitFor(contact);
  await sleep(500);
  assert.equal((await smtp.messages()).filter((m) => m.to.includes(contact)).length, 1, 'one e-mail');

  // Another opportunity for the same term is still refused.
  const other = await post({ ...req, salesforce_opportunity_id: OPPORTUNITY() });
  assert.equal(other.status, 422);
  assert.equal(other.body.error.message, MESSAGES.upcoming(sub.termEnd));
});

test('the same request twice at once: one extension, both answered alike', async () => {
  const sub = subscription(account(tag()).id, { type: 'saas', ends: 4 });
  const req = { zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Budget' };
  const [a, b] = await Promise.all([post(req), post(req)]);
  assert.deepEqual([a.status, b.status], [201, 201], JSON.stringify([a.body, b.body]));
  assert.deepEqual(a.body, b.body);
  assert.equal(count(sub), 1);
});

test('an Idempotency-Key: its repeat answered alike; reused for another subscription, refused', async () => {
  const sub = subscription(account(tag()).id, { type: 'saas', ends: 3 });
  const key = `retry-${tag()}`;
  const req = { zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Waiting on PO' };
  const first = await post(req, { 'idempotency-key': key });
  assert.equal(first.status, 201);
  const again = await post({ ...req, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Waiting on PO (retry)' },
    { 'idempotency-key': key });
  assert.equal(again.status, 201);
  assert.deepEqual(again.body, first.body);
  assert.equal(one(`SELECT idempotency_key FROM temporary_extensions WHERE id = ${first.body.id}`), key);

  const elsewhere = subscription(account(tag()).id, { type: 'saas', ends: 3 });
  const reused = await post({ ...req, zuora_subscription_id: elsewhere.zid }, { 'idempotency-key': key });
  assert.equal(reused.status, 422);
  assert.equal(reused.body.error.code, 'idempotency_key_reused');
  assert.equal(count(elsewhere), 0);

  const bad = await post(req, { 'idempotency-key': 'x'.repeat(256) });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'Idempotency-Key');
  assert.equal(count(sub), 1);

});
