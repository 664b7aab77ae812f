// The Support menu in a real browser (Chromium): as a support admin, one
// action on each Support screen (edit a SaaS trial, generate an SM trial
// license, set a namespace's extra CI minutes), each reached through the
// menu; and a read_only user sees no Support menu and is refused its pages.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, shot, signedInPage } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one, q, sql } from '../lib/db.mjs';

const t = randomBytes(4).toString('hex');
const path = `support-browser-${t}`;
const email = `sm-trial-${t}@support-browser.example`;
const TICKET = 'https://gitlab.zendesk.com/agent/tickets/';
let browser;
let page;
let ns;
let trialId;

const day = (n) => one(`SELECT (CURRENT_DATE + ${n})::text`);

before(async () => {
  const gitlabId = 900000000 + Math.floor(Math.random() * 90000000);
  ns = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, plan, extra_ci_minutes)
    VALUES (${gitlabId}, ${q(path)}, ${q(`Support Browser ${t}`)}, 'group', 'ultimate_trial', 400) RETURNING id`));
  trialId = Number(one(`INSERT INTO trials (namespace_id, plan, starts_on, ends_on)
    VALUES (${ns}, 'ultimate_trial', CURRENT_DATE - 3, CURRENT_DATE + 27) RETURNING id`));
  browser = await launch();
  page = await signedInPage(browser, 'support@example.com');
});

after(async () => {
  await browser?.close();
  sql(`BEGIN;
    DELETE FROM namespaces WHERE id = ${ns};
    DELETE FROM outbox WHERE record_type = 'licenses' AND record_id IN (SELECT id FROM licenses WHERE email = ${q(email)});
    DELETE FROM licenses WHERE email = ${q(email)};
    COMMIT;`);
});

const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);
const nav = (label) => go(`nav.sidebar a:text-is("${label}")`);

test('the Support menu lists its three screens for a support admin', async () => {
  const section = page.locator('nav.sidebar section', { has: page.locator('h2:text-is("Support")') });
  assert.deepEqual(await section.locator('li a').allTextContents(),
    ['Trial changes (SaaS)', 'Trials for SM', 'Namespace controls (SaaS)']);
});

test('Trial changes (SaaS): edit a trial\'s type and end date with a Zendesk ticket', async () => {
  await nav('Trial changes (SaaS)');
  assert.equal(await page.textContent('h1'), 'Trial changes (SaaS)');
  await page.fill('main input[name="query"]', path);
  await go('button:has-text("Refresh")');
  const row = page.locator(`tr[data-id="${trialId}"]`);
  assert.equal(await row.locator('td[data-field="status"]').textContent(), 'Active');
  assert.equal(await row.locator('td[data-field="namespace"] a').getAttribute('href'), `/admin/namespaces/${ns}`);
  await shot(page, 'support-trials');
  await Promise.all([page.waitForNavigation(), row.locator('a[data-action="edit"]').click()]);
  assert.equal(await page.textContent('h1'), 'Edit trial');

  await page.selectOption('#f-plan', 'premium_trial');
  await page.fill('#f-ends_on', day(45));
  await page.fill('#f-zendesk_ticket', 'not a link');
  await go('button[data-action="save"]');
  assert.match(await page.textContent('.field[data-field="zendesk_ticket"] .field-error'),
    /must be a Zendesk ticket link/);
  assert.equal(await page.inputValue('#f-ends_on'), day(45), 'typed values kept');
  await page.fill('#f-zendesk_ticket', `${TICKET}700001`);
  await go('button[data-action="save"]');
  assert.equal((await page.textContent('.flash')).trim(),
    `Trial of ${path} updated: Premium trial until ${day(45)}. The change is queued for GitLab.com.`);
  assert.equal(one(`SELECT plan || ' ' || ends_on FROM trials WHERE id = ${trialId}`), `premium_trial ${day(45)}`);
  await shot(page, 'support-trial-edited');
});

test('Trials for SM: generate a legacy trial license; it can be downloaded', async () => {
  await nav('Trials for SM');
  await go('a[data-action="new"]');
  assert.equal(await page.textContent('h1'), 'New SM trial license');
  await page.fill('#f-email', email);
  await page.fill('#f-user_count', '25');
  await page.fill('#f-zendesk_ticket', `${TICKET}700002`);
  await shot(page, 'support-sm-trial-new');
  await go('button[data-action="save"]');
  assert.match(page.url(), /\/admin\/licenses\/\d+$/);
  assert.equal((await page.textContent('.flash')).trim(), `Trial license created; it is being e-mailed to ${email}.`);
  const download = page.locator('.page-actions a[data-action="download"]');
  assert.equal(await download.textContent(), 'Download license file');
  const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
  assert.match(file.suggestedFilename(), /^license-\d+\.gitlab-license$/);
  await shot(page, 'support-sm-trial-license');
});

test('Namespace controls (SaaS): find a namespace by path, set its extra CI minutes', async () => {
  await nav('Namespace controls (SaaS)');
  assert.equal(await page.getAttribute('nav.tabs a.active', 'data-tab'), 'extra_ci_minutes');
  await page.fill('#l-namespace', path);
  await go('button[data-action="find"]');
  assert.match(await page.textContent('[data-summary="namespace"]'), new RegExp(path));
  assert.equal(await page.inputValue('#f-extra_ci_minutes'), '400');
  await page.fill('#f-extra_ci_minutes', '5000');
  await page.fill('#f-zendesk_ticket', `${TICKET}700003`);
  await go('button[data-action="save"]');
  assert.equal((await page.textContent('.flash')).trim(), `Extra CI minutes of ${path}: 5000 (was 400). The change is queued for GitLab.com.`);
  assert.match(await page.textContent('[data-summary="namespace"]'), /Extra CI minutes\s*5000/);
  await shot(page, 'support-namespace-minutes');
});

test('a read_only user sees no Support menu and is refused its pages', async () => {
  const ro = await signedInPage(browser, 'readonly@example.com');
  assert.equal(await ro.locator('nav.sidebar h2:text-is("Support")').count(), 0);
  assert.equal(await ro.locator('nav.sidebar a:text-is("Trial changes (SaaS)")').count(), 0);
  const res = await ro.goto(`${APP_URL}/admin/support/trials`);
  assert.equal(res.status(), 403);
  await shot(ro, 'support-readonly-refused');
  await ro.context().close();
});
