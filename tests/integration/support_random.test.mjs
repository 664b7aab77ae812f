// Support's forms under random input: a trial's type and end date, and a
// new self-managed trial license, posted with some fields as a person
// would fill them and others odd (dates at the ends of the calendar,
// numbers past their limits, other scripts, markup, tickets of other
// sites).  Every answer is done (303), refused with messages beside the
// fields (422), the conflict page (409) or a message about the form
// (400), never a 500; a refused form changes nothing: not the trial, not
// its namespace, and no license is made.
// RANDOM_SEED=<seed> repeats the same posts, SUPPORT_ROUNDS=<n> makes more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomRounds } from '../lib/random.mjs';
import {
  client, assertFormAnswer, tag, one, day, namespace, trial, SUPPORT, TICKET, JSON_, cleanup, trackLicense,
} from './support_helpers.mjs';

const ROUNDS = Number(process.env.SUPPORT_ROUNDS ?? 60);

let sup;
const trials = [];
before(async () => {
  sup = await client(SUPPORT);
  D = { '-1': day(-1), 0: day(0), 1: day(1), 30: day(30), 365: day(365) };
  for (const status of ['active', 'active', 'expired']) {
    const ns = namespace(tag(), { plan: status === 'active' ? 'ultimate_trial' : 'free' });
    trials.push({ ns: ns.id, id: trial(ns.id, { status, starts: -5, ends: status === 'active' ? 25 : -2 }) });
  }
});
after(() => { cleanup(); });

// Days from today, read once: each day() asks the database.
let D;
const DATES = () => [D[-1], D[0], D[365], '9999-12-31', '10000-01-01',
  '5874897-12-31', '0001-01-01', '0000-00-00', '2024-02-30', '2028-02-29', '2027-02-29', '2030-1-1',
  '2030-01-01T00:00:00Z', ' 2030-01-01', '2030/01/01', 'tomorrow', '', '٢٠٣٠-٠١-٠١'];
const NUMBERS = ['1', '50', '0', '-1', '1000000', '1000001', '2147483647', '2147483648',
  '99999999999999999999', '1.5', '1e3', ' 7', '7 ', '0x10', '٣', '', 'ten'];
const TEXT = ['', ' ', '<script>alert(1)</script>', "O'Brien & Co", 'Ж'.repeat(255), 'Ж'.repeat(256),
  '語', '🙂', 'a\r\nb', '\u202e', '%_\\', 'x'.repeat(1000)];
const EMAILS = () => [`trial-${tag()}@sm-tests.example`, `TRIAL-${tag()}@SM-TESTS.EXAMPLE`,
  `üser-${tag()}@exämple.com`, 'no-at-sign', '@x.co', `${'l'.repeat(250)}@x.co`, ''];
const TICKETS = () => ['https://gitlab.zendesk.com/agent/tickets/0',
  'https://gitlab.zendesk.com/agent/tickets/99999999999999999999', 'http://gitlab.zendesk.com/agent/tickets/1',
  'https://evil.example/agent/tickets/1', 'javascript:alert(1)', ''];

const trialState = (tr) => one(`SELECT row_to_json(x)::text FROM (SELECT t.*, n.plan AS ns_plan,
  n.lock_version AS ns_lock, n.updated_at AS ns_updated FROM trials t JOIN namespaces n ON n.id = t.namespace_id
  WHERE t.id = ${tr.id}) x`);

test('random trial changes and trial licenses: done, refused beside the fields, or a conflict; never a 500', async (t) => {
  const seen = { 303: 0, 422: 0 };
  await randomRounds(t, { rounds: ROUNDS, seen, enough: (s) => s[303] > 0 && s[422] > 0 }, async (g, i, tell) => {
    // Mostly as a person fills it in, so that some posts go through.
    const pickOr = (typical, odd) => (g.next() < 0.75 ? typical : g.pick(odd));
    if (g.next() < 0.5) {
      const tr = g.pick(trials);
      const { body } = await sup.json(`/admin/support/trials/${tr.id}/edit`);
      const form = {
        plan: pickOr(g.pick(body.form.fields[0].options).value, ['gold', '', 'ULTIMATE_TRIAL', ...TEXT]),
        ends_on: pickOr(g.pick([D[1], D[30], D[365]]), DATES()),
        zendesk_ticket: pickOr(`${TICKET}${100000 + g.int(899999)}`, TICKETS()),
        lock_version: g.next() < 0.9 ? body.form.lock_version : g.pick(['0', '-1', 'x', '']),
      };
      const before_ = trialState(tr);
      const why = tell(`post ${i} to trial ${tr.id}: ${JSON.stringify(form).slice(0, 400)}`);
      const res = await sup.submit(`/admin/support/trials/${tr.id}`, form, JSON_);
      assertFormAnswer(res, seen, why);
      if (res.status !== 303) assert.equal(trialState(tr), before_, `changed though refused: ${why}`);
    } else {
      const form = {
        email: pickOr(`trial-${tag()}@sm-tests.example`, EMAILS()),
        user_count: pickOr('25', NUMBERS),
        starts_at: pickOr(D[0], DATES()),
        expires_at: pickOr(D[30], DATES()),
        plan: pickOr(g.pick(['premium', 'ultimate']), ['gold', '', 'Premium', ...TEXT]),
        zendesk_ticket: pickOr(`${TICKET}${100000 + g.int(899999)}`, TICKETS()),
      };
      for (const k of Object.keys(form)) if (g.next() < 0.05) delete form[k];
      if (g.next() < 0.2) form.name = g.pick(TEXT);
      if (g.next() < 0.2) form.company = g.pick(TEXT);
      const before_ = one('SELECT count(*) FROM licenses');
      const why = tell(`post ${i} of a license: ${JSON.stringify(form).slice(0, 400)}`);
      const res = await sup.submit('/admin/support/sm_trials', form, JSON_);
      assertFormAnswer(res, seen, why);
      if (res.status === 303) {
        const id = res.headers.get('location').match(/^\/admin\/licenses\/(\d+)$/)?.[1];
        assert.ok(id, `saved, shown at ${res.headers.get('location')}: ${why}`);
        trackLicense(id);
      } else {
        assert.equal(one('SELECT count(*) FROM licenses'), before_, `a license though refused: ${why}`);
      }
    }
  });
});
