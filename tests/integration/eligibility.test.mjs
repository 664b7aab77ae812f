// Eligibility on a subscription's page and in its JSON (issue 22): the
// Fulfillment Guide's auto-renewal, QSR and temporary extension rules,
// each with its verdict and the data behind it.  The demo data has a
// subscription passing every rule and one failing each; every rule is
// then tried on its boundary with subscriptions made here (removed in
// after()), and the temporary extension verdicts are checked against
// what the extension service itself answers for the same subscription.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.mjs';
import {
  account, subscription, cleanup, api, client, tag, sql, one, q, day, TODAY, MESSAGES, OPPORTUNITY, HTML, sqlError,
} from './support_helpers.mjs';

const anon = new Client();
let ro;
const made = [];
before(async () => { ro = await client('readonly@example.com'); });
after(() => {
  if (made.length) sql(`DELETE FROM reconciliations WHERE zuora_subscription_id IN (${made.join(', ')})`);
  cleanup();
});

const idOf = (name) => Number(one(`SELECT id FROM zuora_subscriptions WHERE name = ${q(name)}`));

// The page's eligibility as { key: { verdict, answer, rules: { name: rule } } }.
async function eligibility(id) {
  const { res, body } = await ro.json(`/admin/zuora_subscriptions/${id}`);
  assert.equal(res.status, 200);
  assert.equal(body.eligibility.as_of, TODAY);
  const out = {};
  for (const s of body.eligibility.sections) {
    out[s.key] = { ...s, rule: Object.fromEntries(s.rules.map((r) => [r.name, r])) };
  }
  assert.deepEqual(Object.keys(out), ['auto_renewal', 'qsr', 'temporary_extension']);
  return out;
}
const failing = (section) => section.rules.filter((r) => r.verdict === 'fail').map((r) => r.name);

// A SaaS subscription of a fresh account (options as support_helpers'
// account()), its term from `starts` to `ends` days from today.
function made_sub({ ends = 100, starts = ends - 365, type = 'saas', acct = {}, set = '' } = {}) {
  const a = account(tag(), acct);
  const s = subscription(a.id, { type, ends });
  sql(`UPDATE zuora_subscriptions SET term_start_date = CURRENT_DATE + ${Number(starts)}, auto_renew = true,
      turn_on_seat_reconciliation = true WHERE id = ${s.id}`);
  if (set) sql(`UPDATE zuora_subscriptions SET ${set} WHERE id = ${s.id}`);
  made.push(s.id);
  return { ...s, accountId: a.id };
}

test('the demo subscription A-S00044001 passes every rule', async () => {
  const e = await eligibility(idOf('A-S00044001'));
  for (const s of Object.values(e)) {
    assert.equal(s.verdict, 'yes', `${s.key}: ${s.answer}`);
    assert.deepEqual(failing(s), [], s.key);
    for (const r of s.rules) {
      assert.ok(['pass', 'not_applicable'].includes(r.verdict));
      assert.ok(r.rule && r.guide && r.data, JSON.stringify(r));
    }
  }
  const ar = e.auto_renewal;
  assert.equal(ar.answer, `Yes: auto-renewal will be attempted on ${day(9)}.`);
  assert.equal(ar.rule.cloud_licensing.verdict, 'not_applicable', 'SaaS: cloud licensing does not apply');
  const month = TODAY.slice(5, 7) + '/' + TODAY.slice(0, 4);
  assert.equal(ar.rule.card_expired.data, `Auto-Pay = Yes; default card Visa ending in 3003 expires ${month}`);
  assert.equal(ar.rule.term.data, `12 months (365 days, ${day(-356)} to ${day(9)})`);
  assert.equal(ar.rule.sales_channel.data, 'Bought directly from GitLab');
  assert.equal(ar.rule.enterprise_agile_planning.data, 'Product: GitLab Premium - SaaS');
  assert.equal(ar.rule.po_required.data, 'PO required: No');
  assert.match(ar.rule.po_required.guide, /Account\.PO Required = Yes/);
  assert.equal(e.qsr.answer, 'Yes: enrolled in QSR and eligible.');
  assert.equal(e.qsr.rule.last_reconciliation.data, `Processed on ${day(-80)}`);
  const ext = e.temporary_extension;
  assert.equal(ext.answer, `Yes: a temporary extension can be requested today; it would end on ${day(30)}.`);
  assert.equal(ext.rule.outside_window.data, `From ${day(-6)} to ${day(22)} (the term ends ${day(9)}); today is ${TODAY}`);
  assert.equal(ext.rule.trade_restricted.data, 'Sold_To country: US');
});

