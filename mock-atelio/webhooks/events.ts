import { z } from '@hono/zod-openapi';
import { TIMESTAMP_PATTERN } from '../shared/time';
import { TransactionSchema, type Transaction } from '../transactions/schema';
import type { AtelioStoreEvents } from '../store/store';

/**
 * Builders for the bodies Atelio POSTs to subscribers. Pure: the same transaction gives the same
 * bytes, which is what lets a scenario replay produce byte-identical deliveries. Signing and
 * delivery belong to core/webhooks.
 */

export const TRANSACTIONS_EVENT = 'transactions' as const;

/** `transactions` event: the transaction object plus `event` and `occurred_at` [doc]/[choice]. */
export const TransactionsWebhookEventSchema = TransactionSchema.extend({
  event: z.literal(TRANSACTIONS_EVENT),
  occurred_at: z
    .string()
    .regex(TIMESTAMP_PATTERN)
    .openapi({ description: 'When the change happened: the transaction’s updated_time.' }),
}).openapi('TransactionsWebhookEvent');

export type TransactionsWebhookEvent = z.infer<typeof TransactionsWebhookEventSchema>;

/**
 * The `transactions` webhook body for a new or changed transaction. `occurred_at` defaults to the
 * transaction's `updated_time`, which the store keeps strictly increasing per transaction, so
 * receivers can de-duplicate on (event, occurred_at, transaction_id).
 */
export function buildTransactionsEvent(
  transaction: Transaction,
  occurredAt?: string,
): TransactionsWebhookEvent {
  if ((transaction.state as string) === 'failed') {
    // Atelio never sends failed transactions; refusing here keeps a wiring mistake from leaking one.
    throw new Error(
      `Transaction ${transaction.transaction_id} is failed; failed transactions are never sent`,
    );
  }
  return { ...transaction, event: TRANSACTIONS_EVENT, occurred_at: occurredAt ?? transaction.updated_time };
}

/** The webhook (event name and body) a store event calls for, or undefined when it calls for none. */
export function webhookForStoreEvent<K extends keyof AtelioStoreEvents>(
  name: K,
  payload: AtelioStoreEvents[K],
): { eventType: typeof TRANSACTIONS_EVENT; body: TransactionsWebhookEvent } | undefined {
  if (name === 'transaction-created' || name === 'transaction-updated') {
    const { transaction } = payload as AtelioStoreEvents['transaction-created'];
    return { eventType: TRANSACTIONS_EVENT, body: buildTransactionsEvent(transaction) };
  }
  return undefined;
}

export const atelioEvents = { transactions: buildTransactionsEvent } as const;
