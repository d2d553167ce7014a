import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock';
import {
  AMAZON_COMPANY_ID,
  DEFAULT_ORDER_FETCH,
  SANDBOX_USERNAMES,
  type AtomicStore,
  type OrderFetchTiming,
  type TaskView,
} from '../mock-atomic';
import type { LaunchConfig, TransactFlow } from './launch-config';

/**
 * One Transact launch: the config the SDK sent, the user its public token belongs to, the pages
 * the user went through and the tasks they started. Kept in memory (the control plane lists them;
 * a reset clears them); the public token itself is never shown.
 */

export interface TransactStep {
  at: string;
  step: string;
  detail?: Record<string, unknown>;
}

export type TokenDelivery = 'handshake' | 'config';
export type SessionStatus = 'open' | 'finished' | 'closed';

interface SessionRecord {
  id: string;
  createdAt: string;
  identifier: string;
  handshakeId: string | null;
  tokenDelivery: TokenDelivery;
  flow: TransactFlow;
  config: LaunchConfig;
  publicToken: string;
  steps: TransactStep[];
  taskIds: string[];
  status: SessionStatus;
  closeReason?: string;
}

export type TransactSessionView = Omit<SessionRecord, 'publicToken'> & { tasks: TaskView[] };

export type TokenProblem = 'unknown' | 'revoked' | 'expired';

export type SessionCheck =
  { ok: true; session: SessionRecord } | { ok: false; problem: TokenProblem | 'no-session' };

export class TransactError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409 | 422,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The newest launches kept; older ones are dropped (a demo left open for days stays small). */
const MAX_SESSIONS = 200;
const MAX_STEPS = 500;

export interface TransactSessionsOptions {
  store: AtomicStore;
  clock: Clock;
  /** How long the initial order fetch takes by order count; default DEFAULT_ORDER_FETCH. */
  orderFetch?: OrderFetchTiming;
}

/** The sandbox usernames a login page may use; any other name is a wrong login (`test-bad`). */
const KNOWN_USERNAMES = new Set<string>(SANDBOX_USERNAMES);

export class TransactSessions {
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly store: AtomicStore;
  private readonly clock: Clock;
  private readonly orderFetch: OrderFetchTiming;

  constructor(options: TransactSessionsOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.orderFetch = options.orderFetch ?? DEFAULT_ORDER_FETCH;
  }

  private nowIso(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Opens a session for a public token; refuses an unknown, revoked or expired one. */
  open(input: {
    publicToken: string;
    handshakeId: string | null;
    tokenDelivery: TokenDelivery;
    config: LaunchConfig;
    flow: TransactFlow;
  }): SessionRecord {
    const check = this.store.resolvePublicToken(input.publicToken);
    if (!check.ok) throw tokenError(check.reason);
    const { publicToken: _inConfig, ...config } = input.config;
    const session: SessionRecord = {
      id: randomUUID(),
      createdAt: this.nowIso(),
      identifier: check.user.identifier,
      handshakeId: input.handshakeId,
      tokenDelivery: input.tokenDelivery,
      flow: input.flow,
      config,
      publicToken: input.publicToken,
      steps: [],
      taskIds: [],
      status: 'open',
    };
    this.sessions.set(session.id, session);
    while (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.record(session, 'session-opened', { tokenDelivery: input.tokenDelivery });
    return session;
  }

  /** The session, as long as its public token is still good (tokens expire on the platform clock). */
  use(id: string): SessionRecord {
    const session = this.sessions.get(id);
    if (!session)
      throw new TransactError(404, 'no-session', 'No such Transact session; launch Transact again.');
    const check = this.store.resolvePublicToken(session.publicToken);
    if (!check.ok) throw tokenError(check.reason);
    return session;
  }

  record(session: SessionRecord, step: string, detail?: Record<string, unknown>): void {
    if (session.steps.length >= MAX_STEPS) session.steps.shift();
    session.steps.push({ at: this.nowIso(), step, ...(detail ? { detail } : {}) });
  }

  /**
   * The user submits a login: a connect task of the Atomic mock, run on the platform clock as the
   * API's tasks are. Any password works; a name that is not a sandbox username is a wrong login.
   */
  startTask(session: SessionRecord, input: { companyId: string; username: string }): TaskView {
    const company = this.store.company(input.companyId);
    if (!company.scopes.includes('pay-link'))
      throw new TransactError(422, 'unsupported-company', `${company.name} is not a PayLink company.`);
    const username = KNOWN_USERNAMES.has(input.username) ? input.username : 'test-bad';
    const task = this.store.startConnectTask({
      identifier: session.identifier,
      companyId: company._id,
      username,
      product: 'present',
    });
    session.taskIds.push(task._id);
    this.record(session, 'login-submitted', {
      taskId: task._id,
      company: company.name,
      username: input.username,
    });
    // The user answers MFA on the page: the sandbox never answers for them here.
    this.store
      .runTask(task._id, { timings: { mfaAnsweredAfterMs: null }, orderFetch: this.orderFetch })
      .catch(() => {
        // A reset or shutdown ends the run; the session goes with it.
      });
    return task;
  }

  task(session: SessionRecord, taskId: string): TaskView {
    if (!session.taskIds.includes(taskId))
      throw new TransactError(404, 'no-task', `Task ${taskId} was not started in this Transact session.`);
    return this.store.getTask(taskId);
  }

  answerMfa(session: SessionRecord, taskId: string, answer: string): TaskView {
    const task = this.task(session, taskId);
    if (answer.trim() === '') throw new TransactError(422, 'empty-answer', 'Enter the code or the answer.');
    if (!this.store.pendingMfa(task._id))
      throw new TransactError(409, 'no-mfa', 'This task is not waiting for an answer.');
    this.record(session, 'mfa-answered', { taskId });
    return this.store.answerMfa(task._id);
  }

  end(session: SessionRecord, status: 'finished' | 'closed', reason?: string): void {
    session.status = status;
    if (reason !== undefined) session.closeReason = reason;
    this.record(session, status, reason !== undefined ? { reason } : undefined);
    // Nobody is left to answer a pending MFA challenge: the task is abandoned, as Atomic's would be.
    for (const taskId of session.taskIds) {
      if (this.store.findTask(taskId)?.status === 'processing' && this.store.pendingMfa(taskId))
        this.store.failTask(taskId, 'user-abandon');
    }
  }

  view(session: SessionRecord): TransactSessionView {
    const { publicToken: _secret, ...rest } = session;
    return {
      ...rest,
      steps: [...rest.steps],
      taskIds: [...rest.taskIds],
      tasks: rest.taskIds.flatMap((id) => {
        const task = this.store.findTask(id);
        return task ? [task] : [];
      }),
    };
  }

  list(): TransactSessionView[] {
    return [...this.sessions.values()].reverse().map((s) => this.view(s));
  }

  find(id: string): TransactSessionView | undefined {
    const session = this.sessions.get(id);
    return session ? this.view(session) : undefined;
  }

  clear(): void {
    this.sessions.clear();
  }
}

export const DEFAULT_COMPANY_ID = AMAZON_COMPANY_ID;

function tokenError(reason: TokenProblem): TransactError {
  const words = {
    unknown: 'This public token is not one the Atomic mock issued.',
    revoked: 'This public token was revoked.',
    expired: 'This public token has expired.',
  } as const;
  return new TransactError(
    401,
    `token-${reason}`,
    `${words[reason]} Create a new one with POST /access-token.`,
  );
}
