import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, harness } from '../testing';
import { AccountPageSchema, AccountSchema } from './schema';

describe('GET /accounts', () => {
  it('lists accounts, optionally for one customer', async () => {
    const h = emptyBank();
    h.store.createCustomerWithCard({ customerId: 'cust-2', accountId: 'acct-2' });
    const all = AccountPageSchema.strict().parse((await h.get('/api/v0.1/accounts')).body);
    expect(all.accounts.map((a) => a.account_id)).toEqual(['acct-1', 'acct-2']);
    const mine = AccountPageSchema.parse((await h.get('/api/v0.1/accounts?customer_id=cust-2')).body);
    expect(mine).toMatchObject({ count: 1, accounts: [{ account_id: 'acct-2', customer_id: 'cust-2' }] });
  });

  it('answers 404 customer_dne for an unknown customer filter and 400 for a bad count', async () => {
    const h = emptyBank();
    expect(envelope((await h.get('/api/v0.1/accounts?customer_id=nope')).body).Code).toBe('customer_dne');
    expect((await h.get('/api/v0.1/accounts?count=3')).status).toBe(400);
  });

  it('answers 403 without credentials', async () => {
    expect((await harness().app.request('/api/v0.1/accounts')).status).toBe(403);
  });
});

describe('GET /accounts/{account_id}', () => {
  it('shows current (completed) and available (pending too) balances and its cards', async () => {
    const h = emptyBank('200.00');
    const tx = h.store.authorizeCardPurchase({
      cardId: 'card-1',
      amount: '50.00',
      merchantName: 'Target #4744',
    });
    let account = AccountSchema.strict().parse((await h.get('/api/v0.1/accounts/acct-1')).body);
    expect(account.balance).toEqual({
      current_balance: '200.00',
      available_balance: '150.00',
      currency: 'USD',
    });
    expect(account.cards).toEqual(['card-1']);
    h.store.settleTransaction(tx.transaction_id);
    account = AccountSchema.parse((await h.get('/api/v0.1/accounts/acct-1')).body);
    expect(account.balance).toMatchObject({ current_balance: '150.00', available_balance: '150.00' });
  });

  it('answers 404 account_dne for an unknown id', async () => {
    const res = await emptyBank().get('/api/v0.1/accounts/nope');
    expect(res.status).toBe(404);
    expect(envelope(res.body).Code).toBe('account_dne');
  });
});
