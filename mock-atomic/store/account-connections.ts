import { type CompanyRecord, detectCompany } from '../companies/catalog';
import type { Order } from '../orders/schema';
import type { FinancialTransaction, PayLinkAccountView } from '../pay-link/schema';
import {
  type FailReason,
  ORDER_MONITORING_FAIL_REASONS,
  type OrderMonitoringFailReason,
  TASK_FAIL_REASONS,
} from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { UserRef } from '../webhooks/events';
import {
  accountRecord,
  announce,
  findLinkedPayLinkAccount,
  generateOrders,
  getPayLinkAccount,
  markSyncedRecord,
  newAccountRecord,
  upsertOrders,
} from './accounts';
import { DAY_MS, type StoreContext } from './context';
import { conflict, invalid } from './errors';
import { upsertLinkedAccount } from './linked-accounts';
import type { PayLinkAccountRecord, SandboxUsername, TaskRecord } from './state';
import { createTask, runTaskNow, setTaskAuthenticated, setTaskStatus, startConnectTask } from './tasks';
import type { ConnectionData, RefreshOptions, StartTaskInput } from './types';
import { companyById, ensureUser, getUser } from './users';
import { payLinkAccountView, taskView, userRef } from './views';

/**
 * An account's connection over time: scheduled refreshes, disconnection and reconnection,
 * connecting a merchant through a task, ending monitoring, detecting accounts from transactions.
 */

/** Disconnects an account (announced as `disconnected`); stitching should pause until it reconnects. */
export function disconnectAccount(
  ctx: StoreContext,
  accountId: string,
  failReason: OrderMonitoringFailReason | FailReason,
): PayLinkAccountView {
  const account = accountRecord(ctx, accountId);
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
  account.updatedAt = ctx.nowIso();
  const user = ctx.t.users.get(account.userId)!;
  if (account.linkedAccountId) {
    const linked = ctx.t.linkedAccounts.get(account.linkedAccountId);
    // Credentials problems need the user back in Transact; merchant-side trouble does not.
    const needsUser = failReason === 'session-expired' || failReason === 'credentials-invalid';
    if (linked)
      upsertLinkedAccount(ctx, user, companyById(linked.companyId), {
        valid: !needsUser,
        transactRequired: needsUser,
        lastFailure: account.updatedAt,
      });
  }
  announce(ctx, user, [{ _id: account._id, updateType: 'disconnected' }]);
  return payLinkAccountView(ctx.t, account);
}

/**
 * A scheduled refresh (continuous access): a `refresh` task runs now; on success new or changed
 * orders are stored and the account is synced (`updated`); with `failReason` the task fails with
 * that reason and the account is disconnected.
 */
export function refreshAccount(
  ctx: StoreContext,
  accountId: string,
  options: RefreshOptions = {},
): { task: TaskView; account: PayLinkAccountView } {
  const { task, account } = refreshAccountRecords(ctx, accountId, options);
  return { task: taskView(ctx.t, task), account: payLinkAccountView(ctx.t, account) };
}

/**
 * `refreshAccount` answering with the records: the scheduled refreshes need no views, and an
 * account's view copies its whole order history. Plays every step of the refresh at one instant.
 */
export function refreshAccountRecords(
  ctx: StoreContext,
  accountId: string,
  options: RefreshOptions = {},
): { task: TaskRecord; account: PayLinkAccountRecord } {
  const { task, account } = beginRefresh(ctx, accountId, options);
  setTaskStatus(ctx, task._id, 'processing');
  if (refreshLogin(ctx, task, options.failReason))
    finishRefresh(ctx, task, { orders: options.orders, retryTransient: options.retryTransient });
  return { task, account };
}

/**
 * A refresh begins: the account can be refreshed (connected, or disconnected by a transient
 * failure with `retryTransient`), monitoring goes on, and a `refresh` task is queued for it.
 */
