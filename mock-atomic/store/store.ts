import { createHmac } from 'node:crypto';
import type { Clock, TimerId } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { createRandom, type SeededRandom } from '../../core/random';
import { currentRunContext } from '../../core/run-context';
import type { AccountDetails, CardDetails, IdentityInput } from '../access-token/schema';
import { TOKEN_LIFETIME } from '../access-token/schema';
import {
  AMAZON_COMPANY_ID,
  HULU_COMPANY_ID,
  detectCompany,
  findCompany,
  searchCompanies,
  type CompanyRecord,
  type CompanySearch,
} from '../companies/catalog';
import type { TaskConfiguration } from '../linked-accounts/schema';
import type { LinkedAccountView } from '../linked-accounts/schema';
import { generateAmazonOrders, type GenerateOrdersOptions, type PaymentCard } from '../orders/generator';
import { OrderSchema, type Order } from '../orders/schema';
import type { FinancialTransaction, PayLinkAccountView } from '../pay-link/schema';
import { subscriptionContent } from '../pay-link/templates';
import { generatePayrollData } from '../payroll/generator';
import type { PayrollKind } from '../payroll/schema';
import { PAYROLL_KIND_NAMES } from '../payroll/schema';
import {
  IdentifierSchema,
  ORDER_MONITORING_FAIL_REASONS,
  TASK_FAIL_REASONS,
  type FailReason,
  type OrderMonitoringFailReason,
  type TaskProduct,
  type TaskStatus,
} from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { PayLinkUpdateType, UserRef } from '../webhooks/events';
import { ATOMIC_EVENT_TYPES, WebhookUrlSchema, type AtomicEventType } from '../webhooks/schema';
import { seedBaseline } from './baseline';
import { conflict, invalid, notFound } from './errors';
import type { AtomicStoreEvents } from './events';
import {
  AtomicStateSchema,
  SANDBOX_USERNAMES,
  StateTables,
  type AccessTokenRecord,
  type AtomicState,
  type FileRecord,
  type LinkedAccountRecord,
  type PayLinkAccountRecord,
  type PayrollRecord,
  type SandboxUsername,
  type SecretRecord,
  type StoredBankAccount,
  type StoredCard,
  type TaskRecord,
  type UserRecord,
  type WebhookEndpointRecord,
} from './state';
import {
  companyRefFor,
  linkedAccountView,
  payLinkAccountView,
  taskView,
  userRef,
  type CompanyRef,
} from './views';

/**
 * The Atomic store: users, access tokens, tasks, PayLink / Order Monitoring accounts and their
 * orders, linked accounts, payroll data, API secrets and webhook endpoints. The HTTP app reads and
 * writes it; the scenario engine drives it directly through these functions. Every state change is
 * announced on `events` with the time it happened on `clock`, and every id comes from the seeded
 * generator, so the same seed and the same calls give the same data byte for byte.
 */

const DAY_MS = 24 * 3600 * 1000;

export interface TaskTimings {
  /** Delay from `runTask` to `processing`. */
  processingAfterMs: number;
  /** Delay from `runTask` to the authentication result. */
  authenticatedAfterMs: number;
  /** Delay from `runTask` to the final status. */
  completedAfterMs: number;
  /** How long a `test-*-mfa` login waits before the sandbox answers the challenge itself; null waits for `answerMfa`. */
  mfaAnsweredAfterMs: number | null;
}

export const DEFAULT_TASK_TIMINGS: TaskTimings = {
  processingAfterMs: 1_000,
  authenticatedAfterMs: 3_000,
  completedAfterMs: 6_000,
  mfaAnsweredAfterMs: 10_000,
};

export interface AtomicStoreOptions {
  seed: number;
  clock: Clock;
  /** Root generator; default `createRandom(seed)`. */
  random?: SeededRandom;
  /** Token of the baseline "default" API secret, which signs webhooks by default. Default `test-api-secret`. */
  apiSecret?: string;
  /** The baseline's "now": its orders, tokens and syncs are placed relative to it. Default: start of today (UTC) on `clock`. */
  baselineAt?: number | string | Date;
  /** `false` starts with an empty store (only the default secret). Default true. */
  baseline?: boolean;
  taskTimings?: Partial<TaskTimings>;
}

/** What `npm start` can print so a developer can call every endpoint straight away. */
export interface BaselineInfo {
  identifiers: string[];
  publicToken?: string;
  amazonAccountId?: string;
  disconnectedAmazonAccountId?: string;
  huluAccountId?: string;
  linkedAccountId?: string;
  taskId?: string;
  defaultSecretId: string;
}

export type TokenCheck =
  | { ok: true; user: UserRecord; token: AccessTokenRecord }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** One line of a user listing (`userSummaries`). */
export interface UserSummary {
  identifier: string;
  createdAt: string;
  /** Linked PayLink accounts (detected ones are not counted). */
  accounts: number;
  connected: number;
  disconnected: number;
  orders: number;
}

export interface UserData {
  cards?: CardDetails[] | undefined;
  accounts?: AccountDetails[] | undefined;
  identity?: IdentityInput | undefined;
}

export interface CreateAccessTokenInput extends UserData {
  identifier: string;
  /** Seconds, 1800–2592000; default 86400. */
  tokenLifetime?: number | undefined;
}

export interface StartTaskInput {
  identifier: string;
  companyId?: string;
  product?: TaskProduct;
  /** Sandbox login (`test-good`, `test-bad`, `test-failure`, `test-code-mfa`, `test-question-mfa`). Default `test-good`. */
  username?: SandboxUsername | string;
  metadata?: Record<string, unknown>;
}

/** What a successful connection loads into the account (Order Monitoring companies). */
export interface ConnectionData {
  /** Exact orders to store; default: generated. */
  orders?: Order[];
  /** How many orders to generate when `orders` is absent (default 30 on a first connection, 0–2 afterwards). */
  orderCount?: number;
  /** Cards generated orders are paid with; default the user's cards. */
  cards?: PaymentCard[];
  /** Share of generated orders paid without a card; default 0.15. */
  nonCardShare?: number;
  /** Subscription companies: a monthly add-on in cents (with a savings suggestion); default seeded. */
  addOnCents?: number;
}

export interface RunTaskOptions {
  timings?: Partial<TaskTimings>;
  connection?: ConnectionData;
  /**
   * Order Monitoring as Transact plays it (vendor-docs 000): the moment the login succeeds the
   * account is created `initial` (announced `created`), then fetching its orders takes
   * `baseMs + msPerOrder × orders` (at most `maxMs`) before it becomes `connected` (announced
   * `updated`) and the task completes. Without it, a connection creates and syncs the account
   * together when the task completes (what the scenarios' connect steps do).
   */
  orderFetch?: OrderFetchTiming;
}

/** How long Transact's initial order fetch takes, by order count (vendor-docs 000: "up to a minute"). */
export interface OrderFetchTiming {
  baseMs: number;
  msPerOrder: number;
  maxMs: number;
}

export const DEFAULT_ORDER_FETCH: OrderFetchTiming = { baseMs: 2_000, msPerOrder: 100, maxMs: 60_000 };

export const orderFetchMs = (timing: OrderFetchTiming, orderCount: number): number =>
  Math.min(timing.maxMs, timing.baseMs + timing.msPerOrder * orderCount);

export interface RefreshOptions {
  /** Orders found by this refresh (new or changed); default: 0–2 generated since the last sync. */
  orders?: Order[];
  /** Make the refresh fail with this reason; the account is disconnected. */
  failReason?: OrderMonitoringFailReason;
  /**
   * Also refresh an account that a transient failure (`merchant-unavailable`) disconnected, as the
   * next scheduled refresh does (vendor-docs 000: "Automatic retry on next scheduled refresh").
   * Other disconnections still need the user to reconnect. Default false.
   */
  retryTransient?: boolean;
}

export interface WebhookTarget {
  endpointId: string;
  url: string;
  secretId: string;
  /** The secret's token: the HMAC key for `X-HMAC-Signature-Sha-256`. */
  secret: string;
}

export interface SecretView {
  _id: string;
  name: string;
  createdAt: string;
  endpoints: { _id: string; url: string; eventTypes: AtomicEventType[] }[];
}

export interface PayrollEntry {
  kind: PayrollKind;
  payload: unknown;
  company: CompanyRef;
  connector: CompanyRef;
  linkedAccount?: string;
  task: string;
  retrievedAt: string;
}

interface PendingRun {
  reject(error: Error): void;
}

/** State shared by a store and all its `withRandom` views. */
interface StoreCore {
  tables: StateTables;
  runtimeRandom: SeededRandom;
  timers: Set<TimerId>;
  runs: Set<PendingRun>;
  mfaWaiters: Map<string, () => void>;
  muted: boolean;
  baseline: BaselineInfo;
  /** Moves on with every change to the state (see READ_ONLY_METHODS). */
  revision: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

const BRAND_NAMES: Record<string, string> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  'american-express': 'American Express',
  discover: 'Discover',
};

const isTerminal = (status: TaskStatus) => status === 'completed' || status === 'failed';

const ALLOWED_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  queued: ['processing', 'failed'],
  processing: ['completed', 'failed'],
  completed: [],
  failed: [],
};

/** How a sandbox login plays out (VENDOR-FACTS: sandbox usernames). */
function outcomeFor(username: SandboxUsername | undefined): {
  authenticated: boolean;
  failReason?: FailReason;
} {
  if (username === 'test-bad') return { authenticated: false, failReason: 'bad-credentials' };
  if (username === 'test-failure') return { authenticated: true, failReason: 'unknown-failure' };
  return { authenticated: true };
}

