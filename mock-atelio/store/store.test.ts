import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import type { CardDetails, Transaction } from '../transactions/schema';
import { emptyBank, NOW } from '../testing';
import { AtelioStoreError, type AtelioErrorCode } from './errors';
import { createAtelioStore, type AtelioStore, type AtelioStoreEvents } from './store';

const cents = (amount: string) => Math.round(Number(amount) * 100);

function balancesOf(store: AtelioStore, accountId = 'acct-1') {
  const account = store.getAccount(accountId)!;
  return { current: account.balance.current_balance, available: account.balance.available_balance };
}

function recordEvents(store: AtelioStore) {
  const seen: { name: keyof AtelioStoreEvents; payload: unknown }[] = [];
  for (const name of [
    'transaction-created',
    'transaction-updated',
    'transaction-failed',
    'customer-created',
    'account-created',
    'card-created',
    'card-updated',
    'webhook-subscription-changed',
  ] as const) {
    store.events.on(name, (payload) => seen.push({ name, payload }));
  }
  return seen;
}

/** The store answers with a domain error: Atelio's code and message, no HTTP status (the app maps it). */
function expectStoreError(
  fn: () => unknown,
  code: AtelioErrorCode,
  message: string | RegExp,
): AtelioStoreError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AtelioStoreError);
    const e = error as AtelioStoreError;
    expect(e.code).toBe(code);
    if (typeof message === 'string') expect(e.message).toBe(message);
    else expect(e.message).toMatch(message);
    expect(e).not.toHaveProperty('status');
    return e;
  }
  throw new Error('expected an AtelioStoreError');
}

const authorize = (
  store: AtelioStore,
  amount = '35.93',
  extra: Partial<Parameters<AtelioStore['authorizeCardPurchase']>[0]> = {},
) =>
  store.authorizeCardPurchase({
    cardId: 'card-1',
    amount,
    merchantName: 'Paypal *Sephora Usa',
    mcc: '5977',
    ...extra,
  });

describe('creating customers, accounts and cards', () => {
  it('accepts a caller-chosen customer id such as an Atomic user identifier', () => {
    const { store } = emptyBank();
    const customer = store.createCustomer({ customerId: 'atomic-user-42' });
    expect(customer.customer_id).toBe('atomic-user-42');
    expect(store.getCustomer('atomic-user-42')?.first_name).toBe(customer.first_name);
  });

  it('creates a customer, account and card with the chosen ids and last four in one call', () => {
    const { store } = emptyBank();
    const made = store.createCustomerWithCard({
      customerId: 'u-9',
      accountId: 'a-9',
      cardId: 'c-9',
      lastFour: '1881',
    });
    expect(made.customer.customer_id).toBe('u-9');
    expect(made.account).toMatchObject({ account_id: 'a-9', customer_id: 'u-9', cards: ['c-9'] });
    expect(made.card).toMatchObject({
      card_id: 'c-9',
      account_id: 'a-9',
      customer_id: 'u-9',
      last_four: '1881',
      status: 'active',
    });
  });

  it('refuses a duplicate chosen id as resource_conflict and creates nothing', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.createCustomerWithCard({ customerId: 'new', cardId: 'card-1' }),
      'resource_conflict',
      'Card card-1 already exists.',
    );
    expect(store.getCustomer('new')).toBeUndefined();
  });

  it('refuses a last four that is not four digits', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.createCard({ accountId: 'acct-1', lastFour: '12a4' }),
      'invalid_request',
      'lastFour must be four digits; got "12a4"',
    );
  });

  it('answers *_dne for a card on an unknown account and an account for an unknown customer', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.createCard({ accountId: 'nope' }),
      'account_dne',
      'Account nope does not exist.',
    );
    expectStoreError(
      () => store.createAccount({ customerId: 'nope' }),
      'customer_dne',
      'Customer nope does not exist.',
    );
  });

  it('gives a chosen id the same generated details in any store with the same seed', () => {
    const a = createAtelioStore({ seed: 3, clock: new VirtualClock(NOW), baseline: false });
    const b = createAtelioStore({ seed: 3, clock: new VirtualClock(NOW), baseline: false });
    b.createCustomer(); // shifts b's main generator; the chosen-id customer must not notice
    expect(a.createCustomer({ customerId: 'same' })).toEqual(b.createCustomer({ customerId: 'same' }));
  });

  it('changes a card status and announces it', () => {
    const { store } = emptyBank();
    const events = recordEvents(store);
    expect(store.setCardStatus('card-1', 'lost').status).toBe('lost');
    expect(events).toEqual([
      {
        name: 'card-updated',
        payload: expect.objectContaining({
          previousStatus: 'active',
          card: expect.objectContaining({ status: 'lost' }),
        }),
      },
    ]);
  });
});

