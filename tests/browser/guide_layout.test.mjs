// The Fulfillment Guide, word for word, on a 1280 × 800 laptop screen
// (Chromium): every list and every related list on a show page has its
// rows' actions on screen without scrolling sideways (actions first);
// the Guide's icons ✎ ℹ️ 📕 are links with names and tooltips; dates and
// subscription names stay on one line; the QSR list's error message is in
// view; "+ Add new", "x Delete", "Add filter" (one click opens the list of
// fields), Support's pencil and no-entry sign, and a show page's links to
// its related lists by the Guide's words ("List Invoices", "Zuora
// Subscriptions", "GitLab Groups").  Screenshots are kept to look at.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSignedIn, shot } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';
import { one, q, sql } from '../lib/db.mjs';
import { LISTS } from '../lib/lists.mjs';

const W = 1280;
const H = 800;
const t = randomBytes(4).toString('hex');
// Records of the demo data with related rows to show; the others' first row.
const SHOW_QUERY = {
  customers: 'dana.whitfield',
  billing_accounts: 'Northwind',
  zuora_subscriptions: 'A-S00039268',
  namespaces: `guide-layout-${t}`,
};

let browser;
let page;
let ns;
let trialId;

before(async () => {
  const gitlabId = 910000000 + Math.floor(Math.random() * 80000000);
  ns = Number(one(`INSERT INTO namespaces (gitlab_id, path, name, kind, plan)
    VALUES (${gitlabId}, ${q(`guide-layout-${t}`)}, ${q(`Guide Layout ${t}`)}, 'group', 'ultimate_trial') RETURNING id`));
  trialId = Number(one(`INSERT INTO trials (namespace_id, plan, starts_on, ends_on)
    VALUES (${ns}, 'ultimate_trial', CURRENT_DATE - 3, CURRENT_DATE + 27) RETURNING id`));
  ({ browser, page } = await openSignedIn('admin@example.com', { size: { width: W, height: H } }));
});

after(async () => {
  await browser?.close();
  sql(`DELETE FROM namespaces WHERE id = ${ns};`);
});

const go = (selector) => Promise.all([page.waitForNavigation(), page.click(selector)]);

// The page as a whole never scrolls sideways.
async function assertNoSidewaysScroll(what) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  assert.ok(scrollWidth <= clientWidth, `${what}: page ${scrollWidth} px wide in a ${clientWidth} px window`);
}

// Every row's action links in `scope` (a table's CSS selector), as the
// page first shows them: inside the window, named, with a tooltip.
async function assertActionsInView(scope, what) {
  const links = await page.$$eval(`${scope} tbody tr td.actions a`, (as) => as.map((a) => {
    const r = a.getBoundingClientRect();
    return {
      x: r.x, right: r.right, width: r.width, height: r.height,
      name: a.getAttribute('aria-label') ?? a.textContent.trim(),
      title: a.getAttribute('title'), text: a.textContent.trim(), cls: a.className,
    };
  }));
  const rows = await page.$$eval(`${scope} tbody tr`, (trs) => trs.filter((tr) => !tr.querySelector('td.empty')).length);
  assert.ok(rows > 0, `${what}: has rows`);
  assert.ok(links.length >= rows * 2, `${what}: Show and History on each of ${rows} rows (${links.length} links)`);
  for (const l of links) {
    assert.ok(l.width > 0 && l.x >= 0 && l.right <= W, `${what}: ${l.name} at ${l.x}..${l.right} is off a ${W} px screen`);
    assert.ok(l.name, `${what}: an action without a name`);
  }
  for (const [cls, name, icon] of [['show', 'Show', 'ℹ️'], ['history', 'History', '📕'], ['edit', 'Edit', '✎']]) {
    for (const l of links.filter((x) => x.cls.split(' ').includes(cls))) {
      assert.equal(l.name, name, `${what}: ${cls} link's accessible name`);
      assert.equal(l.title, name, `${what}: ${cls} link's tooltip`);
      assert.equal(l.text, icon, `${what}: ${cls} link's icon`);
      assert.ok(l.width >= 24 && l.height >= 24, `${what}: ${cls} icon is a 24 px target`);
    }
  }
  return links;
}

// Dates, times and subscription names are on one line each.
async function assertOneLine(scope, what) {
  const broken = await page.$$eval(`${scope} td[data-type="date"], ${scope} td[data-type="time"], ` +
    `${scope} td[data-field="subscription"], ${scope} td[data-field="subscription_name"], ` +
    `[data-resource="zuora_subscriptions"] ${scope} td[data-field="name"]`, (tds) => tds.flatMap((td) => {
    const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    const node = walker.nextNode();
    if (!node || node.textContent.trim() === '') return [];
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return tops.size > 1 ? [`${td.dataset.field}: ${node.textContent}`] : [];
  }));
  assert.deepEqual(broken, [], `${what}: broken across lines`);
}