test('each auto-renewal rule has a demo subscription failing it', async () => {
  // Subscriptions failing exactly one rule, then the older stories.
  const only = [
    ['A-S00044011', 'auto_renew', 'Auto renew: Off'],
    ['A-S00044008', 'cloud_licensing', 'Self-Managed; cloud licensing: No'],
    ['A-S00044009', 'qsr_enrolled', 'Not enrolled in QSR'],
    ['A-S00044020', 'card_expired', /^Auto-Pay = Yes; default card MasterCard ending in 8118 expired \d\d\/\d{4}$/],
    ['A-S00044002', 'sales_channel', 'Bought through a reseller: Northstar Software Resellers'],
    ['A-S00044003', 'sales_channel', 'Bought through a channel partner: Summit Cloud Marketplace'],
    ['A-S00044004', 'community_program', 'Community program: GitLab for Education'],
    ['A-S00044005', 'term', `11 months (334 days, ${day(-300)} to ${day(34)})`],
    ['A-S00044006', 'term', `13 months (396 days, ${day(-300)} to ${day(96)})`],
    ['A-S00044007', 'enterprise_agile_planning', 'Product: GitLab Enterprise Agile Planning - SaaS'],
  ];
  for (const [name, rule, data] of only) {
    const ar = (await eligibility(idOf(name))).auto_renewal;
    assert.equal(ar.verdict, 'no', name);
    assert.deepEqual(failing(ar), [rule], name);
    assert.equal(ar.answer, 'No: auto-renewal will not be attempted (1 rule fails).');
    if (data instanceof RegExp) assert.match(ar.rule[rule].data, data);
    else assert.equal(ar.rule[rule].data, data, name);
  }
  const stories = [
    ['A-S00035511', ['active', 'auto_renew', 'cloud_licensing', 'qsr_enrolled']],
    ['A-S00037790', ['cloud_licensing']],
    ['A-S00039268', ['qsr_failed_overage']],
    ['A-S00042210', ['auto_renew', 'qsr_enrolled', 'term', 'po_required', 'portal_required']],
    ['A-S00036005', ['active', 'auto_renew', 'qsr_enrolled', 'support_hold']],
    ['A-S00038842', ['auto_renew', 'qsr_enrolled', 'credit_hold']],
  ];
  for (const [name, rules] of stories) {
    const ar = (await eligibility(idOf(name))).auto_renewal;
    assert.deepEqual(failing(ar), rules, name);
  }
  const nw = (await eligibility(idOf('A-S00039268'))).auto_renewal.rule.qsr_failed_overage;
  assert.equal(nw.data, `Last reconciliation failed (${day(-20)}); 12 owed seats (62 used, 50 in the subscription)`);
  assert.equal(nw.guide, "We will not attempt to auto-renew if: Customer is on QSR, but QSR failed and there's overage");
});

test('QSR: enrolled, the account settings, the last reconciliation', async () => {
  let e = await eligibility(idOf('A-S00044009'));
  assert.equal(e.qsr.answer, 'No: not enrolled in QSR, though eligible.');
  assert.deepEqual(failing(e.qsr), ['qsr_enrolled']);
  e = await eligibility(idOf('A-S00042210'));
  assert.deepEqual(failing(e.qsr), ['qsr_enrolled', 'po_required', 'portal_required']);
  assert.equal(e.qsr.answer, 'No: not enrolled in QSR, and not eligible.');
  e = await eligibility(idOf('A-S00044002'));
  assert.deepEqual(failing(e.qsr), ['sales_channel'], 'resellers have no QSR (feature table)');
  assert.equal(e.qsr.answer, 'Enrolled in QSR, but not eligible: the Zuora Workflow turns TurnOnSeatReconciliation__c off.');
  e = await eligibility(idOf('A-S00044004'));
  assert.deepEqual(failing(e.qsr), ['community_program']);
  // Northwind: failed 20 days ago (its error), the next one in 3 days.
  e = await eligibility(idOf('A-S00039268'));
  const last = e.qsr.rule.last_reconciliation;
  assert.equal(last.verdict, 'fail');
  assert.equal(last.data, `Failed on ${day(-20)}: Zuora::PaymentError: Transaction declined. 402 - ` +
    `[card_declined] Your card was declined.; next on ${day(3)}`);
  // Meridian: skipped, with its error.
  e = await eligibility(idOf('A-S00037790'));
  assert.equal(e.qsr.rule.last_reconciliation.verdict, 'pass');
  assert.match(e.qsr.rule.last_reconciliation.data, /^Skipped on \d{4}-\d\d-\d\d: MaxAdditionalSeatsExceededError/);
  e = await eligibility(idOf('A-S00044011'));
  assert.equal(e.qsr.rule.last_reconciliation.verdict, 'not_applicable');
  assert.equal(e.qsr.rule.last_reconciliation.data, 'None yet');
});