describe('card authorisation', () => {
  it('creates a pending POS Purchase debit holding the amount in available but not current balance', () => {
    const { store, clock } = emptyBank('1000.00');
    const tx = authorize(store, '35.93');
    expect(tx).toMatchObject({
      payment_type: 'card',
      transaction_type: 'POS Purchase',
      state: 'pending',
      amount: '-35.93',
      currency: 'USD',
      customer_id: 'cust-1',
      account_id: 'acct-1',
      previous_transaction_id: null,
      balances: { prior_balance: '1000.00', new_balance: '964.07' },
    });
    expect(tx.details).toMatchObject({
      card_id: 'card-1',
      merchant_amount: '-35.93',
      mcc: '5977',
      mcc_description: 'Cosmetic Stores',
    });
    expect((tx.details as CardDetails).settlements).toBeUndefined();
    expect(tx.created_time).toBe(new Date(clock.now()).toISOString().replace('Z', '000+00:00'));
    expect(balancesOf(store)).toEqual({ current: '1000.00', available: '964.07' });
  });

  it('uses transactionDatetime as created_time and the clock for updated_time', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '5.00', { transactionDatetime: '2024-06-14 19:42' });
    expect(tx.created_time).toBe('2024-06-14T19:42:00.000000+00:00');
    expect(tx.updated_time).toBe('2024-06-15T12:00:00.000000+00:00');
  });

  it('declines when funds are short, when the card is not active, and when asked to', () => {
    const { store } = emptyBank('20.00');
    expect(authorize(store, '20.01').state).toBe('declined');
    expect(authorize(store, '5.00', { decline: true }).state).toBe('declined');
    store.setCardStatus('card-1', 'inactive');
    expect(authorize(store, '1.00').state).toBe('declined');
    expect(balancesOf(store)).toEqual({ current: '20.00', available: '20.00' });
  });

  it('refuses an amount that is not a positive amount of whole cents', () => {
    const { store } = emptyBank();
    for (const amount of ['0', '-1.00', '1.234', 'abc', 0.001, Number.NaN, -3]) {
      expectStoreError(
        () => authorize(store, amount as string),
        'invalid_amount',
        `amount must be a positive amount with at most two decimals, e.g. "45.50"; got ${JSON.stringify(amount)}`,
      );
    }
  });

  it('answers card_dne for an unknown card', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.authorizeCardPurchase({ cardId: 'nope', amount: '1.00', merchantName: 'X' }),
      'card_dne',
      'Card nope does not exist.',
    );
  });
});

