import { describe, expect, it } from 'vitest';
import { PlatformClock, VirtualClock } from '../core/clock';
import { toCents } from '../core/random';
import { parseTimestamp, type CardDetails, type Transaction } from '../mock-atelio';
import { BASELINE_IDENTIFIERS, type Order } from '../mock-atomic';
import { createPlatform } from './platform';

const NOW = Date.parse('2025-03-10T15:00:00.000Z');
const HOUR = 3_600_000;
const AMAZON = /^(AMZN Mktp US\*|Amazon\.com\*|AMZN Digital\*)/;

function world(seed: number) {
  const clock = new VirtualClock(NOW);
  // The world startSandbox builds: createPlatform's shared world (atelioBaselineForAtomic).
  const platform = createPlatform({ seed, clock, sharedWorld: true });
  const atomic = platform.atomic.store;
  const atelio = platform.atelio.store;
  return { atomic, atelio };
}

function demoUser(seed = 1) {
  const { atomic, atelio } = world(seed);
  const identifier = BASELINE_IDENTIFIERS.main;
  const orders = atomic
    .listPayLinkAccounts(identifier)
    .flatMap((a) => a.orders ?? [])
    .sort((a, b) => a.date.localeCompare(b.date));
  const transactions = atelio.listTransactions({
    customerId: identifier,
    count: 10000,
    orderBy: 'asc',
  }).items;
  const cards = atelio.listCards({ customerId: identifier, count: 100 }).items;
  const lastFourOf = (t: Transaction) =>
    cards.find((c) => c.card_id === (t.details as CardDetails).card_id)?.last_four;
  const amazon = transactions.filter(
    (t) => t.payment_type === 'card' && AMAZON.test((t.details as CardDetails).merchant_name),
  );
  return { atomic, atelio, identifier, orders, transactions, cards, amazon, lastFourOf };
}

const cardOrders = (orders: Order[]) => orders.filter((o) => o.paymentMethod?.type === 'card');
const authorised = (t: Transaction) => -toCents((t.details as CardDetails).merchant_amount);
const settlements = (t: Transaction) => (t.details as CardDetails).settlements ?? [];

describe('the seeded world: Atomic shoppers bank at Atelio', () => {
  it('is the same for the same seed and another for another seed', () => {
    expect(world(4).atelio.exportState()).toEqual(world(4).atelio.exportState());
    const amounts = (seed: number) =>
      demoUser(seed).amazon.map((t) => (t.details as CardDetails).merchant_amount);
    expect(amounts(4)).not.toEqual(amounts(5));
  });

  it('makes the Atomic user the Atelio customer of the same identifier, name and cards', () => {
    const { atomic, atelio, identifier, cards } = demoUser();
    const user = atomic.findUser(identifier)!;
    const customer = atelio.getCustomer(identifier)!;
    expect([customer.first_name, customer.last_name]).toEqual([
      user.identity!['firstName'],
      user.identity!['lastName'],
    ]);
    expect(cards.map((c) => c.last_four).sort()).toEqual(user.cards.map((c) => c.lastFour).sort());
    // The disconnected user banks here too.
    expect(atelio.getCustomer(BASELINE_IDENTIFIERS.disconnected)).toBeDefined();
  });

  it('turns every card order into one Amazon charge on the card with its last four, and nothing else into one', () => {
    const { orders, amazon, lastFourOf } = demoUser();
    const card = cardOrders(orders);
    expect(card.length).toBeGreaterThan(30);
    expect(amazon).toHaveLength(card.length);
    const unclaimed = new Set(amazon);
    for (const order of card) {
      const orderMs = Date.parse(order.date);
      const charge = [...unclaimed].find((t) => {
        const posMs = parseTimestamp(t.created_time);
        const total = toCents(order.amount);
        const settled = settlements(t).reduce((sum, s) => sum - toCents(s.amount), 0);
        const amountFits =
          authorised(t) === total ||
          settled === total ||
          (t.state === 'pending' && authorised(t) - total <= 100);
        const cardFits =
          order.paymentMethod?.lastFour === undefined || lastFourOf(t) === order.paymentMethod.lastFour;
        return amountFits && cardFits && posMs >= orderMs && posMs <= orderMs + 27 * HOUR;
      });
      expect(charge, `a charge for order ${order.sourceId} (${order.amount})`).toBeDefined();
      unclaimed.delete(charge!);
    }
    expect(unclaimed.size).toBe(0);
  });

  it('leaves the newest charges pending, two with estimated tax; settles one older order twice; spends elsewhere too', () => {
    const { orders, amazon, transactions } = demoUser();
    const pending = amazon.filter((t) => t.state === 'pending');
    expect(pending).toHaveLength(3);
    const totals = new Set(cardOrders(orders).map((o) => toCents(o.amount)));
    const taxed = pending.filter((t) => !totals.has(authorised(t)));
    expect(taxed).toHaveLength(2);
    for (const t of taxed) {
      const total = [...totals].find((c) => authorised(t) - c >= 15 && authorised(t) - c <= 90);
      expect(total, `an order a little below ${authorised(t)}`).toBeDefined();
    }
    const multi = amazon.filter((t) => settlements(t).length > 1);
    expect(multi).toHaveLength(1);
    expect(multi[0]!.state).toBe('completed');
    expect(-toCents(multi[0]!.amount)).toBe(authorised(multi[0]!));
    // One settled below what was authorised: estimated tax reconciled at the order total.
    expect(amazon.filter((t) => t.state === 'completed' && -toCents(t.amount) < authorised(t))).toHaveLength(
      1,
    );
    const elsewhere = transactions.filter((t) => t.payment_type === 'card' && !amazon.includes(t));
    expect(elsewhere.length).toBeGreaterThan(40);
  });

  it('charges only card orders: gift card, Affirm, Google Play and EBT orders never reach the bank', () => {
    const { orders, amazon } = demoUser();
    const nonCard = orders.filter((o) => o.paymentMethod?.type !== 'card');
    expect(nonCard.map((o) => o.paymentMethod?.type).sort()).toEqual([
      'Affirm',
      'EBT',
      'Google Play',
      'gift card',
    ]);
    const chargedTotals = amazon.map(authorised);
    for (const order of nonCard) expect(chargedTotals).not.toContain(toCents(order.amount));
  });
});

