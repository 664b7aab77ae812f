// The search box in the header, in a real browser at 1280 × 800: a key
// typed into it lands on the record (one match) or on the results grouped
// by resource (several), which axe-core finds clean.  Screenshots are kept
// for people to look at.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, shot, signedInPage } from '../lib/browser.mjs';
import { one } from '../lib/db.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
let page;
before(async () => {
  browser = await launch();
  page = await signedInPage(browser, 'readonly@example.com', '/admin/customers');
  await page.setViewportSize({ width: 1280, height: 800 });
});
after(async () => { await browser?.close(); });

async function searchFor(key) {
  const box = page.getByRole('searchbox', { name: 'Search every record' });
  await box.fill(key);
  await Promise.all([page.waitForNavigation(), box.press('Enter')]);
}

async function assertAxeClean(what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document));
  const found = result.violations.map((v) => `${v.id}: ${v.help} ` +
    v.nodes.map((n) => n.target.join(' ')).join(', '));
  assert.deepEqual(found, [], what);
}

test('a subscription name typed in the header box opens the subscription', async () => {
  const id = one(`SELECT id FROM zuora_subscriptions WHERE name = 'A-S00039268'`);
  // The box is in the header, in view, beside the brand, at 1280 px.
  const box = await page.locator('header .global-search input').boundingBox();
  assert.ok(box && box.y < 60 && box.width >= 200, JSON.stringify(box));
  await searchFor('A-S00039268');
  assert.match(page.url(), new RegExp(`/admin/zuora_subscriptions/${id}$`));
  assert.match(await page.textContent('h1'), /A-S00039268/);
  await shot(page, 'global-search-subscription');
});

test('a company domain lists what matches, grouped by resource', async () => {
  await searchFor('northwind-robotics.com');
  assert.match(page.url(), /\/admin\/search\?query=northwind-robotics.com$/);
  assert.equal(await page.inputValue('header input[name="query"]'), 'northwind-robotics.com');
  const group = page.locator('section.search-group[data-resource="customers"]');
  assert.equal(await group.locator('h2').textContent(), 'Customers');
  assert.ok((await group.locator('li').count()) >= 3);
  await assertAxeClean('search results');
  await shot(page, 'global-search-domain');
  await Promise.all([page.waitForNavigation(), group.locator('li a').first().click()]);
  assert.match(page.url(), /\/admin\/customers\/\d+$/);
});

test('nothing found says so', async () => {
  await searchFor('zzqx-nothing-here');
  assert.ok(await page.isVisible('text=Nothing matches'));
  await assertAxeClean('search without results');
});

test('a company name pasted by sales lists its records, and links the lists of what belongs to them', async () => {
  // A billing account with orders, whose name is two words or more.
  const [id, name] = one(`SELECT b.id || '|' || b.zuora_account_name FROM billing_accounts b
    WHERE EXISTS (SELECT 1 FROM orders o WHERE o.billing_account_id = b.id)
      AND b.zuora_account_name LIKE '% %' ORDER BY b.id LIMIT 1`).split('|');
  await searchFor(name);
  assert.match(page.url(), /\/admin\/search\?query=/);
  const group = page.locator('section.search-group[data-resource="billing_accounts"]');
  assert.ok(await group.locator(`a[href="/admin/billing_accounts/${id}"]`).isVisible());
  const line = page.locator('p.search-elsewhere');
  assert.match(await line.textContent(), /Text is not searched here in the records that belong to another one/);
  await assertAxeClean('search for a company');
  await shot(page, 'global-search-company');

  await Promise.all([page.waitForNavigation(), line.getByRole('link', { name: 'Orders' }).click()]);
  assert.match(page.url(), /\/admin\/orders\?query=/);
  assert.equal(await page.inputValue('main input[name="query"]'), name);
  assert.ok((await page.locator('main table tbody tr').count()) >= 1);
  await shot(page, 'global-search-company-orders');
});

test('a word too short to search is offered to the lists', async () => {
  await searchFor('Li Wu');
  assert.ok(await page.isVisible('text=type a word of three characters or more'));
  assert.ok(await page.locator('p.search-elsewhere a[data-resource="customers"]').isVisible());
  await assertAxeClean('search too short');
});

test("part of a license's hostname in the seat links' own search box", async () => {
  await page.goto(page.url().replace(/\/admin\/.*$/, '/admin/license_seat_links'));
  await page.fill('main input[name="query"]', 'gitlab.arcticfox');
  await Promise.all([page.waitForNavigation(), page.press('main input[name="query"]', 'Enter')]);
  assert.match(page.url(), /\/admin\/license_seat_links\?query=gitlab.arcticfox/);
  const hosts = await page.$$eval('table.records tbody tr', (trs) =>
    trs.map((tr) => tr.textContent));
  assert.equal(hosts.length, 7);
  assert.ok(hosts.every((t) => t.includes('gitlab.arcticfox.ca')), hosts.join('\n'));
  await assertAxeClean('seat links searched');
  await shot(page, 'seat-links-search');
});
