import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stitch } from './matcher';
import type { MatchedOutcome, MatchingOptions, OrderOutcome } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import { CARD, USER, aTransaction, anOrder, dayAfterOrder } from './testing';
import type { BatchOrder, BatchTransaction } from './testing';

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

  it('rejects a transaction posted 8 days after the order and says it is outside the window', () => {
    const outcome = outcomeOf(at(8));
    expect(outcome.status).toBe('awaiting-transaction');
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /txn-1 .*8 days after the order, outside the window 2024-10-19 to 2024-10-23/,
    );
  });

  it('rejects a transaction posted 2 days before the order', () => {
    expect(outcomeOf(at(-2)).status).toBe('awaiting-transaction');
  });

  it('counts UTC calendar days: 23:59 on day 3 is the core window, 00:01 on day 4 the extended one', () => {
    expect(matched(outcomeOf(at(3, '23:59:00'))).confidence).toBe(0.9);
    expect(matched(outcomeOf(at(4, '00:01:00'))).confidence).toBe(0.7);
    expect(matched(outcomeOf(at(7, '23:59:00'))).confidence).toBe(0.55);
    expect(outcomeOf(at(8, '00:01:00')).status).toBe('awaiting-transaction');
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
    expect(() => run([anOrder()], [], { extendedDaysAfter: 2 })).toThrow(/extendedDaysAfter/);
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

describe('stitch: the extended window (4 to 7 days after the order)', () => {
  const late = (days: number, overrides: Parameters<typeof aTransaction>[0] = {}) =>
    aTransaction({ transaction_id: `txn-late-${days}`, created_time: dayAfterOrder(days), ...overrides });

  it('matches a posting 5 days later when amount, card and descriptor agree, with lower confidence and a reason', () => {
    const m = matched(outcomeOf(run([anOrder()], [late(5)])));
    expect(m.transactionId).toBe('txn-late-5');
    expect(m.confidence).toBe(0.65);
    expect(m.reasons.join('\n')).toMatch(
      /posted 5 days after the order: beyond the core window \(−1 to \+3 days\), accepted in the extended window \(up to \+7\) because amount, card last four and the Amazon descriptor agree and no closer candidate competes/,
    );
  });

  it('needs the card last four to agree: an unknown card or an order without last four stays unmatched', () => {
    const unknownCard = run([anOrder()], [late(5)], undefined, new Map());
    expect(outcomeOf(unknownCard).status).toBe('awaiting-transaction');
    const noFour = run([anOrder({ paymentMethod: { type: 'card' } })], [late(5)]);
    const outcome = outcomeOf(noFour);
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /txn-late-5 .*5 days after the order.*accepted only on an exact amount with agreeing card last four/,
    );
  });

  it('needs an exact amount: a tax-adjusted pending amount is not enough that late', () => {
    const pending = late(5, { state: 'pending', amount: '-13.80', details: { merchant_amount: '-13.80' } });
    expect(outcomeOf(run([anOrder()], [pending])).status).toBe('awaiting-transaction');
  });

  it('loses to a closer candidate: the core-window transaction wins, the late one stays free', () => {
    const result = run(
      [anOrder()],
      [late(6), aTransaction({ transaction_id: 'txn-near', created_time: dayAfterOrder(2) })],
    );
    expect(pairs(result)).toEqual({ 'order-1': 'txn-near' });
  });

  it('never takes a transaction another order has in its core window', () => {
    const orders = [anOrder(), anOrder({ _id: 'order-2', date: '2024-10-25T10:00:00.000Z' })];
    // 5 days after order-1 is the next day for order-2.
    expect(pairs(run(orders, [late(5)]))).toEqual({ 'order-2': 'txn-late-5' });
  });

  it('leaves same-amount decoys unmatched: Amazon 10 days later, another merchant inside the window', () => {
    const decoys = [
      late(10),
      aTransaction({
        transaction_id: 'txn-target',
        created_time: dayAfterOrder(1),
        details: { merchant_name: 'TARGET #4744', statement_descriptor: 'TARGET #4744' },
      }),
    ];
    expect(outcomeOf(run([anOrder()], decoys)).status).toBe('awaiting-transaction');
  });

  it('can be turned off with extendedDaysAfter equal to windowDaysAfter', () => {
    expect(outcomeOf(run([anOrder()], [late(5)], { extendedDaysAfter: 3 })).status).toBe(
      'awaiting-transaction',
    );
  });
});

describe('stitch: split shipments', () => {
  // 37.93 = items 19.99 + 15.13 (33.32 before tax... scaled by 37.93 / 35.12)
  const splitOrder = anOrder({
    _id: 'order-split',
    amount: 64.8,
    products: [
      { description: 'Desk lamp', amount: 32.0, returnBy: '2024-11-19T23:59:59.000Z' },
      { description: 'Bulbs', amount: 8.0, returnBy: '2024-11-19T23:59:59.000Z' },
      { description: 'Cable', amount: 20.0, returnBy: '2024-11-19T23:59:59.000Z' },
    ],
  });
  // Tax 8 %: lamp + bulbs ship first (40.00 → 43.20), the cable later (20.00 → 21.60).
  const part = (
    id: string,
    amount: string,
    days: number,
    overrides: Parameters<typeof aTransaction>[0] = {},
  ) =>
    aTransaction({
      transaction_id: id,
      amount: `-${amount}`,
      created_time: dayAfterOrder(days),
      ...overrides,
      details: { merchant_amount: `-${amount}`, ...overrides.details },
    });

  it('declines a split shipment when two different sets of charges add up to the total', () => {
    // 43.20 + 21.60 and 40.00 + 24.80 both make 64.80: the exact sum is a coincidence, not evidence.
    const txns = [
      part('txn-a', '43.20', 1),
      part('txn-b', '21.60', 2),
      part('txn-c', '40.00', 1),
      part('txn-d', '24.80', 2),
    ];
    const outcome = outcomeOf(run([splitOrder], txns), 'order-split');
    expect(outcome.status).toBe('awaiting-transaction');
    expect(outcome.status !== 'matched' && outcome.reason).toMatch(
      /^ambiguous: 2 different sets of Amazon charges add up to the order total 64\.80/,
    );
    expect(pairs(run([splitOrder], txns.slice(0, 2)))).toEqual({ 'order-split': 'txn-a' });
  });

  it('matches two charges on different days that add up to the order total, as a set, with products per charge', () => {
    const m = matched(
      outcomeOf(run([splitOrder], [part('txn-a', '43.20', 1), part('txn-b', '21.60', 4)]), 'order-split'),
    );
    expect(m.transactionId).toBe('txn-a');
    expect(m.charges).toEqual([
      { transactionId: 'txn-a', amountCents: 4320, products: [0, 1] },
      { transactionId: 'txn-b', amountCents: 2160, products: [2] },
    ]);
    expect(m.confidence).toBe(0.8); // 0.85, less 0.05 for the day beyond the core window
    expect(m.reasons[0]).toBe(
      'split shipment: 2 card transactions (43.20 + 21.60) add up to the order total 64.80',
    );
    expect(m.reasons.join('\n')).toMatch(/products are attributed per charge/);
  });

  it('matches up to four charges, and says when the amounts do not follow the item prices', () => {
    const parts = [
      part('txn-a', '20.00', 0),
      part('txn-b', '20.00', 1),
      part('txn-c', '20.00', 2),
      part('txn-d', '4.80', 3),
    ];
    const m = matched(outcomeOf(run([splitOrder], parts), 'order-split'));
    expect(m.charges?.map((c) => c.transactionId)).toEqual(['txn-a', 'txn-b', 'txn-c', 'txn-d']);
    expect(m.charges?.every((c) => c.products === null)).toBe(true);
    expect(m.confidence).toBe(0.75);
    expect(m.reasons.join('\n')).toMatch(/do not follow the item prices/);
  });

  it('never combines charges on another card, at another merchant, or far outside the window', () => {
    const otherCard = new Map([...cards, ['card-9', '9999']]);
    const cases = [
      [part('txn-a', '43.20', 1), part('txn-b', '21.60', 2, { details: { card_id: 'card-9' } })],
      [
        part('txn-a', '43.20', 1),
        part('txn-b', '21.60', 2, { details: { merchant_name: 'WALMART', statement_descriptor: 'WALMART' } }),
      ],
      [part('txn-a', '43.20', 1), part('txn-b', '21.60', 12)],
    ];
    for (const txns of cases)
      expect(outcomeOf(run([splitOrder], txns, undefined, otherCard), 'order-split').status).toBe(
        'awaiting-transaction',
      );
  });

  it('prefers a single charge of the full amount over a set', () => {
    const txns = [part('txn-a', '43.20', 1), part('txn-b', '21.60', 2), part('txn-full', '64.80', 2)];
    expect(pairs(run([splitOrder], txns))).toEqual({ 'order-split': 'txn-full' });
  });

  it('does not take a charge that already matched another order on its own', () => {
    const other = anOrder({ _id: 'order-cable', amount: 21.6 });
    const result = run([splitOrder, other], [part('txn-a', '43.20', 1), part('txn-b', '21.60', 2)]);
    expect(pairs(result)).toEqual({ 'order-cable': 'txn-b' });
    expect(outcomeOf(result, 'order-split').status).toBe('awaiting-transaction');
  });
});

describe('stitch: refunds and returns', () => {
  const order = anOrder({
    amount: 64.8,
    products: [
      { description: 'Desk lamp', amount: 40.0, returnBy: '2024-11-19T23:59:59.000Z' },
      { description: 'Cable', amount: 20.0, returnBy: '2024-11-19T23:59:59.000Z' },
    ],
  });
  const charge = aTransaction({ amount: '-64.80', details: { merchant_amount: '-64.80' } });
  const credit = (
    id: string,
    amount: string,
    day: string,
    overrides: Parameters<typeof aTransaction>[0] = {},
  ) =>
    aTransaction({
      transaction_id: id,
      transaction_type: 'POS Refund',
      amount,
      created_time: `${day}T10:00:00+00:00`,
      ...overrides,
      details: { merchant_amount: amount, ...overrides.details },
    });

  it('links a refund credit that points back to the charge, with the products it refunds', () => {
    const result = run(
      [order],
      [charge, credit('txn-refund', '21.60', '2024-11-02', { previous_transaction_id: 'txn-1' })],
    );
    expect(result.refunds).toEqual([
      {
        transactionId: 'txn-refund',
        orderId: 'order-1',
        kind: 'credit',
        amountCents: 2160,
        products: [1],
        confidence: 1,
        reasons: [
          "refund of 21.60 points back to the order's charge txn-1 (previous_transaction_id)",
          'refunds product #2 of 2',
        ],
      },
    ]);
  });

  it("never links one customer's credit to another customer's order, even when it points at the charge", () => {
    const result = run(
      [order],
      [
        charge,
        credit('txn-refund', '21.60', '2024-11-02', {
          previous_transaction_id: 'txn-1',
          customer_id: 'someone-else',
        }),
      ],
    );
    expect(result.outcomes[0]).toMatchObject({ status: 'matched', transactionId: 'txn-1' });
    expect(result.refunds).toEqual([]);
  });

  it('links an Amazon credit without a pointer by evidence: the whole order, within its return period', () => {
    const result = run([order], [charge, credit('txn-refund', '64.80', '2024-11-05')]);
    expect(result.refunds).toHaveLength(1);
    const [refund] = result.refunds;
    expect(refund).toMatchObject({ orderId: 'order-1', kind: 'credit', products: [0, 1], confidence: 0.9 });
    expect(refund!.reasons.join('\n')).toMatch(
      /equals the order total[\s\S]*within its return period \(return by 2024-11-19\)/,
    );
  });

  it('does not link a credit after the return period, at another merchant, on another card or of an unrelated amount', () => {
    const other = new Map([...cards, ['card-9', '9999']]);
    const credits = [
      credit('txn-late', '64.80', '2024-12-20'),
      credit('txn-walmart', '64.80', '2024-11-02', {
        details: { merchant_name: 'WALMART', statement_descriptor: 'WALMART' },
      }),
      credit('txn-card', '64.80', '2024-11-02', { details: { card_id: 'card-9' } }),
      credit('txn-odd', '13.13', '2024-11-02'),
    ];
    expect(run([order], [charge, ...credits], undefined, other).refunds).toEqual([]);
  });

  it('never refunds an order more than its total, nor a digital order without a return-by date', () => {
    const twice = run(
      [order],
      [charge, credit('txn-r1', '64.80', '2024-11-02'), credit('txn-r2', '64.80', '2024-11-03')],
    );
    expect(twice.refunds.map((r) => r.transactionId)).toEqual(['txn-r1']);
    const ebook = anOrder({ products: [{ description: 'Kindle eBook', amount: 13.37, returnBy: null }] });
    expect(run([ebook], [aTransaction(), credit('txn-r', '13.37', '2024-10-25')]).refunds).toEqual([]);
  });

  it('links a returned charge (Atelio state returned) to its order as a reversal', () => {
    const returned = { ...charge, state: 'returned', updated_time: '2024-11-01T08:00:00+00:00' };
    const result = run([order], [returned]);
    expect(pairs(result)).toEqual({ 'order-1': 'txn-1' });
    expect(result.refunds).toEqual([
      expect.objectContaining({
        transactionId: 'txn-1',
        orderId: 'order-1',
        kind: 'reversal',
        amountCents: 6480,
        products: [0, 1],
      }),
    ]);
    expect(result.refunds[0]!.reasons[1]).toBe('within the return period (return by 2024-11-19)');
  });

  it("links a refund of one shipment of a split order to that shipment's products", () => {
    const split = [
      aTransaction({ transaction_id: 'txn-a', amount: '-43.20', details: { merchant_amount: '-43.20' } }),
      aTransaction({
        transaction_id: 'txn-b',
        amount: '-21.60',
        created_time: dayAfterOrder(2),
        details: { merchant_amount: '-21.60' },
      }),
    ];
    const result = run([order], [...split, credit('txn-refund', '21.60', '2024-11-02')]);
    expect(matched(outcomeOf(result)).charges?.length).toBe(2);
    expect(result.refunds).toEqual([
      expect.objectContaining({
        transactionId: 'txn-refund',
        orderId: 'order-1',
        products: [1],
        confidence: 0.85,
      }),
    ]);
  });

  it('compares the card an order was charged on when the order does not show its own', () => {
    const noCard = { ...order, paymentMethod: undefined };
    const other = new Map([...cards, ['card-9', '9999']]);
    const sameCard = run([noCard], [charge, credit('txn-refund', '21.60', '2024-11-02')], undefined, other);
    expect(sameCard.refunds).toEqual([
      expect.objectContaining({ transactionId: 'txn-refund', orderId: 'order-1', products: [1] }),
    ]);
    expect(sameCard.refunds[0]!.reasons).toContain(
      'card last four 2345 is the card the order was charged on',
    );
    const otherCard = credit('txn-refund', '21.60', '2024-11-02', { details: { card_id: 'card-9' } });
    expect(run([noCard], [charge, otherCard], undefined, other).refunds).toEqual([]);
  });

  it("leaves a credit that fits one product unlinked when it equals an earlier order's whole total", () => {
    // The cable order is past its return period, yet a late refund of it explains 21.60 as well as
    // the cable inside the lamp order does.
    const cable = anOrder({
      _id: 'order-cable',
      date: '2024-08-01T10:00:00.000Z',
      amount: 21.6,
      products: [{ description: 'Cable', amount: 20.0, returnBy: '2024-08-31T23:59:59.000Z' }],
    });
    const cableCharge = aTransaction({
      transaction_id: 'txn-cable',
      amount: '-21.60',
      created_time: '2024-08-02T10:00:00+00:00',
      details: { merchant_amount: '-21.60' },
    });
    const refund = credit('txn-refund', '21.60', '2024-11-02');
    expect(run([order], [charge, refund]).refunds).toHaveLength(1);
    expect(run([cable, order], [cableCharge, charge, refund]).refunds).toEqual([]);
  });
});

describe('stitch: a tax-adjusted pending charge that settles', () => {
  it('stays with the same order at every stage and only gains confidence (no flapping)', () => {
    const order = anOrder({ amount: 23.98 });
    const stages = [
      aTransaction({ state: 'pending', amount: '-24.31', details: { merchant_amount: '-24.31' } }),
      aTransaction({ state: 'completed', amount: '-23.98', details: { merchant_amount: '-24.31' } }),
      aTransaction({
        state: 'completed',
        amount: '-23.98',
        details: {
          merchant_amount: '-24.31',
          settlements: [{ settlement_date: '2024-10-22', amount: '-23.98' }],
        },
      }),
    ];
    // Another order of exactly the pending amount, a week earlier: it must not pull the charge away.
    const decoyOrder = anOrder({ _id: 'order-0', amount: 24.31, date: '2024-10-13T10:00:00.000Z' });
    const seen = stages.map((t) => matched(outcomeOf(run([order, decoyOrder], [t]))));
    expect(seen.map((m) => m.transactionId)).toEqual(['txn-1', 'txn-1', 'txn-1']);
    expect(seen.map((m) => m.provisional)).toEqual([true, false, false]);
    expect(seen.map((m) => m.confidence)).toEqual([0.75, 1, 1]);
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

  it('assigns a group of same-amount orders as a whole, not strongest pair first', () => {
    // Strongest-first gives order-late (Oct 23) txn-a (same day) and pushes order-early (Oct 20) to
    // txn-b, 4 days out. Each order's charge 2-3 days after it explains the data better.
    const orders = [
      anOrder({ _id: 'order-early', date: '2024-10-20T10:00:00Z' }),
      anOrder({ _id: 'order-late', date: '2024-10-23T10:00:00Z' }),
    ];
    const txns = [
      aTransaction({ transaction_id: 'txn-a', created_time: dayAfterOrder(3) }),
      aTransaction({ transaction_id: 'txn-b', created_time: dayAfterOrder(4) }),
    ];
    expect(pairs(run(orders, txns))).toEqual({ 'order-early': 'txn-a', 'order-late': 'txn-b' });
  });

  it('declines two identical orders whose two charges could be either one, rather than guessing', () => {
    const orders = [
      anOrder({ _id: 'order-1', date: '2024-10-20T10:00:00Z' }),
      anOrder({ _id: 'order-2', date: '2024-10-20T11:00:00Z' }),
    ];
    const txns = [
      aTransaction({ transaction_id: 'txn-a', created_time: dayAfterOrder(1, '09:00:00') }),
      aTransaction({ transaction_id: 'txn-b', created_time: dayAfterOrder(1, '10:00:00') }),
    ];
    const result = run(orders, txns);
    expect(result.matches).toEqual([]);
    const first = outcomeOf(result, 'order-1');
    expect(first.status).toBe('awaiting-transaction');
    expect(first.status !== 'matched' && first.reason).toBe(
      'ambiguous: transactions txn-a, txn-b of 13.37 fit this order and order order-2 about equally well (amount, dates and card do not tell the pairing apart); left unstitched rather than guessed',
    );
    // Held back: weaker evidence (an order in the extended window) cannot take them either.
    const late = anOrder({ _id: 'order-3', date: '2024-10-16T10:00:00Z' });
    expect(pairs(run([...orders, late], txns))).toEqual({});
  });

  it('declines an order without last four when same-amount charges on two cards fit it equally', () => {
    const lastFour = new Map([
      ['card-1', '2345'],
      ['card-2', '7777'],
    ]);
    const txns = [
      aTransaction({ transaction_id: 'txn-a', created_time: dayAfterOrder(1) }),
      aTransaction({
        transaction_id: 'txn-b',
        created_time: dayAfterOrder(1),
        details: { card_id: 'card-2' },
      }),
    ];
    const order = anOrder({ paymentMethod: { type: 'card' } });
    expect(outcomeOf(run([order], txns, undefined, lastFour)).status).toBe('awaiting-transaction');
    // One day's more lag on one side is evidence enough.
    txns[1]!.created_time = dayAfterOrder(3);
    expect(pairs(run([order], txns, undefined, lastFour))).toEqual({ 'order-1': 'txn-a' });
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
