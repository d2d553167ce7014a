import { z } from 'zod';
import { OrderSchema } from '../orders/schema';
import {
  AccountActionSchema,
  AccountDataSchema,
  AccountIdentitySchema,
  BillingSchema,
  CONNECTION_STATUSES,
  SuggestionSchema,
  ACCOUNT_TYPES,
} from '../pay-link/schema';
import { PAYROLL_KIND_NAMES } from '../payroll/schema';
import { DepositDataSchema } from '../tasks/schema';
import {
  ORDER_MONITORING_FAIL_REASONS,
  ObjectIdSchema,
  TaskProductSchema,
  TaskStatusSchema,
} from '../shared/schemas';
import { ATOMIC_EVENT_TYPES } from '../webhooks/schema';
import { withBoundedNumbers } from '../../core/imported-numbers';

/**
 * The store's records: what Atomic keeps about users, tokens, tasks, accounts and webhook settings.
 * They are the internal form (ids point at each other); API views are derived from them. The whole
 * state exports as one JSON document (`AtomicStateSchema`) and imports back after validation.
 */

const Time = z.iso.datetime();

/** What the store keeps of a card: never the full number or the CVV [choice]. */
export const StoredCardSchema = z.object({
  lastFour: z.string().optional(),
  brand: z.string().optional(),
  title: z.string().optional(),
  subtitle: z.string().optional(),
  expiry: z.string().optional(),
  cardStatus: z.string().optional(),
  viaPaymentService: z.boolean(),
});

export const StoredBankAccountSchema = z.object({
  lastFour: z.string(),
  routingNumber: z.string(),
  type: z.enum(['checking', 'savings', 'paycard']),
  title: z.string().optional(),
});

export const StoredIdentitySchema = z.record(z.string(), z.string());

export const UserRecordSchema = z.object({
  _id: ObjectIdSchema,
  identifier: z.string(),
  createdAt: Time,
  updatedAt: Time,
  identity: StoredIdentitySchema.optional(),
  cards: z.array(StoredCardSchema),
  bankAccounts: z.array(StoredBankAccountSchema),
  /** False after PUT /user/:identifier/end-monitoring: no more scheduled refreshes. */
  monitoring: z.boolean(),
});

export const AccessTokenRecordSchema = z.object({
  publicToken: z.string(),
  userId: ObjectIdSchema,
  createdAt: Time,
  expiresAt: Time,
  revokedAt: Time.nullable(),
});

/** Sandbox logins (VENDOR-FACTS): the username decides how a connect task plays out. */
export const SANDBOX_USERNAMES = [
  'test-good',
  'test-bad',
  'test-failure',
  'test-code-mfa',
  'test-question-mfa',
] as const;
export type SandboxUsername = (typeof SANDBOX_USERNAMES)[number];

export const TaskRecordSchema = z.object({
  _id: ObjectIdSchema,
  userId: ObjectIdSchema,
  companyId: ObjectIdSchema,
  product: TaskProductSchema,
  /** Why the task exists: a user connecting, a scheduled refresh, or a background workflow. */
  purpose: z.enum(['connect', 'refresh', 'workflow']),
  status: TaskStatusSchema,
  authenticated: z.boolean(),
  failReason: z.string().optional(),
  createdAt: Time,
  updatedAt: Time,
  taskWorkflowId: ObjectIdSchema,
  linkedAccountId: ObjectIdSchema.optional(),
  payLinkAccountId: ObjectIdSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  payrollDataAvailable: z.boolean(),
  depositData: DepositDataSchema.optional(),
  sandboxUsername: z.enum(SANDBOX_USERNAMES).optional(),
  /** Pending multi-factor challenge of a `test-*-mfa` login. */
  mfa: z.object({ type: z.enum(['code', 'question']), answered: z.boolean() }).optional(),
});

export const LinkedAccountRecordSchema = z.object({
  _id: ObjectIdSchema,
  userId: ObjectIdSchema,
  companyId: ObjectIdSchema,
  valid: z.boolean(),
  transactRequired: z.boolean(),
  lastSuccess: Time.optional(),
  lastFailure: Time.optional(),
  createdAt: Time,
});

