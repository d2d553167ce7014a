import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { NOW } from '../testing';
import { parseTimestamp } from '../shared/time';
import type { CardDetails, Transaction } from '../transactions/schema';
import { createAtelioStore } from './store';

const DAY = 86_400_000;
const build = (seed: number, now = NOW, options = {}) =>
  createAtelioStore({ seed, clock: new VirtualClock(now), baseline: options });
const everything = (store: ReturnType<typeof build>) =>
  store.listTransactions({ count: 10000, orderBy: 'asc' }).items;
const merchant = (t: Transaction) => (t.details as CardDetails).merchant_name;

describe('the seeded baseline', () => {
  it('is identical for the same seed and clock time, and different for another seed', () => {
    expect(build(5).exportState()).toEqual(build(5).exportState());
    expect(build(6).exportState().transactions[0]?.wire.transaction_id).not.toBe(
      build(5).exportState().transactions[0]?.wire.transaction_id,
    );
  });

  it('has a few customers, each with an account and cards', () => {
    const store = build(1);
    const customers = store.listCustomers({ count: 100 }).items;
    expect(customers.length).toBeGreaterThanOrEqual(3);
    for (const customer of customers) {
      const cards = store.listCards({ customerId: customer.customer_id, count: 100 }).items;
      expect(cards.length).toBeGreaterThanOrEqual(1);
      expect(cards.every((c) => /^\d{4}$/.test(c.last_four))).toBe(true);
      expect(store.listAccounts({ customerId: customer.customer_id }).items).toHaveLength(1);
    }
  });

  it('covers 60 days of card history ending at the clock time', () => {
    const store = build(1);
    const times = everything(store).map((t) => parseTimestamp(t.created_time));
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    expect(Math.max(...times)).toBeGreaterThan(NOW - DAY);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 61 * DAY);
    expect(Math.min(...times)).toBeLessThan(NOW - 58 * DAY);
    expect(times.length).toBeGreaterThan(150);
  });

  it('includes Amazon purchases under realistic descriptors', () => {
    const names = everything(build(1))
      .filter((t) => t.payment_type === 'card')
      .map(merchant);
    expect(names.filter((n) => /^AMZN Mktp US\*[0-9A-Z]{6}$/.test(n)).length).toBeGreaterThan(3);
    expect(names.filter((n) => /^Amazon\.com\*[0-9A-Z]{8}$/.test(n)).length).toBeGreaterThan(3);
  });

  it('includes the vendor-docs 003 multi-settlement purchase', () => {
    const multi = everything(build(1)).filter(
      (t) => ((t.details as CardDetails).settlements?.length ?? 0) > 1,
    );
    expect(multi).toHaveLength(1);
    expect(multi[0]).toMatchObject({
      state: 'completed',
      transaction_type: 'POS Purchase',
      amount: '-35.93',
      details: {
        merchant_name: 'Paypal *Sephora Usa',
        mcc: '5977',
        merchant_amount: '-35.93',
        products: ['COSMETICS', 'BEAUTY'],
        settlements: [{ amount: '-30.49' }, { amount: '-5.44' }],
      },
    });
  });

  it('has recent pending purchases and one of each final state, and no failed transaction in sight', () => {
    const txs = everything(build(1));
    const states = new Set(txs.map((t) => t.state));
    expect([...states].sort()).toEqual([
      'cancelled',
      'completed',
      'declined',
      'pending',
      'returned',
      'start',
    ]);
    expect(txs.filter((t) => t.state === 'pending' && t.payment_type === 'card').length).toBeGreaterThan(0);
    expect(new Set(txs.map((t) => t.payment_type))).toEqual(new Set(['card', 'ach', 'rdc', 'account']));
    expect(txs.some((t) => t.transaction_type === 'POS Refund' && t.previous_transaction_id !== null)).toBe(
      true,
    );
    expect(
      build(1)
        .exportState()
        .transactions.filter((r) => r.state === 'failed'),
    ).toHaveLength(1);
  });

  it('has a check deposit (rdc) that cleared and one just scanned, still in start', () => {
    const checks = everything(build(1)).filter((t) => t.payment_type === 'rdc');
    expect(checks.map((t) => [t.state, t.transaction_type, Number(t.amount) > 0])).toEqual([
      ['completed', 'deposit', true],
      ['start', 'deposit', true],
    ]);
    expect(checks[1]!.details).toMatchObject({ deposit_channel: 'mobile', direction: 'credit' });
    expect(parseTimestamp(checks[1]!.created_time)).toBe(NOW - 40 * 60_000);
  });

  it('accepts the first customer id and card last four (cross-vendor set-ups)', () => {
    const store = build(1, NOW, { primaryCustomerId: 'atomic-user-1', primaryCardLastFour: '1234' });
    const cards = store.listCards({ customerId: 'atomic-user-1' }).items;
    expect(cards[0]?.last_four).toBe('1234');
    expect(store.listTransactions({ customerId: 'atomic-user-1', count: 10 }).count).toBe(10);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('keeps balances equal to opening + transactions for seed %i', (seed) => {
    const store = build(seed);
    const state = store.exportState();
    for (const account of state.accounts) {
      const mine = state.transactions.filter((t) => t.wire.account_id === account.account.account_id);
      const sum = (states: string[]) =>
        mine.filter((t) => states.includes(t.state)).reduce((s, t) => s + t.amountCents, 0);
      expect(account.currentCents).toBe(account.openingCents + sum(['completed']));
      expect(account.availableCents).toBe(account.openingCents + sum(['pending', 'completed']));
    }
    // Only the one deliberate decline: the history never overdraws an account.
    expect(state.transactions.filter((t) => t.state === 'declined')).toHaveLength(1);
  });
});
