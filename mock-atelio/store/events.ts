import type { Account } from '../accounts/schema';
import type { Card, CardStatus } from '../cards/schema';
import type { Customer } from '../customers/schema';
import type { PublicTransactionState, Transaction } from '../transactions/schema';
import type { WebhookSubscription } from '../webhooks/schema';
import type { TransactionChange } from './types';

export type AtelioStoreEvents = {
  'customer-created': { customer: Customer };
  'account-created': { account: Account };
  'card-created': { card: Card };
  'card-updated': { card: Card; previousStatus: CardStatus };
  /** A new transaction. Its body is what `GET /transactions/{id}` returns and what the `transactions` webhook sends. */
  'transaction-created': { transaction: Transaction };
  /** A change to an existing transaction; `settlement` is set when the change was a (partial) settlement. */
  'transaction-updated': {
    transaction: Transaction;
    previousState: PublicTransactionState;
    change: TransactionChange;
    settlement?: { amount: string; settlement_date: string };
  };
  /**
   * A pending transaction failed. Atelio never returns or sends failed transactions, so this is
   * for observers only: nothing may turn it into a webhook.
   */
  'transaction-failed': { transactionId: string; customerId: string; accountId: string; reason: string };
  'webhook-subscription-changed': {
    subscription: WebhookSubscription;
    change: 'created' | 'updated' | 'deleted';
  };
  /** The store went back to its seeded baseline or loaded a saved state. */
  reset: { reason: 'reset' | 'import' };
};