describe('multi-settlement (vendor-docs 003: 35.93 → 30.49 + 5.44)', () => {
  it('keeps one transaction id, grows settlements, sums the amount and keeps merchant_amount', () => {
    const { store, clock } = emptyBank('1000.00');
    const pending = authorize(store, '35.93');
    clock.reset(NOW + 8 * 3600_000);
    const first = store.settleTransaction(pending.transaction_id, { amount: '30.49' });
    expect(first).toMatchObject({
      transaction_id: pending.transaction_id,
      state: 'completed',
      amount: '-30.49',
    });
    expect(first.details).toMatchObject({
      merchant_amount: '-35.93',
      settlements: [{ settlement_date: '2024-06-15T20:00:00+00', amount: '-30.49' }],
    });
    expect(first.balances).toEqual({ prior_balance: '969.51', new_balance: '969.51' });

    clock.reset(NOW + 3 * 86_400_000);
    const second = store.settleTransaction(pending.transaction_id, { amount: '5.44' });
    expect(second).toMatchObject({
      transaction_id: pending.transaction_id,
      state: 'completed',
      amount: '-35.93',
    });
    expect((second.details as CardDetails).settlements).toEqual([
      { settlement_date: '2024-06-15T20:00:00+00', amount: '-30.49' },
      { settlement_date: '2024-06-18T12:00:00+00', amount: '-5.44' },
    ]);
    expect((second.details as CardDetails).merchant_amount).toBe('-35.93');
    expect(second.created_time).toBe(pending.created_time);
    expect(balancesOf(store)).toEqual({ current: '964.07', available: '964.07' });
  });

  it('settles the whole remainder when no amount is given', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '35.93');
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });
    const done = store.settleTransaction(tx.transaction_id);
    expect(done.amount).toBe('-35.93');
    expect((done.details as CardDetails).settlements?.map((s) => s.amount)).toEqual(['-30.49', '-5.44']);
  });

  it('refuses to settle more than was authorised, naming what remains, and changes nothing', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '35.93');
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });
    const error = expectStoreError(
      () => store.settleTransaction(tx.transaction_id, { amount: '5.45' }),
      'invalid_amount',
      `Cannot settle 5.45 on transaction ${tx.transaction_id}: 35.93 was authorised, 30.49 is already settled, so at most 5.44 remains.`,
    );
    expect(error.message).toContain('5.44');
    expect(store.getTransaction(tx.transaction_id)?.amount).toBe('-30.49');
  });

  it('refuses to settle a fully settled transaction again', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '10.00');
    store.settleTransaction(tx.transaction_id);
    expectStoreError(
      () => store.settleTransaction(tx.transaction_id),
      'resource_conflict',
      `Transaction ${tx.transaction_id} is already fully settled.`,
    );
  });

  it.each(['declined', 'cancelled'] as const)('refuses to settle a %s transaction', (state) => {
    const { store } = emptyBank();
    const tx = authorize(store, '10.00');
    if (state === 'declined') store.declineTransaction(tx.transaction_id);
    else store.cancelTransaction(tx.transaction_id);
    const error = expectStoreError(
      () => store.settleTransaction(tx.transaction_id, { amount: '1.00' }),
      'resource_conflict',
      `Transaction ${tx.transaction_id} is ${state} and cannot be settled.`,
    );
    expect(error.message).toContain(state);
  });

  it('refuses to settle an ACH payment (only card transactions settle)', () => {
    const { store } = emptyBank();
    const ach = store.createAchTransfer({ accountId: 'acct-1', direction: 'credit', amount: '10.00' });
    expectStoreError(
      () => store.settleTransaction(ach.transaction_id),
      'resource_conflict',
      `Transaction ${ach.transaction_id} is a ach payment; only card transactions settle. Use completeTransaction.`,
    );
  });

  it('announces the creation and each settlement with strictly increasing updated_time even at one instant', () => {
    const { store } = emptyBank();
    const events = recordEvents(store);
    const tx = authorize(store, '35.93');
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });
    store.settleTransaction(tx.transaction_id, { amount: '5.44' });
    const bodies = events.map((e) => (e.payload as { transaction: Transaction }).transaction);
    expect(events.map((e) => e.name)).toEqual([
      'transaction-created',
      'transaction-updated',
      'transaction-updated',
    ]);
    expect(bodies.map((t) => t.amount)).toEqual(['-35.93', '-30.49', '-35.93']);
    const times = bodies.map((t) => Date.parse(t.updated_time.replace('000+00:00', 'Z')));
    expect(times[1]!).toBeGreaterThan(times[0]!);
    expect(times[2]!).toBeGreaterThan(times[1]!);
    expect(events[2]!.payload).toMatchObject({
      previousState: 'completed',
      change: 'settled',
      settlement: { amount: '-5.44' },
    });
  });
});

