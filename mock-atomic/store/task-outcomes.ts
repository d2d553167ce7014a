import {
  accountRecord,
  connectPayLinkAccount,
  createOrderMonitoringAccount,
  findLinkedPayLinkAccount,
  generateOrders,
} from './accounts';
import { DAY_MS, type StoreContext } from './context';
import { upsertLinkedAccount } from './linked-accounts';
import { storePayrollData } from './payroll';
import type { TaskRecord } from './state';
import type { ConnectionData } from './types';
import { companyById } from './users';

/**
 * What a task's success means, injected into the tasks section as `taskOutcomes`: a connection
 * opens or reconnects the linked account and the PayLink / Order Monitoring account, a payroll task
 * stores payroll data.
 */

/**
 * vendor-docs 000's lifecycle (`runTask`): a successful login to an Order Monitoring
 * merchant creates the account at once, `initial` and announced `created`; the orders the fetch
 * will load are decided now, so the fetch can take as long as their number says. Returns the
 * connection to finish with, or undefined when the company is not an Order Monitoring merchant.
 */
export function openAccountAtAuthentication(
  ctx: StoreContext,
  task: TaskRecord,
  connection: ConnectionData,
): ConnectionData | undefined {
  const company = companyById(task.companyId);
  if (
    task.purpose !== 'connect' ||
    company.accountType !== 'ecommerce' ||
    !company.scopes.includes('pay-link')
  )
    return undefined;
  const user = ctx.t.users.get(task.userId)!;
  const existing = findLinkedPayLinkAccount(ctx, user._id, company._id);
  const account =
    existing ??
    accountRecord(
      ctx,
      createOrderMonitoringAccount(ctx, { identifier: user.identifier, companyId: company._id })._id,
    );
  task.payLinkAccountId = account._id;
  const orders =
    connection.orders ??
    generateOrders(ctx, account._id, {
      count: connection.orderCount ?? (existing?.lastSyncedAt ? ctx.ids.int(0, 2) : 30),
      from: existing?.lastSyncedAt ? Date.parse(existing.lastSyncedAt) : ctx.clock.now() - 90 * DAY_MS,
      to: ctx.clock.now(),
      ...(connection.cards ? { cards: connection.cards } : {}),
      ...(connection.nonCardShare !== undefined ? { nonCardShare: connection.nonCardShare } : {}),
    });
  return { ...connection, orders };
}

export function onTaskSucceeded(ctx: StoreContext, task: TaskRecord, connection: ConnectionData): void {
  const company = companyById(task.companyId);
  const user = ctx.t.users.get(task.userId)!;
  const now = ctx.nowIso();
  if (task.purpose === 'refresh') return;
  const linked = upsertLinkedAccount(ctx, user, company, {
    valid: true,
    transactRequired: false,
    lastSuccess: now,
  });
  task.linkedAccountId = linked._id;
  if (task.purpose === 'connect' && company.scopes.includes('pay-link')) {
    const account = connectPayLinkAccount(ctx, user, company, linked._id, connection);
    task.payLinkAccountId = account._id;
    return;
  }
  if (company.scopes.includes('user-link') && task.product !== 'deposit') {
    storePayrollData(ctx, task, user, company);
    task.payrollDataAvailable = true;
  }
}
