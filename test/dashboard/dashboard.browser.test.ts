import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../control/platform';
import { type DeliveryEventRecord } from '../../core/webhooks';
import { startCaptureReceiver } from '../support/capture-receiver';
import type { RunView } from '../../scenarios';
import {
  CHROMIUM_PATH,
  INSTALL_COMMAND,
  MISSING_CHROMIUM,
  artifactPath,
  chromiumIsExecutable,
  hasChromium,
  inCi,
  launchChromium,
  type Browser,
} from './browser';

/**
 * The dashboard in real headless Chromium against a whole platform started in this process: the
 * story a demo tells (a purchase settling twice, orders stitched to card transactions, a
 * disconnected account pausing stitching, a webhook sent again), checked on the page and against
 * the platform's own APIs. Screenshots of each land in test-artifacts/dashboard/.
 */

describe('dashboard browser tests: prerequisites', () => {
  it(`runs with Chromium at ${CHROMIUM_PATH}, or says why not and how to install it`, (context) => {
    if (!hasChromium) {
      // CI always installs it, so there a missing browser is a failure; elsewhere it is a skip
      // that says so, never a silent pass.
      if (inCi) throw new Error(MISSING_CHROMIUM);
      console.warn(`\n[dashboard] browser tests skipped: ${MISSING_CHROMIUM}\n`);
      context.skip(`Chromium missing: ${INSTALL_COMMAND}`);
    }
    expect(chromiumIsExecutable(), `${CHROMIUM_PATH} exists but cannot be executed`).toBe(true);
  });
});

const WAIT_MS = 20_000;

/**
 * A platform on its baseline has sent exactly these: the seeded users' account webhooks to the
 * reference stitcher, which is how it learns of the seeded world (docs/decisions/029).
 */
const SEEDED_WORLD_DELIVERIES = [
  'atomic pay-link-accounts-updated webhook, delivered · user demo-user',
  'atomic pay-link-accounts-updated webhook, delivered · user demo-user-disconnected',
];
/** The delivery cards on the page, as "label · user": sorted, so arrival order does not matter. */
const seededWorldOnly = async (page: Page) =>
  (
    await page
      .locator('#deliveries-list article')
      .evaluateAll((cards) =>
        cards.map(
          (c) => `${c.getAttribute('aria-label')} · user ${/user (\S+)/.exec(c.textContent ?? '')?.[1]}`,
        ),
      )
  ).sort();