export function beginRefresh(
  ctx: StoreContext,
  accountId: string,
  options: Pick<RefreshOptions, 'failReason' | 'retryTransient'> = {},
): { task: TaskRecord; account: PayLinkAccountRecord } {
  const account = refreshableAccount(ctx, accountId, options.retryTransient === true);
  const user = ctx.t.users.get(account.userId)!;
  if (
    options.failReason !== undefined &&
    !(ORDER_MONITORING_FAIL_REASONS as readonly string[]).includes(options.failReason)
  )
    throw invalid(
      'failReason',
      `unknown failReason "${options.failReason}"; use one of: ${ORDER_MONITORING_FAIL_REASONS.join(', ')}`,
    );
  const task = createTask(ctx, {
    user,
    company: companyById(account.companyId),
    product: 'present',
    purpose: 'refresh',
    linkedAccountId: account.linkedAccountId,
    payLinkAccountId: account._id,
  });
  return { task, account };
}

/** The account a refresh may run on, or the conflict that says why not. */
function refreshableAccount(
  ctx: StoreContext,
  accountId: string,
  retryTransient: boolean,
): PayLinkAccountRecord {
  const account = accountRecord(ctx, accountId);
  if (account.type !== 'linked')
    throw conflict(`account ${accountId} was only detected; there is nothing to refresh`);
  const transient =
    retryTransient &&
    account.connectionStatus === 'disconnected' &&
    account.failReason === 'merchant-unavailable';
  if (account.connectionStatus !== 'connected' && !transient)
    throw conflict(
      `account ${accountId} is ${account.connectionStatus}; only a connected account can refresh`,
    );
  const user = ctx.t.users.get(account.userId)!;
  if (!account.monitoring || !user.monitoring)
    throw conflict(
      `monitoring has ended for user ${user.identifier}; account ${accountId} is no longer refreshed`,
    );
  return account;
}

/**
 * The refresh logs in to the merchant (the task is processing). With `failReason` it fails: the
 * task fails and the account is disconnected (an unavailable merchant never gets as far as a
 * login; the other reasons are login-time failures). Returns whether the refresh goes on to fetch.
 */
export function refreshLogin(
  ctx: StoreContext,
  task: TaskRecord,
  failReason: OrderMonitoringFailReason | undefined,
): boolean {
  const account = accountRecord(ctx, task.payLinkAccountId!);
  if (!failReason) {
    setTaskAuthenticated(ctx, task._id, true);
    return true;
  }
  if (failReason !== 'merchant-unavailable') setTaskAuthenticated(ctx, task._id, false);
  setTaskStatus(ctx, task._id, 'failed', { failReason });
  // A retry of an already disconnected account (retryTransient) failing again stays disconnected.
  if (account.connectionStatus === 'connected') disconnectAccount(ctx, account._id, failReason);
  else Object.assign(account, { failReason, updatedAt: ctx.nowIso() });
  return false;
}

/**
 * The fetch ends: new or changed orders are stored, the account is synced (`updated`, reconnected
 * after a transient failure) and the task completes.
 */
export function finishRefresh(
  ctx: StoreContext,
  task: TaskRecord,
  options: { orders?: Order[] | undefined; retryTransient?: boolean | undefined },
): void {
  const account = refreshableAccount(ctx, task.payLinkAccountId!, options.retryTransient === true);
  const user = ctx.t.users.get(account.userId)!;
  if (account.details.type === 'ecommerce') {
    const since = account.lastSyncedAt ? Date.parse(account.lastSyncedAt) : ctx.clock.now() - DAY_MS;
    const orders =
      options.orders ??
      generateOrders(ctx, account._id, { count: ctx.ids.int(0, 2), from: since, to: ctx.clock.now() });
    upsertOrders(ctx, account, orders, false);
  }
  if (account.linkedAccountId) {
    const linked = ctx.t.linkedAccounts.get(account.linkedAccountId);
    if (linked)
      upsertLinkedAccount(ctx, user, companyById(account.companyId), {
        valid: true,
        transactRequired: false,
        lastSuccess: ctx.nowIso(),
      });
  }
  markSyncedRecord(ctx, account._id);
  setTaskStatus(ctx, task._id, 'completed');
}

