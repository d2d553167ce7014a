import { describe, expect, it } from 'vitest';
import { PlatformClock, VirtualClock } from '../../core/clock';
import { createRandom } from '../../core/random';
import { currentRunContext, runInContext } from '../../core/run-context';
import { HULU_COMPANY_ID } from '../companies/catalog';
import { LINE_ITEM_LABELS } from '../orders/catalog';
import { AtomicStoreError } from './errors';
import { nextSlotAfter, type RefreshSchedule } from './scheduled-refreshes';
import { createAtomicStore, type AtomicStore } from './store';

/** Continuous access: the store's own schedule refreshes every connected Order Monitoring account. */

const DAY = 24 * 3600 * 1000;
const NOW = '2025-03-10T15:00:00.000Z';
const SIX_AM = Date.parse('2025-03-11T06:00:00.000Z');

function storeWith(refreshes: Partial<RefreshSchedule> = { enabled: true }, seed = 5) {
  const clock = new VirtualClock(NOW);
  const store = createAtomicStore({ seed, clock, baseline: false, refreshes });
  return { clock, store };
}

/** Every webhook-shaped event, as `type detail @time`. */
function record(store: AtomicStore): string[] {
  const log: string[] = [];
  store.events.on('task-status-updated', (e) =>
    log.push(`task ${e.task.status}${e.task.failReason ? ` ${e.task.failReason}` : ''} @${e.eventTime}`),
  );
  store.events.on('task-authentication-status-updated', (e) =>
    log.push(`auth ${e.task.authenticated} @${e.eventTime}`),
  );
  store.events.on('pay-link-accounts-updated', (e) =>
    log.push(`account ${e.accounts.map((a) => a.updateType).join()} @${e.eventTime}`),
  );
  return log;
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('nextSlotAfter', () => {
  it('gives the next time of day strictly after a time, at the cadence from the epoch', () => {
    const daily = { everyMs: DAY, atMs: 6 * 3600 * 1000 };
    expect(iso(nextSlotAfter(daily, Date.parse(NOW)))).toBe('2025-03-11T06:00:00.000Z');
    expect(iso(nextSlotAfter(daily, SIX_AM))).toBe('2025-03-12T06:00:00.000Z');
    expect(iso(nextSlotAfter(daily, SIX_AM - 1))).toBe('2025-03-11T06:00:00.000Z');
    const twiceADay = { everyMs: DAY / 2, atMs: 6 * 3600 * 1000 };
    expect(iso(nextSlotAfter(twiceADay, Date.parse(NOW)))).toBe('2025-03-10T18:00:00.000Z');
  });
});

describe('scheduled refreshes', () => {
  it('are off unless asked for: a store alone never refreshes by itself', async () => {
    const { clock, store } = storeWith({});
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 2 } });
    const log = record(store);
    await clock.advance(30 * DAY);
    expect(log).toEqual([]);
    expect(store.refreshSchedule()).toMatchObject({ enabled: false, nextAt: undefined });
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(NOW);
  });

  it('refresh every connected Order Monitoring account once a day at 06:00 UTC for 30 days, with the task and account webhooks', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 2 } });
    const other = store.connectMerchant({ identifier: 'v', connection: { orderCount: 1 } }).account!;
    const disconnected = store.connectMerchant({ identifier: 'w', connection: { orderCount: 1 } }).account!;
    store.disconnectAccount(disconnected._id, 'session-expired');
    store.createSubscriptionAccount({ identifier: 'u', companyId: HULU_COMPANY_ID });
    expect(store.refreshSchedule().nextAt).toBe(iso(SIX_AM));
    const log = record(store);
    await clock.advance(30 * DAY);

    const updates = log.filter((line) => line.startsWith('account updated'));
    expect(updates).toHaveLength(60);
    const times = [...new Set(updates.map((line) => line.split('@')[1]))];
    expect(times).toEqual(Array.from({ length: 30 }, (_, day) => iso(SIX_AM + day * DAY)));
    // Each refresh: a refresh task processing → a successful login → the account synced → completed.
    expect(log.slice(0, 4)).toEqual([
      `task processing @${iso(SIX_AM)}`,
      `auth true @${iso(SIX_AM)}`,
      `account updated @${iso(SIX_AM)}`,
      `task completed @${iso(SIX_AM)}`,
    ]);
    expect(log.filter((line) => line.startsWith('task failed'))).toEqual([]);
    for (const id of [account!._id, other._id])
      expect(store.getPayLinkAccount(id)).toMatchObject({
        connectionStatus: 'connected',
        lastSyncedAt: iso(SIX_AM + 29 * DAY),
      });
    // Neither the disconnected account nor the subscription is refreshed.
    expect(store.getPayLinkAccount(disconnected._id).lastSyncedAt).toBe(NOW);
    expect(store.refreshSchedule().nextAt).toBe(iso(SIX_AM + 30 * DAY));
  });

  it('bring the orders placed since the last sync, inside the window, and settle pending orders by a few cents of tax', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({
      identifier: 'u',
      connection: { orderCount: 20, nonCardShare: 0 },
    });
    const before = new Map(store.getPayLinkAccount(account!._id).orders!.map((o) => [o._id, o]));
    const added: string[][] = [];
    const settled: string[][] = [];
    store.events.on('orders-changed', (e) => {
      added.push(e.added);
      settled.push(e.updated);
    });
    await clock.advance(30 * DAY);
    const after = store.getPayLinkAccount(account!._id).orders!;
    expect(added.flat().length).toBeGreaterThan(10);
    expect(after).toHaveLength(20 + added.flat().length);
    for (const order of after) {
      const lines = order.lineItems.reduce((sum, line) => sum + Math.round(line.amount * 100), 0);
      expect(lines).toBe(Math.round(order.amount * 100));
      expect(Date.parse(order.date)).toBeLessThanOrEqual(SIX_AM + 29 * DAY);
    }
    const changed = settled.flat();
    expect(changed.length).toBeGreaterThan(0);
    for (const id of changed) {
      const now = after.find((o) => o._id === id)!;
      const was = before.get(id) ?? now;
      const tax = (o: typeof now) => o.lineItems.find((l) => l.description === LINE_ITEM_LABELS.tax)!.amount;
      if (before.has(id))
        expect(Math.abs(Math.round((now.amount - was.amount) * 100))).toBeLessThanOrEqual(3);
      expect(Math.round((now.amount - tax(now)) * 100)).toBe(Math.round((was.amount - tax(was)) * 100));
    }
  });

  it('play every slot passed at its own time when the clock jumps a month at once', () => {
    let wall = Date.parse(NOW);
    const clock = new PlatformClock(() => wall);
    const store = createAtomicStore({ seed: 5, clock, baseline: false, refreshes: { enabled: true } });
    store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    const log = record(store);
    clock.advance(30 * DAY);
    const times = log.filter((line) => line.startsWith('account updated')).map((line) => line.split('@')[1]);
    expect(times).toEqual(Array.from({ length: 30 }, (_, day) => iso(SIX_AM + day * DAY)));
    wall += 1; // the wall clock moves on a little; nothing more is due
    clock.advance(0);
    expect(log.filter((line) => line.startsWith('account updated'))).toHaveLength(30);
    store.dispose();
    clock.stop();
  });

  it('are the same byte for byte for the same seed', async () => {
    const play = async () => {
      const { clock, store } = storeWith({ enabled: true, failureRate: 0.2 }, 11);
      store.connectMerchant({ identifier: 'u', connection: { orderCount: 3 } });
      store.connectMerchant({ identifier: 'v', connection: { orderCount: 3 } });
      await clock.advance(20 * DAY);
      return JSON.stringify(store.exportState());
    };
    expect(await play()).toBe(await play());
  });

  it('fail only when asked for: failNextRefresh fails the next one, merchant-unavailable recovers the day after', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    store.failNextRefresh(account!._id, 'merchant-unavailable');
    const log = record(store);
    await clock.advance(DAY);
    expect(log).toEqual([
      `task processing @${iso(SIX_AM)}`,
      `task failed merchant-unavailable @${iso(SIX_AM)}`,
      `account disconnected @${iso(SIX_AM)}`,
    ]);
    expect(store.getPayLinkAccount(account!._id)).toMatchObject({
      connectionStatus: 'disconnected',
      failReason: 'merchant-unavailable',
    });
    await clock.advance(DAY);
    expect(log.slice(3)).toEqual([
      `task processing @${iso(SIX_AM + DAY)}`,
      `auth true @${iso(SIX_AM + DAY)}`,
      `account updated @${iso(SIX_AM + DAY)}`,
      `task completed @${iso(SIX_AM + DAY)}`,
    ]);
    expect(store.getPayLinkAccount(account!._id).connectionStatus).toBe('connected');
  });

  it('stop for an account a credentials failure disconnected, until the user reconnects', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    store.failNextRefresh(account!._id, 'credentials-invalid');
    const log = record(store);
    await clock.advance(5 * DAY);
    expect(log.filter((line) => line.startsWith('task processing'))).toHaveLength(1);
    expect(store.getPayLinkAccount(account!._id).failReason).toBe('credentials-invalid');
    store.reconnectAccount(account!._id, { connection: { orderCount: 0 } });
    await clock.advance(DAY);
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(iso(SIX_AM + 5 * DAY));
  });

  it('fail the first refresh after each connection for the magic identifier refresh-fails-<reason>', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({
      identifier: 'qa-refresh-fails-bot-detection',
      connection: { orderCount: 1 },
    });
    const plain = store.connectMerchant({ identifier: 'qa-plain', connection: { orderCount: 1 } }).account!;
    await clock.advance(DAY);
    expect(store.getPayLinkAccount(account!._id)).toMatchObject({
      connectionStatus: 'disconnected',
      failReason: 'bot-detection',
    });
    expect(store.getPayLinkAccount(plain._id).connectionStatus).toBe('connected');
    store.reconnectAccount(account!._id, { connection: { orderCount: 0 } });
    await clock.advance(DAY);
    expect(store.getPayLinkAccount(account!._id).failReason).toBe('bot-detection');

    const { account: flaky } = store.connectMerchant({
      identifier: 'qa-refresh-fails-merchant-unavailable',
      connection: { orderCount: 1 },
    });
    await clock.advance(DAY);
    expect(store.getPayLinkAccount(flaky!._id).connectionStatus).toBe('disconnected');
    await clock.advance(3 * DAY);
    expect(store.getPayLinkAccount(flaky!._id)).toMatchObject({
      connectionStatus: 'connected',
      lastSyncedAt: iso(SIX_AM + 5 * DAY),
    });
  });

  it('fail at a seeded rate when one is set, with the documented reasons', async () => {
    const { clock, store } = storeWith({ enabled: true, failureRate: 1 });
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    await clock.advance(DAY);
    expect(['session-expired', 'credentials-invalid', 'bot-detection', 'merchant-unavailable']).toContain(
      store.getPayLinkAccount(account!._id).failReason,
    );
  });

  it('skip the users the platform says a scenario run is driving', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'run-user', connection: { orderCount: 1 } });
    store.skipScheduledRefresh = (identifier) => identifier === 'run-user';
    await clock.advance(2 * DAY);
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(NOW);
    store.skipScheduledRefresh = undefined;
    await clock.advance(DAY);
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(iso(SIX_AM + 2 * DAY));
  });

  it('run outside any scenario run, even when the clock fires them from inside one', async () => {
    const { clock, store } = storeWith();
    store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    const seen: (string | undefined)[] = [];
    store.events.on('task-created', () => seen.push(currentRunContext()?.runId));
    const run = {
      runId: 'run-1',
      random: createRandom('run'),
      nextEventId: () => 'id',
      onWebhook: () => undefined,
    };
    await runInContext(run, () => clock.advance(DAY));
    expect(seen).toEqual([undefined]);
  });

  it('refuse a failure request for an unknown reason or an account that is not Order Monitoring', () => {
    const { store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    const hulu = store.createSubscriptionAccount({ identifier: 'u', companyId: HULU_COMPANY_ID });
    expect(() => store.failNextRefresh(account!._id, 'tired' as never)).toThrow(/unknown failReason "tired"/);
    expect(() => store.failNextRefresh(hulu._id, 'bot-detection')).toThrow(AtomicStoreError);
    expect(() => store.failNextRefresh('0'.repeat(24), 'bot-detection')).toThrow(/not found/);
  });

  it('end with dispose: no timer is left behind', async () => {
    const { clock, store } = storeWith();
    store.dispose();
    expect(clock.pending).toBe(0);
    expect(store.refreshSchedule().nextAt).toBeUndefined();
  });
});
