import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchMatchInputs, parseStitchInput } from './batch';
import { readBatchText } from './batch-reader';
import type { BatchReadOptions } from './batch-reader';
import { CARD, aTransaction, anOrder } from './testing';

/** What the ordinary path makes of a text: JSON.parse of the whole, the schemas, the same conversion. */
function ordinary(text: string) {
  return batchMatchInputs(parseStitchInput(JSON.parse(text)));
}

/** Strings that would fool a careless cutter: the element opening, quotes, backslashes, brackets. */
const tricky = fc.oneof(
  fc.string({ maxLength: 12, unit: 'binary' }),
  fc.constantFrom(',{"_id":', '",{"_id":"', '\\', '\\"', ']', '}', '],"transactions":[', '\n  {"_id": '),
);

const batch = fc
  .record({
    orderIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }), { maxLength: 12 }),
    txnIds: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }), { maxLength: 12 }),
    text: tricky,
    cents: fc.integer({ min: 1, max: 99_999 }),
  })
  .map(({ orderIds, txnIds, text, cents }) => ({
    orders: orderIds.map((id, i) =>
      anOrder({
        _id: id,
        amount: (cents + i) / 100,
        products: [{ description: text, amount: cents / 100, returnBy: '2024-12-19T23:59:59.000Z' }],
      }),
    ),
    transactions: txnIds.map((id, i) =>
      aTransaction({
        transaction_id: id,
        amount: `-${((cents + i) / 100).toFixed(2)}`,
        description: text,
        details: { merchant_name: `AMZN ${text}` },
      }),
    ),
    cards: [CARD],
  }));

const layout = fc.record({
  indent: fc.constantFrom(undefined, 0, 1, 2, '\t'),
  pieceLength: fc.integer({ min: 1, max: 600 }),
  cutBy: fc.constantFrom<NonNullable<BatchReadOptions['cutBy']>>('guess', 'scan'),
});

describe('readBatchText', () => {
  it('reads any batch, however laid out and cut, exactly as the ordinary path does', () => {
    fc.assert(
      fc.property(batch, layout, (input, { indent, pieceLength, cutBy }) => {
        const text = JSON.stringify(input, null, indent);
        expect(readBatchText(text, { pieceLength, cutBy })).toEqual(ordinary(text));
      }),
      { numRuns: 300 },
    );
  });

  it('reads top-level keys in any order, with keys it ignores', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 1, max: 300 }), (input, pieceLength) => {
        const text = JSON.stringify({
          note: { orders: [1, 2], text: ',{"_id":' },
          cards: input.cards,
          transactions: input.transactions,
          version: 3,
          orders: input.orders,
        });
        expect(readBatchText(text, { pieceLength })).toEqual(ordinary(text));
      }),
      { numRuns: 100 },
    );
  });

  it('proves a guessed cut: a nested object opening like an element does not split it', () => {
    // Each order carries objects that open exactly as an order does; small pieces put guessed cuts
    // inside them, which must be caught and the text read again by scanning.
    const orders = Array.from({ length: 20 }, (_, i) => {
      const { _id, ...rest } = anOrder({ _id: `o${i}`, amount: 10 + i });
      return { _id, related: [{ _id: `x${i}` }, { _id: `y${i}` }, { _id: `z${i}` }], ...rest };
    });
    const text = JSON.stringify({ orders, transactions: [aTransaction()], cards: [CARD] });
    for (const pieceLength of [1, 7, 40, 100, 333]) {
      expect(readBatchText(text, { pieceLength, cutBy: 'guess' })).toEqual(ordinary(text));
    }
  });

  it('never reads a broken text differently from JSON.parse', () => {
    const edit = fc.record({
      at: fc.nat(),
      cut: fc.integer({ min: 0, max: 3 }),
      insert: fc.constantFrom('', ',', '"', '\\', '{', '}', '[', ']', ':', ' ', 'x'),
    });
    fc.assert(
      fc.property(batch, edit, layout, (input, { at, cut, insert }, { indent, pieceLength, cutBy }) => {
        const valid = JSON.stringify(input, null, indent);
        const i = at % (valid.length + 1);
        const text = valid.slice(0, i) + insert + valid.slice(i + cut);
        const read = readBatchText(text, { pieceLength, cutBy });
        let expected: ReturnType<typeof ordinary> | 'refused';
        try {
          expected = ordinary(text);
        } catch {
          expected = 'refused';
        }
        // The reader may leave a text to the ordinary path; when it reads one, it reads it the same.
        if (read !== null) expect(read).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves to the ordinary path what it does not take', () => {
    const order = anOrder();
    const txn = aTransaction();
    const notTaken = [
      '',
      '[]',
      '{}',
      JSON.stringify({ orders: [order] }),
      JSON.stringify({ orders: {}, transactions: [] }),
      `{"orders":[${JSON.stringify(order)}},"transactions":[]}`,
      `{"orders":[${JSON.stringify(order)}],"transactions":[${JSON.stringify(txn)}]`,
      `{"orders":[],"transactions":[],"orders":[${JSON.stringify(order)}]}`,
      `{"orders":[],"transactions":[]} trailing`,
      JSON.stringify({ orders: [{ ...order, amount: '13.37' }], transactions: [txn] }),
      JSON.stringify({ orders: [order], transactions: [{ ...txn, state: 7 }] }),
      JSON.stringify({ orders: [order], transactions: [txn], cards: [{ card_id: 5 }] }),
    ];
    for (const text of notTaken) {
      expect(readBatchText(text, { cutBy: 'guess', pieceLength: 10 })).toBeNull();
      expect(readBatchText(text, { cutBy: 'scan', pieceLength: 10 })).toBeNull();
    }
  });

  it('reads an empty batch and a batch with no cards', () => {
    expect(readBatchText('{"orders":[],"transactions":[]}')).toEqual({ orders: [], transactions: [] });
    const text = JSON.stringify({ orders: [anOrder()], transactions: [aTransaction()] });
    const read = readBatchText(text);
    expect(read).toEqual(ordinary(text));
    expect(read?.transactions[0]?.lastFour).toBeNull();
  });
});
