import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import type { RunningServer } from '../../core/server';
import { startCaptureReceiver, verifyAtomic, type CaptureReceiver } from '../../core/webhooks';
import { AMAZON_COMPANY_ID, HULU_COMPANY_ID } from '../../mock-atomic';
import { hasChromium, launchChromium, type Browser } from '../dashboard/browser';
import { startHostPage } from './host-page';

/**
 * Atomic's own browser SDK (@atomicfi/transact-javascript, unmodified, from node_modules) on a
 * bank's page of another origin, driving the Transact stand-in in headless Chromium: the whole
 * front-end half of the connection, checked against the Atomic mock's API and signed webhooks.
 * (The prerequisites test in test/dashboard says how a missing Chromium is treated.)
 */

const WAIT_MS = 15_000;

interface HostEvent {
  kind: string;
  payload: Record<string, unknown>;
}

describe.runIf(hasChromium)('Transact stand-in driven by the unmodified browser SDK', { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let host: RunningServer;
  let receiver: CaptureReceiver;
  const atomicHeaders = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };

  beforeAll(async () => {
    [sandbox, browser, host, receiver] = await Promise.all([
      startSandbox({ ports: 0, env: {}, stitcher: false }),
      launchChromium({ width: 1000, height: 800 }),
      startHostPage(),
      startCaptureReceiver(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([sandbox?.stop(), host?.close(), receiver?.close()]);
  });

  beforeEach(async () => {
    await sandbox.reset();
    sandbox.atomic.registerWebhookUrl(`${receiver.url}/atomic`);
  });

  async function publicToken(identifier: string): Promise<string> {
    return sandbox.atomic.createAccessToken({ identifier }).publicToken;
  }

  async function openHost(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 500) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(host.url);
    return { page, problems };
  }

  async function launch(
    page: Page,
    config: Record<string, unknown>,
    environmentOverride = sandbox.urls.transact,
  ): Promise<FrameLocator> {
    await page.evaluate(
      ([c, e]) => (window as unknown as { launchTransact(o: unknown): void }).launchTransact({ config: c, environmentOverride: e }),
      [config, environmentOverride] as const,
    );
    return page.frameLocator('#atomic-transact-iframe');
  }

  const omConfig = (token: string, extra: Record<string, unknown> = {}) => ({
    publicToken: token,
    product: 'present',
    deeplink: { step: 'login-company', companyId: AMAZON_COMPANY_ID },
    ...extra,
  });

  const events = (page: Page) => page.evaluate(() => (window as unknown as { transactEvents: HostEvent[] }).transactEvents);

  async function waitForEvent(page: Page, kind: string): Promise<HostEvent> {
    await page.waitForFunction(
      (k) => (window as unknown as { transactEvents: HostEvent[] }).transactEvents.some((e) => e.kind === k),
      kind,
      { timeout: WAIT_MS },
    );
    return (await events(page)).find((e) => e.kind === kind)!;
  }

  const view = (frame: FrameLocator, name: string) => frame.locator(`#app[data-view="${name}"]`).waitFor({ timeout: WAIT_MS });

  async function logIn(frame: FrameLocator, username: string): Promise<void> {
    await view(frame, 'login');
    await frame.locator('#username').fill(username);
    await frame.locator('#password').fill('any password');
    await frame.locator('#login-submit').click();
  }

  /** Atomic webhooks the receiver got, each verified against the default secret. */
  function webhooks(): { eventType: string; body: Record<string, unknown> }[] {
    return receiver.requests.map((r) => {
      const signature = r.headers['x-hmac-signature-sha-256'];
      expect(verifyAtomic(r.raw, 'test-api-secret', Array.isArray(signature) ? signature[0] : signature)).toBe(true);
      const body = JSON.parse(r.raw.toString('utf8')) as Record<string, unknown>;
      return { eventType: body['eventType'] as string, body };
    });
  }

  async function waitForWebhook(predicate: (w: { eventType: string; body: Record<string, unknown> }) => boolean) {
    const deadline = Date.now() + WAIT_MS;
    while (Date.now() < deadline) {
      if (webhooks().some(predicate)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no such webhook; got ${JSON.stringify(webhooks().map((w) => w.eventType))}`);
  }

  const accountUpdates = (type: string) => (w: { eventType: string; body: Record<string, unknown> }) =>
    w.eventType === 'pay-link-accounts-updated' &&
    ((w.body['data'] as { accounts: { updateType: string }[] }).accounts ?? []).some((a) => a.updateType === type);

  it('test-good: login, account created initial at authentication, connected after the fetch, onFinish({taskId}), iframe removed', async () => {
    const { page, problems } = await openHost();
    const frame = await launch(page, omConfig(await publicToken('shopper-good'), { customer: { name: 'Acme Bank' } }));
    expect(await page.evaluate(() => document.body.style.overflow)).toBe('hidden');
    await expect.poll(() => frame.locator('#customer-line').textContent(), { timeout: WAIT_MS }).toContain('Acme Bank');
    await logIn(frame, 'test-good');
    await view(frame, 'authenticating');

    sandbox.clock.advance(3_000); // processing, then the login succeeds
    await view(frame, 'fetching');
    await waitForWebhook(accountUpdates('created'));
    const [account] = sandbox.atomic.listPayLinkAccounts('shopper-good');
    const between = await fetch(`${sandbox.urls.atomic}/pay-link/accounts/${account!._id}`, { headers: atomicHeaders });
    expect(((await between.json()) as { data: { connectionStatus: string } }).data.connectionStatus).toBe('initial');
    expect(webhooks().some(accountUpdates('updated'))).toBe(false);

    sandbox.clock.advance(60_000); // the order fetch
    await view(frame, 'success');
    await frame.locator('#done').click();
    const finish = await waitForEvent(page, 'finish');
    const taskId = finish.payload['taskId'] as string;
    expect(finish.payload).toEqual({ taskId });

    const status = await fetch(`${sandbox.urls.atomic}/task/${taskId}/status`, { headers: atomicHeaders });
    expect(((await status.json()) as { status: string }).status).toBe('completed');
    await waitForWebhook(accountUpdates('updated'));
    await waitForWebhook((w) => w.eventType === 'task-status-updated' && (w.body['data'] as { status?: string })?.status === 'completed' || (w.eventType === 'task-status-updated' && JSON.stringify(w.body).includes('"completed"')));
    const order = webhooks().map((w) => (accountUpdates('created')(w) ? 'created' : accountUpdates('updated')(w) ? 'updated' : null)).filter(Boolean);
    expect(order).toEqual(['created', 'updated']);

    expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
    expect(await page.evaluate(() => document.body.style.overflow)).toBe('');
    const seen = await events(page);
    expect(seen.filter((e) => e.kind === 'task-status').map((e) => e.payload['status'])).toEqual(
      expect.arrayContaining(['processing', 'completed']),
    );
    expect(seen.find((e) => e.kind === 'auth-status')?.payload).toEqual({
      status: 'authenticated',
      company: { _id: AMAZON_COMPANY_ID, name: 'Amazon' },
    });
    expect(seen.some((e) => e.kind === 'interaction' && e.payload['name'] === 'Viewed Login Page')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});

void HULU_COMPANY_ID;
