// A page through the layout in a real browser: styles load, the error page
// shows its message, and a screenshot is kept for people to look at.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { launch, shot } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a page renders through the layout with its stylesheet', async () => {
  const page = await browser.newPage();
  const res = await page.goto(`${APP_URL}/no/such/page`);
  assert.equal(res.status(), 404);
  assert.equal(await page.title(), 'Not Found · CustomersDot Admin');
  assert.match(await page.textContent('main'), /There is no page at this address\./);
  // The stylesheet applied: the top bar has the brand colour.
  const bg = await page.$eval('.topbar', (el) => getComputedStyle(el).backgroundColor);
  assert.equal(bg, 'rgb(107, 79, 187)');
  const path = await shot(page, 'not-found');
  assert.ok(existsSync(path));
  await page.close();
});
