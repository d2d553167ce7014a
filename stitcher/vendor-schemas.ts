/**
 * The stitcher's own narrow view of the vendors' wire formats: exactly the fields it reads, written
 * from the vendors' documentation (vendor-docs 000/003 and the platform's VENDOR-FACTS). Objects
 * strip unknown keys instead of failing, so a vendor adding fields never breaks the integration.
 */
import { z } from 'zod';

const text = z.string();
const maybeText = z.string().nullish();
/** Atomic sends amounts as numbers; Atelio as decimal strings ("-30.49", sometimes ""). */
const amountLike = z.union([z.string(), z.number()]);

// ---------- Atomic ----------

export const AtomicPaymentMethodSchema = z
  .union([z.string(), z.object({ type: maybeText, lastFour: maybeText, brand: maybeText })])
  .nullish();

export const AtomicProductSchema = z.object({
  description: maybeText,
  amount: z.number().nullish(),
  returnBy: maybeText,
});
export type AtomicProduct = z.infer<typeof AtomicProductSchema>;

export const AtomicOrderSchema = z.object({
  _id: text.min(1),
  sourceId: maybeText,
  date: text,
  amount: z.number(),
  paymentMethod: AtomicPaymentMethodSchema,
  products: z.array(AtomicProductSchema).nullish(),
});
export type AtomicOrder = z.infer<typeof AtomicOrderSchema>;

/** `GET /pay-link/accounts/:id` → `{data: account}`. Orders are checked one by one (see the client). */
export const AtomicAccountSchema = z.object({
  _id: text.min(1),
  connectionStatus: text,
  lastSyncedAt: maybeText,
  company: z.object({ _id: maybeText, name: maybeText }).nullish(),
  orders: z.array(z.unknown()).nullish(),
});
export const AtomicAccountResponseSchema = z.object({ data: AtomicAccountSchema });

/** Atomic error body: `{code, message}`. */
export const AtomicErrorSchema = z.object({ code: z.number().optional(), message: z.string().optional() });

/** Every Atomic webhook: `{eventType, eventTime, user: {_id, identifier}, data, task?, company?}`. */
export const AtomicWebhookSchema = z.object({
  eventType: text.min(1),
  eventTime: maybeText,
  user: z.object({ _id: maybeText, identifier: text.min(1) }),
  data: z.unknown(),
  task: maybeText,
  company: z.object({ _id: maybeText, name: maybeText }).nullish(),
});
export type AtomicWebhook = z.infer<typeof AtomicWebhookSchema>;

export const PayLinkAccountsUpdatedDataSchema = z.object({
  accounts: z.array(z.object({ _id: text.min(1), updateType: maybeText })),
});

export const TaskStatusUpdatedDataSchema = z.object({
  status: text,
  previousStatus: maybeText,
  failReason: maybeText,
});

// ---------- Atelio ----------

export const AtelioSettlementSchema = z.object({ settlement_date: maybeText, amount: amountLike });

export const AtelioTransactionSchema = z.object({
  transaction_id: text.min(1),
  customer_id: maybeText,
  payment_type: maybeText,
  transaction_type: maybeText,
  /** A refund's pointer to the purchase it refunds. */
  previous_transaction_id: maybeText,
  state: text,
  amount: amountLike,
  currency: maybeText,
  created_time: text,
  updated_time: maybeText,
  description: maybeText,
  details: z
    .object({
      card_id: maybeText,
      merchant_name: maybeText,
      statement_descriptor: maybeText,
      merchant_amount: amountLike.nullish(),
      settlements: z.array(AtelioSettlementSchema).nullish(),
    })
    .nullish(),
});
export type AtelioTransaction = z.infer<typeof AtelioTransactionSchema>;

/** `GET /transactions` page. Transactions are checked one by one (see the client). */
export const AtelioTransactionPageSchema = z.object({
  page: z.number().int(),
  pages: z.number().int(),
  next_page: z.number().int().nullable().optional(),
  transactions: z.array(z.unknown()),
});

export const AtelioCardSchema = z.object({ card_id: text.min(1), last_four: maybeText });
export type AtelioCard = z.infer<typeof AtelioCardSchema>;

/** Atelio error body: `{Message, Status, Code, Type}`. */
export const AtelioErrorSchema = z.object({
  Message: z.string().optional(),
  Status: z.number().optional(),
  Code: z.string().optional(),
  Type: z.string().optional(),
});

/** A webhook body: the resource plus `event` and `occurred_at`. Only the keys used for routing and de-duplication. */
export const AtelioWebhookSchema = z.object({
  event: text.min(1),
  occurred_at: text.min(1),
  transaction_id: maybeText,
  customer_id: maybeText,
});
export type AtelioWebhook = z.infer<typeof AtelioWebhookSchema>;
