import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stitch } from './matcher';
import type { MatchedOutcome, MatchingOptions, OrderOutcome } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import { CARD, USER, aTransaction, anOrder, dayAfterOrder } from './test-builders';
import type { BatchOrder, BatchTransaction } from './test-builders';

const cards = new Map([[CARD.card_id, CARD.last_four]]);

function run(
  orders: BatchOrder[],
  txns: BatchTransaction[],
  options?: Partial<MatchingOptions>,
  lastFour: Map<string, string | null> = cards,
) {
  return stitch(
    orders.map((o) => orderForMatching(o, o.identifier)),
    txns.map((t) => transactionForMatching(t, lastFour)),
    options,
  );
}

const outcomeOf = (result: { outcomes: OrderOutcome[] }, orderId = 'order-1'): OrderOutcome => {
  const found = result.outcomes.find((o) => o.orderId === orderId);
  if (!found) throw new Error(`no outcome for ${orderId}`);
  return found;
};

const matched = (outcome: OrderOutcome): MatchedOutcome => {
  if (outcome.status !== 'matched')
    throw new Error(`expected a match, got ${outcome.status}: ${outcome.reason}`);
  return outcome;
};

const pairs = (result: { matches: MatchedOutcome[] }) =>
  Object.fromEntries(result.matches.map((m) => [m.orderId, m.transactionId]));

describe('stitch: the basic match', () => {
  it('matches a card order to the Amazon card transaction with the same amount posted the next day', () => {
    const result = run([anOrder()], [aTransaction()]);
    const m = matched(outcomeOf(result));
    expect(m.transactionId).toBe('txn-1');
    expect(m.confidence).toBe(1);
    expect(m.provisional).toBe(false);
    expect(m.reasons.join('\n')).toMatch(/amount 13\.37 equals the transaction amount/);
    expect(m.reasons.join('\n')).toMatch(/card last four 2345 agrees/);
    expect(m.reasons.join('\n')).toMatch(/posted 1 day after the order/);
  });

  it('compares amounts in cents, so 0.1 + 0.2 style float noise cannot break a match', () => {
    const result = run(
      [anOrder({ amount: 0.1 + 0.2 })],
      [aTransaction({ amount: '-0.30', details: { merchant_amount: '' } })],
    );
    expect(matched(outcomeOf(result)).transactionId).toBe('txn-1');
  });

  it('does not match a transaction of another customer', () => {
    const result = run([anOrder()], [aTransaction({ customer_id: 'someone-else' })]);
    expect(outcomeOf(result).status).toBe('awaiting-transaction');
  });

  it('does not match a different amount on a completed transaction (the tax tolerance is for pending only)', () => {
    const result = run(
      [anOrder()],
      [aTransaction({ amount: '-13.99', details: { merchant_amount: '-13.99' } })],
    );
    expect(outcomeOf(result)).toMatchObject({ status: 'awaiting-transaction' });
  });
});