test('each temporary extension check has a demo subscription failing it, with the service\'s message', async () => {
  const cases = [
    ['A-S00039268', 'outside_window', MESSAGES.outside_window],
    ['A-S00044010', 'already_extended', MESSAGES.already_extended],
    ['A-S00040117', 'upcoming_extension', MESSAGES.upcoming(day(6))],
    ['A-S00038842', 'bad_debt', MESSAGES.bad_debt],
    ['A-S00036005', 'bad_debt', MESSAGES.bad_debt],
    ['A-S00043377', 'trade_restricted', MESSAGES.trade_restricted],
  ];
  for (const [name, check, message] of cases) {
    const ext = (await eligibility(idOf(name))).temporary_extension;
    assert.equal(ext.verdict, 'no', name);
    assert.deepEqual(failing(ext), [check], name);
    assert.equal(ext.rule[check].message, message);
    assert.equal(ext.answer, `No: ${message}`);
  }
  const e = (await eligibility(idOf('A-S00044010'))).temporary_extension;
  assert.equal(e.rule.already_extended.data,
    `The extension for the renewal term starting ${day(-5)} started on ${day(-5)}`);
  const c = (await eligibility(idOf('A-S00043377'))).temporary_extension;
  assert.match(c.rule.trade_restricted.data, /^Sold_To country: CU; trade restricted: .*\bCU\b/);
  const h = (await eligibility(idOf('A-S00038842'))).temporary_extension;
  assert.equal(h.rule.bad_debt.data, 'Support hold: No; Credit hold: Yes');
});

// What the extension service answers for a subscription, and what the
// page said just before: the same verdict, the same refusal.
async function agrees(sub, why) {
  const ext = (await eligibility(sub.id)).temporary_extension;
  const r = await api(anon, {
    zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Procurement delay',
  });
  if (ext.verdict === 'yes') {
    assert.equal(r.status, 201, `${why}: the page said yes, the service ${JSON.stringify(r.body)}`);
  } else {
    const first = ext.rules.find((x) => x.verdict === 'fail');
    assert.equal(r.status, 422, `${why}: the page said no`);
    assert.deepEqual(r.body.error, { code: first.name, message: first.message }, why);
  }
  return ext;
}

test('the extension window on its boundary days, as the service decides', async () => {
  for (const [ends, verdict] of [[15, 'pass'], [16, 'fail'], [0, 'pass'], [-13, 'pass'], [-14, 'fail']]) {
    const sub = made_sub({ ends });
    const ext = await agrees(sub, `term ends ${ends} days from today`);
    assert.equal(ext.rule.outside_window.verdict, verdict, `ends ${ends}`);
    assert.equal(ext.rule.outside_window.data,
      `From ${day(ends - 15)} to ${day(ends + 13)} (the term ends ${day(ends)}); today is ${TODAY}`);
  }
});

