import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, harness } from '../testing';
import { BalancePageSchema } from './schema';

describe('GET /balances', () => {
  it('gives one balance per account with current = completed and available = pending + completed', async () => {
    const h = emptyBank('100.00');
    h.store.authorizeCardPurchase({ cardId: 'card-1', amount: '30.00', merchantName: 'SHELL OIL 57444123' });
    h.store.createAchTransfer({
      accountId: 'acct-1',
      direction: 'credit',
      amount: '10.00',
      state: 'completed',
    });
    const res = await h.get('/api/v0.1/balances');
    expect(res.status).toBe(200);
    expect(BalancePageSchema.strict().parse(res.body)).toEqual({
      page: 1,
      pages: 1,
      count: 1,
      next_page: null,
      balances: [
        {
          customer_id: 'cust-1',
          account_id: 'acct-1',
          current_balance: '110.00',
          available_balance: '80.00',
          currency: 'USD',
        },
      ],
    });
  });

  it('filters by customer and pages', async () => {
    const h = harness();
    const customerId = h.store.listCustomers().items[1]!.customer_id;
    const mine = BalancePageSchema.parse((await h.get(`/api/v0.1/balances?customer_id=${customerId}`)).body);
    expect(mine.balances.map((b) => b.customer_id)).toEqual([customerId]);
    const paged = BalancePageSchema.parse((await h.get('/api/v0.1/balances?count=2&page=2')).body);
    expect(paged).toMatchObject({ page: 2, pages: 2, count: 1, next_page: null });
  });

  it('answers 404 customer_dne, 400 for a bad count and 403 without credentials', async () => {
    const h = emptyBank();
    expect(envelope((await h.get('/api/v0.1/balances?customer_id=nope')).body).Code).toBe('customer_dne');
    expect(envelope((await h.get('/api/v0.1/balances?count=25')).body).Code).toBe('invalid_request');
    expect((await h.app.request('/api/v0/balances')).status).toBe(403);
  });
});