describe('state machine', () => {
  it('cancels a pending authorisation and releases the hold', () => {
    const { store } = emptyBank('100.00');
    const tx = authorize(store, '25.00');
    expect(store.cancelTransaction(tx.transaction_id)).toMatchObject({
      state: 'cancelled',
      balances: { new_balance: '100.00' },
    });
    expect(balancesOf(store)).toEqual({ current: '100.00', available: '100.00' });
  });

  it('declines a pending transaction and refuses to decline a completed one', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '25.00');
    expect(store.declineTransaction(tx.transaction_id).state).toBe('declined');
    const other = authorize(store, '5.00');
    store.settleTransaction(other.transaction_id);
    expectStoreError(
      () => store.declineTransaction(other.transaction_id),
      'resource_conflict',
      `Transaction ${other.transaction_id} is completed and cannot be declined.`,
    );
  });

  it('returns a completed ACH debit with a return code, giving the money back', () => {
    const { store } = emptyBank('100.00');
    const ach = store.createAchTransfer({
      accountId: 'acct-1',
      direction: 'debit',
      amount: '40.00',
      state: 'completed',
    });
    expect(balancesOf(store).current).toBe('60.00');
    const returned = store.returnTransaction(ach.transaction_id, { returnCode: 'R02' });
    expect(returned).toMatchObject({
      state: 'returned',
      details: { return_code: 'R02', failure_reason: 'Account Closed' },
    });
    expect(balancesOf(store)).toEqual({ current: '100.00', available: '100.00' });
  });

  it('refuses to return a pending transaction', () => {
    const { store } = emptyBank();
    const ach = store.createAchTransfer({ accountId: 'acct-1', direction: 'debit', amount: '1.00' });
    expectStoreError(
      () => store.returnTransaction(ach.transaction_id),
      'resource_conflict',
      `Transaction ${ach.transaction_id} is pending and cannot be returned.`,
    );
  });

  it('completes a pending ACH credit, moving it into the current balance', () => {
    const { store } = emptyBank('100.00');
    const ach = store.createAchTransfer({
      accountId: 'acct-1',
      direction: 'credit',
      amount: '50.00',
      description: 'PAYROLL',
    });
    expect(ach).toMatchObject({
      payment_type: 'ach',
      transaction_type: 'credit',
      state: 'pending',
      amount: '50.00',
    });
    expect(ach.details).toMatchObject({
      direction: 'credit',
      network: 'ach',
      class_code: 'ppd',
      description: 'PAYROLL',
    });
    expect(balancesOf(store)).toEqual({ current: '100.00', available: '150.00' });
    expect(store.completeTransaction(ach.transaction_id).state).toBe('completed');
    expect(balancesOf(store)).toEqual({ current: '150.00', available: '150.00' });
    expectStoreError(
      () => store.completeTransaction(ach.transaction_id),
      'resource_conflict',
      `Transaction ${ach.transaction_id} is completed and cannot be completed.`,
    );
  });

  it('hides a failed transaction from every reader and announces it only as transaction-failed', () => {
    const { store } = emptyBank('100.00');
    const ach = store.createAchTransfer({ accountId: 'acct-1', direction: 'credit', amount: '50.00' });
    const events = recordEvents(store);
    store.failTransaction(ach.transaction_id, { reason: 'Network failure' });
    expect(events.map((e) => e.name)).toEqual(['transaction-failed']);
    expect(store.getTransaction(ach.transaction_id)).toBeUndefined();
    expect(store.getTransactionState(ach.transaction_id)).toBe('failed');
    expect(store.listTransactions({ state: 'failed' }).items).toEqual([]);
    expect(store.listTransactions().items.map((t) => t.transaction_id)).not.toContain(ach.transaction_id);
    expectStoreError(
      () => store.completeTransaction(ach.transaction_id),
      'transaction_dne',
      `Transaction ${ach.transaction_id} does not exist.`,
    );
    expect(balancesOf(store)).toEqual({ current: '100.00', available: '100.00' });
  });

  it('refunds a settled card purchase as a new credit pointing back to it', () => {
    const { store } = emptyBank('100.00');
    const tx = authorize(store, '64.99', { merchantName: 'Amazon.com*1A2B3C4D' });
    store.settleTransaction(tx.transaction_id);
    const refund = store.refundCardPurchase(tx.transaction_id, { amount: '20.00' });
    expect(refund).toMatchObject({
      transaction_type: 'POS Refund',
      state: 'completed',
      amount: '20.00',
      previous_transaction_id: tx.transaction_id,
      details: { merchant_name: 'Amazon.com*1A2B3C4D', merchant_amount: '20.00' },
    });
    expect(balancesOf(store).current).toBe('55.01');
    expectStoreError(
      () => store.settleTransaction(refund.transaction_id),
      'resource_conflict',
      `Transaction ${refund.transaction_id} is already fully settled.`,
    );
    expectStoreError(
      () => store.refundCardPurchase(tx.transaction_id, { amount: '65.00' }),
      'invalid_amount',
      'Cannot refund 65.00; the purchase was 64.99.',
    );
  });

  it('moves money between two accounts as a debit and a credit of payment_type account', () => {
    const { store } = emptyBank('100.00');
    store.createCustomerWithCard({ customerId: 'cust-2', accountId: 'acct-2', openingBalance: '0' });
    const { debit, credit } = store.createAccountTransfer({
      fromAccountId: 'acct-1',
      toAccountId: 'acct-2',
      amount: '42.50',
    });
    expect(debit).toMatchObject({
      payment_type: 'account',
      amount: '-42.50',
      account_id: 'acct-1',
      state: 'completed',
    });
    expect(credit).toMatchObject({
      payment_type: 'account',
      amount: '42.50',
      account_id: 'acct-2',
      customer_id: 'cust-2',
    });
    expect(balancesOf(store, 'acct-2').current).toBe('42.50');
    expectStoreError(
      () => store.createAccountTransfer({ fromAccountId: 'acct-2', toAccountId: 'acct-1', amount: '42.51' }),
      'insufficient_funds',
      'Account acct-2 has 42.50 available, less than 42.51.',
    );
  });
});