export const PayLinkAccountRecordSchema = z.object({
  _id: ObjectIdSchema,
  userId: ObjectIdSchema,
  companyId: ObjectIdSchema,
  type: z.enum(['linked', 'detected']),
  createdBy: z.literal('detection').optional(),
  connectionStatus: z.enum(CONNECTION_STATUSES),
  lastSyncedAt: Time.nullable(),
  failReason: z.string().optional(),
  linkedAccountId: ObjectIdSchema.optional(),
  monitoring: z.boolean(),
  createdAt: Time,
  updatedAt: Time,
  details: z.object({
    _id: ObjectIdSchema,
    type: z.enum(ACCOUNT_TYPES),
    sourceId: z.string().optional(),
    suggestions: z.array(SuggestionSchema),
    identities: z.array(AccountIdentitySchema),
    billing: BillingSchema.optional(),
    data: AccountDataSchema.optional(),
  }),
  actions: z.array(AccountActionSchema),
  /** Newest first. */
  orders: z.array(OrderSchema),
});

/** A company seen only in detected transactions: not in the catalog, so not supported. */
export const DetectedCompanySchema = z.object({ _id: ObjectIdSchema, name: z.string(), color: z.string() });

export const PayrollRecordSchema = z.object({
  _id: ObjectIdSchema,
  kind: z.enum(PAYROLL_KIND_NAMES as [string, ...string[]]),
  userId: ObjectIdSchema,
  companyId: ObjectIdSchema,
  linkedAccountId: ObjectIdSchema.optional(),
  taskId: ObjectIdSchema,
  retrievedAt: Time,
  payload: z.unknown(),
});

export const FileRecordSchema = z.object({
  _id: ObjectIdSchema,
  taskId: ObjectIdSchema,
  userId: ObjectIdSchema,
  kind: z.enum(['paystub', 'w2', '1099']),
  name: z.string(),
});

export const SecretRecordSchema = z.object({
  _id: ObjectIdSchema,
  name: z.string(),
  token: z.string(),
  createdAt: Time,
});

export const WebhookEndpointRecordSchema = z.object({
  _id: ObjectIdSchema,
  url: z.string(),
  secretId: ObjectIdSchema,
  eventTypes: z.array(z.enum(ATOMIC_EVENT_TYPES)),
  createdAt: Time,
  updatedAt: Time,
});

export const ATOMIC_STATE_VERSION = 1;

/** The latest time a state document may hold (the end of year 9999). */
const MAX_TIME_MS = 253_402_300_799_999;

/** A scheduled refresh under way: its task, and the step it takes next and when. */
export const RefreshInFlightSchema = z
  .object({
    taskId: ObjectIdSchema,
    accountId: ObjectIdSchema,
    /** When it started: its slot, or the catch-up time. Its data is drawn from this. */
    startedMs: z.number().int().min(0).max(MAX_TIME_MS),
    failReason: z.enum(ORDER_MONITORING_FAIL_REASONS).optional(),
    step: z.enum(['processing', 'login', 'finish']),
    atMs: z.number().int().min(0).max(MAX_TIME_MS),
  })
  .strict();

/** The refresh schedule's part of the state: the failures asked for, and the refreshes under way. */
export const ScheduledRefreshesStateSchema = z
  .object({
    failNext: z
      .array(
        z.object({ accountId: ObjectIdSchema, failReason: z.enum(ORDER_MONITORING_FAIL_REASONS) }).strict(),
      )
      .max(100_000),
    inFlight: z.array(RefreshInFlightSchema).max(100_000),
  })
  .strict();

/**
 * Every number in it (order amounts, billing, payroll payloads kept as opaque JSON) is bounded by
 * core/imported-numbers: a `1e20` is refused at import instead of failing the routes that print it.
 */