describe('stitch: date window', () => {
  const at = (days: number, time?: string) =>
    run([anOrder()], [aTransaction({ created_time: dayAfterOrder(days, time) })]);

  it.each([0, 1, 2, 3])('accepts a transaction posted %i day(s) after the order', (days) => {
    expect(outcomeOf(at(days)).status).toBe('matched');
  });

  it('accepts a transaction posted one day before the order date (time-zone cut)', () => {
    const m = matched(outcomeOf(at(-1)));
    expect(m.confidence).toBe(0.9);
    expect(m.reasons.join('\n')).toMatch(/1 day before the order date/);
  });

  it('rejects a transaction posted 4 days after the order and says it is outside the window', () => {
    const outcome = outcomeOf(at(4));
    expect(outcome.status).toBe('awaiting-transaction');
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /txn-1 .*4 days after the order, outside the window 2024-10-19 to 2024-10-23/,
    );
  });

  it('rejects a transaction posted 2 days before the order', () => {
    expect(outcomeOf(at(-2)).status).toBe('awaiting-transaction');
  });

  it('counts UTC calendar days: 23:59 on day 3 is in, 00:01 on day 4 is out', () => {
    expect(outcomeOf(at(3, '23:59:00')).status).toBe('matched');
    expect(outcomeOf(at(4, '00:01:00')).status).toBe('awaiting-transaction');
  });

  it('lowers confidence as the lag grows: 0-1 days full, 2 days 0.95, 3 days 0.9', () => {
    expect(matched(outcomeOf(at(0))).confidence).toBe(1);
    expect(matched(outcomeOf(at(2))).confidence).toBe(0.95);
    expect(matched(outcomeOf(at(3))).confidence).toBe(0.9);
  });

  it('takes the window from options', () => {
    const wide = run([anOrder()], [aTransaction({ created_time: dayAfterOrder(5) })], { windowDaysAfter: 5 });
    expect(outcomeOf(wide).status).toBe('matched');
    const strict = run([anOrder()], [aTransaction({ created_time: dayAfterOrder(-1) })], {
      windowDaysBefore: 0,
    });
    expect(outcomeOf(strict).status).toBe('awaiting-transaction');
  });

  it('rejects invalid window options', () => {
    expect(() => run([anOrder()], [], { windowDaysAfter: -1 })).toThrow(/windowDaysAfter/);
    expect(() => run([anOrder()], [], { windowDaysBefore: 1.5 })).toThrow(/windowDaysBefore/);
  });

  it('says the window has closed once "now" is past it', () => {
    const asOfMs = Date.parse('2024-10-30T00:00:00Z');
    const outcome = outcomeOf(run([anOrder()], [], { asOfMs }));
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(/window has closed/);
    const early = outcomeOf(run([anOrder()], [], { asOfMs: Date.parse('2024-10-21T00:00:00Z') }));
    expect(early.status !== 'matched' && early.reason).toMatch(/yet$/);
  });
});

describe('stitch: card last four', () => {
  it('never matches when both last fours are known and differ', () => {
    const result = run([anOrder()], [aTransaction()], undefined, new Map([[CARD.card_id, '9999']]));
    const outcome = outcomeOf(result);
    expect(outcome.status).toBe('awaiting-transaction');
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /card ending 9999; the order was paid with card ending 2345/,
    );
  });

  it('matches a card order without last four on amount, date and merchant, with lower confidence', () => {
    const result = run([anOrder({ paymentMethod: { type: 'card', brand: 'Visa' } })], [aTransaction()]);
    const m = matched(outcomeOf(result));
    expect(m.confidence).toBe(0.8);
    expect(m.reasons.join('\n')).toMatch(/card order without last four/);
  });

  it('matches when the transaction card is unknown, with slightly lower confidence', () => {
    const result = run([anOrder()], [aTransaction()], undefined, new Map());
    expect(matched(outcomeOf(result)).confidence).toBe(0.9);
  });

  it('matches an order with no payment method at all, with the lowest card confidence', () => {
    const result = run([anOrder({ paymentMethod: null })], [aTransaction()]);
    const m = matched(outcomeOf(result));
    expect(m.confidence).toBe(0.7);
    expect(m.reasons.join('\n')).toMatch(/no payment method/);
  });
});

describe('stitch: non-card payment methods', () => {
  it.each([
    ['gift card', 'gift card'],
    [{ type: 'gift card' }, 'gift card'],
    ['EBT', 'EBT'],
    [{ type: 'ebt' }, 'EBT'],
    ['Affirm', 'Affirm'],
    [{ type: 'affirm' }, 'Affirm'],
    ['Google Play', 'Google Play'],
    [{ type: 'google_play' }, 'Google Play'],
  ] as const)('never matches an order paid by %j and flags it unmatchable', (paymentMethod, name) => {
    // A same-amount Amazon card transaction exists: it must still not be used.
    const result = run([anOrder({ paymentMethod })], [aTransaction()]);
    const outcome = outcomeOf(result);
    expect(outcome.status).toBe('unmatchable');
    expect(outcome.status !== 'matched' && outcome.reason).toBe(
      `paid by ${name}: non-card payments never appear as a bank card transaction`,
    );
  });

  it('flags a zero-total order unmatchable', () => {
    const outcome = outcomeOf(run([anOrder({ amount: 0 })], [aTransaction()]));
    expect(outcome).toMatchObject({
      status: 'unmatchable',
      reason: expect.stringMatching(/nothing was charged/),
    });
  });

  it('flags an order with an unreadable date unmatchable', () => {
    const outcome = outcomeOf(run([anOrder({ date: 'yesterday' })], [aTransaction()]));
    expect(outcome).toMatchObject({ status: 'unmatchable', reason: 'order date is missing or unreadable' });
  });
});