/**
 * The user connects again through Transact: a `connect` task runs now with the given sandbox
 * username; on success the same account id is reconnected (`updated`) with fresh orders.
 */
export function reconnectAccount(
  ctx: StoreContext,
  accountId: string,
  options: { username?: SandboxUsername; connection?: ConnectionData } = {},
): { task: TaskView; account: PayLinkAccountView } {
  const account = accountRecord(ctx, accountId);
  if (account.type !== 'linked' || account.connectionStatus !== 'disconnected')
    throw conflict(
      `account ${accountId} is ${account.connectionStatus}; only a disconnected account can reconnect`,
    );
  const user = ctx.t.users.get(account.userId)!;
  const started = startConnectTask(ctx, {
    identifier: user.identifier,
    companyId: account.companyId,
    username: options.username ?? 'test-good',
  });
  const task = runTaskNow(ctx, started._id, { connection: options.connection ?? {} });
  return { task, account: payLinkAccountView(ctx.t, account) };
}

/**
 * Connects a user to a merchant in one go at the current time: ensures the user, starts a connect
 * task with `username` and plays it out (processing → authenticated → account created and synced →
 * completed, or the failure the username implies). Returns the account on success.
 */
export function connectMerchant(
  ctx: StoreContext,
  input: StartTaskInput & { connection?: ConnectionData },
): {
  task: TaskView;
  account: PayLinkAccountView | undefined;
} {
  const started = startConnectTask(ctx, input);
  const task = runTaskNow(ctx, started._id, { connection: input.connection ?? {} });
  const record = ctx.t.tasks.get(task._id)!;
  const account = record.payLinkAccountId ? getPayLinkAccount(ctx, record.payLinkAccountId) : undefined;
  return { task, account };
}

/** `PUT /user/:identifier/end-monitoring`: no more refreshes for the user's accounts. */
export function endMonitoring(
  ctx: StoreContext,
  identifier: string,
): { user: UserRef; accountIds: string[] } {
  const user = getUser(ctx, identifier);
  user.monitoring = false;
  user.updatedAt = ctx.nowIso();
  const accountIds: string[] = [];
  for (const account of ctx.t.payLinkAccounts.values()) {
    if (account.userId !== user._id || !account.monitoring) continue;
    account.monitoring = false;
    accountIds.push(account._id);
  }
  ctx.emit('monitoring-ended', { user: userRef(user), accountIds, eventTime: user.updatedAt });
  return { user: userRef(user), accountIds };
}

/**
 * `POST /:identifier/pay-link/accounts`: finds the companies behind the user's transactions. Known
 * descriptors map to catalog companies (supported if PayLink); an unknown merchant charging at
 * least twice becomes an unsupported detected company. Existing accounts are returned as they are.
 */
export function detectAccounts(
  ctx: StoreContext,
  identifier: string,
  transactions: FinancialTransaction[],
): PayLinkAccountView[] {
  const user = ensureUser(ctx, identifier);
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
      const known = [...ctx.t.detectedCompanies.values()].find(
        (c) => c.name.toUpperCase() === group.name.toUpperCase(),
      );
      const detected = known ?? { _id: ctx.ids.objectId(), name: group.name, color: '#5C6670' };
      if (!known) ctx.t.detectedCompanies.set(detected._id, detected);
      companyId = detected._id;
    }
    let account = findLinkedPayLinkAccount(ctx, user._id, companyId);
    if (!account) {
      const sorted = [...group.transactions].sort((a, b) => (a.date < b.date ? 1 : -1));
      const toIso = (date: string) => new Date(date).toISOString();
      account = newAccountRecord(
        ctx,
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
    out.push(payLinkAccountView(ctx.t, account));
  }
  return out;
}
