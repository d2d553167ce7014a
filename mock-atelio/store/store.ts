import type { Clock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { createRandom, type SeededRandom } from '../../core/random';
import type { Account } from '../accounts/schema';
import type { Balance } from '../balances/schema';
import type { Card, CardStatus } from '../cards/schema';
import { CARD_STATUSES } from '../cards/schema';
import type { Address, Customer } from '../customers/schema';
import { AtelioError, doesNotExist, invalidRequest } from '../shared/errors';
import { formatCents, parsePositiveAmount } from '../shared/money';
import { paginate, type Page, type PageRequest } from '../shared/pagination';
import {
  DAY_MS,
  formatSettlementDate,
  formatTimestamp,
  parseDateOnly,
  toMs,
  type TimeInput,
} from '../shared/time';
import { parseOrThrow } from '../shared/validation';
import type {
  AccountPaymentDetails,
  AchDetails,
  CardDetails,
  PublicTransactionState,
  Transaction,
  TransactionState,
} from '../transactions/schema';
import { LISTABLE_PAYMENT_TYPES, TRANSACTION_STATES } from '../transactions/schema';
import { eventMatches } from '../webhooks/event-names';
import {
  WebhookSubscriptionCreateSchema,
  WebhookSubscriptionUpdateSchema,
  type WebhookSubscription,
  type WebhookSubscriptionCreate,
  type WebhookSubscriptionUpdate,
} from '../webhooks/schema';
import { seedBaseline, type BaselineOptions } from './baseline';
import { canTransition, contribution } from './ledger';
import { mccDescription, statementDescriptorFor } from './merchants';
import {
  StoreStateSchema,
  STORE_STATE_VERSION,
  type AccountRecord,
  type StoreState,
  type TransactionRecord,
} from './state';

export interface AtelioStoreOptions {
  seed: number;
  clock: Clock;
  /** Where generated ids and data come from; defaults to `createRandom(seed)`. */
  random?: SeededRandom;
  /** The seeded baseline (customers, cards, 60 days of history); `false` starts empty. */
  baseline?: false | BaselineOptions;
}

/** What a transaction update was, for listeners that care (the dashboard, scenario timelines). */
export type TransactionChange = 'settled' | 'completed' | 'declined' | 'cancelled' | 'returned';

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
}