describe('stitch: merchant and transaction kind', () => {
  it('does not match a same-amount transaction at another merchant', () => {
    const result = run(
      [anOrder()],
      [aTransaction({ details: { merchant_name: 'TARGET #4744', statement_descriptor: 'TARGET #4744' } })],
    );
    const outcome = outcomeOf(result);
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /not at an Amazon-like merchant \("TARGET #4744/,
    );
  });

  it.each(['declined', 'cancelled'])('never matches a %s transaction', (state) => {
    const outcome = outcomeOf(run([anOrder()], [aTransaction({ state })]));
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(new RegExp(`txn-1 of 13.37 is ${state}`));
  });

  it('reads states case-insensitively ("Pending" appears in the vendor docs)', () => {
    expect(outcomeOf(run([anOrder()], [aTransaction({ state: 'Pending' })])).status).toBe('matched');
  });

  it('does not match a credit (refund) of the same amount', () => {
    const result = run(
      [anOrder()],
      [aTransaction({ amount: '13.37', details: { merchant_amount: '13.37' } })],
    );
    expect(outcomeOf(result).status).toBe('awaiting-transaction');
  });

  it('does not match an ACH payment', () => {
    const outcome = outcomeOf(run([anOrder()], [aTransaction({ payment_type: 'ach' })]));
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(/ach payment, not a card purchase/);
  });
});

describe('stitch: pending transactions with a tax adjustment', () => {
  const pending = aTransaction({
    state: 'pending',
    amount: '-13.99',
    details: { merchant_amount: '-13.99' },
  });

  it('matches provisionally when the pending amount differs slightly', () => {
    const m = matched(outcomeOf(run([anOrder()], [pending])));
    expect(m.transactionId).toBe('txn-1');
    expect(m.provisional).toBe(true);
    expect(m.confidence).toBe(0.75);
    expect(m.reasons[0]).toBe(
      'provisional: pending amount 13.99 differs from the order by 0.62 (tax adjustment); reconciles when the transaction settles',
    );
  });

  it('reconciles to an exact, non-provisional match once the transaction settles at the order amount', () => {
    const settled = aTransaction({
      state: 'completed',
      amount: '-13.37',
      details: {
        merchant_amount: '-13.99',
        settlements: [{ settlement_date: dayAfterOrder(2), amount: '-13.37' }],
      },
    });
    const m = matched(outcomeOf(run([anOrder()], [settled])));
    expect(m).toMatchObject({ transactionId: 'txn-1', provisional: false, confidence: 1 });
  });

  it('does not match a pending amount beyond the tolerance (10%, at least 1.00, at most 25.00)', () => {
    const far = aTransaction({ state: 'pending', amount: '-15.00', details: { merchant_amount: '-15.00' } });
    expect(outcomeOf(run([anOrder()], [far])).status).toBe('awaiting-transaction');
    const tight = run([anOrder()], [pending], { pendingTolerance: { ratio: 0, minCents: 10, maxCents: 10 } });
    expect(outcomeOf(tight).status).toBe('awaiting-transaction');
  });

  it('prefers an exact transaction over a provisional one for the same order', () => {
    const exact = aTransaction({ transaction_id: 'txn-exact', created_time: dayAfterOrder(2) });
    const result = run([anOrder()], [{ ...pending, transaction_id: 'txn-pending' }, exact]);
    expect(matched(outcomeOf(result)).transactionId).toBe('txn-exact');
  });
});

