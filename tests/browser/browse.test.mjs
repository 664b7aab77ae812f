// Browsing in a real browser: search, add a filter, sort, page, open a
// record and its history.  Screenshots are kept for people to look at.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { openSignedIn, shot } from '../lib/browser.mjs';

let browser;
let page;
before(async () => {
  ({ browser, page } = await openSignedIn('readonly@example.com', { path: '/admin/customers' }));
});
after(async () => { await browser?.close(); });

const rows = () => page.$$eval('table.records tbody tr', (trs) => trs.length);

// Wide tables scroll inside their own box: the page as a whole is never
// wider than the window, so the header and the menu stay in view.
async function assertNoSidewaysScroll() {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `page ${scrollWidth} px wide in a ${clientWidth} px window`);
}

test('search customers by company domain', async () => {
  assert.match(page.url(), /\/admin\/customers$/);
  await page.fill('main input[name="query"]', 'northwind-robotics.com');
  await Promise.all([page.waitForNavigation(), page.press('main input[name="query"]', 'Enter')]);
  assert.match(page.url(), /query=northwind-robotics.com/);
  assert.equal(await rows(), 3);
  assert.ok(await page.isVisible('text=Subscription'));
  await shot(page, 'customers-search');
});

test('add a filter, refresh, then remove it', async () => {
  await page.goto(page.url().replace(/\?.*$/, ''));
  // "Add filter" opens the list of fields; a field adds its row.
  await page.click('.add-filter summary');
  await Promise.all([page.waitForNavigation(), page.click('.add-filter button[value="first_name"]')]);
  const row = page.locator('.filter[data-field="first_name"]');
  await row.locator('select').selectOption('is');
  await row.locator('input').first().fill('Tom');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Refresh")')]);
  assert.equal(await rows(), 1);
  assert.match(await page.textContent('table.records tbody'), /Becker/);
  await shot(page, 'customers-filter');
  await Promise.all([page.waitForNavigation(), page.click('.filter .remove')]);
  assert.ok((await rows()) > 1);
});

test('sort by email both ways, and page through', async () => {
  await page.goto(page.url().replace(/\?.*$/, ''));
  await Promise.all([page.waitForNavigation(), page.click('th a:has-text("Email")')]);
  const first = await page.textContent('tbody tr:first-child td[data-field="email"]');
  await Promise.all([page.waitForNavigation(), page.click('th a:has-text("Email")')]);
  const firstDesc = await page.textContent('tbody tr:first-child td[data-field="email"]');
  assert.ok(firstDesc > first);
  assert.match(page.url(), /sort=email&sort_reverse=true/);
  await Promise.all([page.waitForNavigation(), page.click('a[rel="next"]')]);
  assert.match(page.url(), /page=2/);
  assert.ok((await rows()) >= 1);
  await shot(page, 'customers-page-2');
});

test('open a record, then its history', async () => {
  await page.goto(page.url().replace(/\?.*$/, '') + '?query=dana.whitfield');
  await Promise.all([page.waitForNavigation(), page.click('tbody tr:first-child a.show')]);
  assert.match(await page.textContent('h1'), /Dana Whitfield/);
  assert.ok(await page.isVisible('h2:has-text("Zuora subscriptions")'));
  assert.ok(await page.isVisible('th:has-text("Owed seats")'));
  await shot(page, 'customer-show');
  await assertNoSidewaysScroll();
  await Promise.all([page.waitForNavigation(), page.click('.page-actions a:has-text("History")')]);
  assert.match(await page.textContent('h1'), /History of Customer/);
  assert.ok(await page.isVisible('.event-create'));
  assert.match(await page.textContent('.event-create .actor'), /system/);
  await shot(page, 'customer-history');
});

test('the QSR list filtered on the error message', async () => {
  await page.goto(page.url().replace(/\/admin\/.*$/, '/admin/reconciliations') +
    '?f%5Berror_message%5D%5B98073%5D%5Bo%5D=like&f%5Berror_message%5D%5B98073%5D%5Bv%5D=MaxAdditionalSeatsExceededError');
  assert.equal(await rows(), 1);
  assert.equal(await page.inputValue('.filter[data-field="error_message"] input'), 'MaxAdditionalSeatsExceededError');
  await shot(page, 'reconciliations-filtered');
});

test('in a narrow window, a wide list scrolls in its box and its actions stay reachable', async () => {
  await page.setViewportSize({ width: 800, height: 900 });
  try {
    await page.goto(page.url().replace(/\/admin\/.*$/, '/admin/customers'));
    await assertNoSidewaysScroll();
    const box = await page.$eval('.table-scroll', (el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(box.scroll > box.client, 'the list is wider than its box at 800 px');
    await page.locator('tbody tr:first-child a.show').scrollIntoViewIfNeeded();
    await Promise.all([page.waitForNavigation(), page.click('tbody tr:first-child a.show')]);
    assert.match(page.url(), /\/admin\/customers\/\d+$/);
    await shot(page, 'customer-show-narrow');
  } finally {
    await page.setViewportSize({ width: 1400, height: 900 });
  }
});