export interface AchTransferInput {
  accountId: string;
  /** credit: money in; debit: money out. */
  direction: 'credit' | 'debit';
  amount: string | number;
  description?: string;
  externalAccountId?: string;
  classCode?: string;
  /** Default pending, as ACH takes days; `completed` records a transfer that already posted. */
  state?: 'pending' | 'completed';
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

/** Ids may be any caller-chosen text (e.g. an Atomic user identifier, up to 256 characters) without control characters. */
const isAcceptableId = (id: unknown): id is string =>
  typeof id === 'string' &&
  id.length >= 1 &&
  id.length <= 256 &&
  [...id].every((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f);

function checkId(kind: string, id: string): string {
  if (!isAcceptableId(id)) {
    throw invalidRequest(
      `${kind} id must be 1 to 256 characters without control characters; got ${JSON.stringify(id)}`,
    );
  }
  return id;
}

const clone = <T>(value: T): T => structuredClone(value);

/** Inserts keeping `list` ordered by (createdMs, seq): binary search, then splice. */
function insertOrdered(list: TransactionRecord[], record: TransactionRecord): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = list[mid]!;
    if (
      other.createdMs < record.createdMs ||
      (other.createdMs === record.createdMs && other.seq < record.seq)
    ) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  list.splice(lo, 0, record);
}

/** First index whose createdMs is >= ms. */
function lowerBound(list: readonly TransactionRecord[], ms: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.createdMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Store methods that only read: calling them leaves `revision` where it is, so the responses cached
 * for the hot GET routes stay valid. Only what those routes call needs to be here — a read missing
 * from the list costs cache hits, never correctness.
 */
const READ_ONLY_METHODS = new Set<string>([
  'listTransactions',
  'getTransaction',
  'publicTransaction',
  'requireCustomer',
  'requireAccount',
]);

/**
 * The Atelio bank's state: customers, accounts, cards, transactions and webhook subscriptions.
 * The HTTP app reads and changes it; the scenario engine drives it directly through these
 * methods. Every change takes its time from the injected clock (or an explicit `at` for
 * back-filled history) and is announced on `events`.
 */
export class AtelioStore {
  readonly events = new Emitter<AtelioStoreEvents>();
  readonly seed: number;
  readonly clock: Clock;
  /** The clock time the baseline history ends at; `reset()` rebuilds exactly the same data. */
  readonly baselineAt: number;

  private random: SeededRandom;
  private readonly baselineOptions: false | BaselineOptions;
  private brandId = '';
  private programId = '';
  private seq = 0;
  private muted = false;
  private customers = new Map<string, Customer>();
  private accounts = new Map<string, AccountRecord>();
  private cards = new Map<string, Card>();
  private transactions = new Map<string, TransactionRecord>();
  /** All transactions ordered by (created time, creation order). */
  private ordered: TransactionRecord[] = [];
  private subscriptions = new Map<string, WebhookSubscription>();
  private changes = 0;

  /**
   * A number that moves on with every change to the store's state, so a response cached at one
   * revision is exactly what the store would serve now. Every method not in READ_ONLY_METHODS —
   * public or private, today's or tomorrow's — counts as a change when it returns or throws: a new
   * method is counted by default, never missed.
   */
  get revision(): number {
    return this.changes;
  }

  static {
    for (const name of Object.getOwnPropertyNames(AtelioStore.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(AtelioStore.prototype, name)!;
      const method: unknown = descriptor.value;
      if (name === 'constructor' || READ_ONLY_METHODS.has(name) || typeof method !== 'function') continue;
      Object.defineProperty(AtelioStore.prototype, name, {
        ...descriptor,
        value: function (this: AtelioStore, ...args: unknown[]) {
          try {
            return (method as (...a: unknown[]) => unknown).apply(this, args);
          } finally {
            this.changes++;
          }
        },
      });
    }
  }

  constructor(options: AtelioStoreOptions) {
    this.seed = options.seed;
    this.clock = options.clock;
    this.random = options.random ?? createRandom(options.seed);
    this.baselineOptions = options.baseline ?? {};
    this.baselineAt = options.clock.now();
    this.populate();
  }

  /** Brand id stamped on every transaction (`bond_brand_id`). */
  get bondBrandId(): string {
    return this.brandId;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Back to the seeded baseline, identical to the one built at construction. Webhook subscriptions
   * are dropped unless `keepWebhookRegistrations` (configuration, not data) keeps them.
   */
  reset(options: { keepWebhookRegistrations?: boolean } = {}): void {
    const kept = options.keepWebhookRegistrations ? [...this.subscriptions.values()].map(clone) : [];
    this.random = createRandom(this.random.seed);
    this.populate();
    for (const subscription of kept) this.subscriptions.set(subscription.id, subscription);
    this.events.emit('reset', { reason: 'reset' });
  }

  private clear(): void {
    this.seq = 0;
    this.customers.clear();
    this.accounts.clear();
    this.cards.clear();
    this.transactions.clear();
    this.ordered = [];
    this.subscriptions.clear();
  }

  private populate(): void {
    this.clear();
    const ids = this.random.fork('brand');
    this.brandId = ids.uuid();
    this.programId = ids.uuid();
    if (this.baselineOptions === false) return;
    this.muted = true;
    try {
      seedBaseline(this, this.random.fork('baseline'), this.baselineAt, this.baselineOptions);
    } finally {
      this.muted = false;
    }
  }

  /** The whole state as plain JSON (for `GET /api/state`); `importState` takes it back. */
  exportState(): StoreState {
    return clone({
      version: STORE_STATE_VERSION,
      seed: this.seed,
      brandId: this.brandId,
      programId: this.programId,
      seq: this.seq,
      customers: [...this.customers.values()],
      accounts: [...this.accounts.values()],
      cards: [...this.cards.values()],
      transactions: this.ordered,
      subscriptions: [...this.subscriptions.values()],
    });
  }

  /** Replaces the whole state with an exported one; throws a 400 AtelioError naming what is wrong. */
  importState(state: unknown): void {
    const parsed = parseOrThrow(StoreStateSchema, state, 'state') as StoreState;
    this.clear();
    this.brandId = parsed.brandId;
    this.programId = parsed.programId;
    this.seq = parsed.seq;
    for (const customer of parsed.customers) this.customers.set(customer.customer_id, clone(customer));
    for (const account of parsed.accounts) this.accounts.set(account.account.account_id, clone(account));
    for (const card of parsed.cards) this.cards.set(card.card_id, clone(card));
    for (const record of parsed.transactions) {
      const copy = clone(record) as TransactionRecord;
      this.transactions.set(copy.wire.transaction_id, copy);
      insertOrdered(this.ordered, copy);
    }
    for (const subscription of parsed.subscriptions)
      this.subscriptions.set(subscription.id, clone(subscription));
    this.events.emit('reset', { reason: 'import' });
  }

  // ---------------------------------------------------------------- helpers

  private emit<K extends keyof AtelioStoreEvents>(event: K, payload: AtelioStoreEvents[K]): void {
    if (!this.muted) this.events.emit(event, payload);
  }

  private timeOf(at: TimeInput | undefined): number {
    return at === undefined ? this.clock.now() : toMs(at);
  }

  private newId(chosen: string | undefined, kind: string, taken: Map<string, unknown>): string {
    if (chosen !== undefined) {
      checkId(kind, chosen);
      if (taken.has(chosen))
        throw new AtelioError(400, 'resource_conflict', `${kind} ${chosen} already exists.`);
      return chosen;
    }
    let id = this.random.uuid();
    while (taken.has(id)) id = this.random.uuid();
    return id;
  }

  private requireCustomer(id: string): Customer {
    const customer = this.customers.get(id);
    if (!customer) throw doesNotExist('customer', id);
    return customer;
  }

  private requireAccount(id: string): AccountRecord {
    const account = this.accounts.get(id);
    if (!account) throw doesNotExist('account', id);
    return account;
  }

  private requireCard(id: string): Card {
    const card = this.cards.get(id);
    if (!card) throw doesNotExist('card', id);
    return card;
  }

  /** Failed transactions do not exist as far as anyone outside the store can tell. */
  private requireTransaction(id: string): TransactionRecord {
    const record = this.transactions.get(id);
    if (!record || record.state === 'failed') throw doesNotExist('transaction', id);
    return record;
  }

  private accountView(record: AccountRecord): Account {
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
  private publicTransaction(record: TransactionRecord, share = false): Transaction {
    return (share ? record.wire : clone(record.wire)) as Transaction;
  }

  // ---------------------------------------------------------------- customers, accounts, cards

  createCustomer(input: CreateCustomerInput = {}): Customer {
    const at = this.timeOf(input.at);
    const id = this.newId(input.customerId, 'Customer', this.customers);
    // Details come from a generator keyed by the id, so a chosen id always gets the same person.
    const r = this.random.fork(`customer:${id}`);
    const firstName = input.firstName ?? r.faker.person.firstName();
    const lastName = input.lastName ?? r.faker.person.lastName();
    const state = r.faker.location.state({ abbreviated: true });
    const address: Address = {
      address_type: 'PHYSICAL',
      street: r.faker.location.streetAddress(),
      street2: '',
      city: r.faker.location.city(),
      state,
      zip_code: r.faker.location.zipCode('#####'),
      country: 'US',
      is_primary: true,
      ...input.address,
    };
    const stamp = formatTimestamp(at);
    const customer: Customer = {
      customer_id: id,
      first_name: firstName,
      middle_name: input.middleName ?? '',
      last_name: lastName,
      dob:
        input.dob ??
        r.faker.date.birthdate({ min: 21, max: 70, mode: 'age', refDate: at }).toISOString().slice(0, 10),
      email: input.email ?? r.faker.internet.email({ firstName, lastName }).toLowerCase(),
      phone: input.phone ?? r.faker.string.numeric({ length: 10, allowLeadingZeros: false }),
      addresses: [address],
      date_created: stamp,
      date_updated: stamp,
    };
    this.customers.set(id, customer);
    this.emit('customer-created', { customer: clone(customer) });
    return clone(customer);
  }

  createAccount(input: CreateAccountInput): Account {
    this.requireCustomer(input.customerId);
    const at = this.timeOf(input.at);
    const id = this.newId(input.accountId, 'Account', this.accounts);
    const r = this.random.fork(`account:${id}`);
    let openingCents = 0;
    if (input.openingBalance !== undefined && Number(input.openingBalance) !== 0) {
      openingCents = parsePositiveAmount(input.openingBalance, 'openingBalance');
    }
    const stamp = formatTimestamp(at);
    const record: AccountRecord = {
      account: {
        account_id: id,
        customer_id: input.customerId,
        program_id: this.programId,
        type: 'deposit',
        status: 'active',
        routing_number: '014175741',
        account_number: r.faker.string.numeric({ length: 14, allowLeadingZeros: false }),
        description: input.description ?? 'Checking',
        date_created: stamp,
        date_updated: stamp,
      },
      openingCents,
      currentCents: openingCents,
      availableCents: openingCents,
      cardIds: [],
    };
    this.accounts.set(id, record);
    const account = this.accountView(record);
    this.emit('account-created', { account: clone(account) });
    return account;
  }

  createCard(input: CreateCardInput): Card {
    const account = this.requireAccount(input.accountId);
    const at = this.timeOf(input.at);
    if (input.lastFour !== undefined && !/^\d{4}$/.test(input.lastFour)) {
      throw invalidRequest(`lastFour must be four digits; got ${JSON.stringify(input.lastFour)}`);
    }
    if (input.status !== undefined && !CARD_STATUSES.includes(input.status)) {
      throw invalidRequest(`status must be one of ${CARD_STATUSES.join(', ')}`);
    }
    const id = this.newId(input.cardId, 'Card', this.cards);
    const r = this.random.fork(`card:${id}`);
    const expires = new Date(at);
    const stamp = formatTimestamp(at);
    const card: Card = {
      card_id: id,
      account_id: account.account.account_id,
      customer_id: account.account.customer_id,
      last_four: input.lastFour ?? r.faker.string.numeric(4),
      status: input.status ?? 'active',
      card_type: input.cardType ?? 'virtual',
      network: input.network ?? 'Visa',
      expiry_date: `${String(expires.getUTCMonth() + 1).padStart(2, '0')}/${String((expires.getUTCFullYear() + 4) % 100).padStart(2, '0')}`,
      date_created: stamp,
      date_updated: stamp,
    };
    this.cards.set(id, card);
    account.cardIds.push(id);
    this.emit('card-created', { card: clone(card) });
    return clone(card);
  }

  /** The usual set-up in one call: a customer with one funded account and one card. */
  createCustomerWithCard(input: CreateCustomerWithCardInput = {}): {
    customer: Customer;
    account: Account;
    card: Card;
  } {
    // Validate everything chosen before creating anything, so a bad input leaves no half-made customer.
    for (const [kind, id, taken] of [
      ['Customer', input.customerId, this.customers],
      ['Account', input.accountId, this.accounts],
      ['Card', input.cardId, this.cards],
    ] as const) {
      if (id === undefined) continue;
      checkId(kind, id);
      if (taken.has(id)) throw new AtelioError(400, 'resource_conflict', `${kind} ${id} already exists.`);
    }
    if (input.lastFour !== undefined && !/^\d{4}$/.test(input.lastFour)) {
      throw invalidRequest(`lastFour must be four digits; got ${JSON.stringify(input.lastFour)}`);
    }
    if (input.openingBalance !== undefined && Number(input.openingBalance) !== 0) {
      parsePositiveAmount(input.openingBalance, 'openingBalance');
    }
    const at = this.timeOf(input.at);
    const customer = this.createCustomer({
      ...(input.customerId !== undefined && { customerId: input.customerId }),
      ...(input.firstName !== undefined && { firstName: input.firstName }),
      ...(input.lastName !== undefined && { lastName: input.lastName }),
      at,
    });
    const { account_id: accountId } = this.createAccount({
      customerId: customer.customer_id,
      ...(input.accountId !== undefined && { accountId: input.accountId }),
      openingBalance: input.openingBalance ?? '5000.00',
      at,
    });
    const card = this.createCard({
      accountId,
      ...(input.cardId !== undefined && { cardId: input.cardId }),
      ...(input.lastFour !== undefined && { lastFour: input.lastFour }),
      ...(input.cardType !== undefined && { cardType: input.cardType }),
      at,
    });
    return { customer, account: this.accountView(this.requireAccount(accountId)), card };
  }

  setCardStatus(cardId: string, status: CardStatus, options: { at?: TimeInput } = {}): Card {
    const card = this.requireCard(cardId);
    if (!CARD_STATUSES.includes(status))
      throw invalidRequest(`status must be one of ${CARD_STATUSES.join(', ')}`);
    const previousStatus = card.status;
    card.status = status;
    card.date_updated = formatTimestamp(this.timeOf(options.at));
    this.emit('card-updated', { card: clone(card), previousStatus });
    return clone(card);
  }

  getCustomer(id: string): Customer | undefined {
    const customer = this.customers.get(id);
    return customer && clone(customer);
  }

  getAccount(id: string): Account | undefined {
    const record = this.accounts.get(id);
    return record && this.accountView(record);
  }

  getCard(id: string): Card | undefined {
    const card = this.cards.get(id);
    return card && clone(card);
  }

  /**
   * The transaction as the API shows it; undefined for unknown and for failed ones. With `share` the
   * result is the store's own object: serialise it at once, never change or keep it.
   */
  getTransaction(id: string, options: { share?: boolean } = {}): Transaction | undefined {
    const record = this.transactions.get(id);
    return record && record.state !== 'failed' ? this.publicTransaction(record, options.share) : undefined;
  }

  /** The internal state, `failed` included, for tests and the dashboard. */
  getTransactionState(id: string): TransactionState | undefined {
    return this.transactions.get(id)?.state;
  }

  listCustomers(request: PageRequest = {}): Page<Customer> {
    return paginate([...this.customers.values()], request);
  }

  listAccounts(request: PageRequest & { customerId?: string | undefined } = {}): Page<Account> {
    if (request.customerId !== undefined) this.requireCustomer(request.customerId);
    const records = [...this.accounts.values()].filter(
      (a) => request.customerId === undefined || a.account.customer_id === request.customerId,
    );
    const page = paginate(records, request);
    return { ...page, items: page.items.map((r) => this.accountView(r)) };
  }

  listCards(
    request: PageRequest & { customerId?: string | undefined; accountId?: string | undefined } = {},
  ): Page<Card> {
    if (request.customerId !== undefined) this.requireCustomer(request.customerId);
    if (request.accountId !== undefined) this.requireAccount(request.accountId);
    const cards = [...this.cards.values()].filter(
      (c) =>
        (request.customerId === undefined || c.customer_id === request.customerId) &&
        (request.accountId === undefined || c.account_id === request.accountId),
    );
    const page = paginate(cards, request);
    return { ...page, items: page.items.map(clone) };
  }

  listBalances(request: PageRequest & { customerId?: string | undefined } = {}): Page<Balance> {
    if (request.customerId !== undefined) this.requireCustomer(request.customerId);
    const records = [...this.accounts.values()].filter(
      (a) => request.customerId === undefined || a.account.customer_id === request.customerId,
    );
    const page = paginate(records, request);
    return {
      ...page,
      items: page.items.map((r) => ({
        customer_id: r.account.customer_id,
        account_id: r.account.account_id,
        current_balance: formatCents(r.currentCents),
        available_balance: formatCents(r.availableCents),
        currency: 'USD' as const,
      })),
    };
  }

  // ---------------------------------------------------------------- transactions: reading

  /**
   * `GET /transactions`: filters, inclusive UTC date range on created_time, ordering by
   * created_time (ties in creation order), then one page. Failed transactions never appear.
   * `share` as in `getTransaction`.
   */
  listTransactions(query: TransactionQuery = {}, options: { share?: boolean } = {}): Page<Transaction> {
    if (query.customerId !== undefined) this.requireCustomer(query.customerId);
    if (query.accountId !== undefined) this.requireAccount(query.accountId);
    if (query.paymentType !== undefined && !LISTABLE_PAYMENT_TYPES.includes(query.paymentType)) {
      throw invalidRequest(`payment_type must be one of ${LISTABLE_PAYMENT_TYPES.join(', ')}`);
    }
    if (query.state !== undefined && !TRANSACTION_STATES.includes(query.state)) {
      throw invalidRequest(`transaction_state must be one of ${TRANSACTION_STATES.join(', ')}`);
    }
    const dayStart = (name: string, value: string | undefined): number | undefined => {
      if (value === undefined) return undefined;
      const ms = parseDateOnly(value);
      if (ms === undefined)
        throw invalidRequest(`${name} must be a real date in the form YYYY-MM-DD; got "${value}"`);
      return ms;
    };
    const start = dayStart('start_date', query.startDate);
    const end = dayStart('end_date', query.endDate);
    if (start !== undefined && end !== undefined && start > end) {
      throw invalidRequest(`start_date ${query.startDate} is after end_date ${query.endDate}`);
    }
    const from = start === undefined ? 0 : lowerBound(this.ordered, start);
    const to = end === undefined ? this.ordered.length : lowerBound(this.ordered, end + DAY_MS);
    const matches: TransactionRecord[] = [];
    for (let i = from; i < to; i++) {
      const record = this.ordered[i]!;
      if (record.state === 'failed') continue;
      if (query.state !== undefined && record.state !== query.state) continue;
      if (query.customerId !== undefined && record.wire.customer_id !== query.customerId) continue;
      if (query.accountId !== undefined && record.wire.account_id !== query.accountId) continue;
      if (query.paymentType !== undefined && record.wire.payment_type !== query.paymentType) continue;
      matches.push(record);
    }
    if ((query.orderBy ?? 'desc') === 'desc') matches.reverse();
    const page = paginate(matches, query);
    return { ...page, items: page.items.map((r) => this.publicTransaction(r, options.share)) };
  }

  // ---------------------------------------------------------------- transactions: changing

  private record(
    account: AccountRecord,
    input: {
      id?: string | undefined;
      createdMs: number;
      atMs: number;
      state: TransactionState;
      amountCents: number;
      paymentType: Transaction['payment_type'];
      transactionType: string;
      description: string;
      previousTransactionId?: string | null;
      details: Transaction['details'];
    },
  ): TransactionRecord {
    const id = this.newId(input.id, 'Transaction', this.transactions);
    const delta = contribution(input.state, input.amountCents);
    account.currentCents += delta.current;
    account.availableCents += delta.available;
    const record: TransactionRecord = {
      seq: ++this.seq,
      createdMs: input.createdMs,
      updatedMs: input.atMs,
      state: input.state,
      amountCents: input.amountCents,
      authorisedCents: input.amountCents,
      // A transaction recorded as already completed has posted in full.
      settledCents: input.state === 'completed' ? input.amountCents : 0,
      wire: {
        transaction_id: id,
        bond_brand_id: this.brandId,
        customer_id: account.account.customer_id,
        account_id: account.account.account_id,
        payment_type: input.paymentType,
        transaction_type: input.transactionType,
        previous_transaction_id: input.previousTransactionId ?? null,
        state: input.state,
        description: input.description,
        amount: formatCents(input.amountCents),
        currency: 'USD',
        created_time: formatTimestamp(input.createdMs),
        updated_time: formatTimestamp(input.atMs),
        balances: {
          prior_balance: formatCents(account.currentCents),
          new_balance: formatCents(account.availableCents),
        },
        details: input.details,
      },
    };
    this.transactions.set(id, record);
    insertOrdered(this.ordered, record);
    if (record.state !== 'failed')
      this.emit('transaction-created', { transaction: this.publicTransaction(record) });
    return record;
  }

  /**
   * Moves a transaction to `state` with top-level amount `amountCents`, shifting its account's
   * balances by the change in contribution and stamping the new balances on it. Updates of one
   * transaction get strictly increasing `updated_time`, so receivers that de-duplicate on
   * (event, occurred_at, transaction_id) never drop a real change.
   */
  private transition(
    record: TransactionRecord,
    state: TransactionState,
    amountCents: number,
    atMs: number,
  ): number {
    const account = this.requireAccount(record.wire.account_id);
    const before = contribution(record.state, record.amountCents);
    const after = contribution(state, amountCents);
    account.currentCents += after.current - before.current;
    account.availableCents += after.available - before.available;
    const updatedMs = atMs > record.updatedMs ? atMs : record.updatedMs + 1;
    record.state = state;
    record.amountCents = amountCents;
    record.updatedMs = updatedMs;
    record.wire.state = state;
    record.wire.amount = formatCents(amountCents);
    record.wire.updated_time = formatTimestamp(updatedMs);
    record.wire.balances = {
      prior_balance: formatCents(account.currentCents),
      new_balance: formatCents(account.availableCents),
    };
    return updatedMs;
  }

  private announce(
    record: TransactionRecord,
    previousState: TransactionState,
    change: TransactionChange,
    settlement?: { amount: string; settlement_date: string },
  ): Transaction {
    const transaction = this.publicTransaction(record);
    if (previousState !== 'failed') {
      this.emit('transaction-updated', {
        transaction: this.publicTransaction(record),
        previousState,
        change,
        ...(settlement && { settlement }),
      });
    }
    return transaction;
  }

  private assertTransition(record: TransactionRecord, to: TransactionState, verb: string): void {
    if (!canTransition(record.state, to)) {
      throw new AtelioError(
        400,
        'resource_conflict',
        `Transaction ${record.wire.transaction_id} is ${record.state} and cannot be ${verb}.`,
      );
    }
  }

  /**
   * A card purchase reaching the bank: a pending `POS Purchase` debit holding the amount, or a
   * declined one when the card is not active, funds are short, or `decline` asks for it.
   */
  authorizeCardPurchase(input: AuthorizeCardPurchaseInput): Transaction {
    const card = this.requireCard(input.cardId);
    const account = this.requireAccount(card.account_id);
    const cents = parsePositiveAmount(input.amount);
    if (typeof input.merchantName !== 'string' || input.merchantName.trim() === '') {
      throw invalidRequest('merchantName is required');
    }
    if (input.mcc !== undefined && !/^\d{4}$/.test(input.mcc))
      throw invalidRequest('mcc must be four digits');
    const atMs = this.timeOf(input.at);
    const createdMs = input.transactionDatetime === undefined ? atMs : toMs(input.transactionDatetime);
    const city = input.merchantCity ?? 'New York';
    const state = input.merchantState ?? 'NY';
    const mcc = input.mcc ?? '5999';
    const details: CardDetails = {
      card_id: card.card_id,
      mcc,
      mcc_description: mccDescription(mcc),
      currency: 'USD',
      exchange_rate: '1.000000',
      // A merchant keeps one generated id, whichever transaction first needed it.
      merchant_id:
        input.mid ?? this.random.fork(`merchant:${input.merchantName}`).faker.string.numeric({ length: 15 }),
      merchant_name: input.merchantName,
      merchant_city: city,
      merchant_state: state,
      merchant_country: input.merchantCountry ?? 'US',
      merchant_postal_code: input.merchantZipCode ?? '10001',
      merchant_currency: 'USD',
      merchant_amount: formatCents(-cents),
      cardholder_presence: input.cardholderPresence ?? false,
      statement_descriptor:
        input.statementDescriptor ?? statementDescriptorFor(input.merchantName, city, state),
      ...(input.products && { products: [...input.products] }),
    };
    const declined = input.decline === true || card.status !== 'active' || account.availableCents - cents < 0;
    const record = this.record(account, {
      id: input.transactionId,
      createdMs,
      atMs,
      state: declined ? 'declined' : 'pending',
      amountCents: -cents,
      paymentType: 'card',
      transactionType: 'POS Purchase',
      description: 'POS Purchase',
      details,
    });
    return this.publicTransaction(record);
  }

  /**
   * Settles a card transaction in full or in part (vendor-docs 003 multi-settlement): the same
   * transaction becomes `completed` at its first settlement, `details.settlements` gains one
   * entry per settlement, the top-level amount is the running sum of settlements, and
   * `details.merchant_amount` keeps the authorised amount. Settling more than was authorised, or a
   * transaction that is declined, cancelled or returned, is refused with a 400.
   */
  settleTransaction(transactionId: string, input: SettleInput = {}): Transaction {
    const record = this.requireTransaction(transactionId);
    if (record.wire.payment_type !== 'card') {
      throw new AtelioError(
        400,
        'resource_conflict',
        `Transaction ${transactionId} is a ${record.wire.payment_type} payment; only card transactions settle. Use completeTransaction.`,
      );
    }
    this.assertTransition(record, 'completed', 'settled');
    const sign = Math.sign(record.authorisedCents) || -1;
    const authorised = Math.abs(record.authorisedCents);
    const settled = Math.abs(record.settledCents);
    const remaining = authorised - settled;
    if (remaining <= 0) {
      throw new AtelioError(
        400,
        'resource_conflict',
        `Transaction ${transactionId} is already fully settled.`,
      );
    }
    const cents = input.amount === undefined ? remaining : parsePositiveAmount(input.amount);
    if (cents > remaining) {
      throw new AtelioError(
        400,
        'invalid_amount',
        `Cannot settle ${formatCents(cents)} on transaction ${transactionId}: ${formatCents(authorised)} was authorised, ` +
          `${formatCents(settled)} is already settled, so at most ${formatCents(remaining)} remains.`,
      );
    }
    const previousState = record.state;
    record.settledCents += sign * cents;
    const updatedMs = this.transition(record, 'completed', record.settledCents, this.timeOf(input.at));
    const settlement = {
      settlement_date: formatSettlementDate(updatedMs),
      amount: formatCents(sign * cents),
    };
    const details = record.wire.details as CardDetails;
    details.settlements = [...(details.settlements ?? []), settlement];
    return this.announce(record, previousState, 'settled', {
      amount: settlement.amount,
      settlement_date: settlement.settlement_date,
    });
  }

  /** Posts a pending transaction: ACH and account payments complete; a card one settles its remainder. */
  completeTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    const record = this.requireTransaction(transactionId);
    if (record.wire.payment_type === 'card') return this.settleTransaction(transactionId, options);
    if (record.state !== 'pending') {
      throw new AtelioError(
        400,
        'resource_conflict',
        `Transaction ${transactionId} is ${record.state} and cannot be completed.`,
      );
    }
    const previousState = record.state;
    this.transition(record, 'completed', record.amountCents, this.timeOf(options.at));
    return this.announce(record, previousState, 'completed');
  }

  /** The issuer or network declines a pending transaction; it no longer holds funds. */
  declineTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return this.finish(transactionId, 'declined', 'declined', options.at);
  }

  /** The pending transaction is voided (customer cancelled, authorization reversed). */
  cancelTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return this.finish(transactionId, 'cancelled', 'cancelled', options.at);
  }

  /** A completed transaction is reversed; its amount no longer counts. ACH returns carry a return code. */
  returnTransaction(transactionId: string, input: ReturnInput = {}): Transaction {
    const record = this.requireTransaction(transactionId);
    this.assertTransition(record, 'returned', 'returned');
    if (record.wire.payment_type === 'ach') {
      const details = record.wire.details as AchDetails;
      details.return_code = input.returnCode ?? 'R01';
      details.failure_reason = input.reason ?? ACH_RETURN_REASONS[details.return_code] ?? 'Returned';
    }
    return this.finish(transactionId, 'returned', 'returned', input.at);
  }

  private finish(
    transactionId: string,
    state: 'declined' | 'cancelled' | 'returned',
    change: TransactionChange,
    at: TimeInput | undefined,
  ): Transaction {
    const record = this.requireTransaction(transactionId);
    this.assertTransition(record, state, state);
    const previousState = record.state;
    this.transition(record, state, record.amountCents, this.timeOf(at));
    return this.announce(record, previousState, change);
  }

  /**
   * A pending transaction fails (network failure, process timeout). From then on it is invisible:
   * Atelio never returns or sends failed transactions. Observers get `transaction-failed` only.
   */
  failTransaction(transactionId: string, options: { reason?: string; at?: TimeInput } = {}): void {
    const record = this.requireTransaction(transactionId);
    this.assertTransition(record, 'failed', 'failed');
    this.transition(record, 'failed', record.amountCents, this.timeOf(options.at));
    record.failureReason = options.reason ?? 'Process timeout';
    this.emit('transaction-failed', {
      transactionId,
      customerId: record.wire.customer_id,
      accountId: record.wire.account_id,
      reason: record.failureReason,
    });
  }

  /**
   * The merchant refunds (part of) a settled card purchase: a new card credit that points back to
   * the purchase through `previous_transaction_id`, completed at once.
   */
  refundCardPurchase(
    transactionId: string,
    input: SettleInput & { transactionId?: string } = {},
  ): Transaction {
    const original = this.requireTransaction(transactionId);
    if (
      original.wire.payment_type !== 'card' ||
      original.state !== 'completed' ||
      original.amountCents >= 0
    ) {
      throw new AtelioError(
        400,
        'resource_conflict',
        `Transaction ${transactionId} is not a completed card purchase.`,
      );
    }
    const refundable = -original.amountCents;
    const cents = input.amount === undefined ? refundable : parsePositiveAmount(input.amount);
    if (cents > refundable) {
      throw new AtelioError(
        400,
        'invalid_amount',
        `Cannot refund ${formatCents(cents)}; the purchase was ${formatCents(refundable)}.`,
      );
    }
    const account = this.requireAccount(original.wire.account_id);
    const atMs = this.timeOf(input.at);
    const source = original.wire.details as CardDetails;
    const { settlements: _settlements, ...rest } = source;
    const record = this.record(account, {
      id: input.transactionId,
      createdMs: atMs,
      atMs,
      state: 'completed',
      amountCents: cents,
      paymentType: 'card',
      transactionType: 'POS Refund',
      description: 'POS Refund',
      previousTransactionId: transactionId,
      details: {
        ...structuredClone(rest),
        merchant_amount: formatCents(cents),
        settlements: [{ settlement_date: formatSettlementDate(atMs), amount: formatCents(cents) }],
      },
    });
    return this.publicTransaction(record);
  }

  /** An ACH transfer between the account and an external bank account. */
  createAchTransfer(input: AchTransferInput): Transaction {
    const account = this.requireAccount(input.accountId);
    if (input.direction !== 'credit' && input.direction !== 'debit') {
      throw invalidRequest('direction must be credit or debit');
    }
    const cents = parsePositiveAmount(input.amount);
    const state = input.state ?? 'pending';
    if (state !== 'pending' && state !== 'completed')
      throw invalidRequest('state must be pending or completed');
    const atMs = this.timeOf(input.at);
    const description =
      input.description ?? (input.direction === 'credit' ? 'ACH Deposit' : 'ACH Withdrawal');
    const details: AchDetails = {
      external_account_id: input.externalAccountId ?? this.random.fork(`external:${input.accountId}`).uuid(),
      class_code: input.classCode ?? 'ppd',
      direction: input.direction,
      network: 'ach',
      description,
    };
    const record = this.record(account, {
      id: input.transactionId,
      createdMs: atMs,
      atMs,
      state,
      amountCents: input.direction === 'credit' ? cents : -cents,
      paymentType: 'ach',
      transactionType: input.direction,
      description,
      details,
    });
    return this.publicTransaction(record);
  }

  /**
   * Moves money between two accounts on the platform: a debit on one and a credit on the other
   * (payment_type `account`). Refused with `insufficient_funds` when the source cannot cover it.
   */
  createAccountTransfer(input: AccountTransferInput): { debit: Transaction; credit: Transaction } {
    const from = this.requireAccount(input.fromAccountId);
    const to = this.requireAccount(input.toAccountId);
    if (from === to) throw invalidRequest('fromAccountId and toAccountId must differ');
    const cents = parsePositiveAmount(input.amount);
    if (from.availableCents - cents < 0) {
      throw new AtelioError(
        400,
        'insufficient_funds',
        `Account ${input.fromAccountId} has ${formatCents(from.availableCents)} available, less than ${formatCents(cents)}.`,
      );
    }
    const state = input.state ?? 'completed';
    if (state !== 'pending' && state !== 'completed')
      throw invalidRequest('state must be pending or completed');
    const atMs = this.timeOf(input.at);
    const description = input.description ?? 'Account transfer';
    const leg = (account: AccountRecord, direction: 'debit' | 'credit'): Transaction => {
      const details: AccountPaymentDetails = {
        origination_account_id: input.fromAccountId,
        destination_account_id: input.toAccountId,
        direction,
        description,
      };
      return this.publicTransaction(
        this.record(account, {
          createdMs: atMs,
          atMs,
          state,
          amountCents: direction === 'debit' ? -cents : cents,
          paymentType: 'account',
          transactionType: direction,
          description,
          details,
        }),
      );
    };
    return { debit: leg(from, 'debit'), credit: leg(to, 'credit') };
  }

  // ---------------------------------------------------------------- webhook subscriptions

  /**
   * Set by the platform: why a URL may not receive webhooks here (the operator's allow-list), or
   * undefined. Every subscription created or updated — through the API, `--webhook-url` or an
   * import — passes it.
   */
  webhookTargetCheck: ((url: string) => string | undefined) | undefined;

  private checkWebhookTarget(url: string): void {
    const refusal = this.webhookTargetCheck?.(url);
    if (refusal !== undefined) throw invalidRequest(`Invalid request body: url: url ${refusal}`);
  }

  createWebhookSubscription(
    input: WebhookSubscriptionCreate,
    options: { at?: TimeInput } = {},
  ): WebhookSubscription {
    const body = parseOrThrow(WebhookSubscriptionCreateSchema, input, 'json');
    this.checkWebhookTarget(body.url);
    // Kept subscriptions outlive a reset's id sequence: never hand out one of their ids again.
    let id = this.random.uuid();
    while (this.subscriptions.has(id)) id = this.random.uuid();
    const subscription: WebhookSubscription = {
      id,
      url: body.url,
      description: body.description ?? '',
      events: [...body.events],
      version: body.version ?? '0.1',
      secret: `whsec_${this.random.faker.string.alphanumeric(32)}`,
      status: body.status ?? 'STATUS_ENABLED',
      created_time: formatTimestamp(this.timeOf(options.at)),
    };
    this.subscriptions.set(id, subscription);
    this.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'created' });
    return clone(subscription);
  }

