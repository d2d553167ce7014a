import { AMAZON_COMPANY_ID, type CompanyRecord } from '../companies/catalog';
import { type FailReason, TASK_FAIL_REASONS, type TaskProduct, type TaskStatus } from '../shared/schemas';
import type { TaskView } from '../tasks/schema';
import type { PendingRun, StoreContext } from './context';
import { conflict, invalid, notFound } from './errors';
import { SANDBOX_USERNAMES, type SandboxUsername, type TaskRecord, type UserRecord } from './state';
import { type ConnectionData, orderFetchMs, type RunTaskOptions, type StartTaskInput } from './types';
import { companyById, ensureUser, getUser } from './users';
import { taskView } from './views';

/**
 * Tasks: created, then moved along queued → processing → completed | failed by hand or played out
 * on the clock. What a success means for accounts and payroll is not decided here: it goes through
 * `ctx.taskOutcomes`, the one hook the store injects (task-outcomes.ts), so this section imports
 * none of the sections a task's outcome touches.
 */

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

export function taskRecord(ctx: StoreContext, taskId: string): TaskRecord {
  const task = ctx.t.tasks.get(taskId);
  if (!task) throw notFound('task', taskId);
  return task;
}

export function getTask(ctx: StoreContext, taskId: string): TaskView {
  return taskView(ctx.t, taskRecord(ctx, taskId));
}

/** The MFA challenge a `test-*-mfa` task is waiting on, if it is waiting (what Transact's MFA page shows). */
export function pendingMfa(ctx: StoreContext, taskId: string): 'code' | 'question' | undefined {
  const mfa = taskRecord(ctx, taskId).mfa;
  return mfa && !mfa.answered ? mfa.type : undefined;
}

export function findTask(ctx: StoreContext, taskId: string): TaskView | undefined {
  const task = ctx.t.tasks.get(taskId);
  return task ? taskView(ctx.t, task) : undefined;
}

export function listUserTasks(
  ctx: StoreContext,
  identifier: string,
  filter: { status?: TaskStatus; payrollDataAvailable?: boolean } = {},
): TaskView[] {
  const user = getUser(ctx, identifier);
  const out: TaskView[] = [];
  for (const task of ctx.t.tasks.values()) {
    if (task.userId !== user._id) continue;
    if (filter.status !== undefined && task.status !== filter.status) continue;
    if (
      filter.payrollDataAvailable !== undefined &&
      task.payrollDataAvailable !== filter.payrollDataAvailable
    )
      continue;
    out.push(taskView(ctx.t, task));
  }
  return out;
}

export function createTask(
  ctx: StoreContext,
  input: {
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
  },
): TaskRecord {
  const now = ctx.nowIso();
  const task: TaskRecord = {
    _id: ctx.ids.objectId(),
    userId: input.user._id,
    companyId: input.company._id,
    product: input.product,
    purpose: input.purpose,
    status: 'queued',
    authenticated: false,
    createdAt: now,
    updatedAt: now,
    taskWorkflowId: input.taskWorkflowId ?? ctx.ids.objectId(),
    payrollDataAvailable: false,
  };
  if (input.username !== undefined) task.sandboxUsername = input.username;
  if (input.linkedAccountId !== undefined) task.linkedAccountId = input.linkedAccountId;
  if (input.payLinkAccountId !== undefined) task.payLinkAccountId = input.payLinkAccountId;
  if (input.metadata !== undefined) task.metadata = structuredClone(input.metadata);
  if (input.depositData !== undefined) task.depositData = input.depositData;
  ctx.t.tasks.set(task._id, task);
  ctx.emit('task-created', { task: taskView(ctx.t, task), eventTime: now });
  return task;
}

