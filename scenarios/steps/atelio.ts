import { z } from 'zod';
import type { SeededRandom } from '../../core/random';
import {
  CARD_STATUSES,
  MERCHANTS,
  MULTI_SETTLEMENT_EXAMPLE,
  SUBSCRIPTIONS,
  type AuthorizeCardPurchaseInput,
  type MerchantProfile,
  type Transaction,
} from '../../mock-atelio';
import { LastFourSchema, TimeSchema, timeAt } from './orders';
import { StepFailure, defineStep, type StepContext } from './types';

/** Steps that drive the Atelio mock: customers and cards, card purchases and their lifecycle, ACH. */

/** A positive amount: a number or a decimal string ("35.93"). */
const AmountSchema = z.union([
  z.number().positive(),
  z.string().regex(/^\d{1,9}(\.\d{1,2})?$/, 'amount must be a positive decimal like "35.93"'),
]);

const TransactionField = z.string().min(1);

interface Preset {
  name: (random: SeededRandom) => string;
  city: string;
  state: string;
  zip: string;
  mcc: string;
  mid: string;
  cardholderPresent: boolean;
  statementDescriptor?: string;
  products?: readonly string[];
}

const fromProfile = (m: MerchantProfile): Preset => ({
  name: m.merchantName,
  city: m.city,
  state: m.state,
  zip: m.postalCode,
  mcc: m.mcc,
  mid: m.merchantId,
  cardholderPresent: m.cardholderPresent,
  ...(m.products ? { products: m.products } : {}),
});

/**
 * Merchants a purchase can name by key, with the descriptors, MCCs and cities the Atelio mock's
 * seeded history uses (Amazon's `AMZN Mktp US*…`, `Amazon.com*…`, `AMZN Digital*…` among them), plus
 * vendor-docs 003's PayPal/Sephora purchase.
 */
export const MERCHANT_PRESETS: Readonly<Record<string, Preset>> = {
  ...Object.fromEntries([...MERCHANTS, ...SUBSCRIPTIONS].map((m) => [m.key, fromProfile(m)])),
  'paypal-sephora': {
    name: () => MULTI_SETTLEMENT_EXAMPLE.merchantName,
    city: MULTI_SETTLEMENT_EXAMPLE.city,
    state: MULTI_SETTLEMENT_EXAMPLE.state,
    zip: MULTI_SETTLEMENT_EXAMPLE.postalCode,
    mcc: MULTI_SETTLEMENT_EXAMPLE.mcc,
    mid: MULTI_SETTLEMENT_EXAMPLE.merchantId,
    cardholderPresent: false,
    statementDescriptor: MULTI_SETTLEMENT_EXAMPLE.statementDescriptor,
    products: MULTI_SETTLEMENT_EXAMPLE.products,
  },
};

const MERCHANT_KEYS = Object.keys(MERCHANT_PRESETS) as [string, ...string[]];

function transactionResult(transaction: Transaction): Record<string, unknown> {
  const details = transaction.details as {
    card_id?: string;
    merchant_name?: string;
    settlements?: { amount: string }[];
    merchant_amount?: string;
  };
  return {
    transactionId: transaction.transaction_id,
    customerId: transaction.customer_id,
    accountId: transaction.account_id,
    state: transaction.state,
    amount: transaction.amount,
    createdTime: transaction.created_time,
    ...(details.card_id === undefined ? {} : { cardId: details.card_id }),
    ...(details.merchant_name === undefined ? {} : { merchantName: details.merchant_name }),
    ...(details.merchant_amount === undefined ? {} : { authorizedAmount: details.merchant_amount }),
    ...(details.settlements === undefined ? {} : { settlements: details.settlements.length }),
  };
}

const newId = (context: StepContext, label: string) => context.random.fork(label).uuid();

export const createCustomer = defineStep({
  type: 'create-customer',
  vendor: 'atelio',
  summary:
    'A bank customer with a funded checking account and an active card (customer_id defaults to the run identifier)',
  params: z
    .object({
      customerId: z.string().min(1).max(200).optional(),
      firstName: z.string().min(1).optional(),
      lastName: z.string().min(1).optional(),
      lastFour: LastFourSchema.optional(),
      openingBalance: AmountSchema.optional(),
      cardType: z.enum(['virtual', 'physical']).optional(),
    })
    .strict(),
  resultFields: ['customerId', 'accountId', 'cardId', 'lastFour', 'firstName', 'lastName'],
  run(context, params) {
    const person = context.random.fork('person').faker.person;
    const { customer, account, card } = context.atelio.createCustomerWithCard({
      customerId: params.customerId ?? context.identifier,
      accountId: newId(context, 'account'),
      cardId: newId(context, 'card'),
      firstName: params.firstName ?? person.firstName(),
      lastName: params.lastName ?? person.lastName(),
      lastFour: params.lastFour ?? String(context.random.fork('last-four').int(0, 9999)).padStart(4, '0'),
      openingBalance: params.openingBalance ?? '5000.00',
      ...(params.cardType === undefined ? {} : { cardType: params.cardType }),
    });
    return {
      customerId: customer.customer_id,
      accountId: account.account_id,
      cardId: card.card_id,
      lastFour: card.last_four,
      firstName: customer.first_name,
      lastName: customer.last_name,
    };
  },
});

