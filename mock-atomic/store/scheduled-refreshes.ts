import type { Clock, TimerId } from '../../core/clock';
import { fromCents, toCents, type SeededRandom } from '../../core/random';
import { outsideAnyRun } from '../../core/run-context';
import { LINE_ITEM_LABELS } from '../orders/catalog';
import type { Order } from '../orders/schema';
import { ORDER_MONITORING_FAIL_REASONS, type OrderMonitoringFailReason } from '../shared/schemas';
import { refreshAccountRecords } from './account-connections';
import { accountRecord, generateOrders } from './accounts';
import { invalid } from './errors';
import { DAY_MS, type StoreContext } from './context';
import type { PayLinkAccountRecord } from './state';

/**
 * Continuous access (vendor-docs 000): "Atomic keeps order data up to date through daily scheduled
 * refreshes without requiring user action." Every connected Order Monitoring account is refreshed
 * at each slot of the schedule (by default 06:00 UTC every day) on the store's clock: a refresh task
 * runs, the orders placed since the last sync arrive, the orders the last sync found pending settle,
 * and the task and account webhooks fire. A refresh fails only when asked to (the magic identifier,
 * `failNextRefresh`) or at a seeded rate; a `merchant-unavailable` account is retried, and so
 * recovers, at the next slot.
 *
 * Time: when the clock jumps (`POST /api/clock/advance`), every slot passed is played, each at its
 * own time, in order (at most MAX_CATCH_UP_SLOTS of them). Data: each refresh draws from a generator
 * forked by account and slot, so the same seed and state give the same refreshes byte for byte,
 * whatever else runs meanwhile.
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

/** Sandbox magic value: an identifier containing `refresh-fails-<reason>` fails each connection's first scheduled refresh. */
export const REFRESH_FAILURE_MAGIC = 'refresh-fails-';

/** Share of the orders a refresh found (still pending) whose tax the next refresh adjusts when they settle [choice]. */
const SETTLE_ADJUST_SHARE = 0.3;

/** The first slot strictly after `ms`: slots are `atMs + k × everyMs` from the Unix epoch (a UTC midnight). */
export function nextSlotAfter(schedule: Pick<RefreshSchedule, 'everyMs' | 'atMs'>, ms: number): number {
  return schedule.atMs + (Math.floor((ms - schedule.atMs) / schedule.everyMs) + 1) * schedule.everyMs;
}

/** The clock a refresh at `slot` sees: it reads the slot's time and never schedules. */
function clockAt(slot: number): Clock {
  return {
    now: () => slot,
    setTimeout: (): TimerId => {
      throw new Error('a scheduled refresh does not schedule timers');
    },
    clearTimeout: () => undefined,
    sleep: () => Promise.reject(new Error('a scheduled refresh does not sleep')),
    track: (work) => work,
  };
}

/** The schedule of one store: its timer, the failures asked for, and what it skips. */
export class RefreshScheduler {
  private timer: TimerId | undefined;
  private next = 0;
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
    return this.timer !== undefined;
  }

  /** Arms the timer for the next slot after now (slots before the start are not played). */
  start(): void {
    if (!this.schedule.enabled || this.timer !== undefined) return;
    this.next = nextSlotAfter(this.schedule, this.ctx.clock.now());
    this.arm();
  }

  stop(): void {
    if (this.timer !== undefined) this.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** When the next scheduled refresh runs, or undefined when refreshes are off. */
  nextAt(): number | undefined {
    return this.timer === undefined ? undefined : this.next;
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

  /** Forgets requested failures (the state they were about was replaced). */
  clearRequests(): void {
    this.requested.clear();
  }

  private arm(): void {
    this.timer = this.ctx.clock.setTimeout(() => this.fire(), Math.max(0, this.next - this.ctx.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.ctx.clock.now();
    const slots: number[] = [];
    for (let slot = this.next; slot <= now; slot += this.schedule.everyMs) slots.push(slot);
    this.next = slots.length ? slots[slots.length - 1]! + this.schedule.everyMs : this.next;
    try {
      // A timer can fire from a scenario run's async context (the clock's wake-up was set there):
      // a refresh is the platform's own work and must take none of the run's ids or webhooks.
      outsideAnyRun(() => {
        for (const slot of slots.slice(-MAX_CATCH_UP_SLOTS)) this.refreshAllAt(slot);
      });
    } finally {
      this.arm();
      // A timer changes state outside any method call: count it as a change.
      this.ctx.core.revision++;
    }
  }

  /** Every account due at `slot`, each refreshed at that time. */
  private refreshAllAt(slot: number): void {
    for (const account of [...this.ctx.t.payLinkAccounts.values()])
      if (this.isDue(account, slot)) this.refreshOne(account, slot);
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

  private refreshOne(account: PayLinkAccountRecord, slot: number): void {
    const random = this.random.fork(`${account._id}:${slot}`);
    const ctx = this.ctx.derive({ clock: clockAt(slot), random: random.fork('data') });
    const failReason = this.failureFor(account, random.fork('failure'));
    if (failReason) {
      refreshAccountRecords(ctx, account._id, { failReason, retryTransient: true });
      return;
    }
    const since = Date.parse(account.lastSyncedAt ?? account.updatedAt);
    const orders = [
      ...settledOrders(account, since - this.schedule.everyMs, since, random.fork('settle')),
      ...generateOrders(ctx, account._id, { count: random.fork('count').int(0, 2), from: since, to: slot }),
    ];
    refreshAccountRecords(ctx, account._id, { orders, retryTransient: true });
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
