import type { VendorStoreOptions } from '../../core/vendor-store';
import type { AccountDetails, CardDetails, IdentityInput } from '../access-token/schema';
import type { PaymentCard } from '../orders/generator';
import type { Order } from '../orders/schema';
import type { PayrollKind } from '../payroll/schema';
import type { OrderMonitoringFailReason, TaskProduct } from '../shared/schemas';
import type { AtomicEventType } from '../webhooks/schema';
import type { AccessTokenRecord, SandboxUsername, UserRecord } from './state';
import type { RefreshSchedule } from './scheduled-refreshes';
import type { CompanyRef } from './views';

/** The store's options, inputs and the shapes it answers with. */

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

export interface AtomicStoreOptions extends VendorStoreOptions {
  /** Token of the baseline "default" API secret, which signs webhooks by default. Default `test-api-secret`. */
  apiSecret?: string;
  /** The baseline's "now": its orders, tokens and syncs are placed relative to it. Default: start of today (UTC) on `clock`. */
  baselineAt?: number | string | Date;
  /** `false` starts with an empty store (only the default secret). Default true. */
  baseline?: boolean;
  taskTimings?: Partial<TaskTimings>;
  /** How long an Order Monitoring connection's order fetch takes when a task runs on the clock. Default `DEFAULT_ORDER_FETCH`. */
  orderFetch?: OrderFetchTiming;
  /**
   * Scheduled refreshes of every connected Order Monitoring account (continuous access). Off unless
   * `enabled`: the platform turns them on, test stores and scenario platforms leave them off.
   */
  refreshes?: Partial<RefreshSchedule>;
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
   * How long the order fetch of an Order Monitoring connection takes; default the store's
   * `orderFetch`. The moment the login succeeds the account is created `initial` (announced
   * `created`), then fetching its orders takes `baseMs + msPerOrder × orders` (at most `maxMs`)
   * before it becomes `connected` (announced `updated`) and the task completes (vendor-docs 000).
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
