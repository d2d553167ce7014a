import { describe, expect, it } from 'vitest';
import { emptyBank, envelope, harness } from '../testing';
import { CardPageSchema, CardSchema } from './schema';

describe('GET /cards', () => {
  it('finds whose card a transaction was on and its last four', async () => {
    const h = harness();
    const tx = h.store.listTransactions({ paymentType: 'card', count: 1 }).items[0]!;
    const cardId = (tx.details as { card_id: string }).card_id;
    const card = CardSchema.strict().parse((await h.get(`/api/v0.1/cards/${cardId}`)).body);
    expect(card).toMatchObject({ card_id: cardId, customer_id: tx.customer_id, account_id: tx.account_id });
    expect(card.last_four).toMatch(/^\d{4}$/);
  });

  it('lists cards for a customer or an account', async () => {
    const h = emptyBank();
    h.store.createCard({ accountId: 'acct-1', cardId: 'card-2', lastFour: '0005', cardType: 'physical' });
    h.store.createCustomerWithCard({ customerId: 'cust-2', accountId: 'acct-2', cardId: 'card-3' });
    const byCustomer = CardPageSchema.strict().parse(
      (await h.get('/api/v0.1/cards?customer_id=cust-1')).body,
    );
    expect(byCustomer.cards.map((c) => [c.card_id, c.last_four])).toEqual([
      ['card-1', '4242'],
      ['card-2', '0005'],
    ]);
    const byAccount = CardPageSchema.parse((await h.get('/api/v0.1/cards?account_id=acct-2')).body);
    expect(byAccount.cards.map((c) => c.card_id)).toEqual(['card-3']);
    const none = CardPageSchema.parse(
      (await h.get('/api/v0.1/cards?customer_id=cust-2&account_id=acct-1')).body,
    );
    expect(none).toMatchObject({ count: 0, cards: [], next_page: null });
  });

  it('shows a status change', async () => {
    const h = emptyBank();
    h.store.setCardStatus('card-1', 'stolen');
    expect(CardSchema.parse((await h.get('/api/v0.1/cards/card-1')).body).status).toBe('stolen');
  });

  it('answers 404 card_dne, account_dne and customer_dne for unknown ids', async () => {
    const h = emptyBank();
    expect(envelope((await h.get('/api/v0.1/cards/nope')).body).Code).toBe('card_dne');
    expect(envelope((await h.get('/api/v0.1/cards?account_id=nope')).body).Code).toBe('account_dne');
    expect(envelope((await h.get('/api/v0.1/cards?customer_id=nope')).body).Code).toBe('customer_dne');
  });

  it('answers 400 for page=0 and 403 without credentials', async () => {
    const h = emptyBank();
    expect((await h.get('/api/v0.1/cards?page=0')).status).toBe(400);
    expect((await h.app.request('/api/v0.1/cards/card-1')).status).toBe(403);
  });
});
