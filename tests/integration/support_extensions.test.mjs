// Temporary renewal extensions through the sales system's API
// (POST /api/v1/temporary_extensions): authentication and bad bodies,
// every guardrail on its boundary days (15 days before the end date, 13
// days after, one day outside each), one per renewal term, the upcoming
// rule, bad debt, trade-restricted countries, the order they are checked
// in; what an extension does (SM: a signed license, e-mailed; SaaS: the
// namespace's expiry), the subscription's "Access temporarily extended
// until" badge, the history list, the JSON logs, and two requests at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '../lib/http.mjs';
import { smtp } from '../lib/smtp.mjs';
import { importLicense } from '../lib/gitlab_license.mjs';
import {
  account, subscription, namespace, trial, cleanup, api, client, tag, sql, one, q, day, TODAY, MESSAGES,
  OPPORTUNITY, lastEvent, appLog, HTML, licenseFile, sqlError,
} from './support_helpers.mjs';

const anon = new Client();
let ro;
before(async () => { ro = await client('readonly@example.com'); });
after(() => { cleanup(); });

const body = (sub, extra = {}) => ({
  zuora_subscription_id: sub.zid, salesforce_opportunity_id: OPPORTUNITY(), reason: 'Procurement delay', ...extra,
});

// A SaaS subscription of a fresh account, ending `ends` days from today.
function saas(ends, opts = {}) {
  const a = account(tag(), opts);
  return subscription(a.id, { type: 'saas', ends });
}

test('the API wants its service token, JSON, and a well-formed body', async () => {
  const sub = saas(5);
  let r = await api(anon, body(sub), { token: null });
  assert.equal(r.status, 401);
  assert.equal(r.body.error.code, 'unauthorized');
  assert.equal(r.res.headers.get('www-authenticate'), 'Bearer');
  r = await api(anon, body(sub), { token: `${process.env.CDOT_SALES_SERVICE_TOKEN}x` });
  assert.equal(r.status, 401);
  r = await api(anon, body(sub), { token: process.env.CDOT_PORTAL_SERVICE_TOKEN });
  assert.equal(r.status, 401, 'the portal\'s token is not the sales system\'s');

  r = await api(anon, 'zuora_subscription_id=x', { type: 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 415);
  assert.equal(r.body.error.code, 'unsupported_media_type');
  r = await api(anon, '{"zuora_subscription_id": ');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'bad_request');
  r = await api(anon, '[1, 2]');
  assert.equal(r.status, 400);

  const bad = [
    [{ zuora_subscription_id: 'A-S00039268' }, 'zuora_subscription_id'],
    [{ zuora_subscription_id: 'g'.repeat(32) }, 'zuora_subscription_id'],
    [{ salesforce_opportunity_id: '0064M00000' }, 'salesforce_opportunity_id'],
    [{ salesforce_opportunity_id: undefined }, 'salesforce_opportunity_id'],
    [{ reason: '' }, 'reason'],
    [{ reason: '   ' }, 'reason'],
    [{ reason: 'x'.repeat(256) }, 'reason'],
    [{ reason: 'two\nlines' }, 'reason'],
    [{ users: -3 }, 'users'],
    [{ users: 2.5 }, 'users'],
    [{ users: 'many' }, 'users'],
    [{ notes: 42 }, 'notes'],
    [{ notes: 'n'.repeat(4001) }, 'notes'],
  ];
  for (const [extra, field] of bad) {
    r = await api(anon, body(sub, extra));
    assert.equal(r.status, 400, JSON.stringify(extra));
    assert.equal(r.body.error.code, 'bad_request');
    assert.equal(r.body.error.field, field, JSON.stringify(extra));
  }
  assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`), '0');

  r = await api(anon, body({ zid: 'f'.repeat(32) }));
  assert.equal(r.status, 404);
  assert.equal(r.body.error.code, 'not_found');
});

test('the request window: from 15 days before the end date to 13 days after, inclusive', async () => {
  const cases = [[15, 201], [16, 422], [-13, 201], [-14, 422], [0, 201]];
  for (const [ends, want] of cases) {
    const sub = saas(ends);
    const r = await api(anon, body(sub));
    assert.equal(r.status, want, `end date ${ends} days from today: ${JSON.stringify(r.body)}`);
    if (want === 422) {
      assert.deepEqual(r.body.error, { code: 'outside_window', message: MESSAGES.outside_window });
      assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`), '0');
    } else {
      assert.equal(r.body.renewal_term_start, day(ends));
      assert.equal(r.body.starts_on, day(ends));
      assert.equal(r.body.ends_on, day(ends + 21), 'ends 21 days after the end date');
    }
  }
});

