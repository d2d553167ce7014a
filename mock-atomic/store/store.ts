import type { StoreResetOptions, WebhookTargetCheck } from '../../core/vendor-store';
import type { Clock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import { countChanges } from '../../core/json-body-cache';
import { createRandom, type SeededRandom } from '../../core/random';
import type { CompanyRecord, CompanySearch } from '../companies/catalog';
import type { TaskConfiguration } from '../linked-accounts/schema';
import type { LinkedAccountView } from '../linked-accounts/schema';
import type { GenerateOrdersOptions } from '../orders/generator';
import type { Order } from '../orders/schema';
import type { FinancialTransaction, PayLinkAccountView } from '../pay-link/schema';
import type { PayrollKind } from '../payroll/schema';
import { type FailReason, type OrderMonitoringFailReason, type TaskStatus } from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { SandboxUsername } from './state';
import type { CompanyRef } from './views';
import type { UserRef } from '../webhooks/events';
import type { AtomicEventType } from '../webhooks/schema';
import * as accountConnections from './account-connections';
import * as accounts from './accounts';
import { seedBaseline } from './baseline';
import { StoreContext } from './context';
import * as endpoints from './endpoints';
import type { AtomicStoreEvents } from './events';
import * as linkedAccounts from './linked-accounts';
import * as payroll from './payroll';
import {
  StateTables,
  type AccessTokenRecord,
  type AtomicState,
  type FileRecord,
  type SecretRecord,
  type UserRecord,
  type WebhookEndpointRecord,
} from './state';
import {
  DEFAULT_REFRESH_SCHEDULE,
  RefreshScheduler,
  nextSlotAfter,
  type RefreshSchedule,
} from './scheduled-refreshes';
import * as taskOutcomes from './task-outcomes';
import * as tasks from './tasks';
import {
  DEFAULT_ORDER_FETCH,
  DEFAULT_TASK_TIMINGS,
  type AtomicStoreOptions,
  type BaselineInfo,
  type ConnectionData,
  type CreateAccessTokenInput,
  type PayrollEntry,
  type RefreshOptions,
  type RunTaskOptions,
  type SecretView,
  type StartTaskInput,
  type TaskTimings,
  type TokenCheck,
  type UserData,
  type UserSummary,
  type WebhookTarget,
} from './types';
import * as users from './users';
import {
  baselineAnchor,
  cancelPendingWork,
  copyRegistrations,
  emptyStoreCore,
  restoreRegistrations,
  validatedAtomicState,
} from './whole-state';

export * from './types';

/**
 * The Atomic store: users, access tokens, tasks, PayLink / Order Monitoring accounts and their
 * orders, linked accounts, payroll data, API secrets and webhook endpoints. The HTTP app reads and
 * writes it; the scenario engine drives it directly through these functions. Every state change is
 * announced on `events` with the time it happened on `clock`, and every id comes from the seeded
 * generator, so the same seed and the same calls give the same data byte for byte.
 *
 * This class is a facade: each section is a module of functions of a `StoreContext` (users.ts,
 * tasks.ts, linked-accounts.ts, accounts.ts, account-connections.ts, payroll.ts, endpoints.ts),
 * where each method is documented. The facade keeps the public methods, the revision count and the
 * whole-state operations (export, import, reset).
 */

/**
 * Store methods that only read: calling them leaves `revision` where it is, so the responses cached
 * for the hot GET routes stay valid. Only what those routes call needs to be here — a read missing
 * from the list costs cache hits, never correctness.
 */
const READ_ONLY_METHODS = new Set<string>([
  'baselineAccountStates',
  'getTask',
  'pendingMfa',
  'listUserTasks',
  'getPayLinkAccount',
  'listPayLinkAccounts',
  'accountOwner',
  'findUser',
  'getUser',
  'userSummaries',
  'exportState',
  'apiSecretTokens',
  'resolvePublicToken',
  'refreshSchedule',
]);

/** The tasks section's one hook into accounts, linked accounts and payroll. */
const TASK_OUTCOMES = {
  atAuthentication: taskOutcomes.openAccountAtAuthentication,
  succeeded: taskOutcomes.onTaskSucceeded,
};

export class AtomicStore {
  readonly events = new Emitter<AtomicStoreEvents>();
  readonly clock: Clock;
  readonly seed: number;
  readonly timings: TaskTimings;
  private readonly root: SeededRandom;
  private readonly apiSecret: string;
  private readonly baselineAt: number;
  private readonly withBaseline: boolean;
  /** Replaced on `withRandom` views (same core, other generator). */
  private readonly ctx: StoreContext;
  /** Continuous access: the daily refreshes of connected Order Monitoring accounts (shared by views). */
  private readonly refreshes: RefreshScheduler;
  /** The refreshes' slots: the seeded history's refreshes fell on them too. */
  private readonly schedule: RefreshSchedule;

  /**
   * A number that moves on with every change to the store's state, so a response cached at one
   * revision is exactly what the store would serve now. Every method of this class not in
   * READ_ONLY_METHODS — today's or tomorrow's — counts as a change when it returns or throws (the
   * sections are reached only through them), and so does every timer the store schedules: a new
   * method is counted by default, never missed.
   */
  get revision(): number {
    return this.ctx.core.revision;
  }

  static {
    countChanges(AtomicStore.prototype, READ_ONLY_METHODS, (store) => store.ctx.core.revision++);
  }

  constructor(options: AtomicStoreOptions) {
    this.clock = options.clock;
    this.seed = options.seed;
    this.root = options.random ?? createRandom(options.seed);
    this.apiSecret = options.apiSecret ?? 'test-api-secret';
    this.timings = { ...DEFAULT_TASK_TIMINGS, ...options.taskTimings };
    this.withBaseline = options.baseline ?? true;
    this.schedule = { ...DEFAULT_REFRESH_SCHEDULE, ...options.refreshes };
    this.baselineAt = baselineAnchor(this.clock, options.baselineAt, this.schedule);
    this.ctx = new StoreContext({
      clock: this.clock,
      core: emptyStoreCore(this.root),
      events: this.events,
      timings: this.timings,
      orderFetch: options.orderFetch ?? DEFAULT_ORDER_FETCH,
      apiSecret: this.apiSecret,
      fileKey: `atomic-files:${this.root.seed}`,
      seed: this.root.seed,
      taskOutcomes: TASK_OUTCOMES,
    });
    this.buildBaseline();
    this.refreshes = new RefreshScheduler(this.ctx, this.root.fork('scheduled-refreshes'), this.schedule);
    this.refreshes.start();
  }

  /**
   * The same store (same data, same events) creating ids and generated data from `random` instead
   * of the store's own sequence. A scenario run uses one so its ids depend only on its own seed,
   * even while other runs or API calls create data at the same time.
   */
  withRandom(random: SeededRandom): AtomicStore {
    return Object.create(this, { ctx: { value: this.ctx.derive({ random }) } }) as AtomicStore;
  }

  /** A view whose clock and generator are replaced: used to lay out the baseline in the past. */
  private viewWith(clock: Clock, random: SeededRandom): AtomicStore {
    return Object.create(this, {
      clock: { value: clock },
      ctx: { value: this.ctx.derive({ clock, random }) },
    }) as AtomicStore;
  }

  /**
   * Set by the platform: why a URL may not receive webhooks here (the operator's allow-list), or
   * undefined. Every endpoint created or updated — through the API, `--webhook-url` or an import —
   * passes it.
   */
  get webhookTargetCheck(): WebhookTargetCheck | undefined {
    return this.ctx.core.webhookTargetCheck;
  }

  set webhookTargetCheck(check: WebhookTargetCheck | undefined) {
    this.ctx.core.webhookTargetCheck = check;
  }

  /** The refresh schedule in force and when it next runs (undefined when refreshes are off). */
  refreshSchedule(): RefreshSchedule & { nextAt: string | undefined } {
    const next = this.refreshes.nextAt();
    return {
      ...this.refreshes.schedule,
      nextAt: next === undefined ? undefined : new Date(next).toISOString(),
    };
  }

  /**
   * Set by the platform: users a scheduled refresh leaves alone (those a scenario run is driving,
   * whose data must depend only on the run).
   */
  set skipScheduledRefresh(skip: ((identifier: string) => boolean) | undefined) {
    this.refreshes.skipUser = skip;
  }

  /**
   * The next scheduled refresh of the account fails with `reason` (a sandbox control: failures
   * never happen by chance unless a seeded rate is set).
   */
  failNextRefresh(accountId: string, reason: OrderMonitoringFailReason): void {
    this.refreshes.failNext(accountId, reason);
  }

  private cancelPending(reason: string): void {
    cancelPendingWork(this.ctx.core, this.clock, reason);
  }

  // ---------------------------------------------------------------- users

  userSummaries(): UserSummary[] {
    return users.userSummaries(this.ctx);
  }

  findUser(identifier: string): UserRecord | undefined {
    return users.findUser(this.ctx, identifier);
  }

  getUser(identifier: string): UserRecord {
    return users.getUser(this.ctx, identifier);
  }

  ensureUser(identifier: string): UserRecord {
    return users.ensureUser(this.ctx, identifier);
  }

  updateUserData(identifier: string, data: UserData): UserRecord {
    return users.updateUserData(this.ctx, identifier, data);
  }

  createAccessToken(input: CreateAccessTokenInput): {
    publicToken: string;
    expiresAt: string;
    user: UserRef;
  } {
    return users.createAccessToken(this.ctx, input);
  }

  revokeAccessToken(publicToken: string): AccessTokenRecord {
    return users.revokeAccessToken(this.ctx, publicToken);
  }

  resolvePublicToken(publicToken: string): TokenCheck {
    return users.resolvePublicToken(this.ctx, publicToken);
  }

  apiSecretTokens(): string[] {
    return users.apiSecretTokens(this.ctx);
  }

  company(companyId: string): CompanyRecord {
    return users.companyById(companyId);
  }

  searchCompanies(search: CompanySearch, limit?: number): CompanyRecord[] {
    return users.searchCompanyCatalog(search, limit);
  }

  // ---------------------------------------------------------------- tasks

  getTask(taskId: string): TaskView {
    return tasks.getTask(this.ctx, taskId);
  }

  pendingMfa(taskId: string): 'code' | 'question' | undefined {
    return tasks.pendingMfa(this.ctx, taskId);
  }

  findTask(taskId: string): TaskView | undefined {
    return tasks.findTask(this.ctx, taskId);
  }

  listUserTasks(
    identifier: string,
    filter: { status?: TaskStatus; payrollDataAvailable?: boolean } = {},
  ): TaskView[] {
    return tasks.listUserTasks(this.ctx, identifier, filter);
  }

  startConnectTask(input: StartTaskInput): TaskView {
    return tasks.startConnectTask(this.ctx, input);
  }

  setTaskStatus(
    taskId: string,
    status: TaskStatus,
    options: { failReason?: FailReason | string } = {},
  ): TaskView {
    return tasks.setTaskStatus(this.ctx, taskId, status, options);
  }

  setTaskAuthenticated(taskId: string, authenticated: boolean): TaskView {
    return tasks.setTaskAuthenticated(this.ctx, taskId, authenticated);
  }

  failTask(taskId: string, failReason: FailReason): TaskView {
    return tasks.failTask(this.ctx, taskId, failReason);
  }

  completeTask(taskId: string, connection: ConnectionData = {}): TaskView {
    return tasks.completeTask(this.ctx, taskId, connection);
  }

  answerMfa(taskId: string): TaskView {
    return tasks.answerMfa(this.ctx, taskId);
  }

  runTaskNow(taskId: string, options: { connection?: ConnectionData } = {}): TaskView {
    return tasks.runTaskNow(this.ctx, taskId, options);
  }

  runTask(taskId: string, options: RunTaskOptions = {}): Promise<TaskView> {
    return tasks.runTask(this.ctx, taskId, options);
  }

  // ---------------------------------------------------------------- linked-accounts

  createLinkedAccount(input: {
    identifier: string;
    companyId: string;
    valid?: boolean;
    transactRequired?: boolean;
  }): LinkedAccountView {
    return linkedAccounts.createLinkedAccount(this.ctx, input);
  }

  setLinkedAccountValid(linkedAccountId: string, valid: boolean): LinkedAccountView {
    return linkedAccounts.setLinkedAccountValid(this.ctx, linkedAccountId, valid);
  }

  listLinkedAccounts(identifier: string): LinkedAccountView[] {
    return linkedAccounts.listLinkedAccounts(this.ctx, identifier);
  }

  startTaskWorkflow(input: { linkedAccountId: string; tasks: TaskConfiguration[]; autoRun?: boolean }): {
    task: { _id: string };
    taskWorkflow: { _id: string };
    company: CompanyRef;
  } {
    return linkedAccounts.startTaskWorkflow(this.ctx, input);
  }

  // ---------------------------------------------------------------- accounts

  getPayLinkAccount(accountId: string, options: { share?: boolean } = {}): PayLinkAccountView {
    return accounts.getPayLinkAccount(this.ctx, accountId, options);
  }

  findPayLinkAccount(accountId: string): PayLinkAccountView | undefined {
    return accounts.findPayLinkAccount(this.ctx, accountId);
  }

  /**
   * The baseline users' Order Monitoring accounts as they stand, as `pay-link-accounts-updated`
   * payloads (see `orderMonitoringAccountStates`): what a platform starting on the baseline sends
   * its own receivers so they learn of the seeded world. Reads only.
   */
  baselineAccountStates(): AtomicStoreEvents['pay-link-accounts-updated'][] {
    return accounts.orderMonitoringAccountStates(this.ctx, this.ctx.core.baseline.identifiers);
  }

  accountOwner(accountId: string): UserRef | undefined {
    return accounts.accountOwner(this.ctx, accountId);
  }

  listPayLinkAccounts(
    identifier: string,
    filter: { supported?: boolean; connected?: boolean } = {},
  ): PayLinkAccountView[] {
    return accounts.listPayLinkAccounts(this.ctx, identifier, filter);
  }

  generateOrders(accountId: string, options: Partial<GenerateOrdersOptions> & { count: number }): Order[] {
    return accounts.generateOrders(this.ctx, accountId, options);
  }

  createOrderMonitoringAccount(input: {
    identifier: string;
    companyId?: string;
    linkedAccountId?: string;
  }): PayLinkAccountView {
    return accounts.createOrderMonitoringAccount(this.ctx, input);
  }

  createSubscriptionAccount(input: {
    identifier: string;
    companyId?: string;
    addOnCents?: number;
  }): PayLinkAccountView {
    return accounts.createSubscriptionAccount(this.ctx, input);
  }

  addOrders(accountId: string, orders: Order[]): PayLinkAccountView {
    return accounts.addOrders(this.ctx, accountId, orders);
  }

  replaceOrders(accountId: string, orders: Order[]): PayLinkAccountView {
    return accounts.replaceOrders(this.ctx, accountId, orders);
  }

  markSynced(accountId: string): PayLinkAccountView {
    return accounts.markSynced(this.ctx, accountId);
  }

  // ---------------------------------------------------------------- account-connections

  disconnectAccount(
    accountId: string,
    failReason: OrderMonitoringFailReason | FailReason,
  ): PayLinkAccountView {
    return accountConnections.disconnectAccount(this.ctx, accountId, failReason);
  }

  refreshAccount(
    accountId: string,
    options: RefreshOptions = {},
  ): { task: TaskView; account: PayLinkAccountView } {
    return accountConnections.refreshAccount(this.ctx, accountId, options);
  }

  reconnectAccount(
    accountId: string,
    options: { username?: SandboxUsername; connection?: ConnectionData } = {},
  ): { task: TaskView; account: PayLinkAccountView } {
    return accountConnections.reconnectAccount(this.ctx, accountId, options);
  }

  connectMerchant(input: StartTaskInput & { connection?: ConnectionData }): {
    task: TaskView;
    account: PayLinkAccountView | undefined;
  } {
    return accountConnections.connectMerchant(this.ctx, input);
  }

  endMonitoring(identifier: string): { user: UserRef; accountIds: string[] } {
    return accountConnections.endMonitoring(this.ctx, identifier);
  }

  detectAccounts(identifier: string, transactions: FinancialTransaction[]): PayLinkAccountView[] {
    return accountConnections.detectAccounts(this.ctx, identifier, transactions);
  }

  // ---------------------------------------------------------------- payroll

  payrollData(
    kind: PayrollKind,
    identifier: string,
    filter: { linkedAccount?: string; task?: string } = {},
  ): PayrollEntry[] {
    return payroll.payrollData(this.ctx, kind, identifier, filter);
  }

  taskFile(taskId: string, fileId: string): FileRecord {
    return payroll.taskFile(this.ctx, taskId, fileId);
  }

  findFile(fileId: string): FileRecord | undefined {
    return payroll.findFile(this.ctx, fileId);
  }

  signFile(fileId: string, expiresAtSeconds: number): string {
    return payroll.signFile(this.ctx, fileId, expiresAtSeconds);
  }

  // ---------------------------------------------------------------- endpoints

  createSecret(name: string, token?: string): SecretRecord {
    return endpoints.createSecret(this.ctx, name, token);
  }

  listSecrets(): SecretView[] {
    return endpoints.listSecrets(this.ctx);
  }

  deleteSecret(secretId: string): void {
    return endpoints.deleteSecret(this.ctx, secretId);
  }

  defaultSecret(): SecretRecord {
    return endpoints.defaultSecret(this.ctx);
  }

  createWebhookEndpoint(input: {
    url: string;
    secretId: string;
    eventTypes: readonly string[];
  }): WebhookEndpointRecord {
    return endpoints.createWebhookEndpoint(this.ctx, input);
  }

  updateWebhookEndpoint(
    endpointId: string,
    input: { url: string; secretId: string; eventTypes: readonly string[] },
  ): WebhookEndpointRecord {
    return endpoints.updateWebhookEndpoint(this.ctx, endpointId, input);
  }

  deleteWebhookEndpoint(endpointId: string): void {
    return endpoints.deleteWebhookEndpoint(this.ctx, endpointId);
  }

  listWebhookEndpoints(): WebhookEndpointRecord[] {
    return endpoints.listWebhookEndpoints(this.ctx);
  }

  webhookTargets(eventType: AtomicEventType): WebhookTarget[] {
    return endpoints.webhookTargets(this.ctx, eventType);
  }

  registerWebhookUrl(
    url: string,
    options: { eventTypes?: readonly AtomicEventType[]; secretId?: string } = {},
  ): WebhookEndpointRecord {
    return endpoints.registerWebhookUrl(this.ctx, url, options);
  }

  // ---------------------------------------------------------------- whole-state operations

  /** What the baseline contains (identifiers, a ready public token, account ids). */
  baselineInfo(): BaselineInfo {
    return structuredClone(this.ctx.core.baseline);
  }

  /** The whole state as one JSON-safe document (`GET /api/state`). */
  exportState(): AtomicState {
    return { ...this.ctx.t.toState(), scheduledRefreshes: this.refreshes.exportState() };
  }

  /** Replaces the whole state with a validated document; pending task runs are cancelled. */
  importState(input: unknown): void {
    const state = validatedAtomicState(input);
    this.cancelPending('the Atomic store state was replaced');
    const { scheduledRefreshes, ...tables } = structuredClone(state);
    this.ctx.core.tables = StateTables.from(tables);
    // Failures asked for and refreshes under way carry over; the schedule starts again from now.
    this.refreshes.replaceState(scheduledRefreshes);
    this.ctx.emit('state-replaced', { reason: 'import', eventTime: this.ctx.nowIso() });
  }

  /**
   * Back to the seeded baseline: same seed ⇒ same ids and data as at start. The webhook endpoints
   * and secrets registered so far survive it only with `keepWebhookRegistrations`.
   */
  reset(options: StoreResetOptions = {}): void {
    const kept = options.keepWebhookRegistrations ? copyRegistrations(this.ctx.t) : undefined;
    this.cancelPending('the Atomic store was reset');
    this.ctx.core.runtimeRandom = this.root.fork('runtime');
    this.buildBaseline();
    if (kept) restoreRegistrations(this.ctx.t, kept);
    // Nothing asked for, nothing under way; the schedule starts again from now.
    this.refreshes.replaceState(undefined);
    this.ctx.emit('state-replaced', { reason: 'reset', eventTime: this.ctx.nowIso() });
  }

  /** Cancels every pending timer and the refresh schedule; the store stays readable. */
  dispose(): void {
    this.refreshes.stop();
    this.cancelPending('the Atomic store was disposed');
  }

  private buildBaseline(): void {
    this.ctx.core.tables = new StateTables();
    this.ctx.core.muted = true;
    try {
      this.ctx.core.baseline = seedBaseline(this, {
        random: this.root.fork('baseline'),
        anchorMs: this.baselineAt,
        lastSyncMs: nextSlotAfter(this.schedule, this.baselineAt) - this.schedule.everyMs,
        apiSecret: this.apiSecret,
        full: this.withBaseline,
        view: (clock, random) => this.viewWith(clock, random),
      });
    } finally {
      this.ctx.core.muted = false;
    }
  }
}

export function createAtomicStore(options: AtomicStoreOptions): AtomicStore {
  return new AtomicStore(options);
}
