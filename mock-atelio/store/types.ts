import type { VendorStoreOptions } from '../../core/vendor-store';
import type { CardStatus } from '../cards/schema';
import type { Address } from '../customers/schema';
import type { PageRequest } from '../shared/pagination';
import type { TimeInput } from '../shared/time';
import type { LISTABLE_PAYMENT_TYPES } from '../transactions/schema';
import { type TransactionState } from '../transactions/schema';
import type { BaselineOptions } from './baseline';

/** The Atelio store's options and inputs. */

export interface AtelioStoreOptions extends VendorStoreOptions {
  /** The seeded baseline (customers, cards, 60 days of history); `false` starts empty. */
  baseline?: false | BaselineOptions;
}

/** What a transaction update was, for listeners that care (the dashboard, scenario timelines). */
export type TransactionChange =
  'processing' | 'settled' | 'completed' | 'declined' | 'cancelled' | 'returned';

export interface CreateCustomerInput {
  /** Any non-empty string; cross-vendor scenarios use the Atomic user identifier. Generated when absent. */
  customerId?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
  /** YYYY-MM-DD */
  dob?: string;
  email?: string;
  phone?: string;
  address?: Partial<Address>;
  at?: TimeInput;
}

export interface CreateAccountInput {
  customerId: string;
  accountId?: string;
  description?: string;
  /** Funds the account holds before any transaction; no transaction is recorded for it. Default 0. */
  openingBalance?: string | number;
  at?: TimeInput;
}

export interface CreateCardInput {
  accountId: string;
  cardId?: string;
  /** Four digits; generated when absent. */
  lastFour?: string;
  status?: CardStatus;
  cardType?: 'virtual' | 'physical';
  network?: string;
  at?: TimeInput;
}

export interface CreateCustomerWithCardInput {
  customerId?: string;
  accountId?: string;
  cardId?: string;
  lastFour?: string;
  firstName?: string;
  lastName?: string;
  openingBalance?: string | number;
  cardType?: 'virtual' | 'physical';
  at?: TimeInput;
}

export interface AuthorizeCardPurchaseInput {
  cardId: string;
  /** The purchase amount as a positive number or decimal string; it is recorded as a debit. */
  amount: string | number;
  merchantName: string;
  merchantCity?: string;
  merchantState?: string;
  merchantZipCode?: string;
  merchantCountry?: string;
  mcc?: string;
  /** The merchant id; generated (15 digits) when absent. */
  mid?: string;
  statementDescriptor?: string;
  cardholderPresence?: boolean;
  products?: string[];
  /** When the card was used (the transaction's created_time); defaults to now. */
  transactionDatetime?: TimeInput;
  /** Force a decline (otherwise declined only when the card is not active or funds are short). */
  decline?: boolean;
  transactionId?: string;
  /** When the network reported it (updated_time); defaults to now. */
  at?: TimeInput;
}

export interface SettleInput {
  /** Settle only this much (positive); the whole unsettled remainder when absent. */
  amount?: string | number;
  at?: TimeInput;
  /**
   * The merchant's final capture may exceed what is still held (a tax adjusted up by a few cents
   * after the authorisation). Only the platform's own world uses it; the API cannot ask for it.
   */
  finalCapture?: boolean;
}

export interface AchTransferInput {
  accountId: string;
  /** credit: money in; debit: money out. */
  direction: 'credit' | 'debit';
  amount: string | number;
  description?: string;
  externalAccountId?: string;
  classCode?: string;
  /**
   * Default pending, as ACH takes days; `start` is a transfer initiated and not yet submitted;
   * `completed` records a transfer that already posted.
   */
  state?: 'start' | 'pending' | 'completed';
  transactionId?: string;
  at?: TimeInput;
}

export interface CheckDepositInput {
  accountId: string;
  amount: string | number;
  /** Generated (4 digits) when absent. */
  checkNumber?: string;
  description?: string;
  /**
   * Default `start`: the check was scanned and waits for review. `pending`: accepted, funds on
   * hold; `completed`: the funds are available.
   */
  state?: 'start' | 'pending' | 'completed';
  transactionId?: string;
  at?: TimeInput;
}

export interface AccountTransferInput {
  fromAccountId: string;
  toAccountId: string;
  amount: string | number;
  description?: string;
  /** Default completed: transfers between accounts on the platform post at once. */
  state?: 'pending' | 'completed';
  at?: TimeInput;
}

export interface ReturnInput {
  /** ACH return code such as "R01"; ACH returns default to R01 (insufficient funds). */
  returnCode?: string;
  reason?: string;
  at?: TimeInput;
}

export interface TransactionQuery extends PageRequest {
  customerId?: string | undefined;
  accountId?: string | undefined;
  paymentType?: (typeof LISTABLE_PAYMENT_TYPES)[number] | undefined;
  /** YYYY-MM-DD, inclusive. */
  startDate?: string | undefined;
  /** YYYY-MM-DD, inclusive. */
  endDate?: string | undefined;
  orderBy?: 'asc' | 'desc' | undefined;
  state?: TransactionState | undefined;
}
