import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../control/platform';
import { nextSlotAfter } from '../mock-atomic';

/**
 * Continuous access on a bare platform, no scenario: the Atomic mock refreshes every connected
 * Order Monitoring account daily on the platform clock, so `POST /api/clock/advance` a day at a
 * time plays one refresh per account per day, with its webhooks delivered to the registered
 * receiver (the reference stitcher).
 */

const DAY = 86_400_000;
const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  for (const sandbox of sandboxes.splice(0)) await sandbox.stop();
});

async function start(options: Parameters<typeof startSandbox>[0] = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ ports: 0, env: {}, ...options });
  sandboxes.push(sandbox);
  return sandbox;
}

async function control(sandbox: Sandbox, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sandbox.urls.control}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.json();
}

interface AccountView {
  _id: string;
  connectionStatus: string;
  lastSyncedAt: string | null;
  account: { type: string };
  company: { name: string };
  orders?: unknown[];
}

async function accountsOf(sandbox: Sandbox, identifier: string): Promise<AccountView[]> {
  const response = await fetch(`${sandbox.urls.atomic}/${identifier}/pay-link/accounts`, { headers: ATOMIC });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accounts: AccountView[] }).accounts;
}

async function connectedOrderMonitoring(sandbox: Sandbox): Promise<AccountView[]> {
  const out: AccountView[] = [];
  for (const identifier of sandbox.atomic.baselineInfo().identifiers)
    for (const account of await accountsOf(sandbox, identifier))
      if (account.connectionStatus === 'connected' && account.orders !== undefined) out.push(account);
  return out;
}

/**
 * A scheduled refresh ends up to about a minute after its slot (login at 3 s, then 2 s + 100 ms per
 * order found). A test that starts within that minute and advances whole days would stop each time
 * just before the day's refresh has ended, so it first moves clear of the slot.
 */
const REFRESH_ENDED_WITHIN_MS = 2 * 60_000;
async function clearOfRefreshSlot(sandbox: Sandbox): Promise<void> {
  const { nowMs } = (await control(sandbox, '/api/clock')) as { nowMs: number };
  const sinceSlot = nowMs - (nextSlotAfter(sandbox.atomic.refreshSchedule(), nowMs) - DAY);
  if (sinceSlot < REFRESH_ENDED_WITHIN_MS)
    await control(sandbox, '/api/clock/advance', { ms: REFRESH_ENDED_WITHIN_MS - sinceSlot });
}

interface Delivery {
  eventType: string;
  eventTime: string;
  body: string;
  status: string;
}