for (const [name, path] of Object.entries(LISTS)) {
  test(`${name}: each row's actions are on a 1280 px screen, dates on one line`, async () => {
    await page.goto(`${APP_URL}${path}`);
    assert.equal(await page.locator('table.records').count(), 1);
    await assertNoSidewaysScroll(name);
    await assertActionsInView('table.records', name);
    await assertOneLine('table.records', name);
    if (['customers', 'reconciliations', 'licenses', 'zuora_subscriptions'].includes(name)) await shot(page, `guide-${name}`);
  });
}

test('reconciliations: the error message column is in view at 1280 px, long text cut with a tooltip', async () => {
  await page.goto(`${APP_URL}/admin/reconciliations`);
  const th = await page.locator('thead th', { hasText: 'Error message' }).boundingBox();
  assert.ok(th, 'an Error message column');
  // All of it, even beside a 17 px scroll bar (Windows, GNOME).
  assert.ok(th.x + th.width <= W - 17, `Error message heading at ${th.x}..${th.x + th.width}`);
  const cells = await page.$$eval('td[data-field="error_message"]:not(.blank)', (tds) => tds.map((td) => {
    const r = td.getBoundingClientRect();
    return { x: r.x, right: r.right, title: td.title, text: td.textContent };
  }));
  assert.ok(cells.length > 0, 'the demo has failed reconciliations');
  for (const c of cells) {
    assert.ok(c.right <= W - 17, `an error message cell ends at ${c.right}`);
    assert.equal(c.title, c.text, 'the whole message is the tooltip');
  }
});

for (const [name, path] of Object.entries(LISTS)) {
  test(`${name}: a show page's related lists have their actions on screen`, async () => {
    const query = SHOW_QUERY[name] ? `?query=${encodeURIComponent(SHOW_QUERY[name])}` : '';
    await page.goto(`${APP_URL}${path}${query}`);
    await go('table.records tbody tr:first-child a.show');
    assert.match(page.url(), new RegExp(`/admin/${name}/\\d+$`));
    await assertNoSidewaysScroll(`${name} show`);
    const sections = await page.$$eval('section.related[id] table.records', (ts) => ts.map((tb) => tb.closest('section').id));
    for (const id of sections) {
      await assertActionsInView(`#${id} table.records`, `${name} show, ${id}`);
      await assertOneLine(`#${id} table.records`, `${name} show, ${id}`);
    }
    // The page-top links lead to each related section.
    const links = await page.$$eval('nav.section-links a', (as) => as.map((a) => a.getAttribute('href')));
    const all = await page.$$eval('section.related[id]', (ss) => ss.map((s) => `#${s.id}`));
    assert.deepEqual(links, all, `${name}: a link to each related list`);
    if (SHOW_QUERY[name]) {
      assert.ok(sections.length > 0, `${name}: the demo record has related rows`);
      await shot(page, `guide-${name}-show`);
    }
  });
}

test('the icons: ℹ️ Show, 📕 History, ✎ Edit, each named and with a tooltip; ✎ opens the edit form', async () => {
  await page.goto(`${APP_URL}/admin/customers`);
  const row = page.locator('table.records tbody tr').first();
  for (const [name, icon] of [['Show', 'ℹ️'], ['History', '📕'], ['Edit', '✎']]) {
    const a = row.getByRole('link', { name, exact: true });
    assert.equal(await a.count(), 1, name);
    assert.equal(await a.getAttribute('title'), name);
    assert.equal((await a.textContent()).trim(), icon);
  }
  const id = (await row.getByRole('link', { name: 'Show', exact: true }).getAttribute('href')).split('/').pop();
  // "Select the correct customer by clicking on the ✎ icon in the Customers section."
  await Promise.all([page.waitForNavigation(), row.locator('a', { hasText: '✎' }).click()]);
  assert.match(page.url(), new RegExp(`/admin/customers/${id}/edit$`));
  assert.ok(await page.isVisible('#f-first_name'));
  assert.ok(await page.isVisible('label:has-text("Login activated")'));
  assert.ok(await page.isVisible('button:has-text("Save")'));
});

test('"+ Add new" and "x Delete", as the Guide writes them', async () => {
  await page.goto(`${APP_URL}/admin/billing_account_memberships`);
  const add = page.locator('.page-actions a[data-action="new"]');
  assert.equal((await add.textContent()).trim(), '+ Add new');
  assert.equal(await page.getByRole('link', { name: '+ Add new' }).count(), 1);
  await go('table.records tbody tr:first-child a.show');
  const del = page.locator('.page-actions a[data-action="delete"]');
  assert.equal((await del.textContent()).trim(), 'x Delete');
  assert.equal(await page.getByRole('link', { name: 'x Delete' }).count(), 1);
  const box = await del.boundingBox();
  assert.ok(box.x + box.width <= W && box.y + box.height <= H, 'x Delete is on the first screen');
  await go('.page-actions a[data-action="delete"]');
  assert.ok(await page.isVisible('button:has-text("Yes, I\'m sure")'));
});

