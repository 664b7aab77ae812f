// Support's namespace controls under random input: extra CI minutes,
// additional storage and max seats set to numbers past their limits,
// signs, fractions, other digits and text, with tickets well-formed or
// not, and now and then a stale or missing version.  Every answer is done
// (303), refused with messages beside the fields (422), the conflict page
// (409) or a message about the form (400), never a 500; a refused form
// leaves the namespace as it was.
// RANDOM_SEED=<seed> repeats the same posts, SUPPORT_ROUNDS=<n> makes more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomRounds } from '../lib/random.mjs';
import {
  client, assertFormAnswer, tag, one, namespace, SUPPORT, TICKET, JSON_, cleanup,
} from './support_helpers.mjs';

const SCREEN = '/admin/support/namespaces';
const TABS = ['extra_ci_minutes', 'additional_storage', 'reset_max_seats'];
const ROUNDS = Number(process.env.SUPPORT_ROUNDS ?? 60);

let sup;
const spaces = [];
before(async () => {
  sup = await client(SUPPORT);
  for (let i = 0; i < 2; i++) spaces.push(namespace(tag()));
});
after(() => { cleanup(); });

const NUMBERS = ['0', '1', '2500', '-1', '-0', '2147483647', '2147483648', '9223372036854775808',
  '99999999999999999999', '1.5', '1e3', '0x10', ' 7', '7 ', '٣', '', 'ten', '<b>1</b>', '１'];
const TICKETS = ['https://gitlab.zendesk.com/agent/tickets/0', 'http://gitlab.zendesk.com/agent/tickets/1',
  'https://gitlab.zendesk.com/agent/tickets/99999999999999999999', 'https://evil.example/agent/tickets/1',
  'javascript:alert(1)', '', 'Ж'.repeat(300)];

const state = (ns) => one(`SELECT row_to_json(n)::text FROM namespaces n WHERE id = ${ns.id}`);

test('random namespace controls: done, refused beside the fields, or a conflict; never a 500', async (t) => {
  const seen = { 303: 0, 422: 0 };
  await randomRounds(t, { rounds: ROUNDS, seen, enough: (s) => s[303] > 0 && s[422] > 0 }, async (g, i, tell) => {
    const ns = g.pick(spaces);
    const tab = g.pick(TABS);
    const { res: pageRes, body: page } = await sup.json(`${SCREEN}?${new URLSearchParams({ tab, namespace: ns.path })}`);
    assert.equal(pageRes.status, 200);
    assert.ok(page.form, `a form on ${tab}`);
    const form = Object.fromEntries((page.form.hidden ?? []).map((h) => [h.name, h.value]));
    form.lock_version = g.next() < 0.9 ? page.form.lock_version : g.pick(['0', '-1', 'x', '']);
    for (const f of page.form.fields) {
      if (f.name === 'zendesk_ticket') {
        form[f.name] = g.next() < 0.75 ? `${TICKET}${100000 + g.int(899999)}` : g.pick(TICKETS);
      } else {
        form[f.name] = g.next() < 0.5 ? String(g.int(100000)) : g.pick(NUMBERS);
      }
    }
    const before_ = state(ns);
    const why = tell(`post ${i} to ${tab} of ${ns.path}: ${JSON.stringify(form).slice(0, 400)}`);
    const res = await sup.submit(page.form.action, form, JSON_);
    assertFormAnswer(res, seen, why);
    if (res.status !== 303) assert.equal(state(ns), before_, `changed though refused: ${why}`);
  });
});