describe('stitch: multi-settlement transactions', () => {
  const order = anOrder({ amount: 35.93 });
  const base = { transaction_id: 'txn-ms', amount: '-35.93', details: { merchant_amount: '-35.93' } };

  it('matches the pending authorisation, the first settlement and the final settlement to the same order', () => {
    const stages = [
      aTransaction({ ...base, state: 'pending' }),
      aTransaction({
        ...base,
        amount: '-30.49',
        details: {
          merchant_amount: '-35.93',
          settlements: [{ settlement_date: '2024-12-16T03:47:27+00', amount: '-30.49' }],
        },
      }),
      aTransaction({
        ...base,
        details: {
          merchant_amount: '-35.93',
          settlements: [
            { settlement_date: '2024-12-16T03:47:27+00', amount: '-30.49' },
            { settlement_date: '2024-12-18 21:11:49+00', amount: '-5.44' },
          ],
        },
      }),
    ];
    const results = stages.map((txn) => matched(outcomeOf(run([order], [txn]))));
    expect(results.map((m) => m.transactionId)).toEqual(['txn-ms', 'txn-ms', 'txn-ms']);
    expect(results[1]!.reasons[0]).toMatch(
      /authorised amount \(merchant_amount\) of a multi-settlement transaction, settled 30.49 so far in 1 settlement/,
    );
    expect(results[1]!.confidence).toBe(0.97);
    expect(results[2]!.confidence).toBe(1);
  });

  it('matches on the sum of settlements when neither amount nor merchant_amount equals the order', () => {
    const txn = aTransaction({
      ...base,
      amount: '-5.44',
      details: {
        merchant_amount: '',
        settlements: [
          { settlement_date: '2024-10-21T03:47:27+00', amount: '-30.49' },
          { settlement_date: '2024-10-22 21:11:49+00', amount: '-5.44' },
        ],
      },
    });
    const m = matched(outcomeOf(run([order], [txn])));
    expect(m.reasons[0]).toBe('amount 35.93 equals the sum of 2 settlements');
  });
});

describe('stitch: ambiguity is resolved globally', () => {
  it('pairs two identical orders a day apart with their transactions in order (no swap)', () => {
    // Closest-date-first would give order-2 txn-a (same day) and push order-1 to txn-b.
    const orders = [
      anOrder({ _id: 'order-1', date: '2024-10-20T10:00:00Z' }),
      anOrder({ _id: 'order-2', date: '2024-10-21T10:00:00Z' }),
    ];
    const txns = [
      aTransaction({ transaction_id: 'txn-a', created_time: dayAfterOrder(1) }),
      aTransaction({ transaction_id: 'txn-b', created_time: dayAfterOrder(2) }),
    ];
    expect(pairs(run(orders, txns))).toEqual({ 'order-1': 'txn-a', 'order-2': 'txn-b' });
  });

  it('gives one transaction to one order only: the order with stronger evidence wins, the other says why', () => {
    const orders = [
      anOrder({ _id: 'order-weak', date: '2024-10-20T08:00:00Z', paymentMethod: { type: 'card' } }),
      anOrder({ _id: 'order-strong', date: '2024-10-20T09:00:00Z' }),
    ];
    const result = run(orders, [aTransaction()]);
    expect(pairs(result)).toEqual({ 'order-strong': 'txn-1' });
    const loser = outcomeOf(result, 'order-weak');
    expect(loser.status !== 'matched' && loser.reason).toBe(
      'its candidate transaction txn-1 is stitched to order order-strong, which has stronger or earlier evidence',
    );
  });

  it('prefers a transaction posted after the order over one posted the day before', () => {
    const txns = [
      aTransaction({ transaction_id: 'txn-before', created_time: dayAfterOrder(-1) }),
      aTransaction({ transaction_id: 'txn-after', created_time: dayAfterOrder(1) }),
    ];
    expect(pairs(run([anOrder()], txns))).toEqual({ 'order-1': 'txn-after' });
  });

  it('uses a second candidate when the first one is taken by a better pair', () => {
    // order-2 can only take txn-a; order-1 could take either, and must leave txn-a to order-2.
    const orders = [
      anOrder({ _id: 'order-1', date: '2024-10-20T10:00:00Z', paymentMethod: { type: 'card' } }),
      anOrder({ _id: 'order-2', date: '2024-10-20T11:00:00Z' }),
    ];
    const txns = [
      aTransaction({ transaction_id: 'txn-a', created_time: dayAfterOrder(1) }),
      aTransaction({
        transaction_id: 'txn-b',
        created_time: dayAfterOrder(2),
        details: { card_id: 'card-2' },
      }),
    ];
    const lastFour = new Map([
      ['card-1', '2345'],
      ['card-2', '7777'],
    ]);
    expect(pairs(run(orders, txns, undefined, lastFour))).toEqual({ 'order-1': 'txn-b', 'order-2': 'txn-a' });
  });
});

