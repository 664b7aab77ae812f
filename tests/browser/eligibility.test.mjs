// A subscription's Eligibility panel in a real browser (Chromium) on a
// 1280x800 laptop screen: a read-only user opens a subscription from the
// list, finds the three sections (auto-renewal, QSR, temporary
// extension), each rule with its verdict and data, without the page
// scrolling sideways; axe-core finds nothing.  Screenshots:
// eligibility-page.png (whole page) and eligibility-panel.png.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, shot, signedInPage, SHOTS } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one } from '../lib/db.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser;
let page;

before(async () => {
  browser = await launch();
  page = await signedInPage(browser, 'readonly@example.com');
  await page.setViewportSize({ width: 1280, height: 800 });
});
after(async () => { await browser?.close(); });

test('from the list to a subscription whose card expired: the panel explains why it will not auto-renew', async () => {
  await page.goto(`${APP_URL}/admin/zuora_subscriptions?query=A-S00044020`);
  await Promise.all([page.waitForNavigation(), page.click('a.show[aria-label="Show"]')]);
  assert.equal(new URL(page.url()).pathname,
    `/admin/zuora_subscriptions/${one("SELECT id FROM zuora_subscriptions WHERE name = 'A-S00044020'")}`);

  const panel = page.locator('section[data-panel="eligibility"]');
  assert.ok(await panel.isVisible());
  assert.equal(await panel.locator('h2').textContent(), 'Eligibility');
  assert.deepEqual(await panel.locator('section.eligibility-section h3').allTextContents(),
    ['Auto-renewal', 'Quarterly Subscription Reconciliation (QSR)', 'Temporary renewal extension']);
  const answers = await panel.locator('.eligibility-answer').allInnerTexts();
  assert.equal(answers[0], 'No: auto-renewal will not be attempted (1 rule fails).');
  assert.equal(answers[1], 'Yes: enrolled in QSR and eligible.');
  assert.equal(answers[2], 'No: Temporary extension can be requested 15 days prior to subscription expiry ' +
    'up until 13 days after subscription expiry');

  const card = panel.locator('section[data-eligibility="auto_renewal"] tr[data-rule="card_expired"]');
  assert.equal(await card.getAttribute('data-verdict'), 'fail');
  assert.equal(await card.locator('td.verdict').textContent(), 'Fail');
  assert.match(await card.locator('td.data').textContent(), /MasterCard ending in 8118 expired \d\d\/\d{4}/);
  assert.equal(await panel.locator('section[data-eligibility="auto_renewal"] tbody tr').count(), 14);

  // Everything fits the 1280 px screen: the page does not scroll sideways,
  // and the rule table is as wide as its panel at most.
  const widths = await page.evaluate(() => ({
    page: document.scrollingElement.scrollWidth,
    table: document.querySelector('section[data-eligibility="auto_renewal"] table').getBoundingClientRect().right,
    panel: document.querySelector('section[data-panel="eligibility"]').getBoundingClientRect().right,
  }));
  assert.ok(widths.page <= 1280, `page ${widths.page}px wide`);
  assert.ok(widths.table <= widths.panel + 1, `table ends at ${widths.table}, panel at ${widths.panel}`);

  await card.scrollIntoViewIfNeeded();
  assert.ok(await card.isVisible());
  await shot(page, 'eligibility-page');
  await panel.screenshot({ path: `${SHOTS}eligibility-panel.png` });
});

test('the panel is accessible (axe-core)', async () => {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document));
  const found = result.violations.map((v) => `${v.id}: ${v.help} ` +
    v.nodes.map((n) => n.target.join(' ')).join(', '));
  assert.deepEqual(found, []);
});