export const createCard = defineStep({
  type: 'create-card',
  vendor: 'atelio',
  summary: 'Another card on an existing account',
  params: z
    .object({
      account: z.string().min(1),
      lastFour: LastFourSchema.optional(),
      cardType: z.enum(['virtual', 'physical']).optional(),
    })
    .strict(),
  resultFields: ['cardId', 'accountId', 'lastFour'],
  run(context, params) {
    const card = context.atelio.createCard({
      accountId: params.account,
      cardId: newId(context, 'card'),
      lastFour: params.lastFour ?? String(context.random.fork('last-four').int(0, 9999)).padStart(4, '0'),
      ...(params.cardType === undefined ? {} : { cardType: params.cardType }),
    });
    return { cardId: card.card_id, accountId: card.account_id, lastFour: card.last_four };
  },
});

export const setCardStatus = defineStep({
  type: 'set-card-status',
  vendor: 'atelio',
  summary: 'Freezes, closes or re-activates a card (purchases on a card that is not active are declined)',
  params: z.object({ card: z.string().min(1), status: z.enum(CARD_STATUSES) }).strict(),
  resultFields: ['cardId', 'status'],
  run(context, params) {
    const card = context.atelio.setCardStatus(params.card, params.status);
    return { cardId: card.card_id, status: card.status };
  },
});

export const authorize = defineStep({
  type: 'authorize',
  vendor: 'atelio',
  summary:
    'A card purchase reaches the bank: a pending POS Purchase holding the amount (declined when the card is not active or funds are short)',
  params: z
    .object({
      card: z.string().min(1),
      amount: AmountSchema,
      /** A known merchant (see MERCHANT_PRESETS), or give merchantName and friends yourself. */
      merchant: z
        .enum(MERCHANT_KEYS, { error: `merchant must be one of: ${MERCHANT_KEYS.join(', ')}` })
        .optional(),
      merchantName: z.string().min(1).max(100).optional(),
      city: z.string().min(1).optional(),
      state: z.string().min(1).optional(),
      mcc: z
        .string()
        .regex(/^\d{4}$/, 'mcc must be four digits')
        .optional(),
      descriptor: z.string().min(1).optional(),
      products: z.array(z.string().min(1)).optional(),
      /** When the card was used (created_time), relative to the step: `-1h`. Default: the step's time. */
      purchasedAt: TimeSchema.optional(),
      /** The Atomic order this charge is for: recorded as ground truth for stitching. */
      order: z.string().min(1).optional(),
    })
    .strict(),
  resultFields: [
    'transactionId',
    'customerId',
    'accountId',
    'cardId',
    'state',
    'amount',
    'authorizedAmount',
    'merchantName',
    'createdTime',
  ],
  run(context, params) {
    if ((params.merchant === undefined) === (params.merchantName === undefined))
      throw new StepFailure('give exactly one of merchant (a known merchant) or merchantName');
    const preset = params.merchant === undefined ? undefined : MERCHANT_PRESETS[params.merchant];
    const card = context.atelio.getCard(params.card);
    if (!card) throw new StepFailure(`no card ${params.card}`);
    if (params.order !== undefined && !context.truth.hasOrder(params.order))
      throw new StepFailure(`order ${params.order} did not appear on an account earlier in this run`);
    const input: AuthorizeCardPurchaseInput = {
      cardId: params.card,
      amount: params.amount,
      merchantName: preset ? preset.name(context.random.fork('merchant')) : params.merchantName!,
      transactionId: newId(context, 'transaction'),
      transactionDatetime: timeAt(params.purchasedAt, context.now()),
    };
    const city = params.city ?? preset?.city;
    const state = params.state ?? preset?.state;
    const mcc = params.mcc ?? preset?.mcc;
    const descriptor = params.descriptor ?? preset?.statementDescriptor;
    const products = params.products ?? preset?.products;
    if (city !== undefined) input.merchantCity = city;
    if (state !== undefined) input.merchantState = state;
    if (mcc !== undefined) input.mcc = mcc;
    if (descriptor !== undefined) input.statementDescriptor = descriptor;
    if (products !== undefined) input.products = [...products];
    if (preset) {
      input.merchantZipCode = preset.zip;
      input.mid = preset.mid;
      input.cardholderPresence = preset.cardholderPresent;
    }
    const transaction = context.atelio.authorizeCardPurchase(input);
    context.truth.addTransaction(transaction, card.last_four, params.order);
    return transactionResult(transaction);
  },
});

