import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import { hasChromium, launchChromium, type Browser } from './browser';

/**
 * The dashboard of a platform with tokens, in real headless Chromium: refused without a token,
 * opened once with `?token=` (then the cookie carries the page, its API calls and its live stream),
 * and with the viewer token the page offers no control that only the control token may use.
 * (Whether Chromium is installed is reported by dashboard.browser.test.ts.)
 */

const CONTROL = 'control-token-for-the-browser-0001';
const VIEWER = 'viewer-token-for-the-browser-0001';
const WAIT_MS = 20_000;

describe.runIf(hasChromium)('dashboard behind tokens, in headless Chromium', { timeout: 45_000 }, () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([
      startSandbox({ ports: 0, env: {}, controlToken: CONTROL, viewerToken: VIEWER }),
      launchChromium(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('refuses the page without a token', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const response = await page.goto(sandbox.urls.control);
    expect(response?.status()).toBe(401);
    await page.close();
  });

  it('opens with the viewer token: the token leaves the address bar, the feed goes live, and reset, run, faults and redeliver are not offered', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${sandbox.urls.control}/?token=${VIEWER}`);
    expect(page.url()).toBe(`${sandbox.urls.control}/`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
    await page.locator('body[data-role="viewer"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    for (const selector of ['#reset', '#run-button', '#faults', '#delivery-chaos'])
      expect(await page.locator(selector).isVisible(), selector).toBe(false);
    // The page reads what it shows.
    await page.locator('#scenario-name option[value="multi-settlement"]').waitFor({ state: 'attached' });
    await page.close();
  });

  it('opens with the control token with every control offered', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const session = page.waitForResponse((r) => r.url().endsWith('/api/session'));
    await page.goto(`${sandbox.urls.control}/?token=${CONTROL}`);
    expect(await (await session).json()).toEqual({ role: 'admin', tokenRequired: true });
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
    expect(await page.locator('#reset').isVisible()).toBe(true);
    expect(await page.locator('#run-button').isVisible()).toBe(true);
    await page.close();
  });
});