test('one per renewal term, an upcoming extension, bad debt, trade restriction: page and service agree', async () => {
  // Extended today (its term ends today): already availed.
  let sub = made_sub({ ends: 0 });
  await agrees(sub, 'first request');
  let ext = await agrees(sub, 'second request');
  assert.deepEqual(failing(ext), ['already_extended']);
  // Extended from tomorrow: upcoming, not yet availed.
  sub = made_sub({ ends: 1 });
  await agrees(sub, 'first request');
  ext = await agrees(sub, 'second request');
  assert.deepEqual(failing(ext), ['upcoming_extension']);
  assert.equal(ext.rule.upcoming_extension.message, MESSAGES.upcoming(day(1)));
  for (const acct of [{ supportHold: true }, { creditHold: true }, { country: 'CU', state: 'La Habana' },
    { country: 'IR', state: 'Tehran' }, { country: 'MX', state: 'Jalisco' }]) {
    sub = made_sub({ ends: 5, acct });
    ext = await agrees(sub, JSON.stringify(acct));
    assert.deepEqual(failing(ext), acct.country === 'MX' ? [] : [acct.country ? 'trade_restricted' : 'bad_debt']);
  }
  // A cancelled subscription: the service refuses it before the guardrails.
  sub = made_sub({ ends: 5 });
  sql(`UPDATE zuora_subscriptions SET status = 'cancelled' WHERE id = ${sub.id}`);
  ext = (await eligibility(sub.id)).temporary_extension;
  assert.deepEqual(failing(ext), ['subscription_cancelled']);
  assert.equal(ext.answer, 'No: Subscription is cancelled');
});

test('the term on its boundary: 12 months (365 or 366 days) passes, 11 and 13 months fail', async () => {
  for (const [days, verdict, months] of [[365, 'pass', 12], [366, 'pass', 12], [364, 'fail', 12],
    [334, 'fail', 11], [396, 'fail', 13], [730, 'fail', 24]]) {
    const sub = made_sub({ ends: 100, starts: 100 - days });
    const ar = (await eligibility(sub.id)).auto_renewal;
    assert.equal(ar.rule.term.verdict, verdict, `${days} days`);
    assert.deepEqual(failing(ar), verdict === 'pass' ? [] : ['term'], `${days} days`);
    assert.match(ar.rule.term.data, new RegExp(`^${months} months \\(${days} days, `));
  }
});

test('the card on its boundary: expiring this month passes, last month fails, only with Auto-Pay', async () => {
  const card = (sub, monthsAgo, autoPay) => {
    sql(`UPDATE billing_accounts SET auto_pay = ${autoPay} WHERE id = ${sub.accountId};
      INSERT INTO payment_methods (zuora_payment_method_id, billing_account_id, kind, is_default, card_last4,
        card_type, name_on_card, card_expiration_month, card_expiration_year)
      VALUES (md5(${q(`elig:${tag()}`)}), ${sub.accountId}, 'credit_card', true, '4111', 'Visa', 'Card Holder',
        extract(month FROM CURRENT_DATE - interval '${Number(monthsAgo)} months'),
        extract(year FROM CURRENT_DATE - interval '${Number(monthsAgo)} months'))`);
  };
  const cases = [[0, true, 'pass'], [1, true, 'fail'], [12, true, 'fail'], [-1, true, 'pass'], [1, false, 'not_applicable']];
  for (const [monthsAgo, autoPay, verdict] of cases) {
    const sub = made_sub();
    card(sub, monthsAgo, autoPay);
    const ar = (await eligibility(sub.id)).auto_renewal;
    assert.equal(ar.rule.card_expired.verdict, verdict, `${monthsAgo} months ago, Auto-Pay ${autoPay}`);
    assert.deepEqual(failing(ar), verdict === 'fail' ? ['card_expired'] : []);
  }
  // Auto-Pay without a card on file: nothing to expire.
  const sub = made_sub();
  sql(`UPDATE billing_accounts SET auto_pay = true WHERE id = ${sub.accountId}`);
  const r = (await eligibility(sub.id)).auto_renewal.rule.card_expired;
  assert.deepEqual([r.verdict, r.data], ['not_applicable', 'Auto-Pay = Yes; the default payment method is not set']);
});

test('QSR failed: an overage of one seat fails, none passes; a failed QSR off QSR does not apply', async () => {
  const qsr = (sub, status, used) => sql(`UPDATE zuora_subscriptions SET max_seats_used = ${used} WHERE id = ${sub.id};
    INSERT INTO reconciliations (zuora_subscription_id, subscription_name, customer_name, status, reconcile_on,
      error_message) VALUES (${sub.id}, ${q(sub.name)}, 'Eligibility Tests', ${q(status)}, CURRENT_DATE,
      ${status === 'failed' ? q('card was declined') : 'NULL'})`);
  for (const [status, used, verdict] of [['failed', 11, 'fail'], ['failed', 10, 'pass'], ['pending', 11, 'pass']]) {
    const sub = made_sub();
    qsr(sub, status, used);
    const ar = (await eligibility(sub.id)).auto_renewal;
    assert.equal(ar.rule.qsr_failed_overage.verdict, verdict, `${status}, ${used} of 10 seats used`);
  }
  const sub = made_sub({ set: 'turn_on_seat_reconciliation = false' });
  qsr(sub, 'failed', 11);
  const ar = (await eligibility(sub.id)).auto_renewal;
  assert.equal(ar.rule.qsr_failed_overage.verdict, 'not_applicable');
  assert.deepEqual(failing(ar), ['qsr_enrolled']);
});