describe('the seeded world after start (decision 030)', () => {
  /** Thirty days of daily refreshes on a virtual clock; what the world and the bank hold then. */
  async function thirtyDays(seed: number) {
    const clock = new VirtualClock(NOW);
    const platform = createPlatform({ seed, clock, sharedWorld: true, refreshes: { enabled: true } });
    try {
      const history = platform.atelio.store.listTransactions({ count: 10000 }).items;
      const atelioBefore = new Set(history.map((t) => t.transaction_id));
      await clock.advance(30 * 24 * HOUR);
      const world = platform.seededWorld!.exportState();
      const added = platform.atelio.store
        .listTransactions({ count: 10000, orderBy: 'asc' })
        .items.filter((t) => !atelioBefore.has(t.transaction_id));
      const orders = platform.atomic.store
        .baselineInfo()
        .identifiers.flatMap((identifier) => platform.atomic.store.listPayLinkAccounts(identifier))
        .flatMap((a) => a.orders ?? []);
      return { world, added, orders, history };
    } finally {
      await platform.close();
    }
  }

  it('is the same for the same seed, another for another seed, and charges only card orders', async () => {
    const first = await thirtyDays(3);
    const again = await thirtyDays(3);
    expect(again.world).toEqual(first.world);
    expect(again.added).toEqual(first.added);
    const other = await thirtyDays(4);
    expect(other.added.map((t) => t.amount)).not.toEqual(first.added.map((t) => t.amount));

    // Every card transaction the month added is one of the world's charges, all at Amazon; the
    // rest is the customers' biweekly payroll going on, same employer and amount as before.
    const charged = new Map(first.world.charges.map((c) => [c.transactionId, c]));
    const cards = first.added.filter((t) => t.payment_type === 'card');
    expect(cards.length).toBeGreaterThan(10);
    for (const t of cards) {
      expect(charged.has(t.transaction_id)).toBe(true);
      expect((t.details as CardDetails).merchant_name).toMatch(AMAZON);
    }
    const others = first.added.filter((t) => t.payment_type !== 'card');
    expect(others.length).toBeGreaterThanOrEqual(2 * 2);
    for (const t of others) {
      expect(t).toMatchObject({ payment_type: 'ach', transaction_type: 'credit', state: 'completed' });
      expect(t.description).toMatch(/ PAYROLL$/);
      const before = first.history.filter(
        (h) => h.customer_id === t.customer_id && h.description === t.description,
      );
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((h) => h.amount === t.amount)).toBe(true);
    }
    // No order paid otherwise than by card became a charge.
    const byOrder = new Map(first.orders.map((o) => [o._id, o]));
    for (const charge of first.world.charges)
      expect(byOrder.get(charge.orderId)?.paymentMethod?.type).toBe('card');
    expect(first.orders.some((o) => o.paymentMethod?.type !== 'card')).toBe(true);
  });

  it('settles the charges of a long clock jump at their own times, after the refresh that reports their final amount', () => {
    // The server's clock: wall-clock time pushed ahead by `advance`. The start is one where a
    // charge's settlement falls due in the jump after a refresh that reports its order's final
    // amount, so the two must play in their order (decision 001).
    const wall = Date.parse('2026-12-05T07:17:00.000Z');
    const DAY = 24 * HOUR;
    const run = (advances: number[]) => {
      const clock = new PlatformClock(() => wall);
      const platform = createPlatform({ seed: 1, clock, sharedWorld: true, refreshes: { enabled: true } });
      try {
        for (const ms of advances) clock.advance(ms);
        const world = platform.seededWorld!.exportState();
        return world.charges.map((c) => {
          const t = platform.atelio.store.getTransaction(c.transactionId)!;
          return {
            order: c.orderId,
            state: t.state,
            amount: t.amount,
            created: t.created_time,
            settlements: settlements(t),
          };
        });
      } finally {
        platform.dispose();
      }
    };
    const jumped = run([DAY, 30 * DAY]);
    const stepped = run(Array.from({ length: 31 }, () => DAY));
    // Everything authorised more than three days before the end has settled, jump or not.
    const end = wall + 31 * DAY;
    const old = jumped.filter((c) => parseTimestamp(c.created) < end - 3 * DAY);
    expect(old.length).toBeGreaterThan(10);
    expect(old.filter((c) => c.state !== 'completed').map((c) => c.order)).toEqual([]);
    // And the jump leaves each charge as the day-by-day advance does.
    const steppedByOrder = new Map(stepped.map((c) => [c.order, c]));
    for (const c of old) expect(c).toEqual(steppedByOrder.get(c.order));
  });
});