  listWebhookSubscriptions(): WebhookSubscription[] {
    return [...this.subscriptions.values()].map(clone);
  }

  getWebhookSubscription(id: string): WebhookSubscription | undefined {
    const subscription = this.subscriptions.get(id);
    return subscription && clone(subscription);
  }

  updateWebhookSubscription(id: string, patch: WebhookSubscriptionUpdate): WebhookSubscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw doesNotExist('webhook', id);
    const body = parseOrThrow(WebhookSubscriptionUpdateSchema, patch, 'json');
    if (body.url !== undefined) this.checkWebhookTarget(body.url);
    if (body.url !== undefined) subscription.url = body.url;
    if (body.events !== undefined) subscription.events = [...body.events];
    if (body.description !== undefined) subscription.description = body.description;
    if (body.version !== undefined) subscription.version = body.version;
    if (body.status !== undefined) subscription.status = body.status;
    this.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'updated' });
    return clone(subscription);
  }

  deleteWebhookSubscription(id: string): WebhookSubscription {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw doesNotExist('webhook', id);
    this.subscriptions.delete(id);
    this.emit('webhook-subscription-changed', { subscription: clone(subscription), change: 'deleted' });
    return clone(subscription);
  }

  /** Enabled subscriptions whose event patterns match `eventName` (wildcards honoured), secrets included. */
  subscriptionsFor(eventName: string): WebhookSubscription[] {
    return [...this.subscriptions.values()]
      .filter(
        (s) => s.status === 'STATUS_ENABLED' && s.events.some((pattern) => eventMatches(pattern, eventName)),
      )
      .map(clone);
  }

  /** Registers one URL for every event (`--webhook-url`). */
  registerWebhookUrl(
    url: string,
    options: { events?: string[]; description?: string } = {},
  ): WebhookSubscription {
    return this.createWebhookSubscription({
      url,
      events: options.events ?? ['*'],
      description: options.description ?? 'Registered at start-up',
    });
  }
}

/** NACHA return codes a sandbox user is likely to simulate, with their standard reasons. */
export const ACH_RETURN_REASONS: Readonly<Record<string, string>> = {
  R01: 'Insufficient Funds',
  R02: 'Account Closed',
  R03: 'No Account/Unable to Locate Account',
  R04: 'Invalid Account Number',
  R08: 'Payment Stopped',
  R10: 'Customer Advises Not Authorized',
  R13: 'Invalid ACH routing number',
  R16: 'Account Frozen',
  R29: 'Corporate Customer Advises Not Authorized',
};

export function createAtelioStore(options: AtelioStoreOptions): AtelioStore {
  return new AtelioStore(options);
}
