// GitLab.com in a real browser (Chromium, 1280 x 800), as a support admin:
// find a namespace in Namespace controls, see GitLab.com's values beside
// the panel's, set its extra CI minutes while GitLab.com is down, and
// watch the namespace's "GitLab.com sync" panel go from queued to sent
// once it is back; GitLab.com (tests/lib/gitlab.mjs) then has the value.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, shot, signedInPage } from '../lib/browser.mjs';
import { one, q, sql } from '../lib/db.mjs';
import { gitlab } from '../lib/gitlab.mjs';

const t = randomBytes(4).toString('hex');
const path = `gitlab-browser-${t}`;
const gitlabId = 700000000 + Math.floor(Math.random() * 90000000);
const TICKET = 'https://gitlab.zendesk.com/agent/tickets/700100';
let browser;
let page;
let ns;

before(async () => {
  ns = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, plan, extra_ci_minutes)
    VALUES (${gitlabId}, ${q(path)}, ${q(`GitLab Browser ${t}`)}, 'group', 'free', 7500) RETURNING id`));
  await gitlab.namespace({ id: gitlabId, name: `GitLab Browser ${t}`, path, full_path: path,
    extra_shared_runners_minutes_limit: 7500 });
  browser = await launch();
  page = await signedInPage(browser, 'support@example.com');
  await page.setViewportSize({ width: 1280, height: 800 });
});

after(async () => {
  await gitlab.mode('up');
  await browser?.close();
  sql(`BEGIN; DELETE FROM outbox WHERE record_type = 'namespaces' AND record_id = ${ns};
    DELETE FROM namespaces WHERE id = ${ns}; COMMIT;`);
});

const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);
const status = () => page.getAttribute('[data-panel="gitlab_sync"] tbody tr:first-child td[data-status]', 'data-status');

test('set extra CI minutes; the sync panel goes from queued to sent', async () => {
  await go('nav.sidebar a:text-is("Namespace controls (SaaS)")');
  await page.fill('#l-namespace', path);
  await go('button[data-action="find"]');
  const live = page.locator('table[data-gitlab="live"]');
  assert.match(await live.textContent(), /Extra CI minutes\s*7500\s*7500\s*same/);
  await shot(page, 'gitlab-find');

  await gitlab.mode('down');
  await page.fill('#f-extra_ci_minutes', '9000');
  await page.fill('#f-zendesk_ticket', TICKET);
  await go('button[data-action="save"]');
  assert.equal((await page.textContent('.flash')).trim(),
    `Extra CI minutes of ${path}: 9000 (was 7500). The change is queued for GitLab.com.`);

  await go('[data-summary="namespace"] a[href^="/admin/namespaces/"]');
  assert.equal(await status(), 'pending');
  assert.match(await page.textContent('[data-panel="gitlab_sync"] td[data-status]'), /^queued/);
  await shot(page, 'gitlab-sync-queued');

  await gitlab.mode('up');
  for (let i = 0; i < 60 && (await status()) !== 'sent'; i++) {
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
  }
  assert.equal(await status(), 'sent');
  assert.match(await page.textContent('[data-panel="gitlab_sync"] tbody tr:first-child'),
    /"extra_shared_runners_minutes_limit": 9000/);
  await shot(page, 'gitlab-sync-sent');
  assert.equal((await gitlab.get(gitlabId)).extra_shared_runners_minutes_limit, 9000);
});