export const AtomicStateSchema = withBoundedNumbers(
  z.object({
    version: z.literal(ATOMIC_STATE_VERSION),
    users: z.array(UserRecordSchema),
    accessTokens: z.array(AccessTokenRecordSchema),
    tasks: z.array(TaskRecordSchema),
    linkedAccounts: z.array(LinkedAccountRecordSchema),
    payLinkAccounts: z.array(PayLinkAccountRecordSchema),
    detectedCompanies: z.array(DetectedCompanySchema),
    payroll: z.array(PayrollRecordSchema),
    files: z.array(FileRecordSchema),
    secrets: z.array(SecretRecordSchema),
    webhookEndpoints: z.array(WebhookEndpointRecordSchema),
    /** Absent in documents from before the schedule kept state: nothing asked for, nothing under way. */
    scheduledRefreshes: ScheduledRefreshesStateSchema.optional(),
  }),
);

export type UserRecord = z.infer<typeof UserRecordSchema>;
export type AccessTokenRecord = z.infer<typeof AccessTokenRecordSchema>;
export type TaskRecord = z.infer<typeof TaskRecordSchema>;
export type LinkedAccountRecord = z.infer<typeof LinkedAccountRecordSchema>;
export type PayLinkAccountRecord = z.infer<typeof PayLinkAccountRecordSchema>;
export type DetectedCompany = z.infer<typeof DetectedCompanySchema>;
export type PayrollRecord = z.infer<typeof PayrollRecordSchema>;
export type FileRecord = z.infer<typeof FileRecordSchema>;
export type SecretRecord = z.infer<typeof SecretRecordSchema>;
export type WebhookEndpointRecord = z.infer<typeof WebhookEndpointRecordSchema>;
export type StoredCard = z.infer<typeof StoredCardSchema>;
export type StoredBankAccount = z.infer<typeof StoredBankAccountSchema>;
export type AtomicState = z.infer<typeof AtomicStateSchema>;
export type RefreshInFlight = z.infer<typeof RefreshInFlightSchema>;
export type ScheduledRefreshesState = z.infer<typeof ScheduledRefreshesStateSchema>;

/**
 * The live state: ordered maps keyed by id (insertion order is creation order, which keeps listings
 * and exports stable), plus the lookups the API needs in O(1).
 */
export class StateTables {
  users = new Map<string, UserRecord>();
  usersByIdentifier = new Map<string, UserRecord>();
  accessTokens = new Map<string, AccessTokenRecord>();
  tasks = new Map<string, TaskRecord>();
  linkedAccounts = new Map<string, LinkedAccountRecord>();
  payLinkAccounts = new Map<string, PayLinkAccountRecord>();
  detectedCompanies = new Map<string, DetectedCompany>();
  payroll = new Map<string, PayrollRecord>();
  files = new Map<string, FileRecord>();
  secrets = new Map<string, SecretRecord>();
  webhookEndpoints = new Map<string, WebhookEndpointRecord>();

  static from(state: AtomicState): StateTables {
    const t = new StateTables();
    for (const u of state.users) {
      t.users.set(u._id, u);
      t.usersByIdentifier.set(u.identifier, u);
    }
    for (const x of state.accessTokens) t.accessTokens.set(x.publicToken, x);
    for (const x of state.tasks) t.tasks.set(x._id, x);
    for (const x of state.linkedAccounts) t.linkedAccounts.set(x._id, x);
    for (const x of state.payLinkAccounts) t.payLinkAccounts.set(x._id, x);
    for (const x of state.detectedCompanies) t.detectedCompanies.set(x._id, x);
    for (const x of state.payroll) t.payroll.set(x._id, x);
    for (const x of state.files) t.files.set(x._id, x);
    for (const x of state.secrets) t.secrets.set(x._id, x);
    for (const x of state.webhookEndpoints) t.webhookEndpoints.set(x._id, x);
    return t;
  }

  toState(): AtomicState {
    // structuredClone so an export never aliases live records.
    return structuredClone({
      version: ATOMIC_STATE_VERSION,
      users: [...this.users.values()],
      accessTokens: [...this.accessTokens.values()],
      tasks: [...this.tasks.values()],
      linkedAccounts: [...this.linkedAccounts.values()],
      payLinkAccounts: [...this.payLinkAccounts.values()],
      detectedCompanies: [...this.detectedCompanies.values()],
      payroll: [...this.payroll.values()],
      files: [...this.files.values()],
      secrets: [...this.secrets.values()],
      webhookEndpoints: [...this.webhookEndpoints.values()],
    });
  }
}
