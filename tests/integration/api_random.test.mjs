// The sales system's API (POST /api/v1/temporary_extensions) under random
// bodies: each field now as the sales system sends it, now of another
// type (numbers past every limit, floats, booleans, null, arrays,
// objects), odd text (other scripts, control characters, lengths past the
// limits), unknown fields, repeated keys, and JSON cut short.  Every
// answer is an extension (201) or an error object with its code (400,
// 404, 422), never a 500 or a 503; a refused request makes no extension.
// RANDOM_SEED=<seed> repeats the same requests, API_ROUNDS=<n> makes more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomRounds } from '../lib/random.mjs';
import { Client } from '../lib/http.mjs';
import {
  account, subscription, cleanup, api, tag, one, OPPORTUNITY,
} from './support_helpers.mjs';

const ROUNDS = Number(process.env.API_ROUNDS ?? 80);
const anon = new Client();
const subs = [];
before(() => {
  // In the window (ends in 5 days), SaaS and self-managed; one outside it.
  for (const [type, ends] of [['saas', 5], ['sm', 3], ['saas', 5], ['sm', 60]]) {
    subs.push(subscription(account(tag()).id, { type, ends }));
  }
});
after(() => { cleanup(); });

// Written into the JSON text as they are: numbers JSON.stringify cannot make.
const RAW = ['1e400', '-1e400', '1e-400', '12345678901234567890123', '-0', '0.0', '1E2', '2.5',
  '-3', '0', '1000000', '1000001', '9223372036854775807', '9223372036854775808', 'true', 'false',
  'null', '[]', '{}', '["x"]', '{"a":1}', '""', '" "', '"\\u0000"', '"\\ud800"', '"\\n"',
  '"Ж"', '"🙂"', `"${'x'.repeat(300)}"`, `"${'y'.repeat(5000)}"`, '"<b>x</b>"', '"\'; --"'];

function field(g, typical) {
  const r = g.next();
  if (r < 0.7) return JSON.stringify(typical);
  return g.pick(RAW);
}

const extensionCount = () => Number(one('SELECT count(*) FROM temporary_extensions'));

test('random bodies: an extension or an error object with its code, never a 500', async (t) => {
  const seen = { 201: 0, 400: 0, 404: 0, 422: 0 };
  await randomRounds(t, { rounds: ROUNDS, seen, enough: (s) => s[400] > 0 }, async (g, i, tell) => {
    const sub = g.pick(subs);
    const parts = [];
    const put = (k, typical) => { if (g.next() < 0.95) parts.push(`${JSON.stringify(k)}: ${field(g, typical)}`); };
    put('zuora_subscription_id', g.next() < 0.9 ? sub.zid : g.pick(['f'.repeat(32), sub.name, sub.zid.toUpperCase()]));
    put('salesforce_opportunity_id', OPPORTUNITY());
    put('reason', g.pick(['Procurement delay', 'Renewal in progress']));
    if (g.next() < 0.6) put('users', g.pick([1, 35, '35', 1000000]));
    if (g.next() < 0.3) put('notes', 'Asked by the account manager');
    if (g.next() < 0.1) parts.push(`"unknown_${g.int(9)}": ${g.pick(RAW)}`);
    if (g.next() < 0.1 && parts.length > 0) parts.push(g.pick(parts)); // a key twice
    let text = `{${parts.join(', ')}}`;
    if (g.next() < 0.05) text = text.slice(0, g.int(text.length));
    const before_ = extensionCount();
    const why = tell(`request ${i}: ${text.slice(0, 400)}`);
    const r = await api(anon, text);
    assert.ok(r.status in seen, `${r.status} for ${why}: ${r.res.text_.slice(0, 300)}`);
    seen[r.status]++;
    if (r.status === 201) {
      assert.ok(r.body.id > 0, why);
    } else {
      assert.ok(r.body?.error?.code && r.body.error.message, `an error object: ${why}: ${r.res.text_.slice(0, 300)}`);
      assert.equal(extensionCount(), before_, `an extension though refused: ${why}`);
    }
  });
});