const mfaFor = (username: SandboxUsername | undefined): 'code' | 'question' | undefined =>
  username === 'test-code-mfa' ? 'code' : username === 'test-question-mfa' ? 'question' : undefined;

/**
 * Store methods that only read: calling them leaves `revision` where it is, so the responses cached
 * for the hot GET routes stay valid. Only what those routes call needs to be here — a read missing
 * from the list costs cache hits, never correctness.
 */
const READ_ONLY_METHODS = new Set<string>([
  'getTask',
  'pendingMfa',
  'taskRecord',
  'listUserTasks',
  'getPayLinkAccount',
  'listPayLinkAccounts',
  'accountRecord',
  'accountOwner',
  'findUser',
  'getUser',
  'userSummaries',
  'exportState',
  'apiSecretTokens',
  'resolvePublicToken',
]);

export class AtomicStore {
  readonly events = new Emitter<AtomicStoreEvents>();
  readonly clock: Clock;
  readonly seed: number;
  readonly timings: TaskTimings;
  private readonly root: SeededRandom;
  private readonly apiSecret: string;
  private readonly baselineAt: number;
  private readonly withBaseline: boolean;
  private readonly fileKey: string;
  private readonly core: StoreCore;
  /** Set on `withRandom` views; the store itself uses the shared runtime generator. */
  private readonly randomOverride: SeededRandom | undefined = undefined;

  /**
   * A number that moves on with every change to the store's state, so a response cached at one
   * revision is exactly what the store would serve now. Every method not in READ_ONLY_METHODS —
   * public or private, today's or tomorrow's — counts as a change when it returns or throws, and so
   * does every timer the store schedules: a new method is counted by default, never missed.
   */
  get revision(): number {
    return this.core.revision;
  }