test('"Add filter": one click opens the list of fields; a field adds its filter', async () => {
  await page.goto(`${APP_URL}/admin/customers`);
  const menu = page.locator('.add-filter .menu');
  assert.equal(await menu.isVisible(), false);
  await page.getByText('Add filter', { exact: true }).click();
  assert.ok(await menu.isVisible(), 'the fields are listed after one click');
  await assertNoSidewaysScroll('the open field list');
  const box = await menu.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= W, `the field list at ${box.x}..${box.x + box.width}`);
  const fields = await menu.locator('button').allTextContents();
  assert.ok(fields.includes('First name') && fields.includes('Email'), fields.join(', '));
  await shot(page, 'guide-add-filter');
  await Promise.all([page.waitForNavigation(), menu.getByRole('button', { name: 'First name' }).click()]);
  const row = page.locator('.filter[data-field="first_name"]');
  assert.ok(await row.isVisible());
  await row.locator('select').selectOption('is');
  await row.locator('input').first().fill('Dana');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Refresh")')]);
  assert.match(await page.textContent('table.records tbody'), /Whitfield/);
  // Escape closes the list again.
  await page.getByText('Add filter', { exact: true }).click();
  assert.ok(await menu.isVisible());
  await page.keyboard.press('Escape');
  assert.equal(await menu.isVisible(), false);
});

test('Support > Trial changes: a pencil to edit, a no-entry sign to cancel', async () => {
  await page.goto(`${APP_URL}/admin/support/trials?query=${encodeURIComponent(`guide-layout-${t}`)}`);
  const row = page.locator(`tr[data-id="${trialId}"]`);
  for (const [action, name, glyph] of [['edit', 'Edit', '✎'], ['cancel', 'Cancel', '⛔']]) {
    const a = row.locator(`a[data-action="${action}"]`);
    assert.equal(await a.getAttribute('aria-label'), name);
    assert.equal(await a.getAttribute('title'), name);
    assert.equal(await row.getByRole('link', { name, exact: true }).count(), 1);
    assert.equal((await a.textContent()).trim(), glyph);
    assert.ok(await a.locator('span[aria-hidden="true"]').isVisible(), `${name}: its glyph is shown`);
    const box = await a.boundingBox();
    assert.ok(box.x + box.width <= W && box.width >= 24, `${name} at ${box.x}`);
  }
  await shot(page, 'guide-support-trials');
  await Promise.all([page.waitForNavigation(), row.locator('a[data-action="cancel"]').click()]);
  assert.equal(await page.textContent('h1'), 'Cancel trial');
});

test('a show page\'s related lists by the Guide\'s words', async () => {
  const ba = one(`SELECT billing_account_id FROM invoices GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`);
  await page.goto(`${APP_URL}/admin/billing_accounts/${ba}`);
  for (const words of ['List Invoices', 'List Payment Methods', 'Zuora Subscriptions']) {
    assert.equal(await page.getByRole('link', { name: words, exact: true }).count(), 1, words);
  }
  // "In the desired billing account's detail view, click on `List Invoices`."
  await page.getByRole('link', { name: 'List Invoices', exact: true }).click();
  await page.waitForURL(/#related-invoices$/);
  const inv = page.locator('#related-invoices');
  assert.ok(await inv.locator('h2').isVisible());
  const top = await inv.evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(top >= -1 && top < H / 2, `the invoices are scrolled into view (top ${top})`);
  assert.ok(await inv.locator('th', { hasText: 'Payment status' }).isVisible());
  await shot(page, 'guide-billing-account-invoices');

  const customer = one(`SELECT id FROM customers WHERE email = 'dana.whitfield@northwind-robotics.com'`);
  await page.goto(`${APP_URL}/admin/customers/${customer}`);
  for (const words of ['Zuora Subscriptions', 'GitLab Groups']) {
    await page.getByRole('link', { name: words, exact: true }).click();
    const id = words === 'GitLab Groups' ? 'related-namespaces' : 'related-zuora_subscriptions';
    await page.waitForURL(new RegExp(`#${id}$`));
    assert.ok(await page.locator(`#${id} h2`).isVisible(), words);
  }
  assert.ok(await page.isVisible('#related-zuora_subscriptions th:has-text("Owed seats")'));
});

test('the skip link is the first thing the keyboard reaches, and leads to the content', async () => {
  await page.goto(`${APP_URL}/admin/customers`);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => ({ text: document.activeElement.textContent, href: document.activeElement.getAttribute('href') }));
  assert.deepEqual(focused, { text: 'Skip to content', href: '#content' });
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box.y >= 0, 'shown when focused');
  const outline = await page.$eval('.skip-link', (a) => getComputedStyle(a).outlineStyle);
  assert.notEqual(outline, 'none', 'a visible focus');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'content');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)),
    'the next Tab is in the content, past the menu');
});
