/**
 * Provider states of the Atelio mock. Atelio lets callers choose ids, so the pact's own example ids
 * are used as they are. Everything goes through the store's functions (authorise, settle), which is
 * also what produces the `transactions` webhooks a message interaction receives.
 */
import type { AtelioStore } from '../../../mock-atelio';
import { ProviderStateError } from './types';
import type { ProviderStateDefinition, StateContext, StateParams } from './types';

type AtelioState = ProviderStateDefinition<AtelioStore>;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** An Amazon Marketplace card charge, the way Amazon bills (vendor-docs 003 descriptors). */
const AMAZON = {
  merchantName: 'AMZN Mktp US*2K4L71',
  merchantCity: 'Amzn.com/bill',
  merchantState: 'WA',
  merchantZipCode: '98109',
  mcc: '5942',
} as const;

const CARD_PARAMS = {
  cardId: 'id of the card, created with the customer (default: generated)',
  lastFour: 'last four of that card (default 4242)',
};

/** The customer's card: the existing one when the customer is already there, else a new customer with a card. */
function cardOf(store: AtelioStore, params: StateParams): string {
  const customerId = params['customerId']!;
  const cardId = params['cardId'];
  if (store.getCustomer(customerId)) {
    const cards = store.listCards({ customerId, count: 100 }).items;
    const card = cardId === undefined ? cards[0] : cards.find((c) => c.card_id === cardId);
    if (!card)
      throw new ProviderStateError(`customer ${customerId} has no card${cardId ? ` ${cardId}` : ''}`);
    return card.card_id;
  }
  const { card } = store.createCustomerWithCard({
    customerId,
    lastFour: params['lastFour'] ?? '4242',
    ...(cardId === undefined ? {} : { cardId }),
  });
  return card.card_id;
}

function purchase(
  { store }: StateContext<AtelioStore>,
  params: StateParams,
  fallbackAmount: string,
  at: number,
): string {
  return store.authorizeCardPurchase({
    ...AMAZON,
    cardId: cardOf(store, params),
    amount: params['amount'] ?? fallbackAmount,
    transactionId: params['transactionId']!,
    at,
  }).transaction_id;
}

const amountParam = (fallback: string) => ({
  amount: `the authorised amount, positive, two decimals (default ${fallback})`,
});

export const ATELIO_STATES: readonly AtelioState[] = [
  {
    name: 'customer {customerId} has a pending card purchase {transactionId}',
    summary:
      'The customer (created with a funded account and a card if new) has an Amazon Marketplace card ' +
      'purchase authorised a day ago and not settled: state pending. Webhook: transactions (pending).',
    optionalParams: { ...CARD_PARAMS, ...amountParam('42.10') },
    setup(context, params) {
      purchase(context, params, '42.10', context.now - DAY_MS);
    },
  },
  {
    name: 'customer {customerId} has a card purchase {transactionId} settled in one part',
    summary:
      'An Amazon Marketplace card purchase authorised two days ago and settled in full a day later: state ' +
      'completed, one settlement. Webhooks: transactions (pending, then completed).',
    optionalParams: { ...CARD_PARAMS, ...amountParam('42.10') },
    setup(context, params) {
      const id = purchase(context, params, '42.10', context.now - 2 * DAY_MS);
      context.store.settleTransaction(id, { at: context.now - DAY_MS });
    },
  },
  {
    name: 'customer {customerId} has a card purchase {transactionId} settled in two parts',
    summary:
      'The vendor-docs 003 multi-settlement: 35.93 authorised two days ago, 30.49 settled a day later and ' +
      'the remaining 5.44 six hours after that; state completed, amount -35.93, two settlements. ' +
      'Webhooks: transactions (pending, completed, completed).',
    optionalParams: { ...CARD_PARAMS },
    setup(context, params) {
      const id = purchase(context, params, '35.93', context.now - 2 * DAY_MS);
      context.store.settleTransaction(id, { amount: '30.49', at: context.now - DAY_MS });
      context.store.settleTransaction(id, { at: context.now - DAY_MS + 6 * HOUR_MS });
    },
  },
  {
    name: 'customer {customerId} has card transactions',
    summary:
      'Three Amazon Marketplace card purchases: one pending, one settled in full, one settled in two parts ' +
      '(fewer than one page of GET /transactions at any allowed count of 5 or more).',
    optionalParams: { ...CARD_PARAMS },
    setup(context, params) {
      const { store, now } = context;
      const customerId = params['customerId']!;
      const settledOnce = purchase(
        context,
        { ...params, transactionId: `${customerId}-txn-1` },
        '61.55',
        now - 5 * DAY_MS,
      );
      store.settleTransaction(settledOnce, { at: now - 4 * DAY_MS });
      const settledTwice = purchase(
        context,
        { ...params, transactionId: `${customerId}-txn-2` },
        '35.93',
        now - 3 * DAY_MS,
      );
      store.settleTransaction(settledTwice, { amount: '30.49', at: now - 2 * DAY_MS });
      store.settleTransaction(settledTwice, { at: now - DAY_MS });
      purchase(context, { ...params, transactionId: `${customerId}-txn-3` }, '13.37', now - HOUR_MS);
    },
  },
  {
    name: 'card {cardId} with last four {lastFour} exists',
    summary: 'A customer (id "owner-of-{cardId}") with a funded account and this card.',
    setup({ store }, params) {
      const cardId = params['cardId']!;
      const lastFour = params['lastFour']!;
      if (!/^\d{4}$/.test(lastFour))
        throw new ProviderStateError(`parameter "lastFour" must be four digits; got "${lastFour}"`);
      store.createCustomerWithCard({ customerId: `owner-of-${cardId}`, cardId, lastFour });
    },
  },
  {
    name: 'no transaction {transactionId} exists',
    summary: 'Nothing is set up; the id must not name a transaction of the seeded data.',
    setup({ store }, params) {
      const id = params['transactionId']!;
      if (store.getTransactionState(id) !== undefined)
        throw new ProviderStateError(`transaction ${id} exists in the seeded data; pick another id`);
    },
  },
  {
    name: 'no customer {customerId} exists',
    summary: 'Nothing is set up; the id must not name a customer of the seeded data.',
    setup({ store }, params) {
      const id = params['customerId']!;
      if (store.getCustomer(id))
        throw new ProviderStateError(`customer ${id} exists in the seeded data; pick another id`);
    },
  },
  {
    name: 'no card {cardId} exists',
    summary: 'Nothing is set up; the id must not name a card of the seeded data.',
    setup({ store }, params) {
      const id = params['cardId']!;
      if (store.getCard(id))
        throw new ProviderStateError(`card ${id} exists in the seeded data; pick another id`);
    },
  },
];
