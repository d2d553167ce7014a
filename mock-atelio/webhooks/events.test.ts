import { describe, expect, it } from 'vitest';
import { emptyBank } from '../testing';
import type { Transaction } from '../transactions/schema';
import type { AtelioStoreEvents } from '../store/store';
import { buildTransactionsEvent, TransactionsWebhookEventSchema, webhookForStoreEvent } from './events';

describe('the transactions webhook body', () => {
  it('is the transaction object plus event and occurred_at', () => {
    const { store } = emptyBank();
    const tx = store.authorizeCardPurchase({
      cardId: 'card-1',
      amount: '35.93',
      merchantName: 'AMZN Mktp US*2K4L71',
    });
    const body = buildTransactionsEvent(tx);
    expect(body).toEqual({ ...tx, event: 'transactions', occurred_at: tx.updated_time });
    expect(Object.keys(body).slice(-2)).toEqual(['event', 'occurred_at']);
    expect(TransactionsWebhookEventSchema.parse(body)).toEqual(body);
  });

  it('is the same bytes for the same transaction', () => {
    const { store } = emptyBank();
    const tx = store.authorizeCardPurchase({ cardId: 'card-1', amount: '1.00', merchantName: 'X' });
    expect(JSON.stringify(buildTransactionsEvent(tx))).toBe(
      JSON.stringify(buildTransactionsEvent(structuredClone(tx))),
    );
  });

  it('takes an explicit occurred_at', () => {
    const { store } = emptyBank();
    const tx = store.authorizeCardPurchase({ cardId: 'card-1', amount: '1.00', merchantName: 'X' });
    expect(buildTransactionsEvent(tx, '2024-06-15T12:00:01.000000+00:00').occurred_at).toBe(
      '2024-06-15T12:00:01.000000+00:00',
    );
  });

  it('refuses to build one for a failed transaction', () => {
    const { store } = emptyBank();
    const tx = store.authorizeCardPurchase({ cardId: 'card-1', amount: '1.00', merchantName: 'X' });
    expect(() => buildTransactionsEvent({ ...tx, state: 'failed' } as unknown as Transaction)).toThrow(
      /never sent/,
    );
  });

  it('follows every store change of a multi-settlement purchase with a distinct dedupe key', () => {
    const { store } = emptyBank();
    const bodies: unknown[] = [];
    const forward = <K extends keyof AtelioStoreEvents>(name: K) =>
      store.events.on(name, (payload) => {
        const webhook = webhookForStoreEvent(name, payload);
        if (webhook) bodies.push(webhook.body);
      });
    forward('transaction-created');
    forward('transaction-updated');
    forward('transaction-failed');
    forward('card-updated');
    const tx = store.authorizeCardPurchase({
      cardId: 'card-1',
      amount: '35.93',
      merchantName: 'Paypal *Sephora Usa',
    });
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });
    store.settleTransaction(tx.transaction_id, { amount: '5.44' });
    store.setCardStatus('card-1', 'lost');
    const ach = store.createAchTransfer({ accountId: 'acct-1', direction: 'credit', amount: '5.00' });
    store.failTransaction(ach.transaction_id);

    const events = bodies.map((b) => TransactionsWebhookEventSchema.parse(b));
    expect(events.map((e) => [e.transaction_id === tx.transaction_id, e.state, e.amount])).toEqual([
      [true, 'pending', '-35.93'],
      [true, 'completed', '-30.49'],
      [true, 'completed', '-35.93'],
      [false, 'pending', '5.00'],
    ]);
    const keys = events.map((e) => `${e.event}|${e.occurred_at}|${e.transaction_id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