export const settle = defineStep({
  type: 'settle',
  vendor: 'atelio',
  summary:
    'Settles a card purchase in full, or in part with amount (each partial settlement is one more entry in details.settlements: multi-settlement)',
  params: z.object({ transaction: TransactionField, amount: AmountSchema.optional() }).strict(),
  resultFields: ['transactionId', 'state', 'amount', 'authorizedAmount', 'settlements'],
  run(context, params) {
    return transactionResult(
      context.atelio.settleTransaction(
        params.transaction,
        params.amount === undefined ? {} : { amount: params.amount },
      ),
    );
  },
});

const finishing = (
  type: 'decline' | 'cancel',
  summary: string,
  act: (context: StepContext, id: string) => Transaction,
) =>
  defineStep({
    type,
    vendor: 'atelio',
    summary,
    params: z.object({ transaction: TransactionField }).strict(),
    resultFields: ['transactionId', 'state', 'amount'],
    run: (context, params) => transactionResult(act(context, params.transaction)),
  });

export const decline = finishing('decline', 'The issuer declines a pending transaction', (c, id) =>
  c.atelio.declineTransaction(id),
);
export const cancel = finishing('cancel', 'A pending transaction is voided', (c, id) =>
  c.atelio.cancelTransaction(id),
);

export const returnTransaction = defineStep({
  type: 'return',
  vendor: 'atelio',
  summary: 'A completed transaction is reversed (ACH returns carry a return code such as R01)',
  params: z
    .object({
      transaction: TransactionField,
      returnCode: z
        .string()
        .regex(/^R\d{2}$/, 'returnCode looks like R01')
        .optional(),
    })
    .strict(),
  resultFields: ['transactionId', 'state', 'amount'],
  run(context, params) {
    return transactionResult(
      context.atelio.returnTransaction(
        params.transaction,
        params.returnCode === undefined ? {} : { returnCode: params.returnCode },
      ),
    );
  },
});

export const refund = defineStep({
  type: 'refund',
  vendor: 'atelio',
  summary: 'The merchant refunds (part of) a settled purchase: a new card credit pointing back to it',
  params: z.object({ transaction: TransactionField, amount: AmountSchema.optional() }).strict(),
  resultFields: ['transactionId', 'state', 'amount'],
  run(context, params) {
    return transactionResult(
      context.atelio.refundCardPurchase(params.transaction, {
        transactionId: newId(context, 'refund'),
        ...(params.amount === undefined ? {} : { amount: params.amount }),
      }),
    );
  },
});

export const achTransfer = defineStep({
  type: 'ach-transfer',
  vendor: 'atelio',
  summary: 'Money in (credit, e.g. payroll) or out (debit) by ACH; pending unless state says completed',
  params: z
    .object({
      account: z.string().min(1),
      direction: z.enum(['credit', 'debit']),
      amount: AmountSchema,
      description: z.string().min(1).max(100).optional(),
      state: z.enum(['pending', 'completed']).optional(),
    })
    .strict(),
  resultFields: ['transactionId', 'state', 'amount'],
  run(context, params) {
    return transactionResult(
      context.atelio.createAchTransfer({
        accountId: params.account,
        direction: params.direction,
        amount: params.amount,
        transactionId: newId(context, 'ach'),
        ...(params.description === undefined ? {} : { description: params.description }),
        ...(params.state === undefined ? {} : { state: params.state }),
      }),
    );
  },
});

export const complete = defineStep({
  type: 'complete',
  vendor: 'atelio',
  summary: 'A pending ACH or account transfer posts (a card purchase settles its remainder)',
  params: z.object({ transaction: TransactionField }).strict(),
  resultFields: ['transactionId', 'state', 'amount'],
  run(context, params) {
    return transactionResult(context.atelio.completeTransaction(params.transaction));
  },
});

export const ATELIO_STEPS = [
  createCustomer,
  createCard,
  setCardStatus,
  authorize,
  settle,
  decline,
  cancel,
  returnTransaction,
  refund,
  achTransfer,
  complete,
];
