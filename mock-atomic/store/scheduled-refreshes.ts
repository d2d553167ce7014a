import type { Clock, TimerId } from '../../core/clock';
import { fromCents, toCents, type SeededRandom } from '../../core/random';
import { outsideAnyRun } from '../../core/run-context';
import { LINE_ITEM_LABELS } from '../orders/catalog';
import type { Order } from '../orders/schema';
import { ORDER_MONITORING_FAIL_REASONS, type OrderMonitoringFailReason } from '../shared/schemas';
import { beginRefresh, finishRefresh, refreshLogin } from './account-connections';
import { accountRecord, generateOrders } from './accounts';
import { AtomicStoreError, invalid } from './errors';
import { setTaskStatus } from './tasks';
import { orderFetchMs } from './types';
import { DAY_MS, type StoreContext } from './context';
import type { PayLinkAccountRecord, RefreshInFlight, ScheduledRefreshesState } from './state';

/**
 * Continuous access (vendor-docs 000): "Atomic keeps order data up to date through daily scheduled
 * refreshes without requiring user action." Every connected Order Monitoring account is refreshed
 * at each slot of the schedule (by default 06:00 UTC every day) on the store's clock: a refresh task
 * is queued, processes, logs in, fetches — 2 s + 100 ms per order found, as a connection's fetch
 * (`orderFetch`) — and completes with the orders placed since the last sync and the pending ones
 * settled, each step and its webhooks at its own time. A refresh fails only when asked to (the
 * magic identifier, `failNextRefresh`) or at a seeded rate; a `merchant-unavailable` account is
 * retried, and so recovers, at the next slot.
 *
 * Time: slots that pass while the store runs are each played at their own time, in order, also when
 * the clock jumps (`POST /api/clock/advance`; at most MAX_CATCH_UP_SLOTS of them). Slots that passed
 * before the schedule started — the platform was not running, or the state was replaced by an
 * import or a reset — are not replayed one by one: an account that missed one is refreshed once,
 * CATCH_UP_DELAY_MS after the start, fetching everything since its last sync (docs/decisions/027).
 * Data: each refresh draws from a generator forked by account and start time, so the same seed and
 * state give the same refreshes byte for byte, whatever else runs meanwhile.
 */

export interface RefreshSchedule {
  /** Off by default in the store: only what creates the platform turns it on (see decision 027). */
  enabled: boolean;
  /** Time between two refreshes of an account. Default one day. */
  everyMs: number;
  /** Time of day (UTC, ms after midnight) of the slots. Default 06:00. */
  atMs: number;
  /** Share of scheduled refreshes that fail with a reason drawn from the seed. Default 0. */
  failureRate: number;
}

export const DEFAULT_REFRESH_SCHEDULE: RefreshSchedule = {
  enabled: false,
  everyMs: DAY_MS,
  atMs: 6 * 3600 * 1000,
  failureRate: 0,
};

/** A jump longer than this many slots plays only the latest ones (an imported state far ahead). */
export const MAX_CATCH_UP_SLOTS = 400;

/** How long after the schedule starts an account that missed slots before it is refreshed [choice]. */
export const CATCH_UP_DELAY_MS = 60_000;

/** Sandbox magic value: an identifier containing `refresh-fails-<reason>` fails each connection's first scheduled refresh. */
export const REFRESH_FAILURE_MAGIC = 'refresh-fails-';

/** Share of the orders a refresh found (still pending) whose tax the next refresh adjusts when they settle [choice]. */
const SETTLE_ADJUST_SHARE = 0.3;

/** The first slot strictly after `ms`: slots are `atMs + k × everyMs` from the Unix epoch (a UTC midnight). */
export function nextSlotAfter(schedule: Pick<RefreshSchedule, 'everyMs' | 'atMs'>, ms: number): number {
  return schedule.atMs + (Math.floor((ms - schedule.atMs) / schedule.everyMs) + 1) * schedule.everyMs;
}

/** The clock a refresh step at `at` sees: it reads that time and never schedules. */
function clockAt(at: number): Clock {
  return {
    now: () => at,
    setTimeout: (): TimerId => {
      throw new Error('a scheduled refresh does not schedule timers');
    },
    clearTimeout: () => undefined,
    sleep: () => Promise.reject(new Error('a scheduled refresh does not sleep')),
    track: (work) => work,
  };
}

