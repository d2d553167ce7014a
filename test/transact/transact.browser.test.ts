import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import type { RunningServer } from '../../core/server';
import { verifyAtomic } from '../../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
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

describe.runIf(hasChromium)(
  'Transact stand-in driven by the unmodified browser SDK',
  { timeout: 60_000 },
  () => {
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
      await page.evaluate(`window.launchTransact(${JSON.stringify({ config, environmentOverride })})`);
      return page.frameLocator('#atomic-transact-iframe');
    }

    const omConfig = (token: string, extra: Record<string, unknown> = {}) => ({
      publicToken: token,
      product: 'present',
      deeplink: { step: 'login-company', companyId: AMAZON_COMPANY_ID },
      ...extra,
    });

    const events = (page: Page) => page.evaluate('window.transactEvents') as Promise<HostEvent[]>;

    async function waitForEvent(page: Page, kind: string): Promise<HostEvent> {
      await page.waitForFunction(
        `window.transactEvents.some((e) => e.kind === ${JSON.stringify(kind)})`,
        null,
        {
          timeout: WAIT_MS,
        },
      );
      return (await events(page)).find((e) => e.kind === kind)!;
    }

    const view = (frame: FrameLocator, name: string) =>
      frame.locator(`#app[data-view="${name}"]`).waitFor({ timeout: WAIT_MS });

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
        expect(
          verifyAtomic(r.raw, 'test-api-secret', Array.isArray(signature) ? signature[0] : signature),
        ).toBe(true);
        const body = JSON.parse(r.raw.toString('utf8')) as Record<string, unknown>;
        return { eventType: body['eventType'] as string, body };
      });
    }

    async function waitForWebhook(
      predicate: (w: { eventType: string; body: Record<string, unknown> }) => boolean,
    ) {
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline) {
        if (webhooks().some(predicate)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no such webhook; got ${JSON.stringify(webhooks().map((w) => w.eventType))}`);
    }

    const accountUpdates = (type: string) => (w: { eventType: string; body: Record<string, unknown> }) =>
      w.eventType === 'pay-link-accounts-updated' &&
      ((w.body['data'] as { accounts: { updateType: string }[] }).accounts ?? []).some(
        (a) => a.updateType === type,
      );

    it('test-good: login, account created initial at authentication, connected after the fetch, onFinish({taskId}), iframe removed', async () => {
      const { page, problems } = await openHost();
      const frame = await launch(
        page,
        omConfig(await publicToken('shopper-good'), { customer: { name: 'Acme Bank' } }),
      );
      expect(await page.evaluate('document.body.style.overflow')).toBe('hidden');
      await expect
        .poll(() => frame.locator('#customer-line').textContent(), { timeout: WAIT_MS })
        .toContain('Acme Bank');
      await logIn(frame, 'test-good');
      await view(frame, 'authenticating');

      sandbox.clock.advance(3_000); // processing, then the login succeeds
      await view(frame, 'fetching');
      await waitForWebhook(accountUpdates('created'));
      const [account] = sandbox.atomic.listPayLinkAccounts('shopper-good');
      const between = await fetch(`${sandbox.urls.atomic}/pay-link/accounts/${account!._id}`, {
        headers: atomicHeaders,
      });
      expect(((await between.json()) as { data: { connectionStatus: string } }).data.connectionStatus).toBe(
        'initial',
      );
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
      await waitForWebhook(
        (w) =>
          w.eventType === 'task-status-updated' &&
          w.body['task'] === taskId &&
          (w.body['data'] as { status: string }).status === 'completed',
      );
      const lifecycle = webhooks()
        .map((w) =>
          accountUpdates('created')(w) ? 'created' : accountUpdates('updated')(w) ? 'updated' : null,
        )
        .filter(Boolean);
      expect(lifecycle).toEqual(['created', 'updated']);

      expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
      expect(await page.evaluate('document.body.style.overflow')).toBe('');
      const seen = await events(page);
      expect(seen.filter((e) => e.kind === 'task-status').map((e) => e.payload['status'])).toEqual(
        expect.arrayContaining(['processing', 'completed']),
      );
      expect(seen.find((e) => e.kind === 'auth-status')?.payload).toEqual({
        status: 'authenticated',
        company: { _id: AMAZON_COMPANY_ID, name: 'Amazon' },
      });
      expect(seen.some((e) => e.kind === 'interaction' && e.payload['name'] === 'Viewed Login Page')).toBe(
        true,
      );
      expect(problems).toEqual([]);

      // The control plane shows the launch: the config received (never the token), the steps, the task.
      const listed = (await (await fetch(`${sandbox.urls.control}/api/transact/sessions`)).json()) as {
        sessions: {
          config: Record<string, unknown>;
          steps: { step: string }[];
          tasks: { _id: string }[];
          status: string;
        }[];
      };
      expect(listed.sessions).toHaveLength(1);
      const [session] = listed.sessions;
      expect(session!.config).toMatchObject({ product: 'present', deferPublicToken: true, inSdk: true });
      expect(JSON.stringify(session)).not.toContain('publicToken');
      expect(session!.steps.map((s) => s.step)).toEqual(
        expect.arrayContaining(['session-opened', 'Viewed Login Page', 'login-submitted', 'finished']),
      );
      expect(session!.tasks.map((t) => t._id)).toEqual([taskId]);
      expect(session!.status).toBe('finished');
      const reset = await fetch(`${sandbox.urls.control}/api/reset`, { method: 'POST' });
      expect(reset.status).toBe(200);
      const after = (await (await fetch(`${sandbox.urls.control}/api/transact/sessions`)).json()) as {
        sessions: unknown[];
      };
      expect(after.sessions).toEqual([]);
      await page.close();
    });

    it('test-bad: the failed page, Try again back to the login, then X: onClose({reason: "unknown"})', async () => {
      const { page, problems } = await openHost();
      const frame = await launch(page, omConfig(await publicToken('shopper-bad')));
      await logIn(frame, 'test-bad');
      sandbox.clock.advance(3_000);
      await view(frame, 'failed');
      expect(await frame.locator('#message').getAttribute('data-fail-reason')).toBe('bad-credentials');
      await frame.locator('#retry').click();
      await view(frame, 'login');
      await frame.locator('#close').click();
      expect((await waitForEvent(page, 'close')).payload).toEqual({ reason: 'unknown' });
      expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
      expect(await page.evaluate('document.body.style.overflow')).toBe('');
      const failed = (await events(page)).filter(
        (e) => e.kind === 'task-status' && e.payload['status'] === 'failed',
      );
      expect(failed[0]?.payload).toMatchObject({ failReason: 'bad-credentials', product: 'present' });
      expect(problems).toEqual([]);
      await page.close();
    });

    it('an unknown username counts as a wrong login', async () => {
      const { page } = await openHost();
      const frame = await launch(page, omConfig(await publicToken('shopper-typo')));
      await logIn(frame, 'someone@example.com');
      sandbox.clock.advance(3_000);
      await view(frame, 'failed');
      expect(await frame.locator('#message').getAttribute('data-fail-reason')).toBe('bad-credentials');
      await page.close();
    });

    for (const [username, kind] of [
      ['test-code-mfa', 'code'],
      ['test-question-mfa', 'question'],
    ] as const) {
      it(`${username}: the ${kind} MFA page waits for the user's answer, then the connection completes`, async () => {
        const { page, problems } = await openHost();
        const frame = await launch(page, omConfig(await publicToken(`shopper-${kind}`)));
        await logIn(frame, username);
        sandbox.clock.advance(3_000);
        await view(frame, `mfa-${kind}`);
        sandbox.clock.advance(3_600_000); // nobody answers for the user
        expect(await frame.locator('#app').getAttribute('data-view')).toBe(`mfa-${kind}`);
        await frame.locator('#mfa-answer').fill(kind === 'code' ? '123456' : 'Rex');
        await frame.locator('#mfa-submit').click();
        await view(frame, 'fetching');
        sandbox.clock.advance(60_000);
        await view(frame, 'success');
        await frame.locator('#done').click();
        const taskId = (await waitForEvent(page, 'finish')).payload['taskId'] as string;
        expect(sandbox.atomic.getTask(taskId)).toMatchObject({ status: 'completed', authenticated: true });
        expect(problems).toEqual([]);
        await page.close();
      });
    }

    it('test-failure: authenticates (account created), then the task fails and the failed page says why', async () => {
      const { page } = await openHost();
      const frame = await launch(page, omConfig(await publicToken('shopper-failure')));
      await logIn(frame, 'test-failure');
      sandbox.clock.advance(3_000);
      await waitForEvent(page, 'auth-status');
      sandbox.clock.advance(60_000);
      await view(frame, 'failed');
      expect(await frame.locator('#message').getAttribute('data-fail-reason')).toBe('unknown-failure');
      await waitForWebhook(accountUpdates('created'));
      expect(sandbox.atomic.listPayLinkAccounts('shopper-failure')[0]?.connectionStatus).toBe('initial');
      await page.close();
    });

    it('X while the task runs: the exit prompt, then onClose({reason: "task-pending"}); the task still completes', async () => {
      const { page } = await openHost();
      const frame = await launch(page, omConfig(await publicToken('shopper-leaves')));
      await logIn(frame, 'test-good');
      sandbox.clock.advance(3_000);
      await view(frame, 'fetching');
      await frame.locator('#close').click();
      await view(frame, 'exit-prompt');
      await frame.locator('#exit-confirm').click();
      expect((await waitForEvent(page, 'close')).payload).toEqual({ reason: 'task-pending' });
      expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
      sandbox.clock.advance(60_000);
      const [task] = sandbox.atomic.listUserTasks('shopper-leaves');
      expect(task?.status).toBe('completed');
      await page.close();
    });

    it('handoff exit-prompt closes at once while a task runs; handoff authentication-success finishes at login', async () => {
      const { page } = await openHost();
      let frame = await launch(
        page,
        omConfig(await publicToken('shopper-handoff'), { handoff: ['exit-prompt'] }),
      );
      await logIn(frame, 'test-good');
      await view(frame, 'authenticating');
      await frame.locator('#close').click();
      expect((await waitForEvent(page, 'close')).payload).toEqual({
        reason: 'task-pending',
        handoff: 'exit-prompt',
      });

      frame = await launch(
        page,
        omConfig(await publicToken('shopper-handoff'), { handoff: ['authentication-success'] }),
      );
      await logIn(frame, 'test-good');
      sandbox.clock.advance(3_000);
      const finish = await waitForEvent(page, 'finish');
      expect(finish.payload).toEqual({ taskId: expect.any(String), handoff: 'authentication-success' });
      expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
      await page.close();
    });

    it('an expired or revoked public token gets a page that says so', async () => {
      const { page } = await openHost();
      const expiring = sandbox.atomic.createAccessToken({
        identifier: 'shopper-late',
        tokenLifetime: 1800,
      }).publicToken;
      sandbox.clock.advance(1_801_000);
      let frame = await launch(page, omConfig(expiring));
      await view(frame, 'token-problem');
      expect(await frame.locator('#message').getAttribute('data-code')).toBe('token-expired');
      await frame.locator('#dismiss').click();
      expect((await waitForEvent(page, 'close')).payload).toEqual({ reason: 'unknown' });

      const revoked = await publicToken('shopper-revoked');
      sandbox.atomic.revokeAccessToken(revoked);
      frame = await launch(page, omConfig(revoked));
      await view(frame, 'token-problem');
      expect(await frame.locator('#message').getAttribute('data-code')).toBe('token-revoked');
      await page.close();
    });

    it('a reload of the frame keeps the session (the SDK hands the token over only once)', async () => {
      const { page } = await openHost();
      const frame = await launch(page, omConfig(await publicToken('shopper-reload')));
      await view(frame, 'login');
      const inner = page.frames().find((f) => f.url().includes('/initialize/'))!;
      await inner.evaluate('location.reload()');
      await view(frame, 'login');
      await logIn(frame, 'test-good');
      sandbox.clock.advance(3_000);
      await view(frame, 'fetching');
      await page
        .frames()
        .find((f) => f.url().includes('/initialize/'))!
        .evaluate('location.reload()');
      await view(frame, 'fetching');
      sandbox.clock.advance(60_000);
      await view(frame, 'success');
      await page.close();
    });

    it('a trailing-slash environmentOverride shows the exact value to use', async () => {
      const { page } = await openHost();
      const frame = await launch(
        page,
        omConfig(await publicToken('shopper-slash')),
        `${sandbox.urls.transact}/`,
      );
      await view(frame, 'origin-mismatch');
      expect(await frame.locator('#expected-override').textContent()).toBe(
        `environmentOverride: '${sandbox.urls.transact}'`,
      );
      expect(await frame.locator('#message').textContent()).toContain('ends with a slash');
      await page.evaluate('window.transactHandle.close()'); // the SDK's own handle removes the frame
      expect(await page.locator('#atomic-transact-iframe').count()).toBe(0);
      const withPath = await launch(
        page,
        omConfig(await publicToken('shopper-path')),
        `${sandbox.urls.transact}/transact`,
      );
      await view(withPath, 'origin-mismatch');
      expect(await withPath.locator('#message').textContent()).toContain('has a path');
      expect(await withPath.locator('#expected-override').textContent()).toBe(
        `environmentOverride: '${sandbox.urls.transact}'`,
      );
      await page.close();
    });

    it('a config whose base64 holds "/" (Latin-1 text) loads, and the theme and customer name apply', async () => {
      const { page } = await openHost();
      const frame = await launch(
        page,
        omConfig(await publicToken('shopper-latin'), {
          customer: { name: 'Banque ÿÿÿÿÿÿ Côte' },
          theme: { dark: true, brandColor: '#00a870' },
        }),
      );
      await view(frame, 'login');
      const src = (await page.locator('#atomic-transact-iframe').getAttribute('src'))!;
      expect(new URL(src).pathname.split('/').length).toBeGreaterThan(3);
      expect(await frame.locator('#customer-line').textContent()).toBe(
        'Banque ÿÿÿÿÿÿ Côte uses Atomic to connect your Amazon account.',
      );
      const theme = await page
        .frames()
        .find((f) => f.url().includes('/initialize/'))!
        .evaluate(
          "({dark: document.documentElement.classList.contains('dark'), brand: document.documentElement.style.getPropertyValue('--brand')})",
        );
      expect(theme).toEqual({ dark: true, brand: '#00a870' });
      await page.close();
    });

    it("no deeplink gives a company search; an older SDK's publicToken in the config (inSdk: false, no frame) works", async () => {
      const token = await publicToken('shopper-legacy');
      const encoded = Buffer.from(
        JSON.stringify({ publicToken: token, product: 'present', inSdk: false }),
        'latin1',
      ).toString('base64');
      const page = await browser.context.newPage();
      await page.goto(`${sandbox.urls.transact}/initialize/${encoded}`);
      await page.locator('#app[data-view="search"]').waitFor({ timeout: WAIT_MS });
      expect(await page.locator('#close').count()).toBe(0); // inSdk: false, no X
      await page.locator('#company-search').fill('ama');
      await page.locator(`[data-company-id="${AMAZON_COMPANY_ID}"]`).click();
      await page.locator('#app[data-view="login"]').waitFor({ timeout: WAIT_MS });
      expect(sandbox.transactSessions.list()[0]).toMatchObject({
        tokenDelivery: 'config',
        identifier: 'shopper-legacy',
      });
      await page.close();
    });

    it('Payments Hub: only the requested tabs, deeplink.app selected, pay-now asks for card data, a connect returns with the new account', async () => {
      sandbox.atomic.createSubscriptionAccount({ identifier: 'hub-user', companyId: HULU_COMPANY_ID });
      const { page, problems } = await openHost();
      const frame = await launch(page, {
        publicToken: await publicToken('hub-user'),
        scope: 'pay-link',
        tasks: [{ operation: 'manage', apps: ['expenses', 'pay-now'] }],
        deeplink: { app: 'pay-now' },
      });
      await view(frame, 'hub');
      expect(
        await frame
          .locator('#hub-tabs [role="tab"]')
          .evaluateAll((tabs) => tabs.map((t) => t.getAttribute('data-app'))),
      ).toEqual(['expenses', 'pay-now']);
      expect(await frame.locator('#hub-panel').getAttribute('data-app')).toBe('pay-now');
      await frame.locator('button.pay').first().click();
      const request = await waitForEvent(page, 'data-request');
      expect(request.payload).toMatchObject({ fields: ['card'] });

      await frame.locator('#hub-tabs [data-app="expenses"]').click();
      await frame.locator('#hub-panel[data-app="expenses"]').waitFor({ timeout: WAIT_MS });
      expect(
        await frame
          .locator('#hub-accounts li')
          .evaluateAll((li) => li.map((l) => l.getAttribute('data-company'))),
      ).toEqual(['Hulu']);
      await frame.locator('#hub-connect').click();
      await view(frame, 'search');
      await frame.locator(`[data-company-id="${AMAZON_COMPANY_ID}"]`).click();
      await logIn(frame, 'test-good');
      sandbox.clock.advance(3_000);
      await view(frame, 'fetching');
      sandbox.clock.advance(60_000);
      await view(frame, 'success');
      await frame.locator('#back-to-hub').click();
      await view(frame, 'hub');
      await frame.locator('#hub-tabs [data-app="expenses"]').click();
      await expect
        .poll(
          () =>
            frame
              .locator('#hub-accounts li')
              .evaluateAll((li) => li.map((l) => l.getAttribute('data-company'))),
          {
            timeout: WAIT_MS,
          },
        )
        .toEqual(expect.arrayContaining(['Hulu', 'Amazon']));
      expect(problems).toEqual([]);
      await page.close();
    });

    it("the dashboard's Launch Transact panel runs the SDK against the stand-in under the page's strict CSP", async () => {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused/i.test(message.text()))
          problems.push(message.text());
      });
      await page.goto(sandbox.urls.control);
      await page.locator('#transact-identifier').fill('dash-user');
      await page.locator('#transact-launch').click();
      const frame = page.frameLocator('#atomic-transact-iframe');
      await logIn(frame, 'test-good');
      sandbox.clock.advance(3_000);
      await view(frame, 'fetching');
      sandbox.clock.advance(60_000);
      await view(frame, 'success');
      await frame.locator('#done').click();
      await expect
        .poll(() => page.locator('#transact-status').textContent(), { timeout: WAIT_MS })
        .toMatch(/^dash-user: finished, task [0-9a-f]{24}$/);
      expect(sandbox.atomic.listPayLinkAccounts('dash-user')[0]?.connectionStatus).toBe('connected');
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
