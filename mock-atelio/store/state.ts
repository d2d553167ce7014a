import { z } from '@hono/zod-openapi';
import { AccountSchema, type Account } from '../accounts/schema';
import { CardSchema, type Card } from '../cards/schema';
import { CustomerSchema, type Customer } from '../customers/schema';
import {
  TRANSACTION_STATES,
  TransactionSchema,
  type Transaction,
  type TransactionState,
} from '../transactions/schema';
import { MAX_EPOCH_MS, MAX_IMPORTED_MAGNITUDE, withBoundedNumbers } from '../../core/imported-numbers';
import { WebhookSubscriptionSchema, type WebhookSubscription } from '../webhooks/schema';

/**
 * The store's records and their exported form. Records are plain JSON on purpose: exporting the
 * whole bank for `GET /api/state` is a deep copy, and importing is a validation plus a copy back.
 */

export interface AccountRecord {
  account: Omit<Account, 'balance' | 'cards'>;
  openingCents: number;
  currentCents: number;
  availableCents: number;
  cardIds: string[];
}

/** A transaction as the store keeps it: the wire object plus the numbers it is derived from. */
export interface TransactionRecord {
  seq: number;
  createdMs: number;
  updatedMs: number;
  state: TransactionState;
  /** The top-level amount, signed (debits negative). */
  amountCents: number;
  /** Card purchases: the authorised (merchant) amount, signed. Otherwise equal to amountCents. */
  authorisedCents: number;
  /** Sum of settlements so far, signed. */
  settledCents: number;
  failureReason?: string;
  /** The object the API returns, except that `state` may be `failed` here. */
  wire: Omit<Transaction, 'state'> & { state: TransactionState };
}

export const STORE_STATE_VERSION = 1;

export interface StoreState {
  version: typeof STORE_STATE_VERSION;
  seed: number;
  brandId: string;
  programId: string;
  seq: number;
  customers: Customer[];
  accounts: AccountRecord[];
  cards: Card[];
  transactions: TransactionRecord[];
  subscriptions: WebhookSubscription[];
}

/** Amounts in cents: whole, within ±10^12 so balances and sums stay exact. */
const cents = z.number().int().min(-MAX_IMPORTED_MAGNITUDE).max(MAX_IMPORTED_MAGNITUDE);
/** A time the vendor's timestamp format can print: years 1970 to 9999. */
const epochMs = z.number().int().min(0).max(MAX_EPOCH_MS);
/** Counters that number records: non-negative, far from the end of exact integers. */
const counter = z.number().int().min(0).max(MAX_IMPORTED_MAGNITUDE);

/** Every number, named here or inside the wire objects, is bounded (core/imported-numbers). */
export const StoreStateSchema = withBoundedNumbers(
  z.object({
    version: z.literal(STORE_STATE_VERSION),
    seed: counter,
    brandId: z.string(),
    programId: z.string(),
    seq: counter,
    customers: z.array(CustomerSchema),
    accounts: z.array(
      z.object({
        account: AccountSchema.omit({ balance: true, cards: true }),
        openingCents: cents,
        currentCents: cents,
        availableCents: cents,
        cardIds: z.array(z.string()),
      }),
    ),
    cards: z.array(CardSchema),
    transactions: z.array(
      z.object({
        seq: counter.min(1),
        createdMs: epochMs,
        updatedMs: epochMs,
        state: z.enum(TRANSACTION_STATES),
        amountCents: cents,
        authorisedCents: cents,
        settledCents: cents,
        failureReason: z.string().optional(),
        wire: TransactionSchema.extend({ state: z.enum(TRANSACTION_STATES) }),
      }),
    ),
    subscriptions: z.array(WebhookSubscriptionSchema),
  }),
);
