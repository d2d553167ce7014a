import { z } from 'zod';
import type { Clock, TimerId } from '../core/clock';
import { centsToDecimalString, createRandom, toCents, type SeededRandom } from '../core/random';
import { currentRunContext, outsideAnyRun } from '../core/run-context';
import {
  AtelioStoreError,
  amazonDescriptor,
  amazonPurchaseInput,
  formatTimestamp,
  type AtelioStore,
} from '../mock-atelio';
import { nextSlotAfter, type AtomicStore, type AtomicStoreEvents, type Order } from '../mock-atomic';
import { SeededWorldPayroll } from './seeded-world-payroll';
import {
  amazonMerchantFor,
  cardOf,
  estimatedTaxCents,
  seededWorldPlan,
  type Card,
  type ShopperPlan,
} from './seeded-world';

/**
 * The seeded world keeps growing after start (docs/decisions/030). Every Amazon card order that
 * reaches the Atomic store for one of the seeded world's shoppers after start (a scheduled refresh,
 * a reconnection) becomes a card charge of the same Atelio customer, on the card with the order's
 * last four, at an Amazon descriptor: authorised a few minutes after the order was placed, and
 * settled on the platform clock once Amazon has charged it — 14–56 hours after authorisation and
 * never before the next scheduled refresh has reported the order's final amount, at that amount.
 * The baseline's Amazon charges still pending at start settle the same way.
 *
 * The charges are announced with Atelio's `transactions` webhooks as any transaction is; their
 * `created_time` is the point of sale, before the refresh that revealed the order (the sandbox
 * decides a day's orders when Atomic fetches them). What this keeps — which orders became which
 * charges, and the settlements still to come — is part of the platform's state: exported, imported
 * and started over by a reset. The customers' biweekly payroll goes on too (seeded-world-payroll.ts).
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Share of the charges authorised with estimated tax above the order total [choice]. */
const ESTIMATED_TAX_SHARE = 1 / 3;
/** The most a final capture may exceed the hold (a tax adjustment is cents); beyond it the hold is settled. */
const MAX_OVER_HOLD_CENTS = 100;

/** One Amazon order that became a card charge, and the settlements it still has to come. */
export interface WorldCharge {
  accountId: string;
  orderId: string;
  transactionId: string;
  /** When Atomic reported the order (the sync that found it): its amount is final once a later sync has run. */
  knownMs: number;
  /** Settlements to come, in time order; `cents` absent: the order's amount at that time (capped at what is held). */
  settlements: { atMs: number; cents?: number | undefined }[];
}

export const SeededWorldStateSchema = z
  .object({
    charges: z
      .array(
        z
          .object({
            accountId: z.string().min(1).max(200),
            orderId: z.string().min(1).max(200),
            transactionId: z.string().min(1).max(256),
            knownMs: z.number().int().min(0).max(253_402_300_799_999),
            settlements: z
              .array(
                z
                  .object({
                    atMs: z.number().int().min(0).max(253_402_300_799_999),
                    cents: z.number().int().min(1).max(1e12).optional(),
                  })
                  .strict(),
              )
              .max(10),
          })
          .strict(),
      )
      .max(1_000_000),
  })
  .strict();
export type SeededWorldState = z.infer<typeof SeededWorldStateSchema>;

export interface SeededWorldChargesOptions {
  atomic: AtomicStore;
  atelio: AtelioStore;
  /** The platform's (scoped) clock: settlements wait on it. */
  clock: Clock;
}

export class SeededWorldCharges {
  private readonly atomic: AtomicStore;
  private readonly atelio: AtelioStore;
  private readonly clock: Clock;
  private readonly random: SeededRandom;
  /** The seeded world's shoppers by identifier, with the cards they pay Amazon with. */
  private readonly shoppers: Map<string, Card[]>;
  private readonly plans: ShopperPlan[];
  /** Every order that became a charge, by `accountId:orderId` (so a re-reported order is charged once). */
  private charges = new Map<string, WorldCharge>();
  private timer: TimerId | undefined;
  private timerAt = Infinity;
  private readonly off: () => void;
  /** The customers' payroll goes on too, so their charges keep being paid for. */
  private readonly payroll: SeededWorldPayroll;