/** Atomic webhooks published after `sinceMs`, once every one has settled. */
async function atomicWebhooksSince(sandbox: Sandbox, sinceMs: number): Promise<Delivery[]> {
  for (;;) {
    const { deliveries } = (await control(sandbox, '/api/deliveries?vendor=atomic&limit=100000')) as {
      deliveries: Delivery[];
    };
    const recent = deliveries.filter((d) => Date.parse(d.eventTime) > sinceMs);
    if (recent.every((d) => d.status !== 'pending')) return recent.reverse();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('continuous access on a bare platform', () => {
  it('30 days of clock/advance refresh every connected Order Monitoring account 30 times, with the task and account webhooks', async () => {
    const sandbox = await start();
    await clearOfRefreshSlot(sandbox);
    const accounts = await connectedOrderMonitoring(sandbox);
    expect(accounts.length).toBeGreaterThan(0);
    const ordersBefore = new Map(accounts.map((a) => [a._id, a.orders!.length]));
    const { nowMs: startMs } = (await control(sandbox, '/api/clock')) as { nowMs: number };
    // The first refresh to come is the next slot's: the seeded history ends with the latest one.
    const firstRefreshMs = Date.parse(sandbox.atomic.refreshSchedule().nextAt!);
    expect(firstRefreshMs).toBe(nextSlotAfter(sandbox.atomic.refreshSchedule(), startMs));
    expect(sandbox.atomic.refreshSchedule()).toMatchObject({ enabled: true, everyMs: DAY });
    let refreshes = 0;

    for (let day = 0; day < 30; day++) await control(sandbox, '/api/clock/advance', { ms: DAY });
    const { nowMs: endMs } = (await control(sandbox, '/api/clock')) as { nowMs: number };

    // The slots in the window: 30 (31 only if the wall clock crossed 06:00 UTC during the test).
    const schedule = sandbox.atomic.refreshSchedule();
    const slots: number[] = [];
    for (let slot = nextSlotAfter(schedule, startMs); slot <= endMs; slot += DAY) slots.push(slot);
    expect(slots.length).toBeGreaterThanOrEqual(30);

    const webhooks = await atomicWebhooksSince(sandbox, startMs);
    const now = new Map((await connectedOrderMonitoring(sandbox)).map((a) => [a._id, a]));
    const latestSlotBeforeStart = nextSlotAfter(schedule, startMs) - DAY;
    for (const account of accounts) {
      // No account missed the latest slot before the platform started, so none is caught up
      // (decision 031): exactly one refresh per slot.
      expect(Date.parse(account.lastSyncedAt!)).toBeGreaterThanOrEqual(latestSlotBeforeStart);
      const starts = slots;
      const updates = webhooks.filter(
        (d) =>
          d.eventType === 'pay-link-accounts-updated' &&
          (
            JSON.parse(d.body) as { data: { accounts: { _id: string; updateType: string }[] } }
          ).data.accounts.some((a) => a._id === account._id && a.updateType === 'updated'),
      );
      // Each once its refresh has fetched: 3 s after it started for the login, then 2 s + 100 ms per order.
      expect(updates).toHaveLength(starts.length);
      updates.forEach((d, i) => {
        const ended = Date.parse(d.eventTime) - starts[i]!;
        expect(ended).toBeGreaterThanOrEqual(5_000);
        expect(ended).toBeLessThanOrEqual(63_000);
      });
      expect(updates.every((d) => d.status === 'delivered')).toBe(true);

      // Still connected, synced once the last slot's refresh ended, with the orders the refreshes brought.
      const after = now.get(account._id);
      expect(after?.lastSyncedAt).toBe(updates.at(-1)!.eventTime);
      expect(Date.parse(after!.lastSyncedAt!)).toBeGreaterThan(slots.at(-1)!);
      expect(after!.orders!.length).toBeGreaterThan(ordersBefore.get(account._id)!);
      refreshes += starts.length;
    }
    // Each refresh is a refresh task: processing, a successful login, completed, at the slot's time.
    const taskEvents = webhooks
      .filter((d) => d.eventType !== 'pay-link-accounts-updated')
      .map((d) => {
        const body = JSON.parse(d.body) as {
          eventType: string;
          data: { status?: string; authenticated?: boolean };
        };
        return `${body.eventType}:${body.data.status ?? body.data.authenticated}`;
      });
    const perRefresh = [
      'task-status-updated:processing',
      'task-authentication-status-updated:true',
      'task-status-updated:completed',
    ];
    expect(taskEvents).toEqual(Array.from({ length: refreshes }, () => perRefresh).flat());
  });

  it('POST /api/refreshes/fail-next makes the next refresh fail; merchant-unavailable recovers at the one after', async () => {
    const sandbox = await start();
    const [account] = await connectedOrderMonitoring(sandbox);
    const schedule = (await control(sandbox, '/api/refreshes')) as { enabled: boolean; nextAt: string };
    expect(schedule).toMatchObject({ enabled: true, everyMs: DAY, atMs: 6 * 3_600_000, failureRate: 0 });
    const asked = await fetch(`${sandbox.urls.control}/api/refreshes/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: account!._id, failReason: 'merchant-unavailable' }),
    });
    expect(asked.status).toBe(202);
    expect(await asked.json()).toEqual({
      accountId: account!._id,
      failReason: 'merchant-unavailable',
      at: schedule.nextAt,
    });

    // The next refresh (a catch-up after start-up, or the next slot) fails once it has tried to log in.
    const { nowMs } = (await control(sandbox, '/api/clock')) as { nowMs: number };
    await control(sandbox, '/api/clock/advance', { ms: Date.parse(schedule.nextAt) - nowMs + 10_000 });
    let [after] = (await accountsOf(sandbox, 'demo-user')).filter((a) => a._id === account!._id);
    expect(after).toMatchObject({ connectionStatus: 'disconnected', failReason: 'merchant-unavailable' });
    await control(sandbox, '/api/clock/advance', { ms: DAY });
    [after] = (await accountsOf(sandbox, 'demo-user')).filter((a) => a._id === account!._id);
    expect(after!.connectionStatus).toBe('connected');

    const refused = async (body: unknown) => {
      const response = await fetch(`${sandbox.urls.control}/api/refreshes/fail-next`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: string; message: string } },
      };
    };
    expect(await refused({ accountId: account!._id, failReason: 'tired' })).toMatchObject({ status: 400 });
    expect(await refused({ accountId: '0'.repeat(24), failReason: 'bot-detection' })).toMatchObject({
      status: 404,
      body: { error: { code: 'refresh_not-found' } },
    });
  });

  it('a failure asked for with fail-next survives GET/PUT /api/state into another platform, and POST /api/reset clears it', async () => {
    const sandbox = await start();
    const [account] = await connectedOrderMonitoring(sandbox);
    const asked = await fetch(`${sandbox.urls.control}/api/refreshes/fail-next`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: account!._id, failReason: 'bot-detection' }),
    });
    expect(asked.status).toBe(202);
    const state = (await control(sandbox, '/api/state')) as { atomic: { scheduledRefreshes?: unknown } };
    expect(state.atomic.scheduledRefreshes).toEqual({
      failNext: [{ accountId: account!._id, failReason: 'bot-detection' }],
      inFlight: [],
    });

    // Another platform takes the state: its next refresh of the account fails as asked.
    const other = await start();
    const put = await fetch(`${other.urls.control}/api/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(state),
    });
    expect(put.status).toBeLessThan(300);
    await clearOfRefreshSlot(other);
    await control(other, '/api/clock/advance', { ms: DAY });
    const [failed] = (await accountsOf(other, 'demo-user')).filter((a) => a._id === account!._id);
    expect(failed).toMatchObject({ connectionStatus: 'disconnected', failReason: 'bot-detection' });

    // A reset forgets it: the first platform's next refresh succeeds.
    const reset = await fetch(`${sandbox.urls.control}/api/reset`, { method: 'POST' });
    expect(reset.status).toBeLessThan(300);
    expect(((await control(sandbox, '/api/state')) as typeof state).atomic.scheduledRefreshes).toEqual({
      failNext: [],
      inFlight: [],
    });
    await clearOfRefreshSlot(sandbox);
    await control(sandbox, '/api/clock/advance', { ms: DAY });
    const [refreshed] = (await accountsOf(sandbox, 'demo-user')).filter((a) => a._id === account!._id);
    expect(refreshed!.connectionStatus).toBe('connected');
    expect(Date.parse(refreshed!.lastSyncedAt!)).toBeGreaterThan(Date.parse(account!.lastSyncedAt!));
  });

  it('--refreshes off: the clock moves and nothing is refreshed', async () => {
    const sandbox = await start({ refreshes: { enabled: false } });
    const [account] = await connectedOrderMonitoring(sandbox);
    const { nowMs: startMs } = (await control(sandbox, '/api/clock')) as { nowMs: number };
    await control(sandbox, '/api/clock/advance', { ms: 3 * DAY });
    expect(await atomicWebhooksSince(sandbox, startMs)).toEqual([]);
    const [after] = await connectedOrderMonitoring(sandbox);
    expect(after!.lastSyncedAt).toBe(account!.lastSyncedAt);
    expect(sandbox.atomic.refreshSchedule().nextAt).toBeUndefined();
  });
});
