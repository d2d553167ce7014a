import { describe, expect, it } from 'vitest';
import { StitchInputError, parseStitchInput, stitchBatch } from './batch';
import { CARD, aTransaction, anOrder, dayAfterOrder } from './testing';

describe('stitchBatch', () => {
  it('prints matches and unmatched orders in the documented shape', () => {
    const output = stitchBatch({
      orders: [
        anOrder({ _id: 'order-card' }),
        anOrder({ _id: 'order-gift', paymentMethod: 'gift card' }),
        anOrder({ _id: 'order-late', amount: 99.99 }),
      ],
      transactions: [
        aTransaction(),
        aTransaction({
          transaction_id: 'txn-late',
          amount: '-99.99',
          created_time: dayAfterOrder(9),
          details: { merchant_amount: '' },
        }),
      ],
      cards: [CARD],
    });
    expect(output).toEqual({
      matches: [{ order_id: 'order-card', transaction_id: 'txn-1', confidence: 1 }],
      unmatched_orders: [
        {
          order_id: 'order-gift',
          reason: 'paid by gift card: non-card payments never appear as a bank card transaction',
        },
        {
          order_id: 'order-late',
          reason: expect.stringContaining('txn-late of 99.99 is posted 9 days after the order'),
        },
      ],
      refunds: [],
    });
  });

  it('lists every charge of a split shipment and the refunds linked to orders', () => {
    const output = stitchBatch({
      orders: [anOrder({ amount: 30 })],
      transactions: [
        aTransaction({ transaction_id: 'txn-a', amount: '-10.00', details: { merchant_amount: '-10.00' } }),
        aTransaction({
          transaction_id: 'txn-b',
          amount: '-20.00',
          created_time: dayAfterOrder(3),
          details: { merchant_amount: '-20.00' },
        }),
        aTransaction({
          transaction_id: 'txn-refund',
          transaction_type: 'POS Refund',
          amount: '10.00',
          created_time: dayAfterOrder(9),
          previous_transaction_id: 'txn-a',
          details: { merchant_amount: '10.00' },
        }),
      ],
      cards: [CARD],
    });
    expect(output).toEqual({
      matches: [
        {
          order_id: 'order-1',
          transaction_id: 'txn-a',
          transaction_ids: ['txn-a', 'txn-b'],
          confidence: 0.85,
        },
      ],
      unmatched_orders: [],
      refunds: [
        { transaction_id: 'txn-refund', order_id: 'order-1', kind: 'credit', amount: 10, confidence: 1 },
      ],
    });
  });

  it('works without cards, matching with the lower "card unknown" confidence', () => {
    const output = stitchBatch({ orders: [anOrder()], transactions: [aTransaction()] });
    expect(output.matches).toEqual([{ order_id: 'order-1', transaction_id: 'txn-1', confidence: 0.9 }]);
  });

  it('rejects duplicate order ids and duplicate transaction ids by name', () => {
    expect(() => stitchBatch({ orders: [anOrder(), anOrder()], transactions: [] })).toThrow(
      new StitchInputError('invalid stitch input: duplicate order _id "order-1"'),
    );
    expect(() => stitchBatch({ orders: [], transactions: [aTransaction(), aTransaction()] })).toThrow(
      /duplicate transaction_id "txn-1"/,
    );
  });
});

describe('parseStitchInput', () => {
  it('accepts vendor objects with extra fields and keeps what it needs', () => {
    const input = parseStitchInput({
      orders: [{ ...anOrder(), lineItems: [{ description: 'Item(s) Subtotal', amount: 12.49 }] }],
      transactions: [{ ...aTransaction(), bond_brand_id: 'x', balances: {} }],
      cards: [{ ...CARD, card_status: 'active' }],
    });
    expect(input.orders[0]!._id).toBe('order-1');
    expect(input.cards).toEqual([CARD]);
  });

  it('names the item and field that is wrong', () => {
    const bad = {
      orders: [anOrder(), { ...anOrder(), amount: '13.37' }],
      transactions: [{ ...aTransaction(), customer_id: undefined }],
    };
    expect(() => parseStitchInput(bad)).toThrow(StitchInputError);
    try {
      parseStitchInput(bad);
    } catch (error) {
      expect((error as Error).message).toMatch(/orders\[1\]\.amount: .*number/);
      expect((error as Error).message).toMatch(/transactions\[0\]\.customer_id/);
    }
  });

  it('says what is missing at the top level', () => {
    expect(() => parseStitchInput([])).toThrow(/\(root\)/);
    expect(() => parseStitchInput({ orders: [] })).toThrow(/transactions/);
  });
});
