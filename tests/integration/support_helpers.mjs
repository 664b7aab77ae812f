// Helpers shared by the support_*.test.mjs files (the Support menu and
// temporary extensions).  Each file makes its own billing accounts,
// subscriptions, namespaces and trials (names with a random tag) and
// removes them in after(), so the demo records other files count are
// left as they were.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  client, tag, sql, one, q, zuoraId, makeAccount, makeCustomer, cleanup as editCleanup, track,
  follow, fieldErrors, assertFormAnswer, waitFor, decode, HTML, JSON_,
} from './edit_helpers.mjs';

export {
  client, tag, sql, one, q, zuoraId, makeAccount, makeCustomer, track, follow, fieldErrors,
  assertFormAnswer, waitFor, decode, HTML, JSON_,
};

export const SUPPORT = 'support@example.com';
export const ADMIN = 'admin@example.com';
export const SUPPORT_ACTOR = `admin:${SUPPORT}`;
export const TICKET = 'https://gitlab.zendesk.com/agent/tickets/';
export const ticket = () => `${TICKET}${100000 + Math.floor(Math.random() * 899999)}`;

// Dates relative to the database's today (UTC).
export const TODAY = one('SELECT CURRENT_DATE::text');
export const day = (offset) => one(`SELECT (CURRENT_DATE + ${Number(offset)})::text`);

export const MESSAGES = {
  outside_window: 'Temporary extension can be requested 15 days prior to subscription expiry up until 13 days after subscription expiry',
  already_extended: 'Subscription has already availed an extension in the current renewal term',
  upcoming: (d) => `Subscription has an upcoming extension starting on ${d}`,
  bad_debt: 'Customer account labeled as having bad debt',
  trade_restricted: 'Customer account belongs to a trade restricted country',
};

// What this file made, removed by cleanup().
const made = { subscriptions: [], namespaces: [], licenses: [] };

// A billing account (Sold_To in country), optionally on support or
// credit hold.
export function account(t, { country = 'US', state, supportHold = false, creditHold = false } = {}) {
  const a = makeAccount(t, { country, state: state ?? (country === 'US' ? 'California' : 'Region') });
  if (supportHold || creditHold) {
    sql(`UPDATE billing_accounts SET support_hold = ${supportHold}, credit_hold = ${creditHold} WHERE id = ${a.id}`);
  }
  return a;
}

// A subscription whose term ends `ends` days from today (UTC).
export function subscription(accountId, { type = 'saas', ends = 10, plan = 'premium', status = 'active' } = {}) {
  const zid = zuoraId();
  const name = `ST-${tag()}`;
  const id = Number(one(`INSERT INTO zuora_subscriptions (zuora_subscription_id, name, billing_account_id,
      deployment_type, status, gitlab_plan, term_start_date, term_end_date, seats)
    VALUES (${q(zid)}, ${q(name)}, ${accountId}, ${q(type)}, ${q(status)}, ${q(plan)},
      CURRENT_DATE + ${Number(ends)} - 365, CURRENT_DATE + ${Number(ends)}, 10) RETURNING id`));
  made.subscriptions.push(id);
  return { id, zid, name, termEnd: day(ends) };
}

// A GitLab.com group, optionally paid by a subscription.
export function namespace(t, { subscriptionId = null, plan, owner = null } = {}) {
  const gitlabId = 800000000 + Math.floor(Math.random() * 100000000);
  const path = `support-tests-${t}-${Math.floor(Math.random() * 1e6)}`;
  const p = plan ?? (subscriptionId ? 'premium' : 'free');
  const id = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, owner_customer_id, plan,
      zuora_subscription_id, extra_ci_minutes, additional_storage_mib, max_seats_used)
    VALUES (${gitlabId}, ${q(path)}, ${q(`Support Tests ${t}`)}, 'group', ${owner ?? 'NULL'}, ${q(p)},
      ${subscriptionId ?? 'NULL'}, 1000, 2048, 12) RETURNING id`));
  made.namespaces.push(id);
  return { id, gitlabId, path };
}

export function trial(namespaceId, { plan = 'ultimate_trial', starts = -10, ends = 20, status = 'active' } = {}) {
  return Number(one(`INSERT INTO trials (namespace_id, plan, starts_on, ends_on, status, cancelled_at)
    VALUES (${namespaceId}, ${q(plan)}, CURRENT_DATE + ${starts}, CURRENT_DATE + ${ends}, ${q(status)},
      ${status === 'cancelled' ? 'now()' : 'NULL'}) RETURNING id`));
}

// A license's file as stored (several lines).
export const licenseFile = (id) => one(`SELECT translate(license_file, E'\n', ' ')
  FROM licenses WHERE id = ${Number(id)}`).replace(/ /g, '\n');

export const trackLicense = (id) => made.licenses.push(Number(id));

export function cleanup() {
  const ids = (list) => (list.length ? list.join(', ') : 'NULL');
  const subs = ids(made.subscriptions);
  sql(`BEGIN;
    DELETE FROM outbox WHERE record_type = 'temporary_extensions' AND record_id IN
      (SELECT id FROM temporary_extensions WHERE zuora_subscription_id IN (${subs}));
    CREATE TEMP TABLE gone_licenses AS SELECT license_id AS id FROM temporary_extensions
      WHERE zuora_subscription_id IN (${subs}) AND license_id IS NOT NULL
      UNION SELECT id FROM licenses WHERE zuora_subscription_id IN (${subs})
      UNION SELECT unnest(ARRAY[${ids(made.licenses)}]::bigint[]);
    DELETE FROM temporary_extensions WHERE zuora_subscription_id IN (${subs});
    DELETE FROM outbox WHERE record_type = 'licenses' AND record_id IN (SELECT id FROM gone_licenses);
    DELETE FROM licenses WHERE id IN (SELECT id FROM gone_licenses);
    DELETE FROM namespaces WHERE id IN (${ids(made.namespaces)}) OR zuora_subscription_id IN (${subs});
    DELETE FROM zuora_subscriptions WHERE id IN (${subs});
    COMMIT;`);
  for (const list of Object.values(made)) list.length = 0;
  editCleanup();
}

// The sales system's API.
export const API = '/api/v1/temporary_extensions';
export async function api(c, body, { token = process.env.CDOT_SALES_SERVICE_TOKEN, type = 'application/json' } = {}) {
  const headers = { accept: 'application/json', 'content-type': type };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await c.request(API, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  let json = null;
  try { json = JSON.parse(res.text_); } catch { json = null; }
  return { status: res.status, body: json, res };
}

export const OPPORTUNITY = () => `0064M0000${tag().slice(0, 6).toUpperCase()}QAF`;

// The newest history event of a record.
export async function lastEvent(c, resource, id) {
  const { res, body } = await c.json(`/admin/${resource}/${id}/history`);
  assert.equal(res.status, 200);
  return body.events[0];
}

// JSON lines of the app's log that match.
export function appLog(match) {
  const text = readFileSync(process.env.CDOT_TEST_APP_LOG, 'utf8');
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => {
    try { return JSON.parse(l); } catch { return null; }
  }).filter((o) => o && Object.entries(match).every(([k, v]) => o[k] === v));
}

// A statement the database must refuse: its error message (or null).
export function sqlError(text) {
  try {
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
      encoding: 'utf8', env: process.env, input: text, stdio: 'pipe',
    });
    return null;
  } catch (e) {
    return String(e.stderr);
  }
}