/** A small but busy data set: repeated amounts, pending adjustments, decoys, non-card orders, two users. */
function busyDataSet(): { orders: BatchOrder[]; txns: BatchTransaction[] } {
  const orders: BatchOrder[] = [];
  const txns: BatchTransaction[] = [];
  const amounts = [13.37, 13.37, 25, 25, 25, 8.99, 42.1, 13.37];
  for (let i = 0; i < 24; i++) {
    const user = i % 3 === 0 ? 'user-2' : USER;
    const amount = amounts[i % amounts.length]!;
    const day = Math.floor(i / 2);
    orders.push(
      anOrder({
        _id: `order-${String(i).padStart(2, '0')}`,
        identifier: user,
        amount,
        date: new Date(Date.UTC(2024, 9, 1 + day, 8 + (i % 5))).toISOString(),
        paymentMethod:
          i % 7 === 0 ? 'gift card' : i % 5 === 0 ? { type: 'card' } : { type: 'card', lastFour: '2345' },
      }),
    );
    const cents = Math.round(amount * 100);
    const pendingAdjusted = i % 6 === 1;
    const shown = pendingAdjusted ? cents + 40 : cents;
    txns.push(
      aTransaction({
        transaction_id: `txn-${String(i).padStart(2, '0')}`,
        customer_id: user,
        state: pendingAdjusted ? 'pending' : 'completed',
        amount: `-${(shown / 100).toFixed(2)}`,
        created_time: new Date(Date.UTC(2024, 9, 1 + day + (i % 3), 12)).toISOString(),
        details: {
          merchant_amount: `-${(shown / 100).toFixed(2)}`,
          merchant_name: i % 4 ? 'AMZN Mktp US*X1' : 'Amazon.com*Y2',
        },
      }),
    );
    if (i % 4 === 0) {
      txns.push(
        aTransaction({
          transaction_id: `decoy-${i}`,
          customer_id: user,
          amount: `-${amount.toFixed(2)}`,
          created_time: new Date(Date.UTC(2024, 9, 1 + day, 15)).toISOString(),
          details: { merchant_name: 'WALMART #12', statement_descriptor: 'WALMART', merchant_amount: '' },
        }),
      );
    }
  }
  return { orders, txns };
}

describe('stitch: determinism', () => {
  it('gives the same result whatever the order of orders and transactions (property)', () => {
    const { orders, txns } = busyDataSet();
    const reference = run(orders, txns);
    expect(reference.matches.length).toBeGreaterThan(10);
    const shuffle = <T>(items: T[], keys: number[]) =>
      items
        .map((item, i) => ({ item, key: keys[i % keys.length]! * 1000 + i }))
        .sort((a, b) => a.key - b.key)
        .map((x) => x.item);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 60 }),
        (orderKeys, txnKeys) => {
          const shuffled = run(shuffle(orders, orderKeys), shuffle(txns, txnKeys));
          expect(shuffled).toEqual(reference);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('ends in the batch result when transactions arrive one by one, in any order, re-stitching after each', () => {
    const { orders, txns } = busyDataSet();
    const reference = run(orders, txns);
    const interleaved = txns.filter((_, i) => i % 2 === 1).concat(txns.filter((_, i) => i % 2 === 0));
    for (const arrivalOrder of [[...txns].reverse(), interleaved]) {
      const arrived: BatchTransaction[] = [];
      let latest = run(orders, arrived);
      for (const txn of arrivalOrder) {
        arrived.push(txn);
        latest = run(orders, arrived);
      }
      expect(latest).toEqual(reference);
    }
  });

  it('lists outcomes chronologically (date, then id) and gives every order exactly one outcome', () => {
    const { orders, txns } = busyDataSet();
    const result = run(orders, txns);
    const chronological = [...orders].sort(
      (a, b) => Date.parse(a.date) - Date.parse(b.date) || (a._id < b._id ? -1 : 1),
    );
    expect(result.outcomes.map((o) => o.orderId)).toEqual(chronological.map((o) => o._id));
    const usedTxns = result.matches.map((m) => m.transactionId);
    expect(new Set(usedTxns).size).toBe(usedTxns.length);
  });
});