describe('balances stay consistent', () => {
  it('equal the opening balance plus completed (current) and pending + completed (available) amounts', () => {
    const { store } = emptyBank('500.00');
    const a = authorize(store, '10.00');
    const b = authorize(store, '20.00');
    const c = authorize(store, '30.00');
    store.settleTransaction(a.transaction_id, { amount: '4.00' });
    store.cancelTransaction(b.transaction_id);
    store.createAchTransfer({ accountId: 'acct-1', direction: 'credit', amount: '99.99' });
    const all = store.listTransactions({ count: 100 }).items;
    const sum = (states: string[]) =>
      all.filter((t) => states.includes(t.state)).reduce((total, t) => total + cents(t.amount), 0);
    expect(cents(balancesOf(store).current)).toBe(50_000 + sum(['completed']));
    expect(cents(balancesOf(store).available)).toBe(50_000 + sum(['pending', 'completed']));
    // Each transaction carries the balances right after its own last change.
    expect(store.getTransaction(c.transaction_id)?.balances).toEqual({
      prior_balance: '500.00',
      new_balance: '440.00',
    });
  });
});

describe('listing transactions', () => {
  it('refuses a count outside the allowed set and a page below 1', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.listTransactions({ count: 3 }),
      'invalid_request',
      'count must be one of 1, 2, 5, 10, 20, 50, 100, 1000, 5000, 10000; got 3',
    );
    expectStoreError(
      () => store.listTransactions({ page: 0 }),
      'invalid_request',
      'page must be a whole number from 1 to 1000000000; got 0',
    );
  });

  it('refuses a start date after the end date and an impossible date', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.listTransactions({ startDate: '2024-06-02', endDate: '2024-06-01' }),
      'invalid_request',
      'start_date 2024-06-02 is after end_date 2024-06-01',
    );
    expectStoreError(
      () => store.listTransactions({ startDate: '2024-02-30' }),
      'invalid_request',
      'start_date must be a real date in the form YYYY-MM-DD; got "2024-02-30"',
    );
  });

  it('answers customer_dne / account_dne for unknown filter ids', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.listTransactions({ customerId: 'nope' }),
      'customer_dne',
      'Customer nope does not exist.',
    );
    expectStoreError(
      () => store.listTransactions({ accountId: 'nope' }),
      'account_dne',
      'Account nope does not exist.',
    );
  });
});

describe('webhook subscriptions', () => {
  it('matches wildcards and exact names, skipping disabled subscriptions', () => {
    const { store } = emptyBank();
    const all = store.registerWebhookUrl('http://127.0.0.1:4030/webhooks/atelio');
    const cards = store.createWebhookSubscription({ url: 'https://a.test/cards', events: ['card*'] });
    const tx = store.createWebhookSubscription({ url: 'https://a.test/tx', events: ['transactions'] });
    const off = store.createWebhookSubscription({
      url: 'https://a.test/off',
      events: ['*'],
      status: 'STATUS_DISABLED',
    });
    expect(all.events).toEqual(['*']);
    expect(store.subscriptionsFor('transactions').map((s) => s.id)).toEqual([all.id, tx.id]);
    expect(store.subscriptionsFor('card.status.lost').map((s) => s.id)).toEqual([all.id, cards.id]);
    expect(store.subscriptionsFor('transactions')[0]?.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    store.updateWebhookSubscription(off.id, { status: 'STATUS_ENABLED' });
    expect(store.subscriptionsFor('kyc.verification.success').map((s) => s.id)).toEqual([all.id, off.id]);
  });

  it('validates subscriptions given to the store directly, like the HTTP route', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.createWebhookSubscription({ url: 'ftp://x', events: ['transactions'] }),
      'invalid_request',
      'Invalid request body: url: url must be an absolute http(s) URL',
    );
    expectStoreError(
      () => store.createWebhookSubscription({ url: 'https://x.test', events: ['nope'] }),
      'invalid_request',
      /^Invalid request body: events\.0: "nope" matches no Atelio event; known events: transactions, /,
    );
    expectStoreError(
      () => store.deleteWebhookSubscription('nope'),
      'webhook_dne',
      'Webhook nope does not exist.',
    );
  });
});

