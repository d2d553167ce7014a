import { describe, expect, it } from 'vitest';
import { PlatformClock, VirtualClock } from '../../core/clock';
import { createRandom } from '../../core/random';
import { currentRunContext, runInContext } from '../../core/run-context';
import { HULU_COMPANY_ID } from '../companies/catalog';
import { LINE_ITEM_LABELS } from '../orders/catalog';
import { AtomicStoreError } from './errors';
import { CATCH_UP_DELAY_MS, nextSlotAfter, type RefreshSchedule } from './scheduled-refreshes';
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
const SECOND = 1000;
/** A refresh's steps after its slot: processing at 1 s, the login at 3 s, then the fetch (2 s + 100 ms per order, at most 60 s). */
const PROCESSING = SECOND;
const LOGIN = 3 * SECOND;
const fetchMs = (orders: number) => Math.min(60 * SECOND, 2 * SECOND + 100 * orders);
/** The time in `line` (`... @<iso>`), as ms. */
const timeOf = (line: string) => Date.parse(line.split('@')[1]!);
/** A refresh started at `slot` ended (synced, completed) once its fetch did: between 5 s and 63 s after. */
const endedAfter = (slot: number, ms: number) =>
  ms >= slot + LOGIN + fetchMs(0) && ms <= slot + LOGIN + fetchMs(600);

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
    const found: number[] = [];
    store.events.on('orders-changed', (e) => found.push(e.added.length + e.updated.length));
    await clock.advance(30 * DAY);

    const updates = log.filter((line) => line.startsWith('account updated'));
    expect(updates).toHaveLength(60);
    // Two updates a day, each once the refresh of that day's slot has fetched its orders.
    for (let day = 0; day < 30; day++)
      expect(
        updates.slice(2 * day, 2 * day + 2).every((line) => endedAfter(SIX_AM + day * DAY, timeOf(line))),
      ).toBe(true);
    // Each refresh: a refresh task processing → a successful login → the account synced → completed,
    // each step at its own time: the fetch lasts 2 s + 100 ms per order found.
    const firstDay = log.filter((line) => timeOf(line) < SIX_AM + 3_600_000);
    expect(firstDay.slice(0, 4)).toEqual([
      `task processing @${iso(SIX_AM + PROCESSING)}`,
      `task processing @${iso(SIX_AM + PROCESSING)}`,
      `auth true @${iso(SIX_AM + LOGIN)}`,
      `auth true @${iso(SIX_AM + LOGIN)}`,
    ]);
    const ends = firstDay.slice(4);
    expect(ends.map((line) => line.split(' @')[0])).toEqual([
      'account updated',
      'task completed',
      'account updated',
      'task completed',
    ]);
    expect(timeOf(ends[0]!)).toBe(timeOf(ends[1]!));
    expect(
      found
        .slice(0, 2)
        .map((n) => SIX_AM + LOGIN + fetchMs(n))
        .sort(),
    ).toEqual([timeOf(ends[0]!), timeOf(ends[2]!)].sort());
    expect(log.filter((line) => line.startsWith('task failed'))).toEqual([]);
    for (const id of [account!._id, other._id]) {
      const synced = store.getPayLinkAccount(id);
      expect(synced.connectionStatus).toBe('connected');
      expect(endedAfter(SIX_AM + 29 * DAY, Date.parse(synced.lastSyncedAt!))).toBe(true);
    }
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
    const times = log.filter((line) => line.startsWith('account updated')).map(timeOf);
    expect(times).toHaveLength(30);
    times.forEach((ms, day) => expect(endedAfter(SIX_AM + day * DAY, ms)).toBe(true));
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
      `task processing @${iso(SIX_AM + PROCESSING)}`,
      `task failed merchant-unavailable @${iso(SIX_AM + LOGIN)}`,
      `account disconnected @${iso(SIX_AM + LOGIN)}`,
    ]);
    expect(store.getPayLinkAccount(account!._id)).toMatchObject({
      connectionStatus: 'disconnected',
      failReason: 'merchant-unavailable',
    });
    const found: number[] = [];
    store.events.on('orders-changed', (e) => found.push(e.added.length + e.updated.length));
    await clock.advance(DAY);
    const end = iso(SIX_AM + DAY + LOGIN + fetchMs(found[0]!));
    expect(log.slice(3)).toEqual([
      `task processing @${iso(SIX_AM + DAY + PROCESSING)}`,
      `auth true @${iso(SIX_AM + DAY + LOGIN)}`,
      `account updated @${end}`,
      `task completed @${end}`,
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
    expect(
      endedAfter(SIX_AM + 5 * DAY, Date.parse(store.getPayLinkAccount(account!._id).lastSyncedAt!)),
    ).toBe(true);
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
    const recovered = store.getPayLinkAccount(flaky!._id);
    expect(recovered.connectionStatus).toBe('connected');
    expect(endedAfter(SIX_AM + 5 * DAY, Date.parse(recovered.lastSyncedAt!))).toBe(true);
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
    expect(
      endedAfter(SIX_AM + 2 * DAY, Date.parse(store.getPayLinkAccount(account!._id).lastSyncedAt!)),
    ).toBe(true);
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

  it('take time on the clock: the task is queued, then processing, logged in, and completes when the fetch ends', async () => {
    const { clock, store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 2 } });
    const log = record(store);
    await clock.advanceTo(SIX_AM);
    const task = () =>
      store.listUserTasks('u').find((t) => t.status !== 'completed' || Date.parse(t.createdAt) >= SIX_AM);
    expect(task()).toMatchObject({ status: 'queued', createdAt: iso(SIX_AM) });
    await clock.advanceTo(SIX_AM + PROCESSING);
    expect(task()).toMatchObject({ status: 'processing', updatedAt: iso(SIX_AM + PROCESSING) });
    await clock.advanceTo(SIX_AM + LOGIN);
    expect(task()).toMatchObject({
      status: 'processing',
      authenticated: true,
      updatedAt: iso(SIX_AM + LOGIN),
    });
    // Still fetching: the account has not been synced yet.
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(NOW);
    await clock.advanceTo(SIX_AM + LOGIN + fetchMs(0) - 1);
    expect(task()!.status).toBe('processing');
    await clock.advanceTo(SIX_AM + LOGIN + fetchMs(600));
    const done = task()!;
    expect(done.status).toBe('completed');
    expect(store.getPayLinkAccount(account!._id).lastSyncedAt).toBe(done.updatedAt);
    expect(log.at(-1)).toBe(`task completed @${done.updatedAt}`);
  });

  it('refresh an account that missed slots before the schedule started once, a minute after it, not once per missed day', async () => {
    const { store: before } = storeWith();
    const { account } = before.connectMerchant({ identifier: 'u', connection: { orderCount: 2 } });
    const state = before.exportState();
    before.dispose();
    // The state comes back five days later: five slots passed while nothing ran.
    const later = Date.parse(NOW) + 5 * DAY;
    const clock = new VirtualClock(later);
    const store = createAtomicStore({ seed: 5, clock, baseline: false, refreshes: { enabled: true } });
    store.importState(state);
    expect(store.refreshSchedule().nextAt).toBe(iso(later + CATCH_UP_DELAY_MS));
    const log = record(store);
    await clock.advance(CATCH_UP_DELAY_MS + 2 * 60_000);
    expect(log.filter((line) => line.startsWith('task processing'))).toEqual([
      `task processing @${iso(later + CATCH_UP_DELAY_MS + PROCESSING)}`,
    ]);
    expect(
      endedAfter(later + CATCH_UP_DELAY_MS, Date.parse(store.getPayLinkAccount(account!._id).lastSyncedAt!)),
    ).toBe(true);
    // Then the schedule as usual: the next 06:00.
    const nextSix = nextSlotAfter(store.refreshSchedule(), later);
    expect(store.refreshSchedule().nextAt).toBe(iso(nextSix));
    await clock.advanceTo(nextSix + 2 * 60_000);
    expect(log.filter((line) => line.startsWith('task processing'))).toHaveLength(2);
    // An account synced since the latest slot missed nothing: no catch-up.
    const fresh = createAtomicStore({
      seed: 5,
      clock: new VirtualClock(NOW),
      baseline: false,
      refreshes: { enabled: true },
    });
    fresh.importState(state);
    expect(fresh.refreshSchedule().nextAt).toBe(iso(SIX_AM));
    fresh.dispose();
    store.dispose();
  });

  it('keep the failures asked for and the refreshes under way in the exported state; a reset forgets them', async () => {
    const { store } = storeWith();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } });
    const plain = store.connectMerchant({ identifier: 'v', connection: { orderCount: 1 } }).account!;
    store.failNextRefresh(account!._id, 'bot-detection');
    const asked = store.exportState();
    expect(asked.scheduledRefreshes).toEqual({
      failNext: [{ accountId: account!._id, failReason: 'bot-detection' }],
      inFlight: [],
    });

    // Another store takes the state: its next refresh of the account fails as asked.
    const other = storeWith();
    other.store.importState(asked);
    await other.clock.advance(DAY);
    expect(other.store.getPayLinkAccount(account!._id)).toMatchObject({
      connectionStatus: 'disconnected',
      failReason: 'bot-detection',
    });
    expect(other.store.getPayLinkAccount(plain._id).connectionStatus).toBe('connected');
    expect(other.store.exportState().scheduledRefreshes!.failNext).toEqual([]);
    other.store.dispose();

    // A reset forgets the request.
    store.reset();
    expect(store.exportState().scheduledRefreshes!.failNext).toEqual([]);

    // Taken in the middle of a refresh, the state carries it: the importing store finishes it as
    // the store it came from does.
    const first = storeWith();
    const one = first.store.connectMerchant({ identifier: 'u', connection: { orderCount: 1 } }).account!;
    const two = first.store.connectMerchant({ identifier: 'v', connection: { orderCount: 3 } }).account!;
    await first.clock.advanceTo(SIX_AM + LOGIN);
    const midway = first.store.exportState();
    expect(midway.scheduledRefreshes!.inFlight).toEqual([
      expect.objectContaining({ accountId: one._id, step: 'finish', startedMs: SIX_AM }),
      expect.objectContaining({ accountId: two._id, step: 'finish', startedMs: SIX_AM }),
    ]);
    const resumed = new VirtualClock(SIX_AM + LOGIN);
    const third = createAtomicStore({
      seed: 5,
      clock: resumed,
      baseline: false,
      refreshes: { enabled: true },
    });
    third.importState(midway);
    await resumed.advance(70 * SECOND);
    await first.clock.advance(70 * SECOND);
    const { scheduledRefreshes, ...finished } = third.exportState();
    expect(scheduledRefreshes).toEqual({ failNext: [], inFlight: [] });
    const { scheduledRefreshes: _, ...expected } = first.store.exportState();
    expect(finished).toEqual(expected);
    expect(finished.tasks.filter((t) => t.purpose === 'refresh').map((t) => t.status)).toEqual([
      'completed',
      'completed',
    ]);
    first.store.dispose();
    third.dispose();
  });
});
