import type { StoreResetOptions, WebhookTargetCheck } from '../../core/vendor-store';
import type { Clock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { countChanges } from '../../core/json-body-cache';
import { createRandom } from '../../core/random';
import type { Account } from '../accounts/schema';
import type { Balance } from '../balances/schema';
import type { Card, CardStatus } from '../cards/schema';
import type { Customer } from '../customers/schema';
import type { Page, PageRequest } from '../shared/pagination';
import type { TimeInput } from '../shared/time';
import { parseOrThrow } from '../shared/validation';
import type { Transaction, TransactionState } from '../transactions/schema';
import type {
  WebhookSubscription,
  WebhookSubscriptionCreate,
  WebhookSubscriptionUpdate,
} from '../webhooks/schema';
import { seedBaseline, type BaselineOptions } from './baseline';
import { AtelioContext } from './context';
import * as customers from './customers';
import type { AtelioStoreEvents } from './events';
import { StoreStateSchema, STORE_STATE_VERSION, type StoreState, type TransactionRecord } from './state';
import * as subscriptions from './subscriptions';
import * as transactions from './transactions';
import { insertOrdered } from './transactions';
import type {
  AccountTransferInput,
  AchTransferInput,
  AtelioStoreOptions,
  AuthorizeCardPurchaseInput,
  CheckDepositInput,
  CreateAccountInput,
  CreateCardInput,
  CreateCustomerInput,
  CreateCustomerWithCardInput,
  ReturnInput,
  SettleInput,
  TransactionQuery,
} from './types';

export type * from './types';
export type { AtelioStoreEvents } from './events';
export { ACH_RETURN_REASONS } from './transactions';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * Store methods that only read: calling them leaves `revision` where it is, so the responses cached
 * for the hot GET routes stay valid. Only what those routes call needs to be here — a read missing
 * from the list costs cache hits, never correctness.
 */
const READ_ONLY_METHODS = new Set<string>(['listTransactions', 'getTransaction']);

/**
 * The Atelio bank's state: customers, accounts, cards, transactions and webhook subscriptions.
 * The HTTP app reads and changes it; the scenario engine drives it directly through these
 * methods. Every change takes its time from the injected clock (or an explicit `at` for
 * back-filled history) and is announced on `events`.
 *
 * This class is a facade: each section is a module of functions of an `AtelioContext`
 * (customers.ts, transactions.ts, subscriptions.ts, views.ts), where each method is documented.
 * The facade keeps the public methods, the revision count and the whole-state operations.
 */
export class AtelioStore {
  readonly events = new Emitter<AtelioStoreEvents>();
  readonly seed: number;
  readonly clock: Clock;
  /** The clock time the baseline history ends at; `reset()` rebuilds exactly the same data. */
  readonly baselineAt: number;

  private readonly baselineOptions: false | BaselineOptions;
  private readonly ctx: AtelioContext;
  private changes = 0;

  /**
   * A number that moves on with every change to the store's state, so a response cached at one
   * revision is exactly what the store would serve now. Every method of this class not in
   * READ_ONLY_METHODS — today's or tomorrow's — counts as a change when it returns or throws: a new
   * method is counted by default, never missed.
   */
  get revision(): number {
    return this.changes;
  }

  static {
    countChanges(AtelioStore.prototype, READ_ONLY_METHODS, (store) => store.changes++);
  }

  constructor(options: AtelioStoreOptions) {
    this.seed = options.seed;
    this.clock = options.clock;
    this.ctx = new AtelioContext(options.clock, this.events, options.random ?? createRandom(options.seed));
    this.baselineOptions = options.baseline ?? {};
    this.baselineAt = options.clock.now();
    this.populate();
  }

  /** Brand id stamped on every transaction (`bond_brand_id`). */
  get bondBrandId(): string {
    return this.ctx.brandId;
  }

  /**
   * Set by the platform: why a URL may not receive webhooks here (the operator's allow-list), or
   * undefined. Every subscription created or updated — through the API, `--webhook-url` or an
   * import — passes it.
   */
  get webhookTargetCheck(): WebhookTargetCheck | undefined {
    return this.ctx.webhookTargetCheck;
  }

  set webhookTargetCheck(check: WebhookTargetCheck | undefined) {
    this.ctx.webhookTargetCheck = check;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Back to the seeded baseline, identical to the one built at construction. Webhook subscriptions
   * are dropped unless `keepWebhookRegistrations` keeps them.
   */
  reset(options: StoreResetOptions = {}): void {
    const kept = options.keepWebhookRegistrations ? [...this.ctx.subscriptions.values()].map(clone) : [];
    this.ctx.random = createRandom(this.ctx.random.seed);
    this.populate();
    for (const subscription of kept) this.ctx.subscriptions.set(subscription.id, subscription);
    this.events.emit('reset', { reason: 'reset' });
  }

  private clear(): void {
    this.ctx.seq = 0;
    this.ctx.customers.clear();
    this.ctx.accounts.clear();
    this.ctx.cards.clear();
    this.ctx.transactions.clear();
    this.ctx.ordered = [];
    this.ctx.subscriptions.clear();
  }

  private populate(): void {
    this.clear();
    const ids = this.ctx.random.fork('brand');
    this.ctx.brandId = ids.uuid();
    this.ctx.programId = ids.uuid();
    if (this.baselineOptions === false) return;
    this.ctx.muted = true;
    try {
      seedBaseline(this, this.ctx.random.fork('baseline'), this.baselineAt, this.baselineOptions);
    } finally {
      this.ctx.muted = false;
    }
  }

  /** The whole state as plain JSON (for `GET /api/state`); `importState` takes it back. */
  exportState(): StoreState {
    return clone({
      version: STORE_STATE_VERSION,
      seed: this.seed,
      brandId: this.ctx.brandId,
      programId: this.ctx.programId,
      seq: this.ctx.seq,
      customers: [...this.ctx.customers.values()],
      accounts: [...this.ctx.accounts.values()],
      cards: [...this.ctx.cards.values()],
      transactions: this.ctx.ordered,
      subscriptions: [...this.ctx.subscriptions.values()],
    });
  }

  /** Replaces the whole state with an exported one; throws an `invalid_request` AtelioStoreError naming what is wrong. */
  importState(state: unknown): void {
    const parsed = parseOrThrow(StoreStateSchema, state, 'state') as StoreState;
    this.clear();
    this.ctx.brandId = parsed.brandId;
    this.ctx.programId = parsed.programId;
    this.ctx.seq = parsed.seq;
    for (const customer of parsed.customers) this.ctx.customers.set(customer.customer_id, clone(customer));
    for (const account of parsed.accounts) this.ctx.accounts.set(account.account.account_id, clone(account));
    for (const card of parsed.cards) this.ctx.cards.set(card.card_id, clone(card));
    for (const record of parsed.transactions) {
      const copy = clone(record) as TransactionRecord;
      this.ctx.transactions.set(copy.wire.transaction_id, copy);
      insertOrdered(this.ctx.ordered, copy);
    }
    for (const subscription of parsed.subscriptions)
      this.ctx.subscriptions.set(subscription.id, clone(subscription));
    this.events.emit('reset', { reason: 'import' });
  }

  // ---------------------------------------------------------------- customers

  createCustomer(input: CreateCustomerInput = {}): Customer {
    return customers.createCustomer(this.ctx, input);
  }

  createAccount(input: CreateAccountInput): Account {
    return customers.createAccount(this.ctx, input);
  }

  createCard(input: CreateCardInput): Card {
    return customers.createCard(this.ctx, input);
  }

  createCustomerWithCard(input: CreateCustomerWithCardInput = {}): {
    customer: Customer;
    account: Account;
    card: Card;
  } {
    return customers.createCustomerWithCard(this.ctx, input);
  }

  setCardStatus(cardId: string, status: CardStatus, options: { at?: TimeInput } = {}): Card {
    return customers.setCardStatus(this.ctx, cardId, status, options);
  }

  getCustomer(id: string): Customer | undefined {
    return customers.getCustomer(this.ctx, id);
  }

  getAccount(id: string): Account | undefined {
    return customers.getAccount(this.ctx, id);
  }

  getCard(id: string): Card | undefined {
    return customers.getCard(this.ctx, id);
  }

  getTransaction(id: string, options: { share?: boolean } = {}): Transaction | undefined {
    return customers.getTransaction(this.ctx, id, options);
  }

  getTransactionState(id: string): TransactionState | undefined {
    return customers.getTransactionState(this.ctx, id);
  }

  listCustomers(request: PageRequest = {}): Page<Customer> {
    return customers.listCustomers(this.ctx, request);
  }

  listAccounts(request: PageRequest & { customerId?: string | undefined } = {}): Page<Account> {
    return customers.listAccounts(this.ctx, request);
  }

  listCards(
    request: PageRequest & { customerId?: string | undefined; accountId?: string | undefined } = {},
  ): Page<Card> {
    return customers.listCards(this.ctx, request);
  }

  listBalances(request: PageRequest & { customerId?: string | undefined } = {}): Page<Balance> {
    return customers.listBalances(this.ctx, request);
  }

  // ---------------------------------------------------------------- transactions

  listTransactions(query: TransactionQuery = {}, options: { share?: boolean } = {}): Page<Transaction> {
    return transactions.listTransactions(this.ctx, query, options);
  }

  authorizeCardPurchase(input: AuthorizeCardPurchaseInput): Transaction {
    return transactions.authorizeCardPurchase(this.ctx, input);
  }

  settleTransaction(transactionId: string, input: SettleInput = {}): Transaction {
    return transactions.settleTransaction(this.ctx, transactionId, input);
  }

  completeTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return transactions.completeTransaction(this.ctx, transactionId, options);
  }

  declineTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return transactions.declineTransaction(this.ctx, transactionId, options);
  }

  cancelTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return transactions.cancelTransaction(this.ctx, transactionId, options);
  }

  returnTransaction(transactionId: string, input: ReturnInput = {}): Transaction {
    return transactions.returnTransaction(this.ctx, transactionId, input);
  }

  failTransaction(transactionId: string, options: { reason?: string; at?: TimeInput } = {}): void {
    return transactions.failTransaction(this.ctx, transactionId, options);
  }

  refundCardPurchase(
    transactionId: string,
    input: SettleInput & { transactionId?: string } = {},
  ): Transaction {
    return transactions.refundCardPurchase(this.ctx, transactionId, input);
  }

  createAchTransfer(input: AchTransferInput): Transaction {
    return transactions.createAchTransfer(this.ctx, input);
  }

  depositCheck(input: CheckDepositInput): Transaction {
    return transactions.depositCheck(this.ctx, input);
  }

  processTransaction(transactionId: string, options: { at?: TimeInput } = {}): Transaction {
    return transactions.processTransaction(this.ctx, transactionId, options);
  }

  createAccountTransfer(input: AccountTransferInput): { debit: Transaction; credit: Transaction } {
    return transactions.createAccountTransfer(this.ctx, input);
  }

  // ---------------------------------------------------------------- subscriptions

  createWebhookSubscription(
    input: WebhookSubscriptionCreate,
    options: { at?: TimeInput } = {},
  ): WebhookSubscription {
    return subscriptions.createWebhookSubscription(this.ctx, input, options);
  }

  listWebhookSubscriptions(): WebhookSubscription[] {
    return subscriptions.listWebhookSubscriptions(this.ctx);
  }

  getWebhookSubscription(id: string): WebhookSubscription | undefined {
    return subscriptions.getWebhookSubscription(this.ctx, id);
  }

  updateWebhookSubscription(id: string, patch: WebhookSubscriptionUpdate): WebhookSubscription {
    return subscriptions.updateWebhookSubscription(this.ctx, id, patch);
  }

  deleteWebhookSubscription(id: string): WebhookSubscription {
    return subscriptions.deleteWebhookSubscription(this.ctx, id);
  }

  subscriptionsFor(eventName: string): WebhookSubscription[] {
    return subscriptions.subscriptionsFor(this.ctx, eventName);
  }

  registerWebhookUrl(
    url: string,
    options: { events?: string[]; description?: string } = {},
  ): WebhookSubscription {
    return subscriptions.registerWebhookUrl(this.ctx, url, options);
  }
}

export function createAtelioStore(options: AtelioStoreOptions): AtelioStore {
  return new AtelioStore(options);
}