describe('reset, export and import', () => {
  it('reset rebuilds exactly the seeded baseline and drops what was added', () => {
    const clock = new VirtualClock(NOW);
    const store = createAtelioStore({ seed: 11, clock });
    const before = store.exportState();
    const customerId = before.customers[0]!.customer_id;
    store.createCustomer({ customerId: 'extra' });
    store.registerWebhookUrl('https://x.test/h');
    clock.reset(NOW + 86_400_000);
    store.reset();
    expect(store.exportState()).toEqual(before);
    expect(store.getCustomer(customerId)).toBeDefined();
  });

  it('round-trips its state through JSON', () => {
    const { store } = emptyBank();
    const tx = authorize(store, '35.93');
    store.settleTransaction(tx.transaction_id, { amount: '30.49' });
    store.registerWebhookUrl('https://x.test/h');
    const saved = JSON.parse(JSON.stringify(store.exportState())) as unknown;
    const other = createAtelioStore({ seed: 99, clock: new VirtualClock(NOW) });
    other.importState(saved);
    // The seed says where the data came from; the importing store keeps generating from its own.
    expect({ ...other.exportState(), seed: 7 }).toEqual(store.exportState());
    expect(other.getTransaction(tx.transaction_id)).toEqual(store.getTransaction(tx.transaction_id));
    expect(other.settleTransaction(tx.transaction_id).amount).toBe('-35.93');
  });

  it('refuses a malformed state as invalid_request and keeps its own', () => {
    const { store } = emptyBank();
    expectStoreError(
      () => store.importState({ version: 1, customers: 'nope' }),
      'invalid_request',
      /^Invalid state: seed: Invalid input: expected number, received undefined; .*customers: Invalid input: expected array, received string; /,
    );
    expect(store.getCustomer('cust-1')).toBeDefined();
  });
});

describe('AtelioStore transaction views: copied or shared', () => {
  const bank = () => {
    const store = createAtelioStore({ seed: 1, clock: new VirtualClock('2025-03-10T15:00:00Z') });
    const first = store.listTransactions({ count: 10 }).items[0]!;
    return { store, id: first.transaction_id };
  };

  it('getTransaction and listTransactions return copies: changing them leaves the store as it was', () => {
    const { store, id } = bank();
    const before = JSON.stringify(store.listTransactions({ count: 10 }));
    store.getTransaction(id)!.amount = '-0.01';
    store.listTransactions({ count: 10 }).items[0]!.description = 'changed';
    expect(JSON.stringify(store.listTransactions({ count: 10 }))).toBe(before);
  });

  it('share gives the same content as the copy', () => {
    const { store, id } = bank();
    expect(JSON.stringify(store.getTransaction(id, { share: true }))).toBe(
      JSON.stringify(store.getTransaction(id)),
    );
    expect(JSON.stringify(store.listTransactions({ count: 10 }, { share: true }))).toBe(
      JSON.stringify(store.listTransactions({ count: 10 })),
    );
  });
});

describe('AtelioStore revision', () => {
  it('stays where it is while transactions are only read', () => {
    const { store } = emptyBank();
    const made = authorize(store);
    const before = store.revision;
    store.getTransaction(made.transaction_id);
    store.getTransaction(made.transaction_id, { share: true });
    store.listTransactions({ count: 10 });
    store.listTransactions(
      { customerId: made.customer_id, accountId: made.account_id, count: 10 },
      { share: true },
    );
    expect(store.revision).toBe(before);
  });

  it('moves on with every change, and with a call that fails half-way', () => {
    const { store } = emptyBank();
    const pending = authorize(store);
    const changes: (() => unknown)[] = [
      () => authorize(store, '1.00'),
      () => store.settleTransaction(pending.transaction_id, { amount: '30.49' }),
      () => store.createCustomer({ customerId: 'another' }),
      () => store.importState(store.exportState()),
      () => store.reset(),
    ];
    for (const change of changes) {
      const before = store.revision;
      change();
      expect(store.revision).toBeGreaterThan(before);
    }
    const before = store.revision;
    expect(() => store.settleTransaction('no-such-transaction', { amount: '1.00' })).toThrow();
    expect(store.revision).toBeGreaterThan(before);
  });
});