  static {
    for (const name of Object.getOwnPropertyNames(AtomicStore.prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(AtomicStore.prototype, name)!;
      const method: unknown = descriptor.value;
      if (name === 'constructor' || READ_ONLY_METHODS.has(name) || typeof method !== 'function') continue;
      Object.defineProperty(AtomicStore.prototype, name, {
        ...descriptor,
        value: function (this: AtomicStore, ...args: unknown[]) {
          try {
            return (method as (...a: unknown[]) => unknown).apply(this, args);
          } finally {
            this.core.revision++;
          }
        },
      });
    }
  }

  constructor(options: AtomicStoreOptions) {
    this.clock = options.clock;
    this.seed = options.seed;
    this.root = options.random ?? createRandom(options.seed);
    this.apiSecret = options.apiSecret ?? 'test-api-secret';
    this.timings = { ...DEFAULT_TASK_TIMINGS, ...options.taskTimings };
    this.withBaseline = options.baseline ?? true;
    const at = options.baselineAt;
    if (at === undefined) {
      const today = new Date(this.clock.now());
      today.setUTCHours(0, 0, 0, 0);
      this.baselineAt = today.getTime();
    } else {
      this.baselineAt = at instanceof Date ? at.getTime() : typeof at === 'number' ? at : Date.parse(at);
      if (!Number.isFinite(this.baselineAt))
        throw invalid('baselineAt', `baselineAt is not a valid time: ${String(at)}`);
    }
    this.fileKey = `atomic-files:${this.root.seed}`;
    this.core = {
      tables: new StateTables(),
      runtimeRandom: this.root.fork('runtime'),
      timers: new Set(),
      runs: new Set(),
      mfaWaiters: new Map(),
      muted: false,
      baseline: { identifiers: [], defaultSecretId: '' },
      revision: 0,
    };
    this.buildBaseline();
  }

  // ---------------------------------------------------------------- plumbing

  private get t(): StateTables {
    return this.core.tables;
  }

  /**
   * Where new ids and generated data come from: a `withRandom` view's generator, else the running
   * scenario's (so a run's data depends only on its own seed), else the store's own sequence.
   */
  private get ids(): SeededRandom {
    return this.randomOverride ?? currentRunContext()?.random ?? this.core.runtimeRandom;
  }

  private nowIso(): string {
    return iso(this.clock.now());
  }

  private emit<K extends keyof AtomicStoreEvents>(event: K, payload: AtomicStoreEvents[K]): void {
    if (!this.core.muted) this.events.emit(event, payload);
  }

  /**
   * The same store (same data, same events) creating ids and generated data from `random` instead
   * of the store's own sequence. A scenario run uses one so its ids depend only on its own seed,
   * even while other runs or API calls create data at the same time.
   */
  withRandom(random: SeededRandom): AtomicStore {
    return Object.create(this, { randomOverride: { value: random } }) as AtomicStore;
  }

  /** A view whose clock and generator are replaced: used to lay out the baseline in the past. */
  private viewWith(clock: Clock, random: SeededRandom): AtomicStore {
    return Object.create(this, { clock: { value: clock }, randomOverride: { value: random } }) as AtomicStore;
  }

  private schedule(ms: number, fn: () => void): void {
    const id = this.clock.setTimeout(() => {
      this.core.timers.delete(id);
      try {
        fn();
      } finally {
        // A timer changes state outside any method call: count it as a change too.
        this.core.revision++;
      }
    }, ms);
    this.core.timers.add(id);
  }

  private cancelPending(reason: string): void {
    for (const id of this.core.timers) this.clock.clearTimeout(id);
    this.core.timers.clear();
    this.core.mfaWaiters.clear();
    const runs = [...this.core.runs];
    this.core.runs.clear();
    for (const run of runs) run.reject(new Error(reason));
  }

  // ---------------------------------------------------------------- users & access tokens

  /**
   * Every user with counts of their linked accounts and orders, for listings. Reads the tables in
   * place: no copy of the orders, unlike `exportState`.
   */
  userSummaries(): UserSummary[] {
    const byUser = new Map<string, UserSummary>();
    for (const user of this.t.users.values()) {
      byUser.set(user._id, {
        identifier: user.identifier,
        createdAt: user.createdAt,
        accounts: 0,
        connected: 0,
        disconnected: 0,
        orders: 0,
      });
    }
    for (const account of this.t.payLinkAccounts.values()) {
      const summary = byUser.get(account.userId);
      if (!summary || account.type !== 'linked') continue;
      summary.accounts++;
      if (account.connectionStatus === 'connected') summary.connected++;
      if (account.connectionStatus === 'disconnected') summary.disconnected++;
      summary.orders += account.orders.length;
    }
    return [...byUser.values()];
  }

  findUser(identifier: string): UserRecord | undefined {
    return this.t.usersByIdentifier.get(identifier);
  }

  getUser(identifier: string): UserRecord {
    const user = this.findUser(identifier);
    if (!user) throw notFound('user', identifier);
    return user;
  }

  /** The user with this identifier, created if new (as `POST /access-token` does). */
  ensureUser(identifier: string): UserRecord {
    const existing = this.findUser(identifier);
    if (existing) return existing;
    const parsed = IdentifierSchema.safeParse(identifier);
    if (!parsed.success)
      throw invalid('identifier', `identifier ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    const now = this.nowIso();
    const user: UserRecord = {
      _id: this.ids.objectId(),
      identifier,
      createdAt: now,
      updatedAt: now,
      cards: [],
      bankAccounts: [],
      monitoring: true,
    };
    this.t.users.set(user._id, user);
    this.t.usersByIdentifier.set(identifier, user);
    this.emit('user-created', { user: userRef(user), eventTime: now });
    return user;
  }

  /** Upserts cards (by last four), bank accounts (by routing + last four) and identity fields. */
  updateUserData(identifier: string, data: UserData): UserRecord {
    const user = this.getUser(identifier);
    for (const card of data.cards ?? []) {
      const stored = storedCard(card);
      const i = user.cards.findIndex((c) => c.lastFour !== undefined && c.lastFour === stored.lastFour);
      if (i >= 0) user.cards[i] = stored;
      else user.cards.push(stored);
    }
    for (const account of data.accounts ?? []) {
      const stored: StoredBankAccount = {
        lastFour: account.accountNumber.slice(-4),
        routingNumber: account.routingNumber,
        type: account.type,
      };
      if (account.title !== undefined) stored.title = account.title;
      const i = user.bankAccounts.findIndex(
        (a) => a.routingNumber === stored.routingNumber && a.lastFour === stored.lastFour,
      );
      if (i >= 0) user.bankAccounts[i] = stored;
      else user.bankAccounts.push(stored);
    }
    if (data.identity) {
      const merged = { ...user.identity };
      for (const [key, value] of Object.entries(data.identity))
        if (typeof value === 'string') merged[key] = value;
      user.identity = merged;
    }
    user.updatedAt = this.nowIso();
    this.emit('user-updated', { user: userRef(user), eventTime: user.updatedAt });
    return user;
  }

  /** Creates (or finds) the user and issues a public token valid for `tokenLifetime` seconds on the clock. */
  createAccessToken(input: CreateAccessTokenInput): {
    publicToken: string;
    expiresAt: string;
    user: UserRef;
  } {
    const lifetime = input.tokenLifetime ?? TOKEN_LIFETIME.default;
    if (!Number.isInteger(lifetime) || lifetime < TOKEN_LIFETIME.min || lifetime > TOKEN_LIFETIME.max)
      throw invalid(
        'tokenLifetime',
        `tokenLifetime must be an integer in [${TOKEN_LIFETIME.min}, ${TOKEN_LIFETIME.max}]`,
      );
    const user = this.ensureUser(input.identifier);
    if (input.cards?.length || input.accounts?.length || input.identity) {
      const data: UserData = {};
      if (input.cards) data.cards = input.cards;
      if (input.accounts) data.accounts = input.accounts;
      if (input.identity) data.identity = input.identity;
      this.updateUserData(input.identifier, data);
    }
    const now = this.clock.now();
    const token: AccessTokenRecord = {
      publicToken: this.ids.uuid(),
      userId: user._id,
      createdAt: iso(now),
      expiresAt: iso(now + lifetime * 1000),
      revokedAt: null,
    };
    this.t.accessTokens.set(token.publicToken, token);
    this.emit('access-token-created', {
      user: userRef(user),
      publicToken: token.publicToken,
      expiresAt: token.expiresAt,
      eventTime: token.createdAt,
    });
    return { publicToken: token.publicToken, expiresAt: token.expiresAt, user: userRef(user) };
  }

  /** Revokes a token; revoking it again changes nothing. */
  revokeAccessToken(publicToken: string): AccessTokenRecord {
    const token = this.t.accessTokens.get(publicToken);
    if (!token) throw notFound('access token', publicToken);
    if (token.revokedAt === null) {
      token.revokedAt = this.nowIso();
      const user = this.t.users.get(token.userId)!;
      this.emit('access-token-revoked', { user: userRef(user), publicToken, eventTime: token.revokedAt });
    }
    return { ...token };
  }

  resolvePublicToken(publicToken: string): TokenCheck {
    const token = this.t.accessTokens.get(publicToken);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (this.clock.now() >= Date.parse(token.expiresAt)) return { ok: false, reason: 'expired' };
    return { ok: true, user: this.t.users.get(token.userId)!, token: { ...token } };
  }

  /** Tokens of every API secret: each is accepted as `x-api-secret`, as Atomic's are. */
  apiSecretTokens(): string[] {
    return [...this.t.secrets.values()].map((s) => s.token);
  }

  // ---------------------------------------------------------------- companies

  company(companyId: string): CompanyRecord {
    const company = findCompany(companyId);
    if (!company) throw notFound('company', companyId);
    return company;
  }

  searchCompanies(search: CompanySearch, limit?: number): CompanyRecord[] {
    return searchCompanies(search, limit);
  }

  // ---------------------------------------------------------------- tasks

  private taskRecord(taskId: string): TaskRecord {
    const task = this.t.tasks.get(taskId);
    if (!task) throw notFound('task', taskId);
    return task;
  }

  getTask(taskId: string): TaskView {
    return taskView(this.t, this.taskRecord(taskId));
  }

  /** The MFA challenge a `test-*-mfa` task is waiting on, if it is waiting (what Transact's MFA page shows). */
  pendingMfa(taskId: string): 'code' | 'question' | undefined {
    const mfa = this.taskRecord(taskId).mfa;
    return mfa && !mfa.answered ? mfa.type : undefined;
  }

  findTask(taskId: string): TaskView | undefined {
    const task = this.t.tasks.get(taskId);
    return task ? taskView(this.t, task) : undefined;
  }

  listUserTasks(
    identifier: string,
    filter: { status?: TaskStatus; payrollDataAvailable?: boolean } = {},
  ): TaskView[] {
    const user = this.getUser(identifier);
    const out: TaskView[] = [];
    for (const task of this.t.tasks.values()) {
      if (task.userId !== user._id) continue;
      if (filter.status !== undefined && task.status !== filter.status) continue;
      if (
        filter.payrollDataAvailable !== undefined &&
        task.payrollDataAvailable !== filter.payrollDataAvailable
      )
        continue;
      out.push(taskView(this.t, task));
    }
    return out;
  }

  private createTask(input: {
    user: UserRecord;
    company: CompanyRecord;
    product: TaskProduct;
    purpose: TaskRecord['purpose'];
    username?: SandboxUsername | undefined;
    linkedAccountId?: string | undefined;
    payLinkAccountId?: string | undefined;
    metadata?: Record<string, unknown> | undefined;
    taskWorkflowId?: string | undefined;
    depositData?: TaskRecord['depositData'];
  }): TaskRecord {
    const now = this.nowIso();
    const task: TaskRecord = {
      _id: this.ids.objectId(),
      userId: input.user._id,
      companyId: input.company._id,
      product: input.product,
      purpose: input.purpose,
      status: 'queued',
      authenticated: false,
      createdAt: now,
      updatedAt: now,
      taskWorkflowId: input.taskWorkflowId ?? this.ids.objectId(),
      payrollDataAvailable: false,
    };
    if (input.username !== undefined) task.sandboxUsername = input.username;
    if (input.linkedAccountId !== undefined) task.linkedAccountId = input.linkedAccountId;
    if (input.payLinkAccountId !== undefined) task.payLinkAccountId = input.payLinkAccountId;
    if (input.metadata !== undefined) task.metadata = structuredClone(input.metadata);
    if (input.depositData !== undefined) task.depositData = input.depositData;
    this.t.tasks.set(task._id, task);
    this.emit('task-created', { task: taskView(this.t, task), eventTime: now });
    return task;
  }

  private usernameOf(username: string | undefined): SandboxUsername {
    const name = username ?? 'test-good';
    if (!(SANDBOX_USERNAMES as readonly string[]).includes(name))
      throw invalid(
        'username',
        `unknown sandbox username "${name}"; use one of: ${SANDBOX_USERNAMES.join(', ')}`,
      );
    return name as SandboxUsername;
  }

  /**
   * A user logging in to a company through Transact: a queued `connect` task whose sandbox username
   * decides the outcome when it runs (`runTask`, `runTaskNow`) or is driven step by step.
   */
  startConnectTask(input: StartTaskInput): TaskView {
    const username = this.usernameOf(input.username);
    const company = this.company(input.companyId ?? AMAZON_COMPANY_ID);
    if (company.status === 'under-maintenance')
      throw conflict(`company ${company.name} is under maintenance; tasks cannot start until it is restored`);
    const user = this.ensureUser(input.identifier);
    const task = this.createTask({
      user,
      company,
      product: input.product ?? (company.scopes.includes('pay-link') ? 'present' : 'verify'),
      purpose: 'connect',
      username,
      metadata: input.metadata,
    });
    return taskView(this.t, task);
  }

  /** Moves a task along queued → processing → completed | failed. `failed` needs a reason. */
  setTaskStatus(
    taskId: string,
    status: TaskStatus,
    options: { failReason?: FailReason | string } = {},
  ): TaskView {
    const task = this.taskRecord(taskId);
    const previousStatus = task.status;
    if (!ALLOWED_TRANSITIONS[previousStatus].includes(status))
      throw conflict(
        `task ${taskId} cannot go from ${previousStatus} to ${status}` +
          (isTerminal(previousStatus) ? ` (${previousStatus} is final)` : ''),
      );
    if (status === 'failed') {
      const reason = options.failReason;
      if (reason === undefined) throw invalid('failReason', 'failReason is required to fail a task');
      if (!(TASK_FAIL_REASONS as readonly string[]).includes(reason))
        throw invalid(
          'failReason',
          `unknown failReason "${reason}"; use one of: ${TASK_FAIL_REASONS.join(', ')}`,
        );
      task.failReason = reason;
    } else {
      delete task.failReason;
    }
    task.status = status;
    task.updatedAt = this.nowIso();
    if (isTerminal(status)) delete task.mfa;
    const view = taskView(this.t, task);
    this.emit('task-status-updated', { task: view, previousStatus, eventTime: task.updatedAt });
    // A run waiting for an MFA answer learns that the task was ended by hand, and settles.
    const waiter = isTerminal(status) ? this.core.mfaWaiters.get(taskId) : undefined;
    if (waiter) {
      this.core.mfaWaiters.delete(taskId);
      waiter();
    }
    return view;
  }

  /** Records an authentication result. It is announced even when unchanged: each is a login attempt. */
  setTaskAuthenticated(taskId: string, authenticated: boolean): TaskView {
    const task = this.taskRecord(taskId);
    if (isTerminal(task.status))
      throw conflict(`task ${taskId} is ${task.status}; its authentication is final`);
    task.authenticated = authenticated;
    task.updatedAt = this.nowIso();
    const view = taskView(this.t, task);
    this.emit('task-authentication-status-updated', { task: view, eventTime: task.updatedAt });
    return view;
  }

  failTask(taskId: string, failReason: FailReason): TaskView {
    return this.setTaskStatus(taskId, 'failed', { failReason });
  }

  /**
   * Finishes a task successfully, doing what its success means: a connection creates or reconnects
   * the account and loads its data; a payroll task stores fresh payroll data.
   */
  completeTask(taskId: string, connection: ConnectionData = {}): TaskView {
    const task = this.taskRecord(taskId);
    if (task.status === 'queued') this.setTaskStatus(taskId, 'processing');
    if (task.status !== 'processing') throw conflict(`task ${taskId} is ${task.status}, not processing`);
    this.onTaskSucceeded(task, connection);
    return this.setTaskStatus(taskId, 'completed');
  }

  /** Answers the pending MFA challenge of a `test-code-mfa` / `test-question-mfa` task. */
  answerMfa(taskId: string): TaskView {
    const task = this.taskRecord(taskId);
    if (!task.mfa || task.mfa.answered) throw conflict(`task ${taskId} has no pending MFA challenge`);
    task.mfa.answered = true;
    task.updatedAt = this.nowIso();
    const waiter = this.core.mfaWaiters.get(taskId);
    this.core.mfaWaiters.delete(taskId);
    waiter?.();
    return taskView(this.t, task);
  }

  private stepProcessing(task: TaskRecord): void {
    if (task.status !== 'queued') return;
    const mfa = mfaFor(task.sandboxUsername);
    if (mfa) task.mfa = { type: mfa, answered: false };
    this.setTaskStatus(task._id, 'processing');
  }

  private stepAuthenticate(task: TaskRecord): void {
    if (isTerminal(task.status)) return;
    const outcome = outcomeFor(task.sandboxUsername);
    this.setTaskAuthenticated(task._id, outcome.authenticated);
    if (!outcome.authenticated) this.setTaskStatus(task._id, 'failed', { failReason: outcome.failReason! });
  }

  private stepFinish(task: TaskRecord, connection: ConnectionData): void {
    if (isTerminal(task.status)) return;
    const outcome = outcomeFor(task.sandboxUsername);
    if (outcome.failReason) this.setTaskStatus(task._id, 'failed', { failReason: outcome.failReason });
    else this.completeTask(task._id, connection);
  }

  /** Plays a task to its end immediately, at the current clock time (MFA is answered at once). */
  runTaskNow(taskId: string, options: { connection?: ConnectionData } = {}): TaskView {
    const task = this.taskRecord(taskId);
    this.stepProcessing(task);
    if (task.mfa && !task.mfa.answered) task.mfa.answered = true;
    this.stepAuthenticate(task);
    this.stepFinish(task, options.connection ?? {});
    return taskView(this.t, task);
  }

  /**
   * Plays a task out on the clock (`timings`): processing, the login result, then completion or
   * failure as its sandbox username dictates. Resolves with the final task. Steps skip themselves
   * if the task was moved on by hand meanwhile; `reset()` or `dispose()` reject the promise.
   */
  runTask(taskId: string, options: RunTaskOptions = {}): Promise<TaskView> {
    const task = this.taskRecord(taskId);
    if (isTerminal(task.status)) return Promise.resolve(taskView(this.t, task));
    const timings = { ...this.timings, ...options.timings };
    const connection = options.connection ?? {};
    return new Promise<TaskView>((resolve, reject) => {
      const run: PendingRun = { reject };
      this.core.runs.add(run);
      const guard = (fn: () => void) => () => {
        if (!this.core.runs.has(run)) return;
        try {
          fn();
          if (isTerminal(task.status)) {
            this.core.runs.delete(run);
            this.core.mfaWaiters.delete(task._id);
            resolve(taskView(this.t, task));
          }
        } catch (error) {
          this.core.runs.delete(run);
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const finishAfter = timings.completedAfterMs - timings.authenticatedAfterMs;
      const authenticateThenFinish = () => {
        this.stepAuthenticate(task);
        if (isTerminal(task.status)) return;
        const fetch = options.orderFetch ? this.openAccountAtAuthentication(task, connection) : undefined;
        this.schedule(
          fetch ? orderFetchMs(options.orderFetch!, fetch.orders?.length ?? 0) : Math.max(0, finishAfter),
          guard(() => this.stepFinish(task, fetch ?? connection)),
        );
      };
      this.schedule(
        timings.processingAfterMs,
        guard(() => this.stepProcessing(task)),
      );
      this.schedule(
        timings.authenticatedAfterMs,
        guard(() => {
          if (task.mfa && !task.mfa.answered) {
            // Wait for the user's answer (answerMfa) or the sandbox's own answer after a while.
            this.core.mfaWaiters.set(task._id, guard(authenticateThenFinish));
            if (timings.mfaAnsweredAfterMs !== null)
              this.schedule(
                timings.mfaAnsweredAfterMs,
                guard(() => {
                  if (task.mfa && !task.mfa.answered) this.answerMfa(task._id);
                }),
              );
            return;
          }
          authenticateThenFinish();
        }),
      );
    });
  }

  /**
   * Transact's lifecycle (`runTask` with `orderFetch`): a successful login to an Order Monitoring
   * merchant creates the account at once, `initial` and announced `created`; the orders the fetch
   * will load are decided now, so the fetch can take as long as their number says. Returns the
   * connection to finish with, or undefined when the company is not an Order Monitoring merchant.
   */
  private openAccountAtAuthentication(task: TaskRecord, connection: ConnectionData): ConnectionData | undefined {
    const company = this.company(task.companyId);
    if (task.purpose !== 'connect' || company.accountType !== 'ecommerce' || !company.scopes.includes('pay-link'))
      return undefined;
    const user = this.t.users.get(task.userId)!;
    const existing = this.findLinkedPayLinkAccount(user._id, company._id);
    const account =
      existing ?? this.accountRecord(this.createOrderMonitoringAccount({ identifier: user.identifier, companyId: company._id })._id);
    task.payLinkAccountId = account._id;
    const orders =
      connection.orders ??
      this.generateOrders(account._id, {
        count: connection.orderCount ?? (existing?.lastSyncedAt ? this.ids.int(0, 2) : 30),
        from: existing?.lastSyncedAt ? Date.parse(existing.lastSyncedAt) : this.clock.now() - 90 * DAY_MS,
        to: this.clock.now(),
        ...(connection.cards ? { cards: connection.cards } : {}),
        ...(connection.nonCardShare !== undefined ? { nonCardShare: connection.nonCardShare } : {}),
      });
    return { ...connection, orders };
  }

  private onTaskSucceeded(task: TaskRecord, connection: ConnectionData): void {
    const company = this.company(task.companyId);
    const user = this.t.users.get(task.userId)!;
    const now = this.nowIso();
    if (task.purpose === 'refresh') return;
    const linked = this.upsertLinkedAccount(user, company, {
      valid: true,
      transactRequired: false,
      lastSuccess: now,
    });
    task.linkedAccountId = linked._id;
    if (task.purpose === 'connect' && company.scopes.includes('pay-link')) {
      const account = this.connectPayLinkAccount(user, company, linked._id, connection);
      task.payLinkAccountId = account._id;
      return;
    }
    if (company.scopes.includes('user-link') && task.product !== 'deposit') {
      this.storePayrollData(task, user, company);
      task.payrollDataAvailable = true;
    }
  }

  // ---------------------------------------------------------------- linked accounts

  private upsertLinkedAccount(
    user: UserRecord,
    company: CompanyRecord,
    patch: { valid: boolean; transactRequired: boolean; lastSuccess?: string; lastFailure?: string },
  ): LinkedAccountRecord {
    let account = [...this.t.linkedAccounts.values()].find(
      (a) => a.userId === user._id && a.companyId === company._id,
    );
    if (!account) {
      account = {
        _id: this.ids.objectId(),
        userId: user._id,
        companyId: company._id,
        valid: patch.valid,
        transactRequired: patch.transactRequired,
        createdAt: this.nowIso(),
      };
      this.t.linkedAccounts.set(account._id, account);
    }
    account.valid = patch.valid;
    account.transactRequired = patch.transactRequired;
    if (patch.lastSuccess !== undefined) account.lastSuccess = patch.lastSuccess;
    if (patch.lastFailure !== undefined) account.lastFailure = patch.lastFailure;
    this.emit('linked-account-updated', {
      linkedAccount: linkedAccountView(account),
      user: userRef(user),
      eventTime: this.nowIso(),
    });
    return account;
  }

  /** A persistent connection (TrueAuth) between a user and a company, usable for background tasks. */
  createLinkedAccount(input: {
    identifier: string;
    companyId: string;
    valid?: boolean;
    transactRequired?: boolean;
  }): LinkedAccountView {
    const user = this.ensureUser(input.identifier);
    const company = this.company(input.companyId);
    const exists = [...this.t.linkedAccounts.values()].some(
      (a) => a.userId === user._id && a.companyId === company._id,
    );
    if (exists) throw conflict(`user ${input.identifier} already has a linked account at ${company.name}`);
    const account = this.upsertLinkedAccount(user, company, {
      valid: input.valid ?? true,
      transactRequired: input.transactRequired ?? false,
      lastSuccess: this.nowIso(),
    });
    return linkedAccountView(account);
  }

  /** Marks a linked account's credentials valid or not (invalid ones need the user back in Transact). */
  setLinkedAccountValid(linkedAccountId: string, valid: boolean): LinkedAccountView {
    const account = this.t.linkedAccounts.get(linkedAccountId);
    if (!account) throw notFound('linked account', linkedAccountId);
    const user = this.t.users.get(account.userId)!;
    const now = this.nowIso();
    const updated = this.upsertLinkedAccount(user, this.company(account.companyId), {
      valid,
      transactRequired: !valid,
      ...(valid ? { lastSuccess: now } : { lastFailure: now }),
    });
    return linkedAccountView(updated);
  }

  listLinkedAccounts(identifier: string): LinkedAccountView[] {
    const user = this.getUser(identifier);
    return [...this.t.linkedAccounts.values()].filter((a) => a.userId === user._id).map(linkedAccountView);
  }

  /**
   * `POST /task-workflow/from-linked-account`: queues the first task at once and (unless `autoRun`
   * is false) plays the workflow out on the clock, honouring onComplete / onFail.
   */
  startTaskWorkflow(input: { linkedAccountId: string; tasks: TaskConfiguration[]; autoRun?: boolean }): {
    task: { _id: string };
    taskWorkflow: { _id: string };
    company: CompanyRef;
  } {
    const linked = this.t.linkedAccounts.get(input.linkedAccountId);
    if (!linked) throw notFound('linked account', input.linkedAccountId);
    if (!linked.valid || linked.transactRequired)
      throw conflict(
        `linked account ${linked._id} needs the user to re-authenticate in Transact (valid: ${linked.valid}, transactRequired: ${linked.transactRequired})`,
      );
    if (input.tasks.length === 0) throw invalid('tasks', 'tasks must contain at least one task');
    const user = this.t.users.get(linked.userId)!;
    const company = this.company(linked.companyId);
    const workflowId = this.ids.objectId();
    const makeTask = (config: TaskConfiguration): TaskRecord => {
      const product = (config.operation ?? config.product ?? 'verify') as TaskProduct;
      const depositData: TaskRecord['depositData'] =
        product === 'deposit' && config.distribution
          ? {
              distributionType: config.distribution.type,
              ...(config.distribution.amount !== undefined
                ? { distributionAmount: config.distribution.amount }
                : {}),
            }
          : undefined;
      return this.createTask({
        user,
        company,
        product,
        purpose: 'workflow',
        username: 'test-good',
        linkedAccountId: linked._id,
        taskWorkflowId: workflowId,
        depositData,
      });
    };
    const first = makeTask(input.tasks[0]!);
    if (input.autoRun ?? true) {
      const runFrom = (index: number, task: TaskRecord) => {
        this.runTask(task._id).then(
          (done) => {
            const config = input.tasks[index]!;
            const action = done.status === 'completed' ? config.onComplete : config.onFail;
            const next = input.tasks[index + 1];
            if (action === 'continue' && next) runFrom(index + 1, makeTask(next));
          },
          () => undefined, // the store was reset or disposed; nothing left to run
        );
      };
      runFrom(0, first);
    }
    return {
      task: { _id: first._id },
      taskWorkflow: { _id: workflowId },
      company: companyRefFor(this.t, company._id),
    };
  }

  // ---------------------------------------------------------------- PayLink & Order Monitoring accounts

  private accountRecord(accountId: string): PayLinkAccountRecord {
    const account = this.t.payLinkAccounts.get(accountId);
    if (!account) throw notFound('account', accountId);
    return account;
  }

  /**
   * The account as the API shows it. `{share: true}` skips the deep copy of its nested data (the order
   * history): the view then holds the store's own objects, so it must be serialised at once and never
   * changed or kept — what the HTTP route does; everything else takes the copy.
   */
  getPayLinkAccount(accountId: string, options: { share?: boolean } = {}): PayLinkAccountView {
    return payLinkAccountView(this.t, this.accountRecord(accountId), options.share ? 'share' : 'copy');
  }

  findPayLinkAccount(accountId: string): PayLinkAccountView | undefined {
    const account = this.t.payLinkAccounts.get(accountId);
    return account ? payLinkAccountView(this.t, account) : undefined;
  }

  /** The owner of an account, for scoping public-token reads. */
  accountOwner(accountId: string): UserRef | undefined {
    const account = this.t.payLinkAccounts.get(accountId);
    const user = account && this.t.users.get(account.userId);
    return user ? userRef(user) : undefined;
  }

  listPayLinkAccounts(
    identifier: string,
    filter: { supported?: boolean; connected?: boolean } = {},
  ): PayLinkAccountView[] {
    const user = this.getUser(identifier);
    const out: PayLinkAccountView[] = [];
    for (const account of this.t.payLinkAccounts.values()) {
      if (account.userId !== user._id) continue;
      const view = payLinkAccountView(this.t, account);
      if (filter.supported !== undefined && view.account.supported !== filter.supported) continue;
      if (filter.connected !== undefined && view.account.connected !== filter.connected) continue;
      out.push(view);
    }
    return out;
  }

  private findLinkedPayLinkAccount(userId: string, companyId: string): PayLinkAccountRecord | undefined {
    for (const account of this.t.payLinkAccounts.values())
      if (account.userId === userId && account.companyId === companyId) return account;
    return undefined;
  }

  private announce(user: UserRecord, accounts: { _id: string; updateType: PayLinkUpdateType }[]): void {
    this.emit('pay-link-accounts-updated', { user: userRef(user), accounts, eventTime: this.nowIso() });
  }

  private newAccountRecord(
    user: UserRecord,
    company: { _id: string; accountType?: CompanyRecord['accountType'] },
    fields: Partial<PayLinkAccountRecord> & Pick<PayLinkAccountRecord, 'type'>,
  ): PayLinkAccountRecord {
    const now = this.nowIso();
    const identity = {
      ...(user.identity?.['firstName'] ? { firstName: user.identity['firstName'] } : {}),
      ...(user.identity?.['email'] ? { email: user.identity['email'] } : {}),
      ...(user.identity?.['phone'] ? { phone: user.identity['phone'] } : {}),
    };
    const account: PayLinkAccountRecord = {
      _id: this.ids.objectId(),
      userId: user._id,
      companyId: company._id,
      connectionStatus: 'initial',
      lastSyncedAt: null,
      monitoring: user.monitoring,
      createdAt: now,
      updatedAt: now,
      details: {
        _id: '',
        type: company.accountType ?? 'subscription',
        suggestions: [],
        identities: Object.keys(identity).length ? [identity] : [],
      },
      actions: [],
      orders: [],
      ...fields,
    };
    account.details._id = account._id;
    this.t.payLinkAccounts.set(account._id, account);
    return account;
  }

  private userCards(user: UserRecord, account?: PayLinkAccountRecord): PaymentCard[] {
    const seen = new Map<string, PaymentCard>();
    for (const order of account?.orders ?? [])
      if (order.paymentMethod?.type === 'card' && order.paymentMethod.lastFour)
        seen.set(order.paymentMethod.lastFour, {
          lastFour: order.paymentMethod.lastFour,
          brand: order.paymentMethod.brand ?? 'Visa',
        });
    for (const card of user.cards)
      if (card.lastFour)
        seen.set(card.lastFour, {
          lastFour: card.lastFour,
          brand: BRAND_NAMES[card.brand ?? ''] ?? card.brand ?? 'Visa',
        });
    if (seen.size > 0) return [...seen.values()];
    const fourDigits = () => String(this.ids.int(0, 9999)).padStart(4, '0');
    return [
      { lastFour: fourDigits(), brand: 'Visa' },
      { lastFour: fourDigits(), brand: 'Mastercard' },
    ];
  }

  /**
   * Generates orders for an account (not stored): paid with the cards already seen on the account
   * or the user's cards, dated within [from, to] (default: the last 90 days).
   */
  generateOrders(accountId: string, options: Partial<GenerateOrdersOptions> & { count: number }): Order[] {
    const account = this.accountRecord(accountId);
    const user = this.t.users.get(account.userId)!;
    const now = this.clock.now();
    return generateAmazonOrders(this.ids, {
      ...options,
      count: options.count,
      from: options.from ?? now - 90 * DAY_MS,
      to: options.to ?? now,
      cards: options.cards ?? this.userCards(user, account),
    });
  }

  private connectPayLinkAccount(
    user: UserRecord,
    company: CompanyRecord,
    linkedAccountId: string,
    connection: ConnectionData,
  ): PayLinkAccountRecord {
    let account = this.findLinkedPayLinkAccount(user._id, company._id);
    const isNew = !account;
    if (!account) {
      account = this.newAccountRecord(user, company, { type: 'linked', linkedAccountId });
      if (company.accountType !== 'ecommerce')
        this.fillSubscription(account, user, company, connection.addOnCents);
      this.announce(user, [{ _id: account._id, updateType: 'created' }]);
    }
    // A detected account becomes a linked one (its data now comes from the company, not from
    // bank transactions); a disconnected one reconnects.
    const wasDetected = account.type === 'detected';
    account.type = 'linked';
    account.linkedAccountId = linkedAccountId;
    account.monitoring = user.monitoring;
    if (company.accountType === 'ecommerce' && account.details.sourceId === undefined)
      account.details.sourceId = this.amazonAccountSourceId();
    if (company.accountType === 'ecommerce') {
      const orders =
        connection.orders ??
        this.generateOrders(account._id, {
          count: connection.orderCount ?? (isNew ? 30 : this.ids.int(0, 2)),
          from:
            isNew || !account.lastSyncedAt
              ? this.clock.now() - 90 * DAY_MS
              : Date.parse(account.lastSyncedAt),
          to: this.clock.now(),
          ...(connection.cards ? { cards: connection.cards } : {}),
          ...(connection.nonCardShare !== undefined ? { nonCardShare: connection.nonCardShare } : {}),
        });
      this.upsertOrders(account, orders, false);
    } else if (wasDetected || !account.details.billing) {
      this.fillSubscription(account, user, company, connection.addOnCents);
    }
    this.markSynced(account._id);
    return account;
  }

  /** The merchant's own id for the customer account, as Amazon formats it. */
  private amazonAccountSourceId(): string {
    return `amzn1.account.${this.ids.faker.string.alphanumeric({ length: 28, casing: 'upper' })}`;
  }

  private fillSubscription(
    account: PayLinkAccountRecord,
    user: UserRecord,
    company: CompanyRecord,
    addOnCents: number | undefined,
  ): void {
    const card = this.userCards(user)[0];
    const content = subscriptionContent(this.ids, {
      company,
      accountId: account._id,
      anchorMs: this.clock.now(),
      identity: {
        firstName: user.identity?.['firstName'] ?? 'test',
        email: user.identity?.['email'] ?? 'test@email.com',
        phone: user.identity?.['phone'] ?? '5558675309',
      },
      card,
      ...(addOnCents !== undefined ? { addOnCents } : {}),
    });
    account.details.sourceId = content.sourceId;
    account.details.suggestions = content.suggestions;
    account.details.identities = content.identities;
    account.details.billing = content.billing;
    account.details.data = content.data;
    account.actions = content.actions;
  }

  /**
   * Creates an Order Monitoring account in `initial` state with no orders yet and announces it
   * (`pay-link-accounts-updated` / created). Load orders with `addOrders`, then `markSynced`.
   */
  createOrderMonitoringAccount(input: {
    identifier: string;
    companyId?: string;
    linkedAccountId?: string;
  }): PayLinkAccountView {
    const company = this.company(input.companyId ?? AMAZON_COMPANY_ID);
    if (company.accountType !== 'ecommerce')
      throw invalid('companyId', `${company.name} is not an Order Monitoring merchant`);
    const user = this.ensureUser(input.identifier);
    if (this.findLinkedPayLinkAccount(user._id, company._id))
      throw conflict(`user ${input.identifier} already has a ${company.name} account; use reconnectAccount`);
    let linkedAccountId = input.linkedAccountId;
    if (linkedAccountId === undefined) {
      linkedAccountId = this.upsertLinkedAccount(user, company, {
        valid: true,
        transactRequired: false,
        lastSuccess: this.nowIso(),
      })._id;
    } else if (!this.t.linkedAccounts.has(linkedAccountId)) {
      throw notFound('linked account', linkedAccountId);
    }
    const account = this.newAccountRecord(user, company, { type: 'linked', linkedAccountId });
    account.details.sourceId = this.amazonAccountSourceId();
    this.announce(user, [{ _id: account._id, updateType: 'created' }]);
    return payLinkAccountView(this.t, account);
  }

  /** A connected subscription account (like the Hulu example in vendor-docs 001), synced now. */
  createSubscriptionAccount(input: {
    identifier: string;
    companyId?: string;
    addOnCents?: number;
  }): PayLinkAccountView {
    const company = this.company(input.companyId ?? HULU_COMPANY_ID);
    if (!company.scopes.includes('pay-link') || company.accountType === 'ecommerce')
      throw invalid('companyId', `${company.name} is not a PayLink subscription company`);
    const user = this.ensureUser(input.identifier);
    if (this.findLinkedPayLinkAccount(user._id, company._id))
      throw conflict(`user ${input.identifier} already has a ${company.name} account`);
    const linked = this.upsertLinkedAccount(user, company, {
      valid: true,
      transactRequired: false,
      lastSuccess: this.nowIso(),
    });
    const connection: ConnectionData = input.addOnCents !== undefined ? { addOnCents: input.addOnCents } : {};
    return payLinkAccountView(this.t, this.connectPayLinkAccount(user, company, linked._id, connection));
  }

  private upsertOrders(account: PayLinkAccountRecord, orders: Order[], replace: boolean): void {
    const parsed = orders.map((order, i) => {
      const result = OrderSchema.safeParse(order);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        throw invalid(
          `orders.${i}.${issue.path.join('.')}`,
          `orders[${i}].${issue.path.join('.')}: ${issue.message}`,
        );
      }
      return structuredClone(result.data);
    });
    const added: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    const byKey = new Map<string, Order>();
    if (replace) {
      const incoming = new Set(parsed.flatMap((o) => [o._id, o.sourceId]));
      for (const old of account.orders)
        if (!incoming.has(old._id) && !incoming.has(old.sourceId)) removed.push(old._id);
    } else {
      for (const old of account.orders) byKey.set(old._id, old);
    }
    const existing = new Map(account.orders.flatMap((o) => [[o._id, o] as const, [o.sourceId, o] as const]));
    for (const order of parsed) {
      const previous = existing.get(order._id) ?? existing.get(order.sourceId);
      if (previous) {
        // Same order seen again (a refresh found it changed): keep its id so consumers can correlate.
        order._id = previous._id;
        byKey.delete(previous._id);
        updated.push(order._id);
      } else {
        added.push(order._id);
      }
      byKey.set(order._id, order);
    }
    account.orders = [...byKey.values()].sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
    account.updatedAt = this.nowIso();
    const user = this.t.users.get(account.userId)!;
    this.emit('orders-changed', {
      account: payLinkAccountView(this.t, account),
      user: userRef(user),
      added,
      updated,
      removed,
      eventTime: account.updatedAt,
    });
  }

  /** Adds orders, or replaces the ones with the same `_id` or `sourceId` (an order that changed). */
  addOrders(accountId: string, orders: Order[]): PayLinkAccountView {
    const account = this.accountRecord(accountId);
    if (account.details.type !== 'ecommerce')
      throw invalid('accountId', `account ${accountId} has no orders`);
    this.upsertOrders(account, orders, false);
    return payLinkAccountView(this.t, account);
  }

  /** Replaces every order of the account. */
  replaceOrders(accountId: string, orders: Order[]): PayLinkAccountView {
    const account = this.accountRecord(accountId);
    if (account.details.type !== 'ecommerce')
      throw invalid('accountId', `account ${accountId} has no orders`);
    this.upsertOrders(account, orders, true);
    return payLinkAccountView(this.t, account);
  }

  /** Data fully synced: `connected`, `lastSyncedAt` = now, announced as `updated`. */
  markSynced(accountId: string): PayLinkAccountView {
    const account = this.accountRecord(accountId);
    if (account.type !== 'linked')
      throw conflict(`account ${accountId} was only detected; the user has not connected it`);
    account.connectionStatus = 'connected';
    delete account.failReason;
    account.lastSyncedAt = this.nowIso();
    account.updatedAt = account.lastSyncedAt;
    this.announce(this.t.users.get(account.userId)!, [{ _id: account._id, updateType: 'updated' }]);
    return payLinkAccountView(this.t, account);
  }

  /** Disconnects an account (announced as `disconnected`); stitching should pause until it reconnects. */
  disconnectAccount(
    accountId: string,
    failReason: OrderMonitoringFailReason | FailReason,
  ): PayLinkAccountView {
    const account = this.accountRecord(accountId);
    if (account.type !== 'linked')
      throw conflict(`account ${accountId} was only detected; it cannot disconnect`);
    if (account.connectionStatus === 'disconnected')
      throw conflict(`account ${accountId} is already disconnected`);
    if (!(TASK_FAIL_REASONS as readonly string[]).includes(failReason))
      throw invalid(
        'failReason',
        `unknown failReason "${failReason}"; use one of: ${ORDER_MONITORING_FAIL_REASONS.join(', ')}`,
      );
    account.connectionStatus = 'disconnected';
    account.failReason = failReason;
    account.updatedAt = this.nowIso();
    const user = this.t.users.get(account.userId)!;
    if (account.linkedAccountId) {
      const linked = this.t.linkedAccounts.get(account.linkedAccountId);
      // Credentials problems need the user back in Transact; merchant-side trouble does not.
      const needsUser = failReason === 'session-expired' || failReason === 'credentials-invalid';
      if (linked)
        this.upsertLinkedAccount(user, this.company(linked.companyId), {
          valid: !needsUser,
          transactRequired: needsUser,
          lastFailure: account.updatedAt,
        });
    }
    this.announce(user, [{ _id: account._id, updateType: 'disconnected' }]);
    return payLinkAccountView(this.t, account);
  }

  /**
   * A scheduled refresh (continuous access): a `refresh` task runs now; on success new or changed
   * orders are stored and the account is synced (`updated`); with `failReason` the task fails with
   * that reason and the account is disconnected.
   */
  refreshAccount(
    accountId: string,
    options: RefreshOptions = {},
  ): { task: TaskView; account: PayLinkAccountView } {
    const account = this.accountRecord(accountId);
    if (account.type !== 'linked')
      throw conflict(`account ${accountId} was only detected; there is nothing to refresh`);
    const transient =
      options.retryTransient === true &&
      account.connectionStatus === 'disconnected' &&
      account.failReason === 'merchant-unavailable';
    if (account.connectionStatus !== 'connected' && !transient)
      throw conflict(
        `account ${accountId} is ${account.connectionStatus}; only a connected account can refresh`,
      );
    const user = this.t.users.get(account.userId)!;
    if (!account.monitoring || !user.monitoring)
      throw conflict(
        `monitoring has ended for user ${user.identifier}; account ${accountId} is no longer refreshed`,
      );
    if (
      options.failReason !== undefined &&
      !(ORDER_MONITORING_FAIL_REASONS as readonly string[]).includes(options.failReason)
    )
      throw invalid(
        'failReason',
        `unknown failReason "${options.failReason}"; use one of: ${ORDER_MONITORING_FAIL_REASONS.join(', ')}`,
      );
    const company = this.company(account.companyId);
    const task = this.createTask({
      user,
      company,
      product: 'present',
      purpose: 'refresh',
      linkedAccountId: account.linkedAccountId,
      payLinkAccountId: account._id,
    });
    this.setTaskStatus(task._id, 'processing');
    if (options.failReason) {
      // An unavailable merchant never gets as far as a login; the other reasons are login-time failures.
      if (options.failReason !== 'merchant-unavailable') this.setTaskAuthenticated(task._id, false);
      this.setTaskStatus(task._id, 'failed', { failReason: options.failReason });
      // A retry of an already disconnected account (retryTransient) failing again stays disconnected.
      if (account.connectionStatus === 'connected') this.disconnectAccount(account._id, options.failReason);
      else Object.assign(account, { failReason: options.failReason, updatedAt: this.nowIso() });
    } else {
      this.setTaskAuthenticated(task._id, true);
      if (account.details.type === 'ecommerce') {
        const since = account.lastSyncedAt ? Date.parse(account.lastSyncedAt) : this.clock.now() - DAY_MS;
        const orders =
          options.orders ??
          this.generateOrders(account._id, { count: this.ids.int(0, 2), from: since, to: this.clock.now() });
        this.upsertOrders(account, orders, false);
      }
      if (account.linkedAccountId) {
        const linked = this.t.linkedAccounts.get(account.linkedAccountId);
        if (linked)
          this.upsertLinkedAccount(user, company, {
            valid: true,
            transactRequired: false,
            lastSuccess: this.nowIso(),
          });
      }
      this.markSynced(account._id);
      this.setTaskStatus(task._id, 'completed');
    }
    return { task: taskView(this.t, task), account: payLinkAccountView(this.t, account) };
  }

  /**
   * The user connects again through Transact: a `connect` task runs now with the given sandbox
   * username; on success the same account id is reconnected (`updated`) with fresh orders.
   */
  reconnectAccount(
    accountId: string,
    options: { username?: SandboxUsername; connection?: ConnectionData } = {},
  ): { task: TaskView; account: PayLinkAccountView } {
    const account = this.accountRecord(accountId);
    if (account.type !== 'linked' || account.connectionStatus !== 'disconnected')
      throw conflict(
        `account ${accountId} is ${account.connectionStatus}; only a disconnected account can reconnect`,
      );
    const user = this.t.users.get(account.userId)!;
    const started = this.startConnectTask({
      identifier: user.identifier,
      companyId: account.companyId,
      username: options.username ?? 'test-good',
    });
    const task = this.runTaskNow(started._id, { connection: options.connection ?? {} });
    return { task, account: payLinkAccountView(this.t, account) };
  }

  /**
   * Connects a user to a merchant in one go at the current time: ensures the user, starts a connect
   * task with `username` and plays it out (processing → authenticated → account created and synced →
   * completed, or the failure the username implies). Returns the account on success.
   */
  connectMerchant(input: StartTaskInput & { connection?: ConnectionData }): {
    task: TaskView;
    account: PayLinkAccountView | undefined;
  } {
    const started = this.startConnectTask(input);
    const task = this.runTaskNow(started._id, { connection: input.connection ?? {} });
    const record = this.t.tasks.get(task._id)!;
    const account = record.payLinkAccountId ? this.getPayLinkAccount(record.payLinkAccountId) : undefined;
    return { task, account };
  }

  /** `PUT /user/:identifier/end-monitoring`: no more refreshes for the user's accounts. */
  endMonitoring(identifier: string): { user: UserRef; accountIds: string[] } {
    const user = this.getUser(identifier);
    user.monitoring = false;
    user.updatedAt = this.nowIso();
    const accountIds: string[] = [];
    for (const account of this.t.payLinkAccounts.values()) {
      if (account.userId !== user._id || !account.monitoring) continue;
      account.monitoring = false;
      accountIds.push(account._id);
    }
    this.emit('monitoring-ended', { user: userRef(user), accountIds, eventTime: user.updatedAt });
    return { user: userRef(user), accountIds };
  }

  /**
   * `POST /:identifier/pay-link/accounts`: finds the companies behind the user's transactions. Known
   * descriptors map to catalog companies (supported if PayLink); an unknown merchant charging at
   * least twice becomes an unsupported detected company. Existing accounts are returned as they are.
   */
  detectAccounts(identifier: string, transactions: FinancialTransaction[]): PayLinkAccountView[] {
    const user = this.ensureUser(identifier);
    const groups = new Map<
      string,
      { company?: CompanyRecord; name: string; transactions: FinancialTransaction[] }
    >();
    for (const tx of transactions) {
      const text = `${tx.merchantName ?? ''} ${tx.description}`;
      const company = detectCompany(text);
      const name = company?.name ?? (tx.merchantName ?? tx.description).trim();
      const key = company ? company._id : `unknown:${name.toUpperCase()}`;
      let group = groups.get(key);
      if (!group) {
        group = company ? { company, name, transactions: [] } : { name, transactions: [] };
        groups.set(key, group);
      }
      group.transactions.push(tx);
    }
    const out: PayLinkAccountView[] = [];
    for (const group of groups.values()) {
      if (!group.company && group.transactions.length < 2) continue;
      let companyId = group.company?._id;
      if (!companyId) {
        const known = [...this.t.detectedCompanies.values()].find(
          (c) => c.name.toUpperCase() === group.name.toUpperCase(),
        );
        const detected = known ?? { _id: this.ids.objectId(), name: group.name, color: '#5C6670' };
        if (!known) this.t.detectedCompanies.set(detected._id, detected);
        companyId = detected._id;
      }
      let account = this.findLinkedPayLinkAccount(user._id, companyId);
      if (!account) {
        const sorted = [...group.transactions].sort((a, b) => (a.date < b.date ? 1 : -1));
        const toIso = (date: string) => new Date(date).toISOString();
        account = this.newAccountRecord(
          user,
          group.company ?? { _id: companyId, accountType: 'subscription' },
          { type: 'detected', createdBy: 'detection', monitoring: false },
        );
        account.details.billing = {
          amount: Math.abs(sorted[0]!.amount),
          items: [],
          history: sorted.map((tx) => ({ date: toIso(tx.date), amount: Math.abs(tx.amount) })),
          paymentMethods: [],
        };
      }
      out.push(payLinkAccountView(this.t, account));
    }
    return out;
  }

  // ---------------------------------------------------------------- payroll (UserLink) data

  private storePayrollData(task: TaskRecord, user: UserRecord, company: CompanyRecord): void {
    const now = this.clock.now();
    const faker = this.ids.faker;
    const payloads = generatePayrollData(this.ids, {
      anchorMs: now,
      employerName: company.name === 'ADP' ? `${faker.company.name()} Inc.` : company.name,
      person: {
        firstName: user.identity?.['firstName'] ?? faker.person.firstName(),
        lastName: user.identity?.['lastName'] ?? faker.person.lastName(),
        email: user.identity?.['email'] ?? faker.internet.email().toLowerCase(),
        phone: user.identity?.['phone'] ?? faker.string.numeric(10),
      },
      files: {
        newFile: (kind, name) => {
          const file: FileRecord = {
            _id: this.ids.objectId(),
            taskId: task._id,
            userId: user._id,
            kind,
            name,
          };
          this.t.files.set(file._id, file);
          return file._id;
        },
      },
    });
    for (const kind of PAYROLL_KIND_NAMES) {
      const record: PayrollRecord = {
        _id: this.ids.objectId(),
        kind,
        userId: user._id,
        companyId: company._id,
        taskId: task._id,
        retrievedAt: iso(now),
        payload: payloads[kind],
      };
      if (task.linkedAccountId !== undefined) record.linkedAccountId = task.linkedAccountId;
      this.t.payroll.set(record._id, record);
    }
  }

  /**
   * Payroll data of one kind for a user: what `task` retrieved, or else the most recent retrieval
   * per linked account, optionally only for `linkedAccount`.
   */
  payrollData(
    kind: PayrollKind,
    identifier: string,
    filter: { linkedAccount?: string; task?: string } = {},
  ): PayrollEntry[] {
    const user = this.getUser(identifier);
    if (filter.task !== undefined) {
      const task = this.t.tasks.get(filter.task);
      if (!task || task.userId !== user._id) throw notFound('task', filter.task);
    }
    if (filter.linkedAccount !== undefined) {
      const linked = this.t.linkedAccounts.get(filter.linkedAccount);
      if (!linked || linked.userId !== user._id) throw notFound('linked account', filter.linkedAccount);
    }
    const matching = [...this.t.payroll.values()].filter(
      (r) =>
        r.kind === kind &&
        r.userId === user._id &&
        (filter.task === undefined || r.taskId === filter.task) &&
        (filter.linkedAccount === undefined || r.linkedAccountId === filter.linkedAccount),
    );
    let chosen = matching;
    if (filter.task === undefined) {
      const latest = new Map<string, PayrollRecord>();
      for (const r of matching) {
        const key = r.linkedAccountId ?? r.companyId;
        const current = latest.get(key);
        if (!current || current.retrievedAt <= r.retrievedAt) latest.set(key, r);
      }
      chosen = [...latest.values()];
    }
    return chosen.map((r) => {
      const company = this.company(r.companyId);
      const entry: PayrollEntry = {
        kind,
        payload: structuredClone(r.payload),
        company: companyRefFor(this.t, company._id),
        connector: {
          _id: company.connector._id,
          name: company.connector.name,
          branding: { logo: { url: company.branding.logo.url } },
        },
        task: r.taskId,
        retrievedAt: r.retrievedAt,
      };
      if (r.linkedAccountId !== undefined) entry.linkedAccount = r.linkedAccountId;
      return entry;
    });
  }

  /** A file a task retrieved (paystub, tax form). */
  taskFile(taskId: string, fileId: string): FileRecord {
    this.taskRecord(taskId);
    const file = this.t.files.get(fileId);
    if (!file || file.taskId !== taskId) throw notFound('file', fileId);
    return { ...file };
  }

  findFile(fileId: string): FileRecord | undefined {
    const file = this.t.files.get(fileId);
    return file ? { ...file } : undefined;
  }

  /** Signature of a presigned file URL (an HMAC keyed per seed, so URLs are stable for a seed). */
  signFile(fileId: string, expiresAtSeconds: number): string {
    return createHmac('sha256', this.fileKey).update(`${fileId}.${expiresAtSeconds}`).digest('hex');
  }

  // ---------------------------------------------------------------- API secrets & webhook endpoints

  private secretRecord(secretId: string): SecretRecord {
    const secret = this.t.secrets.get(secretId);
    if (!secret) throw notFound('secret', secretId);
    return secret;
  }

  createSecret(name: string, token?: string): SecretRecord {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw invalid('name', 'name must be 1-100 characters');
    const secret: SecretRecord = {
      _id: this.freshId(this.t.secrets),
      name: trimmed,
      token: token ?? this.ids.uuid(),
      createdAt: this.nowIso(),
    };
    this.t.secrets.set(secret._id, secret);
    this.emit('secret-changed', { secretId: secret._id, change: 'created', eventTime: secret.createdAt });
    return { ...secret };
  }

  listSecrets(): SecretView[] {
    return [...this.t.secrets.values()].map((s) => ({
      _id: s._id,
      name: s.name,
      createdAt: s.createdAt,
      endpoints: [...this.t.webhookEndpoints.values()]
        .filter((e) => e.secretId === s._id)
        .map((e) => ({ _id: e._id, url: e.url, eventTypes: [...e.eventTypes] })),
    }));
  }

  /** Deletes a secret no endpoint uses (re-point or delete those endpoints first). */
  deleteSecret(secretId: string): void {
    this.secretRecord(secretId);
    const users = [...this.t.webhookEndpoints.values()]
      .filter((e) => e.secretId === secretId)
      .map((e) => e._id);
    if (users.length)
      throw conflict(
        `secret ${secretId} signs webhook endpoints ${users.join(', ')}; update or delete them first`,
      );
    this.t.secrets.delete(secretId);
    this.emit('secret-changed', { secretId, change: 'deleted', eventTime: this.nowIso() });
  }

  /** The baseline secret (`default`), whose token is the configured API secret. */
  defaultSecret(): SecretRecord {
    const secret = this.t.secrets.get(this.core.baseline.defaultSecretId);
    if (secret) return { ...secret };
    const any = this.t.secrets.values().next().value;
    if (any) return { ...any };
    return this.createSecret('default', this.apiSecret);
  }

  /**
   * Set by the platform: why a URL may not receive webhooks here (the operator's allow-list), or
   * undefined. Every endpoint created or updated — through the API, `--webhook-url` or an import —
   * passes it.
   */
  webhookTargetCheck: ((url: string) => string | undefined) | undefined;

  private validateEndpoint(input: { url: string; secretId: string; eventTypes: readonly string[] }): {
    url: string;
    secretId: string;
    eventTypes: AtomicEventType[];
  } {
    const url = WebhookUrlSchema.safeParse(input.url);
    if (!url.success) throw invalid('url', url.error.issues[0]?.message ?? 'url is invalid');
    const refusal = this.webhookTargetCheck?.(url.data);
    if (refusal !== undefined) throw invalid('url', `url ${refusal}`);
    if (!this.t.secrets.has(input.secretId))
      throw invalid('secretId', `secretId ${input.secretId} is not a known secret`);
    if (input.eventTypes.length === 0)
      throw invalid('eventTypes', 'eventTypes must list at least one event type');
    for (const type of input.eventTypes)
      if (!(ATOMIC_EVENT_TYPES as readonly string[]).includes(type))
        throw invalid('eventTypes', `unknown event type "${type}"; use: ${ATOMIC_EVENT_TYPES.join(', ')}`);
    return {
      url: url.data,
      secretId: input.secretId,
      eventTypes: [...new Set(input.eventTypes)] as AtomicEventType[],
    };
  }

  createWebhookEndpoint(input: {
    url: string;
    secretId: string;
    eventTypes: readonly string[];
  }): WebhookEndpointRecord {
    const valid = this.validateEndpoint(input);
    const now = this.nowIso();
    const endpoint: WebhookEndpointRecord = {
      _id: this.freshId(this.t.webhookEndpoints),
      ...valid,
      createdAt: now,
      updatedAt: now,
    };
    this.t.webhookEndpoints.set(endpoint._id, endpoint);
    this.emit('webhook-endpoint-changed', { endpointId: endpoint._id, change: 'created', eventTime: now });
    return structuredClone(endpoint);
  }

  updateWebhookEndpoint(
    endpointId: string,
    input: { url: string; secretId: string; eventTypes: readonly string[] },
  ): WebhookEndpointRecord {
    const endpoint = this.t.webhookEndpoints.get(endpointId);
    if (!endpoint) throw notFound('webhook endpoint', endpointId);
    Object.assign(endpoint, this.validateEndpoint(input), { updatedAt: this.nowIso() });
    this.emit('webhook-endpoint-changed', { endpointId, change: 'updated', eventTime: endpoint.updatedAt });
    return structuredClone(endpoint);
  }

  deleteWebhookEndpoint(endpointId: string): void {
    if (!this.t.webhookEndpoints.delete(endpointId)) throw notFound('webhook endpoint', endpointId);
    this.emit('webhook-endpoint-changed', { endpointId, change: 'deleted', eventTime: this.nowIso() });
  }

  listWebhookEndpoints(): WebhookEndpointRecord[] {
    return [...this.t.webhookEndpoints.values()].map((e) => structuredClone(e));
  }

  /** Where an event of this type goes: every endpoint subscribed to it, with its signing secret. */
  webhookTargets(eventType: AtomicEventType): WebhookTarget[] {
    const out: WebhookTarget[] = [];
    for (const endpoint of this.t.webhookEndpoints.values()) {
      if (!endpoint.eventTypes.includes(eventType)) continue;
      const secret = this.t.secrets.get(endpoint.secretId);
      if (!secret) continue;
      out.push({ endpointId: endpoint._id, url: endpoint.url, secretId: secret._id, secret: secret.token });
    }
    return out;
  }

  /**
   * Registers one URL for every event type (or `eventTypes`), signed with the default secret unless
   * `secretId` says otherwise. Registering the same URL again updates that endpoint instead of
   * adding a second one. This is what `--webhook-url` uses.
   */
  registerWebhookUrl(
    url: string,
    options: { eventTypes?: readonly AtomicEventType[]; secretId?: string } = {},
  ): WebhookEndpointRecord {
    const body = {
      url,
      secretId: options.secretId ?? this.defaultSecret()._id,
      eventTypes: options.eventTypes ?? ATOMIC_EVENT_TYPES,
    };
    const existing = [...this.t.webhookEndpoints.values()].find((e) => e.url === url);
    return existing ? this.updateWebhookEndpoint(existing._id, body) : this.createWebhookEndpoint(body);
  }

  // ---------------------------------------------------------------- whole-state operations

  /** What the baseline contains (identifiers, a ready public token, account ids). */
  baselineInfo(): BaselineInfo {
    return structuredClone(this.core.baseline);
  }

  /** The whole state as one JSON-safe document (`GET /api/state`). */
  exportState(): AtomicState {
    return this.t.toState();
  }

  /** Replaces the whole state with a validated document; pending task runs are cancelled. */
  importState(input: unknown): void {
    const parsed = AtomicStateSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalid(
        issue.path.join('.'),
        `invalid Atomic state at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
    }
    const identifiers = new Set<string>();
    for (const user of parsed.data.users) {
      if (identifiers.has(user.identifier))
        throw invalid('users', `duplicate user identifier ${user.identifier}`);
      identifiers.add(user.identifier);
    }
    const userIds = new Set(parsed.data.users.map((u) => u._id));
    for (const task of parsed.data.tasks)
      if (!userIds.has(task.userId) || !findCompany(task.companyId))
        throw invalid('tasks', `task ${task._id} refers to an unknown user or company`);
    this.cancelPending('the Atomic store state was replaced');
    this.core.tables = StateTables.from(structuredClone(parsed.data));
    this.emit('state-replaced', { reason: 'import', eventTime: this.nowIso() });
  }

  /**
   * Back to the seeded baseline: same seed ⇒ same ids and data as at start. With
   * `keepWebhookRegistrations`, the webhook endpoints and secrets registered so far survive it
   * (configuration, not data: a test suite registers once and resets between tests).
   */
  reset(options: { keepWebhookRegistrations?: boolean } = {}): void {
    const kept = options.keepWebhookRegistrations
      ? {
          secrets: [...this.t.secrets.values()].map((s) => structuredClone(s)),
          endpoints: [...this.t.webhookEndpoints.values()].map((e) => structuredClone(e)),
        }
      : undefined;
    this.cancelPending('the Atomic store was reset');
    this.core.runtimeRandom = this.root.fork('runtime');
    this.buildBaseline();
    if (kept) {
      for (const secret of kept.secrets) this.t.secrets.set(secret._id, secret);
      for (const endpoint of kept.endpoints) this.t.webhookEndpoints.set(endpoint._id, endpoint);
    }
    this.emit('state-replaced', { reason: 'reset', eventTime: this.nowIso() });
  }

  /** A fresh id not already used by `table` (kept registrations outlive the id sequence of a reset). */
  private freshId(table: Map<string, unknown>): string {
    for (;;) {
      const id = this.ids.objectId();
      if (!table.has(id)) return id;
    }
  }

  /** Cancels every pending timer; the store stays readable. */
  dispose(): void {
    this.cancelPending('the Atomic store was disposed');
  }

  private buildBaseline(): void {
    this.core.tables = new StateTables();
    this.core.muted = true;
    try {
      this.core.baseline = seedBaseline(this, {
        random: this.root.fork('baseline'),
        anchorMs: this.baselineAt,
        apiSecret: this.apiSecret,
        full: this.withBaseline,
        view: (clock, random) => this.viewWith(clock, random),
      });
    } finally {
      this.core.muted = false;
    }
  }
}

function storedCard(card: CardDetails): StoredCard {
  const stored: StoredCard = { viaPaymentService: card.paymentService !== undefined };
  const lastFour = card.number ? card.number.slice(-4) : card.lastFour;
  if (lastFour !== undefined) stored.lastFour = lastFour;
  if (card.brand !== undefined) stored.brand = card.brand;
  if (card.title !== undefined) stored.title = card.title;
  if (card.subtitle !== undefined) stored.subtitle = card.subtitle;
  if (card.expiry !== undefined) stored.expiry = card.expiry;
  if (card.cardStatus !== undefined) stored.cardStatus = card.cardStatus;
  return stored;
}

export function createAtomicStore(options: AtomicStoreOptions): AtomicStore {
  return new AtomicStore(options);
}
