import type { CompanyRecord } from '../companies/catalog';
import type { LinkedAccountView, TaskConfiguration } from '../linked-accounts/schema';
import type { TaskProduct } from '../shared/schemas';
import type { StoreContext } from './context';
import { conflict, invalid, notFound } from './errors';
import type { LinkedAccountRecord, TaskRecord, UserRecord } from './state';
import { createTask, runTask } from './tasks';
import { companyById, ensureUser, getUser } from './users';
import { type CompanyRef, companyRefFor, linkedAccountView, userRef } from './views';

/** Linked accounts (a user's credentials at a company) and the task workflows run on them. */

export function upsertLinkedAccount(
  ctx: StoreContext,
  user: UserRecord,
  company: CompanyRecord,
  patch: { valid: boolean; transactRequired: boolean; lastSuccess?: string; lastFailure?: string },
): LinkedAccountRecord {
  let account = [...ctx.t.linkedAccounts.values()].find(
    (a) => a.userId === user._id && a.companyId === company._id,
  );
  if (!account) {
    account = {
      _id: ctx.ids.objectId(),
      userId: user._id,
      companyId: company._id,
      valid: patch.valid,
      transactRequired: patch.transactRequired,
      createdAt: ctx.nowIso(),
    };
    ctx.t.linkedAccounts.set(account._id, account);
  }
  account.valid = patch.valid;
  account.transactRequired = patch.transactRequired;
  if (patch.lastSuccess !== undefined) account.lastSuccess = patch.lastSuccess;
  if (patch.lastFailure !== undefined) account.lastFailure = patch.lastFailure;
  ctx.emit('linked-account-updated', {
    linkedAccount: linkedAccountView(account),
    user: userRef(user),
    eventTime: ctx.nowIso(),
  });
  return account;
}

/** A persistent connection (TrueAuth) between a user and a company, usable for background tasks. */
export function createLinkedAccount(
  ctx: StoreContext,
  input: {
    identifier: string;
    companyId: string;
    valid?: boolean;
    transactRequired?: boolean;
  },
): LinkedAccountView {
  const user = ensureUser(ctx, input.identifier);
  const company = companyById(input.companyId);
  const exists = [...ctx.t.linkedAccounts.values()].some(
    (a) => a.userId === user._id && a.companyId === company._id,
  );
  if (exists) throw conflict(`user ${input.identifier} already has a linked account at ${company.name}`);
  const account = upsertLinkedAccount(ctx, user, company, {
    valid: input.valid ?? true,
    transactRequired: input.transactRequired ?? false,
    lastSuccess: ctx.nowIso(),
  });
  return linkedAccountView(account);
}

/** Marks a linked account's credentials valid or not (invalid ones need the user back in Transact). */
export function setLinkedAccountValid(
  ctx: StoreContext,
  linkedAccountId: string,
  valid: boolean,
): LinkedAccountView {
  const account = ctx.t.linkedAccounts.get(linkedAccountId);
  if (!account) throw notFound('linked account', linkedAccountId);
  const user = ctx.t.users.get(account.userId)!;
  const now = ctx.nowIso();
  const updated = upsertLinkedAccount(ctx, user, companyById(account.companyId), {
    valid,
    transactRequired: !valid,
    ...(valid ? { lastSuccess: now } : { lastFailure: now }),
  });
  return linkedAccountView(updated);
}

export function listLinkedAccounts(ctx: StoreContext, identifier: string): LinkedAccountView[] {
  const user = getUser(ctx, identifier);
  return [...ctx.t.linkedAccounts.values()].filter((a) => a.userId === user._id).map(linkedAccountView);
}

/**
 * `POST /task-workflow/from-linked-account`: queues the first task at once and (unless `autoRun`
 * is false) plays the workflow out on the clock, honouring onComplete / onFail.
 */
export function startTaskWorkflow(
  ctx: StoreContext,
  input: { linkedAccountId: string; tasks: TaskConfiguration[]; autoRun?: boolean },
): {
  task: { _id: string };
  taskWorkflow: { _id: string };
  company: CompanyRef;
} {
  const linked = ctx.t.linkedAccounts.get(input.linkedAccountId);
  if (!linked) throw notFound('linked account', input.linkedAccountId);
  if (!linked.valid || linked.transactRequired)
    throw conflict(
      `linked account ${linked._id} needs the user to re-authenticate in Transact (valid: ${linked.valid}, transactRequired: ${linked.transactRequired})`,
    );
  if (input.tasks.length === 0) throw invalid('tasks', 'tasks must contain at least one task');
  const user = ctx.t.users.get(linked.userId)!;
  const company = companyById(linked.companyId);
  const workflowId = ctx.ids.objectId();
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
    return createTask(ctx, {
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
      runTask(ctx, task._id).then(
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
    company: companyRefFor(ctx.t, company._id),
  };
}