describe.runIf(hasChromium)('dashboard in headless Chromium', { timeout: 45_000 }, () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    [sandbox, browser] = await Promise.all([startSandbox({ ports: 0, env: {} }), launchChromium()]);
    base = sandbox.urls.control;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const getJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  /** Opens the dashboard and waits until its live feed is connected and the scenarios are listed. */
  async function openDashboard(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(`${base}/`)) problems.push(`request to another origin: ${request.url()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.goto(base);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
    await page.locator('#scenario-name option[value="multi-settlement"]').waitFor({ state: 'attached' });
    return { page, problems };
  }

  /** Starts a scenario from the Run form and returns its run id once the page shows it. */
  async function runFromPage(page: Page, name: string, seed: number, speed: string): Promise<string> {
    await page.selectOption('#scenario-name', name);
    await page.fill('#run-seed', String(seed));
    await page.selectOption('#run-speed', speed);
    const started = page.waitForResponse(
      (r) => r.url().endsWith(`/api/scenarios/${name}/runs`) && r.request().method() === 'POST',
    );
    await page.getByRole('button', { name: 'Run scenario' }).click();
    const response = await started;
    expect(response.status()).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    await expect.poll(() => page.locator('#run-title').textContent()).toBe(`Timeline · ${name}`);
    return runId;
  }

  async function waitForRunEnd(runId: string): Promise<RunView> {
    await expect
      .poll(async () => (await getJson<RunView>(`/api/runs/${runId}`)).status, { timeout: WAIT_MS })
      .not.toBe('running');
    return getJson<RunView>(`/api/runs/${runId}`);
  }

  it('opens with the live feed connected, every panel filled, and nothing fetched from elsewhere', async () => {
    const { page, problems } = await openDashboard();
    const names = await page
      .locator('#scenario-name option')
      .evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    expect(names).toEqual(
      expect.arrayContaining(['multi-settlement', 'amazon-order-stitching', 'account-disconnection']),
    );
    // The user picker lists the seeded baseline users, and the first one is shown.
    await expect.poll(() => page.locator('#user-select option').count()).toBeGreaterThan(1);
    await expect
      .poll(() => page.locator('#atomic-data .vendor-body, #atelio-data .vendor-body').allTextContents())
      .not.toContain('—');
    await expect.poll(() => page.locator('#fault-controls fieldset').count()).toBe(2);
    expect(await page.locator('#platform-time').textContent()).toMatch(/UTC$/);
    // Every control can be found by name: form fields have labels, buttons say what they do.
    const unnamed = await page.locator('input, select, button').evaluateAll((controls) =>
      controls
        .filter((el) => {
          const labelled = (el as unknown as { labels: ArrayLike<unknown> | null }).labels;
          const text = el.getAttribute('aria-label') ?? el.textContent ?? '';
          return !(labelled && labelled.length > 0) && text.trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('stitch-sandbox');
    await page.screenshot({ path: artifactPath('01-opened.png') });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('runs multi-settlement from the page and shows the purchase settling in two parts', async () => {
    const { page, problems } = await openDashboard();
    const runId = await runFromPage(page, 'multi-settlement', 11, 'instant');
    const run = await waitForRunEnd(runId);
    expect(run.status).toBe('completed');
    const identifier = run.options.identifier;

    // The page followed the run to its user, and its timeline shows every step done.
    await expect.poll(() => page.locator('#user-select').inputValue()).toBe(identifier);
    await expect.poll(() => page.getByTestId('run-status').textContent()).toBe('completed');
    expect(await page.locator('.timeline li.completed').count()).toBe(run.stepCount);

    // Atelio's transaction of 35.93, settled as 30.49 and 5.44, on the page...
    const row = page.locator('#atelio-data tr', { hasText: '35.93' });
    const settlements = row.getByRole('list', { name: 'Settlements' }).getByRole('listitem');
    await expect
      .poll(() => settlements.allTextContents(), { timeout: WAIT_MS })
      .toEqual([expect.stringMatching(/^−\$30\.49 on /), expect.stringMatching(/^−\$5\.44 on /)]);
    expect(await row.locator('.badge').textContent()).toBe('completed');
    // ...as the vendor holds it.
    const detail = await getJson<{
      atelio: {
        transactions: { items: { amount: string; details: { settlements?: { amount: string }[] } }[] };
      };
    }>(`/api/users/${identifier}`);
    const purchase = detail.atelio.transactions.items.find((t) => t.amount === '-35.93');
    expect(purchase?.details.settlements?.map((s) => s.amount)).toEqual(['-30.49', '-5.44']);

    await page.screenshot({ path: artifactPath('02-multi-settlement.png') });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('runs amazon-order-stitching and shows each card transaction beside its order and products', async () => {
    const { page, problems } = await openDashboard();
    const runId = await runFromPage(page, 'amazon-order-stitching', 5, 'instant');
    const run = await waitForRunEnd(runId);
    expect(run.status).toBe('completed');
    const identifier = run.options.identifier;
    const truth = run.groundTruth!.matches;
    expect(truth.length).toBeGreaterThan(5);

    interface StitchedTransaction {
      transactionId: string;
      match: { orderId: string; products: { description: string }[] } | null;
    }
    const stitched = async () =>
      (
        await getJson<{ transactions: StitchedTransaction[] }>(
          `/api/stitcher/users/${identifier}/transactions`,
        )
      ).transactions
        .filter((t) => t.match)
        .map((t) => ({
          transactionId: t.transactionId,
          orderId: t.match!.orderId,
          products: t.match!.products,
        }));
    const pairs = (list: { transactionId: string; orderId: string }[]) =>
      list.map((p) => `${p.transactionId} ⇄ ${p.orderId}`).sort();

    // The stitcher works through its inbox after the run: wait until it has paired every order the
    // scenario says became a card transaction (the run's ground truth).
    await expect.poll(async () => pairs(await stitched()), { timeout: WAIT_MS }).toEqual(pairs(truth));
    const rows = page.locator('#stitching .stitch-row');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(truth.length);

    const onPage = await rows.evaluateAll((elements) =>
      elements.map((row) => ({
        transactionId: row.getAttribute('data-transaction-id') ?? '',
        orderId: row.getAttribute('data-order-id') ?? '',
        products: [...row.querySelectorAll('.stitch-side.order .products li')].map(
          (li) => li.textContent ?? '',
        ),
        transactionSide: row.querySelector('.stitch-side.transaction')?.textContent ?? '',
      })),
    );
    expect(pairs(onPage)).toEqual(pairs(truth));
    for (const pair of await stitched()) {
      const row = onPage.find((r) => r.transactionId === pair.transactionId)!;
      expect(pair.products.length).toBeGreaterThan(0);
      // Every product of the order is listed beside the transaction it was charged as.
      expect(row.products.map((text) => text.split(' $')[0]!.trim())).toEqual(
        pair.products.map((p) => p.description),
      );
      expect(row.transactionSide).toMatch(/AMZN|Amazon/i);
    }
    // Gift card, EBT, Affirm and Google Play orders are listed as unmatchable, with the reason.
    const unmatchable = page.locator('#stitching tr', { hasText: 'unmatchable' });
    await expect.poll(() => unmatchable.count()).toBeGreaterThan(0);
    expect(await unmatchable.first().textContent()).toMatch(
      /card transaction|non-card|gift card|EBT|Affirm|Google Play/i,
    );

    await page.locator('#stitching').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('03-amazon-order-stitching.png') });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('plays account-disconnection at 12 hours per second and shows the user paused while disconnected', async () => {
    const { page, problems } = await openDashboard();
    const runId = await runFromPage(page, 'account-disconnection', 21, '43200');
    const run = await getJson<RunView>(`/api/runs/${runId}`);
    const identifier = run.options.identifier;
    await expect.poll(() => page.locator('#user-select').inputValue()).toBe(identifier);

    // A refresh fails, the account is disconnected, and the stitcher pauses the user: the page
    // says so, with the failure reason from the vendor docs (once the stitcher has the failed
    // task as well as the account update) and what to do about it. The pauses last from a few
    // hours to a day of the run's time (up to two seconds here), starting two seconds in.
    const banner = page
      .getByTestId('paused-banner')
      .filter({ hasText: /session-expired|credentials-invalid|bot-detection|merchant-unavailable/ });
    await banner.waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: artifactPath('04-account-disconnection-paused.png') });
    const text = (await banner.textContent()) ?? '';
    expect(text).toMatch(/^Stitching paused/);
    expect(text).toMatch(/What to do: \S/);

    // The stitcher itself said the user was paused (the page only shows what it was told).
    const summary = await getJson<{ users: { identifier: string; paused: boolean }[] }>(
      '/api/stitcher/users',
    );
    expect(summary.users.some((u) => u.identifier === identifier)).toBe(true);

    await fetch(`${base}/api/runs/${runId}/cancel`, { method: 'POST' });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('sends a webhook again with Redeliver and shows the new attempt', async () => {
    // A delivery of its own, so this test does not depend on the others having run.
    const started = await fetch(`${base}/api/scenarios/multi-settlement/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: 31 }),
    });
    const { runId } = (await started.json()) as { runId: string };
    expect((await waitForRunEnd(runId)).status).toBe('completed');
    const { deliveries } = await getJson<{ deliveries: DeliveryEventRecord[] }>(
      '/api/deliveries?vendor=atelio&limit=1',
    );
    const delivery = deliveries[0]!;
    expect(delivery.status).toBe('delivered');
    const attemptsBefore = delivery.targets[0]!.attempts.length;

    const { page, problems } = await openDashboard();
    const card = page.locator(`article[data-delivery-id="${delivery.id}"]`);
    await card.waitFor({ timeout: WAIT_MS });
    const attemptRows = card.locator('table.attempts tbody tr');
    expect(await attemptRows.count()).toBe(attemptsBefore);
    // The signature header as sent, and the body on demand.
    expect(await card.locator('.signature').textContent()).toMatch(/^Bond-Signature: t=\d+,v1=[0-9a-f]{64}$/);
    await card.getByText('Body', { exact: true }).click();
    expect(JSON.parse((await card.locator('pre.body').textContent()) ?? '')).toEqual(
      JSON.parse(delivery.body),
    );

    // With the keyboard: the button is a real button, and keeps the focus through live updates.
    const redeliver = card.getByRole('button', { name: /^Redeliver / });
    await redeliver.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => attemptRows.count(), { timeout: WAIT_MS }).toBe(attemptsBefore + 1);
    const newest = attemptRows.last();
    await expect
      .poll(() => newest.locator('td').allTextContents())
      .toEqual([
        String(attemptsBefore + 1),
        'redelivery',
        expect.stringMatching(/UTC$/),
        '200',
        expect.stringMatching(/ms|s$/),
      ]);
    // The body stayed open, and the focus stayed on the button, through the live re-renders.
    expect(await card.locator('details[open] pre.body').count()).toBe(1);
    expect(await page.evaluate("document.activeElement.getAttribute('data-key')")).toBe(
      `redeliver-${delivery.id}`,
    );
    const after = await getJson<DeliveryEventRecord>(`/api/deliveries/${delivery.id}`);
    expect(after.targets[0]!.attempts.map((a) => a.kind)).toEqual([
      ...delivery.targets[0]!.attempts.map((a) => a.kind),
      'redelivery',
    ]);

    await page.screenshot({ path: artifactPath('05-redeliver.png') });
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('switches a vendor fault on and off, and Reset takes the whole sandbox back to its baseline', async () => {
    const { page, problems } = await openDashboard();
    const atomicFaults = page.locator('#fault-controls fieldset', { hasText: 'Atomic API' });
    const serverError = atomicFaults.getByRole('button', { name: '500 error' });
    await serverError.click();
    await expect.poll(() => serverError.getAttribute('aria-pressed')).toBe('true');
    const { faults } = await getJson<{ faults: { vendor: string; kind: string; status?: number }[] }>(
      '/api/faults',
    );
    expect(faults).toEqual([expect.objectContaining({ vendor: 'atomic', kind: 'status', status: 500 })]);
    // The mock really answers 500 now, in its own error envelope.
    const atomicAnswer = await fetch(`${sandbox.urls.atomic}/linked-account/list/demo-user`, {
      headers: { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' },
    });
    expect(atomicAnswer.status).toBe(500);
    // The hit count follows while the fault is on.
    await expect
      .poll(() => atomicFaults.getByRole('list', { name: 'Active Atomic API faults' }).textContent(), {
        timeout: WAIT_MS,
      })
      .toMatch(/answers 500 on any method every path · hit 1×/);
    await page.screenshot({ path: artifactPath('06-fault-on.png') });
    await serverError.click();
    await expect.poll(() => serverError.getAttribute('aria-pressed')).toBe('false');
    expect((await getJson<{ faults: unknown[] }>('/api/faults')).faults).toEqual([]);

    // Earlier tests left runs, users and deliveries; Reset removes them all.
    expect((await getJson<{ deliveries: unknown[] }>('/api/deliveries')).deliveries.length).toBeGreaterThan(
      0,
    );
    await atomicFaults.getByRole('button', { name: 'Slow (3 s)' }).click();
    await page.getByRole('button', { name: 'Reset to baseline' }).click();
    // What is left is the baseline's own: the seeded world announced to the stitcher (decision 029).
    await expect.poll(() => seededWorldOnly(page), { timeout: WAIT_MS }).toEqual(SEEDED_WORLD_DELIVERIES);
    await expect.poll(() => page.locator('#run').textContent()).toMatch(/No scenario has run yet/);
    await expect
      .poll(() => atomicFaults.getByRole('button', { name: 'Slow (3 s)' }).getAttribute('aria-pressed'))
      .toBe('false');
    expect((await getJson<{ faults: unknown[] }>('/api/faults')).faults).toEqual([]);
    const { users } = await getJson<{ users: { identifier: string }[] }>('/api/users');
    expect(users.map((u) => u.identifier)).not.toContain('multi-settlement-11');
    expect(await page.locator('#user-select option').allTextContents()).not.toContainEqual(
      expect.stringMatching(/^multi-settlement-11/),
    );
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('switches delivery chaos on and off, shows a paused target, resumes it and redelivers what it dropped', async () => {
    const { page, problems } = await openDashboard();
    const atelioChaos = page.locator('#chaos-controls fieldset', { hasText: 'Atelio webhooks' });
    const duplicate = atelioChaos.getByRole('button', { name: 'Duplicate 20%' });
    await duplicate.click();
    await expect.poll(() => duplicate.getAttribute('aria-pressed')).toBe('true');
    const { rules } = await getJson<{ rules: { vendor: string; kind: string; probability: number }[] }>(
      '/api/chaos',
    );
    expect(rules).toEqual([
      expect.objectContaining({ vendor: 'atelio', kind: 'duplicate', probability: 0.2 }),
    ]);
    await duplicate.click();
    await expect.poll(() => duplicate.getAttribute('aria-pressed')).toBe('false');
    expect((await getJson<{ rules: unknown[] }>('/api/chaos')).rules).toEqual([]);

    // A receiver that is down: its failures pause it, and what comes next is dropped.
    const hook = await startCaptureReceiver();
    await hook.goDown();
    const subscription = sandbox.atelio.registerWebhookUrl(`${hook.url}/down`, { events: ['transactions'] });
    const { card } = sandbox.atelio.createCustomerWithCard({});
    for (let i = 0; i < 24; i++)
      sandbox.atelio.authorizeCardPurchase({
        cardId: card.card_id,
        amount: `${10 + i}.00`,
        merchantName: 'Amazon.com',
      });
    const target = page.locator(`[data-target="atelio/${subscription.id}"]`);
    await expect.poll(() => target.textContent(), { timeout: WAIT_MS }).toMatch(/paused/);
    expect(await target.textContent()).toMatch(/paused: 20 failed attempts in a row/);
    await expect
      .poll(() => page.locator('#deliveries-list [data-drop-reason]').count(), { timeout: WAIT_MS })
      .toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('07-target-paused.png') });

    await hook.comeUp();
    await target.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => target.textContent(), { timeout: WAIT_MS }).toMatch(/active/);
    await target.getByRole('button', { name: 'Redeliver failed' }).click();
    // Every authorisation's event reaches the receiver once it is back.
    await expect
      .poll(() => new Set(hook.requests.map((r) => r.raw.toString())).size, { timeout: WAIT_MS })
      .toBe(24);
    await hook.close();
    sandbox.atelio.deleteWebhookSubscription(subscription.id);
    expect(problems, problems.join('\n')).toEqual([]);
    await page.close();
  });

  it('reconnects by itself when the control plane comes back, and re-reads everything', async () => {
    const { page } = await openDashboard();
    const started = await fetch(`${base}/api/scenarios/multi-settlement/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seed: 41 }),
    });
    const { runId } = (await started.json()) as { runId: string };
    await waitForRunEnd(runId);
    await page.locator('#deliveries-list article').first().waitFor({ timeout: WAIT_MS });

    // A new platform on the same control port: nothing has run on it yet.
    const port = Number(new URL(base).port);
    await sandbox.stop();
    await expect.poll(() => page.locator('#connection').getAttribute('data-state')).not.toBe('live');
    sandbox = await startSandbox({ ports: { control: port, atomic: 0, atelio: 0, stitcher: 0 }, env: {} });
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => seededWorldOnly(page), { timeout: WAIT_MS }).toEqual(SEEDED_WORLD_DELIVERIES);
    await page.close();
  });
});
