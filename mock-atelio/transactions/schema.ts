import { z } from '@hono/zod-openapi';
import { countQuery, idQuery, pageEnvelopeFields, pageQuery } from '../shared/pagination';
import { SIGNED_AMOUNT } from '../shared/money';
import { TIMESTAMP_PATTERN } from '../shared/time';

/**
 * The transaction object, field by field as vendor-docs 003 documents it. This schema is the source
 * of truth for the list/get responses, the OpenAPI document and the `transactions` webhook body.
 */

/**
 * Every state a transaction can be in inside the store. `start` is where a transaction begins
 * (vendor-docs 003: "a card swipe, online purchase, a check scan, or an ACH transfer") before it is
 * processed; here a scanned check (rdc) and an ACH transfer not yet submitted sit in it.
 */
export const TRANSACTION_STATES = [
  'start',
  'pending',
  'completed',
  'declined',
  'cancelled',
  'returned',
  'failed',
] as const;
export type TransactionState = (typeof TRANSACTION_STATES)[number];

/** `failed` exists internally but is never returned by the API or sent in a webhook [doc]. */
export const PUBLIC_TRANSACTION_STATES = [
  'start',
  'pending',
  'completed',
  'declined',
  'cancelled',
  'returned',
] as const;
export type PublicTransactionState = (typeof PUBLIC_TRANSACTION_STATES)[number];

export const PAYMENT_TYPES = ['card', 'ach', 'rdc', 'account'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];
/** The values `GET /transactions?payment_type=` accepts [doc]. */
export const LISTABLE_PAYMENT_TYPES = ['ach', 'card', 'rdc', 'account'] as const;

const money = (description: string) =>
  z.string().regex(SIGNED_AMOUNT).openapi({ description, example: '-30.49' });
const timestamp = (description: string) =>
  z.string().regex(TIMESTAMP_PATTERN).openapi({ description, example: '2023-12-16T19:42:05.721337+00:00' });

export const SettlementSchema = z
  .object({
    settlement_date: z.string().regex(TIMESTAMP_PATTERN).openapi({
      description: 'When this part settled. Offset written "+00" as the vendor does.',
      example: '2024-12-16T03:47:27+00',
    }),
    amount: money('The amount of this settlement (negative for a debit).'),
  })
  .openapi('Settlement');

export const CardDetailsSchema = z
  .object({
    card_id: z.string(),
    mcc: z
      .string()
      .regex(/^\d{4}$/)
      .openapi({ description: "The merchant's category code." }),
    mcc_description: z.string(),
    currency: z.string(),
    exchange_rate: z.string(),
    merchant_id: z.string(),
    merchant_name: z.string().openapi({ example: 'AMZN Mktp US*2K4L71' }),
    merchant_city: z.string(),
    merchant_state: z.string(),
    merchant_country: z.string(),
    merchant_postal_code: z.string(),
    merchant_currency: z.string(),
    merchant_amount: money(
      'The authorised amount before any conversion; kept when settlements differ from it.',
    ),
    cardholder_presence: z.boolean(),
    statement_descriptor: z.string(),
    products: z.array(z.string()).optional(),
    settlements: z
      .array(SettlementSchema)
      .optional()
      .openapi({ description: 'One entry per settlement, present from the first settlement on.' }),
  })
  .openapi('CardTransactionDetails');

export const AchDetailsSchema = z
  .object({
    external_account_id: z.string(),
    class_code: z.string().openapi({ example: 'ppd' }),
    direction: z.enum(['credit', 'debit']),
    network: z.literal('ach'),
    description: z.string(),
    failure_reason: z.string().optional(),
    return_code: z.string().optional(),
    products: z.array(z.string()).optional(),
  })
  .openapi('AchTransactionDetails');

/**
 * [choice] vendor-docs 003 names rdc (remote deposit capture: a check deposited by photo) as a
 * payment type but shows no details object for it; these are the fields a check deposit needs.
 */
export const RdcDetailsSchema = z
  .object({
    check_number: z.string().openapi({ example: '1042' }),
    deposit_channel: z.literal('mobile'),
    direction: z.literal('credit'),
    description: z.string().openapi({ example: 'Mobile check deposit' }),
    failure_reason: z.string().optional(),
  })
  .openapi('RdcTransactionDetails');

