import type { Account } from '../accounts/schema';
import type { Card } from '../cards/schema';
import type { Customer } from '../customers/schema';
import { doesNotExist } from './errors';
import { formatCents } from '../shared/money';
import type { Transaction } from '../transactions/schema';
import type { AtelioContext } from './context';
import type { AccountRecord, TransactionRecord } from './state';

/** Lookups that throw when a record is missing, and the API forms of the records. */

const clone = <T>(value: T): T => structuredClone(value);

export function requireCustomer(ctx: AtelioContext, id: string): Customer {
  const customer = ctx.customers.get(id);
  if (!customer) throw doesNotExist('customer', id);
  return customer;
}

export function requireAccount(ctx: AtelioContext, id: string): AccountRecord {
  const account = ctx.accounts.get(id);
  if (!account) throw doesNotExist('account', id);
  return account;
}

export function requireCard(ctx: AtelioContext, id: string): Card {
  const card = ctx.cards.get(id);
  if (!card) throw doesNotExist('card', id);
  return card;
}

/** Failed transactions do not exist as far as anyone outside the store can tell. */
export function requireTransaction(ctx: AtelioContext, id: string): TransactionRecord {
  const record = ctx.transactions.get(id);
  if (!record || record.state === 'failed') throw doesNotExist('transaction', id);
  return record;
}

export function accountView(record: AccountRecord): Account {
  return {
    ...record.account,
    balance: {
      current_balance: formatCents(record.currentCents),
      available_balance: formatCents(record.availableCents),
      currency: 'USD',
    },
    cards: [...record.cardIds],
  };
}

/**
 * The API form of a transaction. `share` hands out the record's own object instead of a copy: only
 * for a response serialised at once (copying 50 transactions dominates a list request).
 */
export function publicTransaction(record: TransactionRecord, share = false): Transaction {
  return (share ? record.wire : clone(record.wire)) as Transaction;
}