/** The schedule of one store: its timer, the refreshes under way, the failures asked for, what it skips. */
export class RefreshScheduler {
  private timer: TimerId | undefined;
  private timerAt = Infinity;
  /** The next slot to play. */
  private next = 0;
  /** When the accounts that missed slots before the schedule (re)started are refreshed. */
  private catchUpAt: number | undefined;
  /** Refreshes under way, by account id. */
  private readonly inFlight = new Map<string, RefreshInFlight>();
  /** Failures asked for with `failNextRefresh`, by account id; each is used by one refresh. */
  private readonly requested = new Map<string, OrderMonitoringFailReason>();
  /** Set by the platform: users whose accounts a scheduled refresh leaves alone (a scenario run's). */
  skipUser: ((identifier: string) => boolean) | undefined;

  constructor(
    private readonly ctx: StoreContext,
    private readonly random: SeededRandom,
    readonly schedule: RefreshSchedule,
  ) {
    if (!(schedule.everyMs > 0)) throw new Error('the refresh interval must be positive');
  }

  get running(): boolean {
    return this.schedule.enabled && this.next > 0;
  }

  /**
   * Starts the schedule at the next slot after now. Slots before it are not played: accounts that
   * missed one are refreshed once, CATCH_UP_DELAY_MS from now.
   */
  start(): void {
    if (!this.schedule.enabled || this.next > 0) return;
    this.restart();
  }

  /** The state was replaced (a reset, an import): the schedule starts again from now. */
  restart(): void {
    if (!this.schedule.enabled) return;
    const now = this.ctx.clock.now();
    this.next = nextSlotAfter(this.schedule, now);
    const lastSlot = this.next - this.schedule.everyMs;
    const missed = [...this.ctx.t.payLinkAccounts.values()].some(
      (account) => !this.inFlight.has(account._id) && this.isDue(account, lastSlot),
    );
    this.catchUpAt = missed ? now + CATCH_UP_DELAY_MS : undefined;
    this.arm();
  }

  stop(): void {
    this.cancelTimer();
    this.next = 0;
    this.catchUpAt = undefined;
  }

  /** When the next scheduled refresh runs, or undefined when refreshes are off. */
  nextAt(): number | undefined {
    if (!this.running) return undefined;
    return this.catchUpAt === undefined ? this.next : Math.min(this.next, this.catchUpAt);
  }

  /**
   * The next scheduled refresh of `accountId` fails with `reason` (then it is forgotten). The
   * account must be a linked Order Monitoring account and the reason one Atomic documents for it.
   */
  failNext(accountId: string, reason: OrderMonitoringFailReason): void {
    const account = accountRecord(this.ctx, accountId);
    if (account.type !== 'linked' || account.details.type !== 'ecommerce')
      throw invalid('accountId', `account ${accountId} is not a linked Order Monitoring account`);
    if (!(ORDER_MONITORING_FAIL_REASONS as readonly string[]).includes(reason))
      throw invalid(
        'failReason',
        `unknown failReason "${String(reason)}"; use one of: ${ORDER_MONITORING_FAIL_REASONS.join(', ')}`,
      );
    this.requested.set(accountId, reason);
  }

  /** The failures asked for and the refreshes under way, for the store's exported state. */
  exportState(): ScheduledRefreshesState {
    return {
      failNext: [...this.requested].map(([accountId, failReason]) => ({ accountId, failReason })),
      inFlight: [...this.inFlight.values()].map((refresh) => ({ ...refresh })),
    };
  }

