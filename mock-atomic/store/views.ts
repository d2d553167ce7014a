import { findCompany, type CompanyRecord } from '../companies/catalog';
import type { LinkedAccountView } from '../linked-accounts/schema';
import type { PayLinkAccountView } from '../pay-link/schema';
import type { TaskView } from '../tasks/schema';
import type { UserRef } from '../webhooks/events';
import type { LinkedAccountRecord, PayLinkAccountRecord, StateTables, TaskRecord, UserRecord } from './state';

/** API views derived from store records. Each returns fresh objects, never live records (unless told to share). */

export interface CompanyRef {
  _id: string;
  name: string;
  branding: { logo?: { url: string; backgroundColor?: string }; color?: string };
}

export const companyRef = (company: CompanyRecord): CompanyRef => ({
  _id: company._id,
  name: company.name,
  branding: { logo: { ...company.branding.logo }, color: company.branding.color },
});

export const connectorRef = (company: CompanyRecord): CompanyRef => ({
  _id: company.connector._id,
  name: company.connector.name,
  branding: { logo: { url: company.branding.logo.url } },
});

export const userRef = (user: UserRecord): UserRef => ({ _id: user._id, identifier: user.identifier });

/** A catalog company, or one the store only knows from detected transactions. */
export function companyRefFor(tables: StateTables, companyId: string): CompanyRef {
  const known = findCompany(companyId);
  if (known) return companyRef(known);
  const detected = tables.detectedCompanies.get(companyId);
  return {
    _id: companyId,
    name: detected?.name ?? 'Unknown company',
    branding: { color: detected?.color ?? '#5C6670' },
  };
}

export function taskView(tables: StateTables, task: TaskRecord): TaskView {
  const user = tables.users.get(task.userId)!;
  const company = findCompany(task.companyId)!;
  const view: TaskView = {
    _id: task._id,
    authenticated: task.authenticated,
    company: companyRef(company),
    connector: connectorRef(company),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    payrollDataAvailable: task.payrollDataAvailable,
    product: task.product,
    status: task.status,
    taskWorkflow: { _id: task.taskWorkflowId },
    user: userRef(user),
  };
  if (task.depositData) view.depositData = { ...task.depositData };
  if (task.failReason !== undefined) view.failReason = task.failReason;
  if (task.linkedAccountId !== undefined) view.linkedAccount = task.linkedAccountId;
  if (task.metadata !== undefined) view.metadata = structuredClone(task.metadata);
  return view;
}

/**
 * How a view takes the record's nested data: deep copies by default; `share` hands out the record's
 * own objects, only for a view that is serialised at once and then dropped (the HTTP response).
 */
export type ViewCopy = 'copy' | 'share';

const same = <T>(value: T): T => value;

export function payLinkAccountView(
  tables: StateTables,
  account: PayLinkAccountRecord,
  mode: ViewCopy = 'copy',
): PayLinkAccountView {
  // Copying an Order Monitoring account's order history dominates a GET; a response needs no copy.
  const copy: <T>(value: T) => T = mode === 'share' ? same : structuredClone;
  const supported = findCompany(account.companyId)?.scopes.includes('pay-link') ?? false;
  const details: PayLinkAccountView['account'] = {
    _id: account.details._id,
    type: account.details.type,
    connected: account.type === 'linked',
    supported,
    suggestions: copy(account.details.suggestions),
    identities: copy(account.details.identities),
  };
  if (account.details.sourceId !== undefined) details.sourceId = account.details.sourceId;
  if (account.createdBy) details.createdBy = account.createdBy;
  if (account.details.billing) details.billing = copy(account.details.billing);
  if (account.details.data) details.data = copy(account.details.data);
  const view: PayLinkAccountView = {
    _id: account._id,
    company: companyRefFor(tables, account.companyId),
    account: details,
    actions: copy(account.actions),
    type: account.type,
    connectionStatus: account.connectionStatus,
    lastSyncedAt: account.lastSyncedAt,
  };
  if (account.failReason !== undefined) view.failReason = account.failReason;
  if (account.details.type === 'ecommerce') view.orders = copy(account.orders);
  return view;
}

export function linkedAccountView(account: LinkedAccountRecord): LinkedAccountView {
  const company = findCompany(account.companyId)!;
  const view: LinkedAccountView = {
    _id: account._id,
    valid: account.valid,
    transactRequired: account.transactRequired,
    company: companyRef(company),
    connector: connectorRef(company),
  };
  if (account.lastSuccess !== undefined) view.lastSuccess = account.lastSuccess;
  if (account.lastFailure !== undefined) view.lastFailure = account.lastFailure;
  return view;
}