test('the new columns: each way of buying, each community program, the product', async () => {
  for (const [set, rule] of [
    ["sales_channel = 'reseller'", 'sales_channel'],
    ["sales_channel = 'channel_partner', partner_name = 'Partner X'", 'sales_channel'],
    ["community_program = 'open_source'", 'community_program'],
    ["community_program = 'startups'", 'community_program'],
    ["enterprise_agile_planning = true, product_name = 'GitLab Enterprise Agile Planning'", 'enterprise_agile_planning'],
  ]) {
    const sub = made_sub({ set });
    assert.deepEqual(failing((await eligibility(sub.id)).auto_renewal), [rule], set);
  }
  const sub = made_sub({ set: "sales_channel = 'reseller'" });
  assert.equal((await eligibility(sub.id)).auto_renewal.rule.sales_channel.data,
    'Bought through a reseller: name not recorded');
  // The database keeps them to their values.
  assert.match(sqlError(`UPDATE zuora_subscriptions SET sales_channel = 'distributor' WHERE id = ${sub.id}`),
    /zuora_subscriptions_sales_channel_check/);
  assert.match(sqlError(`UPDATE zuora_subscriptions SET community_program = 'edu' WHERE id = ${sub.id}`),
    /zuora_subscriptions_community_program_check/);
  assert.match(sqlError(`UPDATE zuora_subscriptions SET sales_channel = 'direct', partner_name = 'X'
    WHERE id = ${sub.id}`), /zuora_subscriptions_partner_check/);
});

test('the HTML page: an Eligibility panel with three sections, each rule, verdict and data', async () => {
  const id = idOf('A-S00044020');
  const res = await ro.get(`/admin/zuora_subscriptions/${id}`, { headers: HTML });
  assert.equal(res.status, 200);
  const html = res.text_;
  assert.match(html, /<section class="related panel eligibility" data-panel="eligibility"/);
  assert.match(html, /<h2 id="eligibility-title">Eligibility<\/h2>/);
  for (const key of ['auto_renewal', 'qsr', 'temporary_extension']) {
    assert.match(html, new RegExp(`data-eligibility="${key}"`));
  }
  assert.match(html, /<section class="eligibility-section" data-eligibility="auto_renewal" data-verdict="no"/);
  assert.match(html, /No: auto-renewal will not be attempted \(1 rule fails\)\./);
  const row = html.match(/<tr data-rule="card_expired" data-verdict="fail">.*?<\/tr>/s);
  assert.ok(row, 'the card rule\'s row');
  assert.match(row[0], /Credit card not expired/);
  assert.match(row[0], /Customer&#39;s credit card is expired \(if billing account has Auto-Pay = Yes\)/);
  assert.match(row[0], /<td class="verdict">Fail<\/td>/);
  assert.match(row[0], /default card MasterCard ending in 8118 expired/);
  // The extension section quotes the service's refusal.
  const nw = await ro.get(`/admin/zuora_subscriptions/${idOf('A-S00039268')}`, { headers: HTML });
  const ext = nw.text_.match(/<tr data-rule="outside_window" data-verdict="fail">.*?<\/tr>/s);
  assert.ok(ext);
  assert.ok(ext[0].includes(`“${MESSAGES.outside_window}”`));
  // Other show pages have no such panel.
  const ba = await ro.get(`/admin/billing_accounts/${one('SELECT min(id) FROM billing_accounts')}`, { headers: HTML });
  assert.equal(ba.status, 200);
  assert.doesNotMatch(ba.text_, /data-panel="eligibility"/);
});

test('the running extension\'s badge is still on the page beside the panel', async () => {
  const { body } = await ro.json(`/admin/zuora_subscriptions/${idOf('A-S00044010')}`);
  assert.equal(body.record.badge, `Access temporarily extended until ${day(16)}`);
  assert.ok(body.panels.some((p) => p.name === 'temporary_extension'));
  assert.ok(body.eligibility.sections.length === 3);
});