/** [choice] vendor-docs 003 does not list the fields of an account-to-account payment. */
export const AccountPaymentDetailsSchema = z
  .object({
    origination_account_id: z.string(),
    destination_account_id: z.string(),
    direction: z.enum(['credit', 'debit']),
    description: z.string(),
  })
  .openapi('AccountPaymentDetails');

export const TransactionDetailsSchema = z.union([
  CardDetailsSchema,
  AchDetailsSchema,
  RdcDetailsSchema,
  AccountPaymentDetailsSchema,
]);

export const TransactionSchema = z
  .object({
    transaction_id: z.string().openapi({ example: 'b07b0290-47ff-47a0-9e70-4668508a8018' }),
    bond_brand_id: z.string(),
    customer_id: z.string(),
    account_id: z.string(),
    payment_type: z.enum(PAYMENT_TYPES),
    transaction_type: z.string().openapi({ description: 'Varies by payment type, e.g. "POS Purchase".' }),
    previous_transaction_id: z.string().nullable(),
    state: z.enum(PUBLIC_TRANSACTION_STATES),
    description: z.string(),
    amount: money(
      'Signed amount in USD; debits are negative. For a multi-settlement purchase, the sum of its settlements.',
    ),
    currency: z.literal('USD'),
    created_time: timestamp('When the transaction was initiated (time at the POS for a card swipe).'),
    updated_time: timestamp('When the transaction last changed.'),
    balances: z
      .object({
        prior_balance: money('The "current" balance: completed transactions only.'),
        new_balance: money('The "available" balance: pending and completed transactions.'),
      })
      .openapi({ description: 'Account balances right after this transaction last changed.' }),
    details: TransactionDetailsSchema,
  })
  .openapi('Transaction');

export type Transaction = z.infer<typeof TransactionSchema>;
export type CardDetails = z.infer<typeof CardDetailsSchema>;
export type AchDetails = z.infer<typeof AchDetailsSchema>;
export type AccountPaymentDetails = z.infer<typeof AccountPaymentDetailsSchema>;
export type RdcDetails = z.infer<typeof RdcDetailsSchema>;
export type TransactionDetails = z.infer<typeof TransactionDetailsSchema>;
export type Settlement = z.infer<typeof SettlementSchema>;

const dateQuery = (name: string, description: string) =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${name} must be a date in the form YYYY-MM-DD` })
    .optional()
    .openapi({ param: { name, in: 'query' }, description, example: '2024-01-31' });

export const TransactionListQuerySchema = z.object({
  customer_id: idQuery('customer_id', 'Only this customer’s transactions.'),
  account_id: idQuery('account_id', 'Only this account’s transactions.'),
  payment_type: z
    .enum(LISTABLE_PAYMENT_TYPES, {
      error: `payment_type must be one of ${LISTABLE_PAYMENT_TYPES.join(', ')}`,
    })
    .optional()
    .openapi({ param: { name: 'payment_type', in: 'query' } }),
  start_date: dateQuery('start_date', 'Created on or after this UTC date (inclusive).'),
  end_date: dateQuery('end_date', 'Created on or before this UTC date (inclusive).'),
  page: pageQuery,
  count: countQuery,
  order_by: z
    .enum(['asc', 'desc'], { error: 'order_by must be asc or desc' })
    .optional()
    .openapi({
      param: { name: 'order_by', in: 'query' },
      description: 'By created_time; default desc (newest first).',
    }),
  transaction_state: z
    .enum(TRANSACTION_STATES, { error: `transaction_state must be one of ${TRANSACTION_STATES.join(', ')}` })
    .optional()
    .openapi({
      param: { name: 'transaction_state', in: 'query' },
      description: '`failed` is accepted but never matches: failed transactions are not returned.',
    }),
});

export const TransactionPageSchema = z
  .object({ ...pageEnvelopeFields, transactions: z.array(TransactionSchema) })
  .openapi('TransactionPage');

export const TransactionIdParamSchema = z.object({
  transaction_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'transaction_id', in: 'path' } }),
});