  /**
   * The state was replaced: takes the failures asked for and the refreshes under way it held (none
   * for a reset or a document without them), and starts the schedule again from now.
   */
  replaceState(state: ScheduledRefreshesState | undefined): void {
    this.requested.clear();
    this.inFlight.clear();
    for (const { accountId, failReason } of state?.failNext ?? []) this.requested.set(accountId, failReason);
    for (const refresh of state?.inFlight ?? []) this.inFlight.set(refresh.accountId, { ...refresh });
    this.restart();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** The earliest thing to do: a slot, the catch-up, or a step of a refresh under way. */
  private nextWork(): number {
    let at = this.running ? this.next : Infinity;
    if (this.catchUpAt !== undefined) at = Math.min(at, this.catchUpAt);
    for (const refresh of this.inFlight.values()) at = Math.min(at, refresh.atMs);
    return at;
  }

  private arm(): void {
    const at = this.nextWork();
    if (at === this.timerAt) return;
    this.cancelTimer();
    if (at === Infinity) return;
    this.timerAt = at;
    this.timer = this.ctx.clock.setTimeout(() => this.fire(), Math.max(0, at - this.ctx.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.ctx.clock.now();
    // A jump far ahead (an imported state) plays only the latest slots.
    const oldest = now - (MAX_CATCH_UP_SLOTS - 1) * this.schedule.everyMs;
    if (this.running && this.next < oldest)
      this.next += Math.floor((oldest - this.next) / this.schedule.everyMs) * this.schedule.everyMs;
    try {
      // A timer can fire from a scenario run's async context (the clock's wake-up was set there):
      // a refresh is the platform's own work and must take none of the run's ids or webhooks.
      outsideAnyRun(() => {
        // Everything due by now, in time order, each at its own time.
        for (let at = this.nextWork(); at <= now; at = this.nextWork()) this.playAt(at);
      });
    } finally {
      this.arm();
      // A timer changes state outside any method call: count it as a change.
      this.ctx.core.revision++;
    }
  }

  /** Plays what is due at `at`: steps of refreshes under way first, then the catch-up and the slot. */
  private playAt(at: number): void {
    for (const refresh of [...this.inFlight.values()].filter((r) => r.atMs === at)) this.step(refresh);
    if (this.catchUpAt === at) {
      this.catchUpAt = undefined;
      // The accounts that missed the latest slot before now, refreshed once.
      const lastSlot = nextSlotAfter(this.schedule, at) - this.schedule.everyMs;
      this.beginAllDue(lastSlot, at);
    }
    if (this.running && this.next === at) {
      this.next += this.schedule.everyMs;
      this.beginAllDue(at, at);
    }
  }

  /** Every account due at `slot` (not synced since), each starting a refresh at `at`. */
  private beginAllDue(slot: number, at: number): void {
    for (const account of [...this.ctx.t.payLinkAccounts.values()]) {
      if (this.inFlight.has(account._id) || !this.isDue(account, slot)) continue;
      try {
        this.begin(account, at);
      } catch (error) {
        // An account the store refuses to refresh is skipped; the others still are.
        if (!(error instanceof AtomicStoreError)) throw error;
      }
    }
  }

  private isDue(account: PayLinkAccountRecord, slot: number): boolean {
    if (account.type !== 'linked' || account.details.type !== 'ecommerce' || !account.monitoring)
      return false;
    const user = this.ctx.t.users.get(account.userId);
    if (!user?.monitoring || this.skipUser?.(user.identifier)) return false;
    const retry =
      account.connectionStatus === 'disconnected' && account.failReason === 'merchant-unavailable';
    if (account.connectionStatus !== 'connected' && !retry) return false;
    // An account synced after the slot (on a scenario run's later timeline) has nothing to fetch yet.
    const last = Date.parse(account.lastSyncedAt ?? account.updatedAt);
    return last < slot;
  }

  /** A refresh starts at `at`: its task is queued, and whether it fails is decided now. */
  private begin(account: PayLinkAccountRecord, at: number): void {
    const random = this.random.fork(`${account._id}:${at}`);
    const failReason = this.failureFor(account, random.fork('failure'));
    const ctx = this.ctx.derive({ clock: clockAt(at), random: random.fork('task') });
    const { task } = beginRefresh(ctx, account._id, { retryTransient: true });
    this.inFlight.set(account._id, {
      taskId: task._id,
      accountId: account._id,
      startedMs: at,
      ...(failReason && { failReason }),
      step: 'processing',
      atMs: at + this.ctx.timings.processingAfterMs,
    });
  }

  /**
   * The next step of a refresh under way, at its time: processing; the login (or the failure
   * asked for); then, once the orders found are fetched, the sync and completion. A refresh whose
   * task or account was changed by hand meanwhile is dropped.
   */
  private step(refresh: RefreshInFlight): void {
    const task = this.ctx.t.tasks.get(refresh.taskId);
    const account = this.ctx.t.payLinkAccounts.get(refresh.accountId);
    if (!task || !account || task.status === 'completed' || task.status === 'failed') {
      this.inFlight.delete(refresh.accountId);
      return;
    }
    const random = this.random.fork(`${account._id}:${refresh.startedMs}`);
    const ctx = this.ctx.derive({ clock: clockAt(refresh.atMs), random: random.fork(refresh.step) });
    const timings = this.ctx.timings;
    try {
      if (refresh.step === 'processing') {
        setTaskStatus(ctx, task._id, 'processing');
        refresh.step = 'login';
        refresh.atMs = refresh.startedMs + Math.max(timings.authenticatedAfterMs, timings.processingAfterMs);
        return;
      }
      if (refresh.step === 'login') {
        if (!refreshLogin(ctx, task, refresh.failReason)) {
          this.inFlight.delete(refresh.accountId);
          return;
        }
        // The fetch takes the time a connection's does for the orders it finds (vendor-docs 000).
        const found = this.ordersFound(ctx, account, refresh.startedMs, random).length;
        refresh.step = 'finish';
        refresh.atMs += orderFetchMs(this.ctx.orderFetch, found);
        return;
      }
      this.inFlight.delete(refresh.accountId);
      finishRefresh(ctx, task, {
        orders: this.ordersFound(ctx, account, refresh.startedMs, random),
        retryTransient: true,
      });
    } catch (error) {
      // The account changed under the refresh (disconnected or ended by hand): it stops there.
      this.inFlight.delete(refresh.accountId);
      if (!(error instanceof AtomicStoreError)) throw error;
    }
  }

  /**
   * What a refresh started at `startedMs` finds: the orders the last sync found settling, then the
   * orders placed since the last sync up to the start. Drawn from the refresh's own generator, so
   * asking twice (at login, for the fetch time, and at the end) gives the same orders.
   */
  private ordersFound(
    ctx: StoreContext,
    account: PayLinkAccountRecord,
    startedMs: number,
    random: SeededRandom,
  ): Order[] {
    const since = Date.parse(account.lastSyncedAt ?? account.updatedAt);
    const data = ctx.derive({ random: random.fork('orders') });
    return [
      ...settledOrders(account, since - this.schedule.everyMs, since, random.fork('settle')),
      ...generateOrders(data, account._id, {
        count: random.fork('count').int(0, 2),
        from: since,
        to: startedMs,
      }),
    ];
  }

  /** Why this refresh fails, if it does: asked for, the magic identifier, or the seeded rate. */
  private failureFor(
    account: PayLinkAccountRecord,
    random: SeededRandom,
  ): OrderMonitoringFailReason | undefined {
    const requested = this.requested.get(account._id);
    if (requested) {
      this.requested.delete(account._id);
      return requested;
    }
    const magic = this.magicFailure(account);
    if (magic) return magic;
    if (this.schedule.failureRate > 0 && random.chance(this.schedule.failureRate))
      return random.pick(ORDER_MONITORING_FAIL_REASONS);
    return undefined;
  }

  /** `refresh-fails-<reason>` in the identifier: the first scheduled refresh after each connection fails. */
  private magicFailure(account: PayLinkAccountRecord): OrderMonitoringFailReason | undefined {
    const identifier = this.ctx.t.users.get(account.userId)?.identifier ?? '';
    const at = identifier.indexOf(REFRESH_FAILURE_MAGIC);
    if (at < 0) return undefined;
    const rest = identifier.slice(at + REFRESH_FAILURE_MAGIC.length);
    const reason = ORDER_MONITORING_FAIL_REASONS.find((r) => rest.startsWith(r));
    if (!reason) return undefined;
    // The account's latest task tells whether it has been refreshed since it (re)connected.
    let latest: { purpose: string; createdAt: string } | undefined;
    for (const task of this.ctx.t.tasks.values())
      if (task.payLinkAccountId === account._id && (!latest || task.createdAt >= latest.createdAt))
        latest = task;
    return latest?.purpose === 'refresh' ? undefined : reason;
  }
}

/**
 * Orders the last sync found, placed in (from, to], now settling: for a seeded share the estimated
 * tax becomes the final one, a few cents off (vendor-docs 000: the amount "may vary slightly due to
 * tax adjustments on pending orders — reconciles once order settles"). Returned changed, same `_id`.
 */
function settledOrders(
  account: PayLinkAccountRecord,
  from: number,
  to: number,
  random: SeededRandom,
): Order[] {
  const out: Order[] = [];
  for (const order of account.orders) {
    const placed = Date.parse(order.date);
    if (!(placed > from && placed <= to) || order.paymentMethod?.type !== 'card') continue;
    const roll = random.fork(order._id);
    if (!roll.chance(SETTLE_ADJUST_SHARE)) continue;
    const tax = order.lineItems.findIndex((line) => line.description === LINE_ITEM_LABELS.tax);
    if (tax < 0) continue;
    const taxCents = toCents(order.lineItems[tax]!.amount);
    const delta = Math.max(-taxCents, roll.pick([-3, -2, -1, 1, 2, 3]));
    if (delta === 0) continue;
    const settled = structuredClone(order);
    settled.lineItems[tax]!.amount = fromCents(taxCents + delta);
    settled.amount = fromCents(toCents(order.amount) + delta);
    out.push(settled);
  }
  return out;
}
