import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromColumns, fromOrderColumns, toColumns, toOrderColumns } from './batch-columns';
import type { MatchOrder, MatchTransaction } from './match-types';

const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
const cents = fc.integer({ min: -10_000_000, max: 10_000_000 });
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 });

const order: fc.Arbitrary<MatchOrder> = fc.record({
  id: fc.string({ minLength: 1 }),
  userId: fc.string({ minLength: 1 }),
  dateMs: nullable(instant),
  amountCents: nullable(cents),
  payment: fc.oneof(
    fc.record({
      kind: fc.constant('card' as const),
      lastFour: nullable(fc.string()),
      brand: nullable(fc.string()),
    }),
    fc.record({ kind: fc.constant('non-card' as const), method: fc.string() }),
    fc.record({ kind: fc.constant('unknown' as const) }),
  ),
  productCents: fc.array(nullable(cents), { maxLength: 5 }),
  returnByMs: nullable(instant),
});

const transaction: fc.Arbitrary<MatchTransaction> = fc.record({
  id: fc.string({ minLength: 1 }),
  userId: fc.string({ minLength: 1 }),
  dateMs: nullable(instant),
  state: fc.constantFrom('pending', 'completed', 'returned', 'declined'),
  paymentType: nullable(fc.constantFrom('card', 'ach', 'rdc')),
  amountCents: nullable(cents),
  authorisedCents: nullable(cents),
  settledCents: nullable(cents),
  settlementCount: fc.nat({ max: 4 }),
  descriptor: fc.string(),
  lastFour: fc.constant(null),
  updatedMs: nullable(instant),
  previousTransactionId: nullable(fc.string({ minLength: 1 })),
});

describe('columns between the batch threads', () => {
  it('give back exactly the orders they were made of, through a structured clone', () => {
    fc.assert(
      fc.property(fc.array(order, { maxLength: 30 }), (orders) => {
        expect(fromOrderColumns(structuredClone(toOrderColumns(orders)))).toEqual(orders);
      }),
      { numRuns: 500 },
    );
  });

  it('give back exactly the transactions and card ids they were made of', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(transaction, nullable(fc.string())), { maxLength: 30 }), (pairs) => {
        const transactions = pairs.map(([t]) => t);
        const cardIds = pairs.map(([, cardId]) => cardId);
        const columns = structuredClone(toColumns(transactions, cardIds));
        expect(fromColumns(columns)).toEqual(transactions);
        expect(columns.cardIds).toEqual(cardIds);
      }),
      { numRuns: 500 },
    );
  });
});
