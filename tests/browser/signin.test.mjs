// Signing in as a person does: Chromium follows the app to the provider's
// login form, the form is filled in, the dashboard shows who is signed in
// with their roles, and "Sign out" ends the session.  Screenshots are kept
// in tests/browser/screenshots/ for people to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { launch, shot } from '../lib/browser.mjs';
import { APP_URL } from '../lib/http.mjs';

const OIDC_URL = process.env.OIDC_URL ?? 'http://127.0.0.1:9400';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function signInPage(email, path = '/admin') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${APP_URL}${path}`);
  // Sent to the provider's own login form.
  assert.ok(page.url().startsWith(`${OIDC_URL}/interaction/`), page.url());
  await page.fill('input[name="login"]', email);
  await page.fill('input[name="password"]', 'any');
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(APP_URL)),
    page.click('button[type="submit"], input[type="submit"]'),
  ]);
  return { context, page };
}

test('signing in shows the dashboard with who is signed in and their roles, then signing out', async () => {
  const { context, page } = await signInPage('admin@example.com');
  assert.equal(new URL(page.url()).pathname, '/admin');
  assert.equal(await page.title(), 'Dashboard · CustomersDot Admin');
  assert.equal((await page.textContent('.whoami .email')).trim(), 'admin@example.com');
  const roles = await page.$$eval('.whoami .role', (els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(roles, ['editor', 'support_admin']);
  assert.ok(await page.isVisible('.whoami form.signout button'));
  // The session cookie is not readable from scripts.
  assert.equal(await page.evaluate(() => document.cookie.includes('cdot_session')), false);
  const cookies = await context.cookies(APP_URL);
  const session = cookies.find((c) => c.name === 'cdot_session');
  assert.ok(session?.httpOnly);
  assert.equal(session.sameSite, 'Lax');
  assert.ok(existsSync(await shot(page, 'signin-dashboard')));

  await Promise.all([
    page.waitForURL(`${APP_URL}/auth/signedout`),
    page.click('.whoami form.signout button'),
  ]);
  assert.match(await page.textContent('main'), /You have signed out/);
  assert.equal(await page.$('.whoami'), null);
  assert.equal((await context.cookies(APP_URL)).some((c) => c.name === 'cdot_session'), false);
  await shot(page, 'signin-signed-out');

  // Signed out of the panel: its pages need a new sign-in (the provider's
  // own session makes that one quick, as with Okta).
  const res = await page.request.get(`${APP_URL}/admin`, {
    headers: { accept: 'application/json' }, maxRedirects: 0,
  });
  assert.equal(res.status(), 401);
  await context.close();
});

test('a person without a mapped group sees "No access" and can sign out', async () => {
  const { context, page } = await signInPage('nobody@example.com', '/admin/customers');
  assert.equal(new URL(page.url()).pathname, '/admin/customers');
  assert.equal(await page.title(), 'No access · CustomersDot Admin');
  assert.match(await page.textContent('main'), /not in any group that gives access/);
  assert.equal(await page.$('nav.sidebar'), null);
  assert.equal((await page.textContent('.whoami .email')).trim(), 'nobody@example.com');
  assert.equal((await page.$$('.whoami .role')).length, 0);
  await shot(page, 'signin-no-access');
  await Promise.all([
    page.waitForURL(`${APP_URL}/auth/signedout`),
    page.click('.whoami form.signout button'),
  ]);
  await context.close();
});