  constructor(options: SeededWorldChargesOptions) {
    this.atomic = options.atomic;
    this.atelio = options.atelio;
    this.clock = options.clock;
    this.random = createRandom(`${options.atomic.seed}:seeded-world:charges`);
    this.plans = seededWorldPlan(options.atomic);
    this.shoppers = new Map(this.plans.map((plan) => [plan.shopper.identifier, plan.shopper.cards]));
    this.off = this.atomic.events.on('orders-changed', (event) => this.onOrdersChanged(event));
    this.payroll = new SeededWorldPayroll(
      this.atelio,
      this.clock,
      this.plans.map((plan) => plan.shopper.identifier),
    );
    this.takeBaseline();
  }

  /** Back to the seeded baseline: nothing charged since start, the baseline's pending charges to settle. */
  reset(): void {
    this.cancelTimer();
    this.charges.clear();
    this.takeBaseline();
    this.payroll.restart();
  }

  exportState(): SeededWorldState {
    return { charges: [...this.charges.values()].map((charge) => structuredClone(charge)) };
  }

  /** Takes a state document's charges (validated by `SeededWorldStateSchema`); none when absent. */
  importState(state: SeededWorldState | undefined): void {
    this.cancelTimer();
    this.charges.clear();
    for (const charge of state?.charges ?? [])
      this.charges.set(key(charge.accountId, charge.orderId), structuredClone(charge));
    this.arm();
    this.payroll.restart();
  }

  dispose(): void {
    this.off();
    this.cancelTimer();
    this.payroll.dispose();
  }

  /**
   * The baseline's Amazon charges whose settlement had not come by start: the seeded history leaves
   * them pending; they settle on the platform clock like any later charge.
   */
  private takeBaseline(): void {
    const start = this.atelio.baselineAt;
    for (const plan of this.plans) {
      const amazon = this.atomic
        .listPayLinkAccounts(plan.shopper.identifier)
        .filter((a) => a.type === 'linked' && a.account.type === 'ecommerce');
      const accountOf = (orderId: string) => amazon.find((a) => a.orders?.some((o) => o._id === orderId));
      const transactions = this.atelio.listTransactions(
        { customerId: plan.shopper.identifier, paymentType: 'card', count: 10_000 },
        { share: true },
      ).items;
      for (const charge of plan.charges) {
        const account = accountOf(charge.orderId);
        const accountId = account?._id;
        const authorised = centsText(-charge.authorisedCents);
        const tx = transactions.find(
          (t) =>
            t.created_time === formatTimestamp(charge.atMs) &&
            (t.details as { merchant_amount?: string }).merchant_amount === authorised,
        );
        if (!accountId || !tx) continue;
        const r = this.random.fork(`baseline:${accountId}:${charge.orderId}`);
        const settlements =
          charge.settlements.length > 0
            ? charge.settlements.filter((s) => s.atMs > start)
            : tx.state === 'pending'
              ? [{ atMs: this.settlementTime(r, charge.atMs, start) }]
              : [];
        if (settlements.length > 0)
          this.charges.set(key(accountId, charge.orderId), {
            accountId,
            orderId: charge.orderId,
            transactionId: tx.transaction_id,
            knownMs: account.lastSyncedAt ? Date.parse(account.lastSyncedAt) : start,
            settlements,
          });
      }
    }
    this.arm();
  }