export function usernameOf(username: string | undefined): SandboxUsername {
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
export function startConnectTask(ctx: StoreContext, input: StartTaskInput): TaskView {
  const username = usernameOf(input.username);
  const company = companyById(input.companyId ?? AMAZON_COMPANY_ID);
  if (company.status === 'under-maintenance')
    throw conflict(`company ${company.name} is under maintenance; tasks cannot start until it is restored`);
  const user = ensureUser(ctx, input.identifier);
  const task = createTask(ctx, {
    user,
    company,
    product: input.product ?? (company.scopes.includes('pay-link') ? 'present' : 'verify'),
    purpose: 'connect',
    username,
    metadata: input.metadata,
  });
  return taskView(ctx.t, task);
}

/** Moves a task along queued → processing → completed | failed. `failed` needs a reason. */
export function setTaskStatus(
  ctx: StoreContext,
  taskId: string,
  status: TaskStatus,
  options: { failReason?: FailReason | string } = {},
): TaskView {
  const task = taskRecord(ctx, taskId);
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
  task.updatedAt = ctx.nowIso();
  if (isTerminal(status)) delete task.mfa;
  const view = taskView(ctx.t, task);
  ctx.emit('task-status-updated', { task: view, previousStatus, eventTime: task.updatedAt });
  // A run waiting for an MFA answer learns that the task was ended by hand, and settles.
  const waiter = isTerminal(status) ? ctx.core.mfaWaiters.get(taskId) : undefined;
  if (waiter) {
    ctx.core.mfaWaiters.delete(taskId);
    waiter();
  }
  return view;
}

/** Records an authentication result. It is announced even when unchanged: each is a login attempt. */
export function setTaskAuthenticated(ctx: StoreContext, taskId: string, authenticated: boolean): TaskView {
  const task = taskRecord(ctx, taskId);
  if (isTerminal(task.status))
    throw conflict(`task ${taskId} is ${task.status}; its authentication is final`);
  task.authenticated = authenticated;
  task.updatedAt = ctx.nowIso();
  const view = taskView(ctx.t, task);
  ctx.emit('task-authentication-status-updated', { task: view, eventTime: task.updatedAt });
  return view;
}

export function failTask(ctx: StoreContext, taskId: string, failReason: FailReason): TaskView {
  return setTaskStatus(ctx, taskId, 'failed', { failReason });
}

/**
 * Finishes a task successfully, doing what its success means: a connection creates or reconnects
 * the account and loads its data; a payroll task stores fresh payroll data.
 */
export function completeTask(ctx: StoreContext, taskId: string, connection: ConnectionData = {}): TaskView {
  const task = taskRecord(ctx, taskId);
  if (task.status === 'queued') setTaskStatus(ctx, taskId, 'processing');
  if (task.status !== 'processing') throw conflict(`task ${taskId} is ${task.status}, not processing`);
  ctx.taskOutcomes.succeeded(ctx, task, connection);
  return setTaskStatus(ctx, taskId, 'completed');
}

/** Answers the pending MFA challenge of a `test-code-mfa` / `test-question-mfa` task. */
export function answerMfa(ctx: StoreContext, taskId: string): TaskView {
  const task = taskRecord(ctx, taskId);
  if (!task.mfa || task.mfa.answered) throw conflict(`task ${taskId} has no pending MFA challenge`);
  task.mfa.answered = true;
  task.updatedAt = ctx.nowIso();
  const waiter = ctx.core.mfaWaiters.get(taskId);
  ctx.core.mfaWaiters.delete(taskId);
  waiter?.();
  return taskView(ctx.t, task);
}

export function stepProcessing(ctx: StoreContext, task: TaskRecord): void {
  if (task.status !== 'queued') return;
  const mfa = mfaFor(task.sandboxUsername);
  if (mfa) task.mfa = { type: mfa, answered: false };
  setTaskStatus(ctx, task._id, 'processing');
}

export function stepAuthenticate(ctx: StoreContext, task: TaskRecord): void {
  if (isTerminal(task.status)) return;
  const outcome = outcomeFor(task.sandboxUsername);
  setTaskAuthenticated(ctx, task._id, outcome.authenticated);
  if (!outcome.authenticated) setTaskStatus(ctx, task._id, 'failed', { failReason: outcome.failReason! });
}

export function stepFinish(ctx: StoreContext, task: TaskRecord, connection: ConnectionData): void {
  if (isTerminal(task.status)) return;
  const outcome = outcomeFor(task.sandboxUsername);
  if (outcome.failReason) setTaskStatus(ctx, task._id, 'failed', { failReason: outcome.failReason });
  else completeTask(ctx, task._id, connection);
}

/** Plays a task to its end immediately, at the current clock time (MFA is answered at once). */
export function runTaskNow(
  ctx: StoreContext,
  taskId: string,
  options: { connection?: ConnectionData } = {},
): TaskView {
  const task = taskRecord(ctx, taskId);
  stepProcessing(ctx, task);
  if (task.mfa && !task.mfa.answered) task.mfa.answered = true;
  stepAuthenticate(ctx, task);
  stepFinish(ctx, task, options.connection ?? {});
  return taskView(ctx.t, task);
}

/**
 * Plays a task out on the clock (`timings`): processing, the login result, then completion or
 * failure as its sandbox username dictates. A successful login to an Order Monitoring merchant
 * follows vendor-docs 000's lifecycle: the account is created `initial` at once (`created`), and
 * the task completes when the order fetch ends, its length set by the order count (`orderFetch`),
 * the account becoming `connected` (`updated`). Resolves with the final task. Steps skip themselves
 * if the task was moved on by hand meanwhile; `reset()` or `dispose()` reject the promise.
 */
export function runTask(ctx: StoreContext, taskId: string, options: RunTaskOptions = {}): Promise<TaskView> {
  const task = taskRecord(ctx, taskId);
  if (isTerminal(task.status)) return Promise.resolve(taskView(ctx.t, task));
  const timings = { ...ctx.timings, ...options.timings };
  const connection = options.connection ?? {};
  return new Promise<TaskView>((resolve, reject) => {
    const run: PendingRun = { reject };
    ctx.core.runs.add(run);
    const guard = (fn: () => void) => () => {
      if (!ctx.core.runs.has(run)) return;
      try {
        fn();
        if (isTerminal(task.status)) {
          ctx.core.runs.delete(run);
          ctx.core.mfaWaiters.delete(task._id);
          resolve(taskView(ctx.t, task));
        }
      } catch (error) {
        ctx.core.runs.delete(run);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const finishAfter = timings.completedAfterMs - timings.authenticatedAfterMs;
    const authenticateThenFinish = () => {
      stepAuthenticate(ctx, task);
      if (isTerminal(task.status)) return;
      // An Order Monitoring login opens the account now (`initial`); the fetch then takes its time.
      const fetch = ctx.taskOutcomes.atAuthentication(ctx, task, connection);
      ctx.schedule(
        fetch
          ? orderFetchMs(options.orderFetch ?? ctx.orderFetch, fetch.orders?.length ?? 0)
          : Math.max(0, finishAfter),
        guard(() => stepFinish(ctx, task, fetch ?? connection)),
      );
    };
    ctx.schedule(
      timings.processingAfterMs,
      guard(() => stepProcessing(ctx, task)),
    );
    ctx.schedule(
      timings.authenticatedAfterMs,
      guard(() => {
        if (task.mfa && !task.mfa.answered) {
          // Wait for the user's answer (answerMfa) or the sandbox's own answer after a while.
          ctx.core.mfaWaiters.set(task._id, guard(authenticateThenFinish));
          if (timings.mfaAnsweredAfterMs !== null)
            ctx.schedule(
              timings.mfaAnsweredAfterMs,
              guard(() => {
                if (task.mfa && !task.mfa.answered) answerMfa(ctx, task._id);
              }),
            );
          return;
        }
        authenticateThenFinish();
      }),
    );
  });
}