test('the same window for self-managed subscriptions', async () => {
  for (const [ends, want] of [[15, 201], [16, 422], [-13, 201], [-14, 422]]) {
    const sub = subscription(account(tag()).id, { type: 'sm', ends });
    const r = await api(anon, body(sub, { users: 10 }));
    assert.equal(r.status, want, `SM, end date ${ends} days from today`);
    if (want === 422) assert.equal(r.body.error.code, 'outside_window');
    else assert.equal(one(`SELECT expires_at::text FROM licenses WHERE id = ${r.body.license_id}`), day(ends + 21));
  }
});

test('one per renewal term: a second request once the first has started is refused', async () => {
  const sub = saas(-5);
  let r = await api(anon, body(sub));
  assert.equal(r.status, 201);
  assert.equal(r.body.starts_on, day(-5));
  r = await api(anon, body(sub, { reason: 'Budget approval pending' }));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.error, { code: 'already_extended', message: MESSAGES.already_extended });
  assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`), '1');

  // The database refuses a second one for the term whatever the app says.
  assert.match(sqlError(`INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start,
      starts_on, ends_on, created_by) SELECT ${sub.id}, 'x', term_end_date, term_end_date, term_end_date + 21,
      'sfdc' FROM zuora_subscriptions WHERE id = ${sub.id}`), /temporary_extensions_renewal_term_key/);

  // The next term (after a renewal) may have its own.
  sql(`UPDATE zuora_subscriptions SET term_start_date = term_end_date, term_end_date = CURRENT_DATE + 3
    WHERE id = ${sub.id}`);
  r = await api(anon, body(sub));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.renewal_term_start, day(3));
});

test('an extension that has not started yet: "upcoming extension starting on <date>"', async () => {
  const sub = saas(10);
  let r = await api(anon, body(sub));
  assert.equal(r.status, 201);
  r = await api(anon, body(sub));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.error, { code: 'upcoming_extension', message: MESSAGES.upcoming(day(10)) });
  assert.match(r.body.error.message, /^Subscription has an upcoming extension starting on \d{4}-\d{2}-\d{2}$/);

  // The day it starts it is no longer upcoming: it has been availed.
  const today = saas(0);
  assert.equal((await api(anon, body(today))).status, 201);
  r = await api(anon, body(today));
  assert.equal(r.body.error.code, 'already_extended');
  const tomorrow = saas(1);
  assert.equal((await api(anon, body(tomorrow))).status, 201);
  r = await api(anon, body(tomorrow));
  assert.deepEqual(r.body.error, { code: 'upcoming_extension', message: MESSAGES.upcoming(day(1)) });

  // Pinecone's demo extension starts at its end date, in 6 days.
  const pine = one("SELECT zuora_subscription_id FROM zuora_subscriptions WHERE name = 'A-S00040117'");
  r = await api(anon, body({ zid: pine }));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.message, MESSAGES.upcoming(day(6)));
});

test('bad debt: support hold or credit hold on the billing account', async () => {
  for (const hold of [{ supportHold: true }, { creditHold: true }, { supportHold: true, creditHold: true }]) {
    const sub = saas(3, hold);
    const r = await api(anon, body(sub));
    assert.equal(r.status, 422, JSON.stringify(hold));
    assert.deepEqual(r.body.error, { code: 'bad_debt', message: MESSAGES.bad_debt });
  }
  // Helios Data GmbH (demo): credit hold, SM ending in 12 days.
  const helios = one("SELECT zuora_subscription_id FROM zuora_subscriptions WHERE name = 'A-S00038842'");
  const r = await api(anon, body({ zid: helios }, { users: 75 }));
  assert.equal(r.body.error.code, 'bad_debt');
});

test('a trade-restricted country: the Sold_To contact\'s', async () => {
  for (const country of ['CU', 'IR', 'KP', 'SY', 'RU', 'BY']) {
    const sub = saas(2, { country });
    const r = await api(anon, body(sub));
    assert.equal(r.status, 422, country);
    assert.deepEqual(r.body.error, { code: 'trade_restricted', message: MESSAGES.trade_restricted });
  }
  // Caribe Soluciones (demo): Bill_To in Mexico, Sold_To in Cuba.
  const caribe = one("SELECT zuora_subscription_id FROM zuora_subscriptions WHERE name = 'A-S00043377'");
  let r = await api(anon, body({ zid: caribe }, { users: 40 }));
  assert.equal(r.body.error.code, 'trade_restricted');
  // Elsewhere is fine; only the Sold_To counts.
  const mx = saas(2, { country: 'MX' });
  r = await api(anon, body(mx));
  assert.equal(r.status, 201);
});

test('the guardrails are checked in order: window, one per term, upcoming, bad debt, trade restriction', async () => {
  // Outside the window and everything else wrong: the window is reported.
  let sub = saas(40, { country: 'CU', creditHold: true });
  let r = await api(anon, body(sub));
  assert.equal(r.body.error.code, 'outside_window');
  // An upcoming extension beats bad debt and trade restriction.
  sub = saas(8, { country: 'IR', creditHold: true });
  sql(`INSERT INTO temporary_extensions (zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on,
    created_by) SELECT id, 'seed', term_end_date, term_end_date, term_end_date + 21, 'sfdc'
    FROM zuora_subscriptions WHERE id = ${sub.id}`);
  r = await api(anon, body(sub));
  assert.equal(r.body.error.code, 'upcoming_extension');
  // Bad debt before trade restriction.
  sub = saas(1, { country: 'SY', supportHold: true });
  r = await api(anon, body(sub));
  assert.equal(r.body.error.code, 'bad_debt');
  // A cancelled subscription is never extended.
  const a = account(tag());
  sub = subscription(a.id, { ends: 3, status: 'cancelled' });
  r = await api(anon, body(sub));
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'subscription_cancelled');
});

test('SaaS: the namespace\'s expiry moves to the extension\'s end; recorded as the sales system', async () => {
  const a = account(tag());
  const sub = subscription(a.id, { type: 'saas', ends: -3, plan: 'ultimate' });
  const ns = namespace(tag(), { subscriptionId: sub.id, plan: 'ultimate' });
  const opp = OPPORTUNITY();
  const r = await api(anon, body(sub, { salesforce_opportunity_id: opp, users: 999, notes: 'PO in review\nback soon' }));
  assert.equal(r.status, 201);
  assert.equal(r.res.headers.get('location'), `/admin/temporary_extensions/${r.body.id}`);
  assert.equal(r.body.users, null, 'users are irrelevant for SaaS');
  assert.equal(r.body.created_by, 'sfdc');
  assert.equal(r.body.salesforce_opportunity_id, opp);
  assert.equal(r.body.deployment_type, 'saas');
  assert.equal(r.body.license_id, null);
  assert.equal(r.body.notes, 'PO in review\nback soon');
  assert.equal(r.body.message, `Access temporarily extended until ${day(18)}`);
  // The answer is the row as saved.
  const saved = one(`SELECT json_build_array(zuora_subscription_id, reason, renewal_term_start, starts_on, ends_on,
    to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) FROM temporary_extensions WHERE id = ${r.body.id}`);
  assert.deepEqual([sub.id, r.body.reason, r.body.renewal_term_start, r.body.starts_on, r.body.ends_on, r.body.created_at],
    JSON.parse(saved));
  assert.deepEqual([r.body.zuora_subscription_id, r.body.subscription_name], [sub.zid, sub.name]);
  assert.equal(one(`SELECT subscription_expires_on::text FROM namespaces WHERE id = ${ns.id}`), day(18));

  const ev = await lastEvent(ro, 'temporary_extensions', r.body.id);
  assert.equal(ev.event, 'create');
  assert.equal(ev.actor, 'api:sfdc');
  const nev = await lastEvent(ro, 'namespaces', ns.id);
  assert.equal(nev.actor, 'api:sfdc');
  assert.deepEqual(nev.changes.map((c) => c.field), ['subscription_expires_on']);

  // The namespace's page shows the new date.
  const { body: page } = await ro.json(`/admin/namespaces/${ns.id}`);
  assert.equal(page.fields.find((f) => f.name === 'subscription_expires_on').value, day(18));

  // The customer gets an e-mail, without a license key.
  const contact = one(`SELECT work_email FROM billing_account_contacts WHERE billing_account_id = ${a.id}`);
  const [mail] = await smtp.waitFor(contact);
  assert.equal(mail.subject, '[GitLab Transactions] GitLab Temporary Renewal Extension');
  assert.match(mail.body, new RegExp(`Access temporarily extended until ${day(18)}`));
  assert.doesNotMatch(mail.body, /license key/i);
});

test('self-managed: a legacy trial license for the base plan, e-mailed to the Sold_To contact', async () => {
  const a = account(tag());
  const sub = subscription(a.id, { type: 'sm', ends: 7, plan: 'ultimate' });
  let r = await api(anon, body(sub));
  assert.equal(r.status, 400, 'users are needed for self-managed');
  assert.equal(r.body.error.field, 'users');

  r = await api(anon, body(sub, { users: 0 }));
  assert.equal(r.status, 400, 'nor 0 users');
  assert.equal(r.body.error.field, 'users');
  assert.equal((await api(anon, body(saas(3), { users: 0 }))).status, 201, 'users 0 is fine for SaaS');

  r = await api(anon, body(sub, { users: '35' }));
  assert.equal(r.status, 201);
  assert.equal(r.body.users, 35);
  assert.ok(r.body.license_id > 0);
  const [lic] = sql(`SELECT license_type, trial, user_count, starts_at::text, expires_at::text, gitlab_plan,
      email, zuora_subscription_id, license_file IS NOT NULL FROM licenses WHERE id = ${r.body.license_id}`);
  const contact = one(`SELECT work_email FROM billing_account_contacts WHERE billing_account_id = ${a.id}`);
  assert.deepEqual(lic, ['legacy', 't', '35', day(7), day(28), 'ultimate', contact, String(sub.id), 't']);

  // Legacy plans map to their base plan: gold is Ultimate, starter Premium.
  const s2 = subscription(account(tag()).id, { type: 'sm', ends: 7, plan: 'starter' });
  const r2 = await api(anon, body(s2, { users: 5 }));
  assert.equal(one(`SELECT gitlab_plan FROM licenses WHERE id = ${r2.body.license_id}`), 'premium');

  const [mail] = await smtp.waitFor(contact);
  assert.equal(mail.subject, '[GitLab Transactions] GitLab Temporary Renewal Extension');
  const file = licenseFile(r.body.license_id);
  assert.ok(mail.body.includes(file.trim()), 'the license key is in the e-mail');

  // GitLab imports it: the base plan, the users, the extension's dates,
  // marked as a temporary extension of this subscription.
  const attrs = importLicense(file);
  const company = one(`SELECT company FROM billing_accounts WHERE id = ${a.id}`);
  const name = one(`SELECT name FROM licenses WHERE id = ${r.body.license_id}`);
  assert.deepEqual(attrs.licensee, { Name: name, Company: company, Email: contact });
  assert.deepEqual([attrs.issued_at, attrs.expires_at, attrs.block_changes_at, attrs.notify_admins_at],
    [day(7), day(28), day(28), day(21)]);
  assert.equal(attrs.temporary_extension, true);
  assert.deepEqual(attrs.restrictions, { active_user_count: 35, plan: 'ultimate', trial: true,
    id: r.body.license_id, subscription_id: sub.zid, subscription_name: sub.name });
  assert.equal(mail.attachments[0].filename, `license-${r.body.license_id}.gitlab-license`);
  assert.deepEqual(importLicense(mail.attachments[0].content), attrs);
  assert.equal(importLicense(licenseFile(r2.body.license_id)).restrictions.plan, 'premium');

  // The extension's page links the license; the license's page offers it.
  const { body: ext } = await ro.json(`/admin/temporary_extensions/${r.body.id}`);
  const licField = ext.fields.find((f) => f.name === 'license');
  assert.equal(licField.href, `/admin/licenses/${r.body.license_id}`);
  const { body: lp } = await ro.json(`/admin/licenses/${r.body.license_id}`);
  assert.equal(lp.download_href, `/admin/licenses/${r.body.license_id}/download`);
  assert.equal(lp.emails[0].to, contact);
});

test('self-managed: names as long as their columns allow, in other scripts, reach the license and the e-mail whole', async () => {
  const a = account(tag());
  const first = 'Ж'.repeat(100);
  const last = '語'.repeat(100);
  const company = '株'.repeat(254) + '🙂';
  sql(`UPDATE billing_account_contacts SET first_name = ${q(first)}, last_name = ${q(last)}
    WHERE billing_account_id = ${a.id}`);
  sql(`UPDATE billing_accounts SET company = ${q(company)} WHERE id = ${a.id}`);
  const sub = subscription(a.id, { type: 'sm', ends: 5 });
  const r = await api(anon, body(sub, { users: 3 }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const [name, co] = sql(`SELECT name, company FROM licenses WHERE id = ${r.body.license_id}`)[0];
  assert.equal(name, `${first} ${last}`);
  assert.equal(co, company);
  const contact = one(`SELECT work_email FROM billing_account_contacts WHERE billing_account_id = ${a.id}`);
  const [mail] = await smtp.waitFor(contact);
  assert.ok(mail.body.includes(`Hello ${first} ${last},`), 'the greeting names the contact in full');
});

test('the subscription\'s page shows "Access temporarily extended until" while the extension runs', async () => {
  const running = saas(-2);
  await api(anon, body(running));
  let { body: page } = await ro.json(`/admin/zuora_subscriptions/${running.id}`);
  assert.equal(page.record.badge, `Access temporarily extended until ${day(19)}`);
  const html = await ro.get(`/admin/zuora_subscriptions/${running.id}`, { headers: HTML });
  assert.match(html.text_, new RegExp(`<span class="badge">Access temporarily extended until ${day(19)}</span>`));

  // Not before it starts.
  const upcoming = saas(4);
  await api(anon, body(upcoming));
  ({ body: page } = await ro.json(`/admin/zuora_subscriptions/${upcoming.id}`));
  assert.equal(page.record.badge, undefined);
  assert.equal(page.temporary_extension, undefined);

  // Nor once it has ended, nor once the subscription is renewed.
  sql(`UPDATE temporary_extensions SET starts_on = CURRENT_DATE - 30, renewal_term_start = CURRENT_DATE - 30,
    ends_on = CURRENT_DATE - 9 WHERE zuora_subscription_id = ${running.id}`);
  sql(`UPDATE zuora_subscriptions SET term_end_date = CURRENT_DATE - 30 WHERE id = ${running.id}`);
  ({ body: page } = await ro.json(`/admin/zuora_subscriptions/${running.id}`));
  assert.equal(page.record.badge, undefined);
});

test('the history list shows every extension', async () => {
  const sub = saas(1);
  const opp = OPPORTUNITY();
  const r = await api(anon, body(sub, { salesforce_opportunity_id: opp }));
  assert.equal(r.status, 201);
  const { body: list } = await ro.json(`/admin/temporary_extension_history?query=${opp}`);
  assert.equal(list.rows.length, 1);
  const cell = (n) => list.rows[0].cells.find((c) => c.name === n).value;
  assert.equal(cell('subscription'), sub.name);
  assert.equal(cell('ends_on'), day(22));
  assert.equal(cell('created_by'), 'sfdc');
});

test('one JSON log line per step: api_request, guardrail_check, create_sm_extension', async () => {
  const sub = subscription(account(tag()).id, { type: 'sm', ends: 2 });
  const opp = OPPORTUNITY();
  const r = await api(anon, body(sub, { salesforce_opportunity_id: opp, users: 10 }));
  assert.equal(r.status, 201);
  const lines = appLog({ functionality: 'temporary_extension', zuora_subscription_id: sub.zid });
  const workflows = lines.map((l) => l.workflow);
  for (const w of ['api_request', 'guardrail_check', 'create_sm_extension']) assert.ok(workflows.includes(w), w);
  for (const l of lines) assert.equal(l.salesforce_opportunity_id, opp);
  assert.equal(lines.find((l) => l.workflow === 'guardrail_check').outcome, 'passed');
  assert.equal(lines.find((l) => l.workflow === 'create_sm_extension').license_id, String(r.body.license_id));

  // A refusal is logged with its code and message.
  const bad = saas(1, { creditHold: true });
  await api(anon, body(bad));
  const refused = appLog({ functionality: 'temporary_extension', workflow: 'guardrail_check', zuora_subscription_id: bad.zid });
  assert.equal(refused.length, 1);
  assert.equal(refused[0].code, 'bad_debt');
  assert.equal(refused[0].reason, MESSAGES.bad_debt);
  // Never the service token.
  assert.ok(!appLog({}).some((l) => JSON.stringify(l).includes(process.env.CDOT_SALES_SERVICE_TOKEN)));
});

test('two requests at once for one subscription: exactly one extension', async () => {
  for (let i = 0; i < 3; i++) {
    const sub = saas(-1);
    const rs = await Promise.all([api(new Client(), body(sub)), api(new Client(), body(sub)),
      api(new Client(), body(sub))]);
    const statuses = rs.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 422, 422], JSON.stringify(rs.map((r) => r.body)));
    for (const r of rs.filter((x) => x.status === 422)) assert.equal(r.body.error.code, 'already_extended');
    assert.equal(one(`SELECT count(*) FROM temporary_extensions WHERE zuora_subscription_id = ${sub.id}`), '1');
  }
});

test('a namespace\'s trial does not matter to the API (only Support\'s action sends to the trial)', async () => {
  const a = account(tag());
  const sub = subscription(a.id, { type: 'saas', ends: 2 });
  const ns = namespace(tag(), { subscriptionId: sub.id });
  trial(ns.id, { plan: 'ultimate_trial_paid_customer', status: 'expired', starts: -60, ends: -30 });
  const r = await api(anon, body(sub));
  assert.equal(r.status, 201);
  assert.equal(TODAY, day(0));
});