  private onOrdersChanged(event: AtomicStoreEvents['orders-changed']): void {
    // A scenario run's data depends on the run alone; the seeded world is the platform's own.
    if (currentRunContext() !== undefined) return;
    const cards = this.shoppers.get(event.user.identifier);
    if (!cards || event.added.length === 0) return;
    const added = new Set(event.added);
    const eventMs = Date.parse(event.eventTime);
    const orders = (event.account.orders ?? [])
      .filter((order) => added.has(order._id))
      .sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || (a._id < b._id ? -1 : 1));
    for (const order of orders) {
      try {
        this.charge(event.user.identifier, event.account._id, order, cards, eventMs);
      } catch (error) {
        // The bank does not know this customer or card (an imported state from elsewhere): an
        // order it cannot charge stays Atomic's alone, and the refresh that found it goes on.
        if (!(error instanceof AtelioStoreError)) throw error;
      }
    }
    this.arm();
  }

  /** One new card order becomes an authorised charge with its settlement to come. */
  private charge(customerId: string, accountId: string, order: Order, cards: Card[], eventMs: number): void {
    if (this.charges.has(key(accountId, order._id))) return;
    const lastFour = cardOf(order, cards);
    const cents = toCents(order.amount);
    if (lastFour === undefined || !(cents > 0)) return;
    const card = this.atelio
      .listCards({ customerId, count: 1000 })
      .items.find((c) => c.last_four === lastFour && c.status === 'active');
    if (!card) return;
    const r = this.random.fork(`${accountId}:${order._id}`);
    const merchant = amazonMerchantFor(order, r);
    const merchantName = amazonDescriptor(merchant, r);
    const atMs = Math.min(Date.parse(order.date) + r.int(1, 40) * MINUTE_MS, eventMs);
    const held = r.chance(ESTIMATED_TAX_SHARE) ? cents + estimatedTaxCents(r, cents) : cents;
    const tx = this.atelio.authorizeCardPurchase(
      amazonPurchaseInput({ cardId: card.card_id, merchant, merchantName, cents: held, atMs }),
    );
    this.charges.set(key(accountId, order._id), {
      accountId,
      orderId: order._id,
      transactionId: tx.transaction_id,
      knownMs: eventMs,
      settlements: tx.state === 'pending' ? [{ atMs: this.settlementTime(r, atMs, eventMs) }] : [],
    });
  }

  /**
   * When Amazon's charge settles: 14–56 hours after authorisation (as in the seeded history), never
   * before the bank could know of it (10 minutes to 3 hours after `knownMs`, when the order — or the
   * platform — appeared), and not before the next scheduled refresh after `knownMs` has reported the
   * order's final amount (vendor-docs 000: the amount "reconciles once order settles"), then 10
   * minutes to 3 hours after that refresh.
   */
  private settlementTime(r: SeededRandom, authorisedMs: number, knownMs: number): number {
    const charged = authorisedMs + r.int(14, 56) * HOUR_MS + r.int(0, 59) * MINUTE_MS;
    const after = r.int(10, 180) * MINUTE_MS;
    const schedule = this.atomic.refreshSchedule();
    const earliest = schedule.enabled ? nextSlotAfter(schedule, knownMs) : knownMs;
    return Math.max(charged, earliest + after);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Wakes up at the earliest settlement to come. */
  private arm(): void {
    let next = Infinity;
    for (const charge of this.charges.values())
      if (charge.settlements[0] && charge.settlements[0].atMs < next) next = charge.settlements[0].atMs;
    if (next === this.timerAt) return;
    this.cancelTimer();
    if (next === Infinity) return;
    this.timerAt = next;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      // The platform clock's wake-up may have been set from inside a scenario run.
      outsideAnyRun(() => this.settleDue());
    }, next - this.clock.now());
  }

  /** Every settlement due by now, in time order, each at its own time. */
  private settleDue(): void {
    const now = this.clock.now();
    const due: { atMs: number; charge: WorldCharge }[] = [];
    for (const charge of this.charges.values())
      if (charge.settlements[0] && charge.settlements[0].atMs <= now)
        due.push({ atMs: charge.settlements[0].atMs, charge });
    due.sort((a, b) => a.atMs - b.atMs || (a.charge.transactionId < b.charge.transactionId ? -1 : 1));
    for (const { charge } of due) {
      while (charge.settlements[0] && charge.settlements[0].atMs <= now) {
        const settlement = charge.settlements.shift()!;
        try {
          this.settle(charge, settlement);
        } catch (error) {
          // Changed by hand meanwhile in a way the bank refuses to settle: it has moved on.
          if (!(error instanceof AtelioStoreError)) throw error;
        }
      }
    }
    this.arm();
  }

  private settle(charge: WorldCharge, settlement: WorldCharge['settlements'][number]): void {
    const retry = settlement.cents === undefined ? this.reconciliationAfter(charge) : undefined;
    if (retry !== undefined) {
      // Amazon's final amount is not known yet (a state imported long after it was taken): the
      // charge settles once the account's next refresh has reported it.
      const r = this.random.fork(`${charge.accountId}:${charge.orderId}:after:${retry}`);
      charge.settlements.unshift({ atMs: Math.max(retry, this.clock.now()) + r.int(10, 180) * MINUTE_MS });
      return;
    }
    const tx = this.atelio.getTransaction(charge.transactionId, { share: true });
    // Cancelled, declined or settled by hand meanwhile (simulate API): the bank has moved on.
    if (!tx || (tx.state !== 'pending' && tx.state !== 'completed')) return;
    const remaining = remainingCents(tx.details);
    if (!(remaining > 0)) return;
    // A planned part of a shipment, or Amazon's final amount for the order (Atomic's, once a
    // refresh reconciled it): a tax adjusted up by a few cents is captured above the hold.
    const reported = settlement.cents === undefined ? this.orderCents(charge) : undefined;
    const final =
      reported !== undefined && reported <= remaining + MAX_OVER_HOLD_CENTS ? reported : undefined;
    const cents = final ?? Math.min(settlement.cents ?? remaining, remaining);
    this.atelio.settleTransaction(charge.transactionId, {
      amount: centsText(cents),
      at: settlement.atMs,
      ...(final !== undefined && { finalCapture: true }),
    });
  }

  /**
   * When the account's next refresh is due, if the order's final amount waits on it: no sync has
   * run since the one that found the order, and the account is still being refreshed.
   */
  private reconciliationAfter(charge: WorldCharge): number | undefined {
    const schedule = this.atomic.refreshSchedule();
    if (!schedule.enabled || schedule.nextAt === undefined) return undefined;
    try {
      const account = this.atomic.getPayLinkAccount(charge.accountId, { share: true });
      const refreshed =
        account.connectionStatus === 'connected' ||
        (account.connectionStatus === 'disconnected' && account.failReason === 'merchant-unavailable');
      const synced = Date.parse(account.lastSyncedAt ?? '');
      if (!refreshed || !(synced <= charge.knownMs)) return undefined;
      return Date.parse(schedule.nextAt);
    } catch {
      return undefined;
    }
  }

  /** The order's amount as Atomic reports it now (its final amount once a refresh reconciled it). */
  private orderCents(charge: WorldCharge): number | undefined {
    try {
      const order = this.atomic
        .getPayLinkAccount(charge.accountId, { share: true })
        .orders?.find((o) => o._id === charge.orderId);
      return order ? toCents(order.amount) : undefined;
    } catch {
      return undefined;
    }
  }
}

const key = (accountId: string, orderId: string) => `${accountId}:${orderId}`;

const centsText = centsToDecimalString;

/** What is still held on a card charge: the authorised amount (`merchant_amount`) less what has settled. */
function remainingCents(cardDetails: unknown): number {
  const details = cardDetails as { merchant_amount?: string; settlements?: { amount: string }[] };
  const authorised = -toCents(details.merchant_amount ?? '0');
  const settled = (details.settlements ?? []).reduce((sum, s) => sum - toCents(s.amount), 0);
  return authorised - settled;
}
