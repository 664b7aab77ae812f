// Debian's Chromium driven by playwright-core, headless, for the browser
// tests.  Screenshots go to tests/browser/screenshots/ (git-ignored).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SHOTS = fileURLToPath(new URL('../browser/screenshots/', import.meta.url));

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

export async function shot(page, name) {
  const path = `${SHOTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}

// A new page signed in as email through the provider's login form.
export async function signedInPage(browser, email, path = '/admin') {
  const { APP_URL } = await import('./http.mjs');
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${APP_URL}${path}`);
  await page.fill('input[name="login"]', email);
  await page.fill('input[name="password"]', 'any');
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(APP_URL)),
    page.click('button[type="submit"], input[type="submit"]'),
  ]);
  return page;
}

// A browser of its own and a page in it signed in as email at path,
// resized to size ({ width, height }) when given: -> { browser, page }.
export async function openSignedIn(email, { path = '/admin', size } = {}) {
  const browser = await launch();
  try {
    const page = await signedInPage(browser, email, path);
    if (size) await page.setViewportSize(size);
    return { browser, page };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
