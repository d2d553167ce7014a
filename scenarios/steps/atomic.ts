import { z } from 'zod';
import {
  AMAZON_COMPANY_ID,
  COMPANIES,
  ORDER_MONITORING_FAIL_REASONS,
  SANDBOX_USERNAMES,
  type AtomicStore,
  type ConnectionData,
  type Order,
  type PayLinkAccountView,
} from '../../mock-atomic';
import {
  CardSpecSchema,
  GenerateOrdersSchema,
  OrderSpecSchema,
  buildOrder,
  generateOrders,
  keyedOrders,
  type GenerateOrders,
  type OrderSpec,
} from './orders';
import { StepFailure, defineStep, type StepContext, type StepResult } from './types';

/** Steps that drive the Atomic mock: tokens, Order Monitoring connections, refreshes, disconnections. */

const IdentifierField = z.string().min(1).max(256).optional();
const AccountField = z.string().min(1);

const CARD_BRAND_KEYS: Record<string, 'visa' | 'mastercard' | 'american-express' | 'discover'> = {
  Visa: 'visa',
  Mastercard: 'mastercard',
  'American Express': 'american-express',
  Discover: 'discover',
};

/** `amazon` (any catalog company's name, any case) or a company id. */
function companyId(value: string | undefined): string {
  if (value === undefined) return AMAZON_COMPANY_ID;
  const byName = COMPANIES.find((c) => c.name.toLowerCase() === value.toLowerCase() || c._id === value);
  if (!byName)
    throw new StepFailure(
      `unknown company "${value}"; use a name (${COMPANIES.map((c) => c.name).join(', ')}) or a company id`,
    );
  return byName._id;
}

const OrdersFields = {
  /** Exact orders (see the README's order fields). */
  orders: z.array(OrderSpecSchema).max(1000).optional(),
  /** Seeded orders instead: how many, over how many days back, how they are paid. */
  generateOrders: GenerateOrdersSchema.optional(),
};

function ordersFromParams(
  context: StepContext,
  params: { orders?: OrderSpec[] | undefined; generateOrders?: GenerateOrders | undefined },
  defaultDays: number,
): { specs: OrderSpec[]; orders: Order[] } | undefined {
  if (params.orders && params.generateOrders)
    throw new StepFailure('give either orders or generateOrders, not both');
  const now = context.now();
  if (params.orders) {
    const random = context.random.fork('orders');
    return { specs: params.orders, orders: params.orders.map((spec) => buildOrder(random, spec, now)) };
  }
  if (params.generateOrders)
    return {
      specs: [],
      orders: generateOrders(
        context.random.fork('orders'),
        context.atomic,
        context.identifier,
        params.generateOrders,
        now,
        defaultDays,
      ),
    };
  return undefined;
}

/** The orders as stored (a changed order keeps the id it had), keyed for later steps. */
function storedOrders(
  account: PayLinkAccountView,
  built: { specs: OrderSpec[]; orders: Order[] } | undefined,
): { orders: Record<string, unknown>; stored: Order[] } {
  if (!built) return { orders: {}, stored: [] };
  const bySource = new Map((account.orders ?? []).map((o) => [o.sourceId, o]));
  const stored = built.orders.map((o) => bySource.get(o.sourceId) ?? o);
  return { orders: keyedOrders(built.specs, stored), stored };
}

function accountFor(
  atomic: AtomicStore,
  identifier: string,
  company: string,
): PayLinkAccountView | undefined {
  if (!atomic.findUser(identifier)) return undefined;
  return atomic.listPayLinkAccounts(identifier).find((a) => a.company._id === company);
}

/** Orders the step added or changed, found by comparing the account before and after. */
function changedOrders(before: PayLinkAccountView | undefined, after: PayLinkAccountView): Order[] {
  const previous = new Map((before?.orders ?? []).map((o) => [o._id, JSON.stringify(o)]));
  return (after.orders ?? []).filter((o) => previous.get(o._id) !== JSON.stringify(o));
}

async function connectAndWait(
  context: StepContext,
  input: {
    identifier: string;
    company: string;
    username: string;
    connection: ConnectionData;
  },
): Promise<StepResult> {
  const { atomic } = context;
  const before = accountFor(atomic, input.identifier, input.company);
  const started = atomic.startConnectTask({
    identifier: input.identifier,
    companyId: input.company,
    username: input.username,
  });
  // The task plays out on the run's clock (queued → processing → login → completed | failed).
  const task = await context.waitFor(atomic.runTask(started._id, { connection: input.connection }));
  const account = accountFor(atomic, input.identifier, input.company);
  const result: StepResult = {
    identifier: input.identifier,
    userId: task.user._id,
    taskId: task._id,
    status: task.status,
    authenticated: task.authenticated,
  };
  if (task.failReason !== undefined) result['failReason'] = task.failReason;
  if (account && task.status === 'completed') {
    const changed = changedOrders(before, account);
    context.truth.addOrders(input.identifier, changed);
    result['accountId'] = account._id;
    result['connectionStatus'] = account.connectionStatus;
    result['orderCount'] = account.orders?.length ?? 0;
    result['newOrders'] = changed.length;
  }
  return result;
}

export const accessToken = defineStep({
  type: 'access-token',
  vendor: 'atomic',
  summary: 'Creates the user (if new) and a public token, as POST /access-token does',
  params: z
    .object({
      identifier: IdentifierField,
      cards: z.array(CardSpecSchema).max(10).optional(),
      tokenLifetime: z.number().int().optional(),
    })
    .strict(),
  resultFields: ['identifier', 'userId', 'publicToken', 'expiresAt'],
  run(context, params) {
    const identifier = params.identifier ?? context.identifier;
    const cards = params.cards?.map((c) => ({
      lastFour: c.lastFour,
      brand: CARD_BRAND_KEYS[c.brand ?? 'Visa'] ?? 'visa',
    }));
    const token = context.atomic.createAccessToken({
      identifier,
      ...(cards ? { cards } : {}),
      ...(params.tokenLifetime === undefined ? {} : { tokenLifetime: params.tokenLifetime }),
    });
    return {
      identifier,
      userId: token.user._id,
      publicToken: token.publicToken,
      expiresAt: token.expiresAt,
    };
  },
});

export const connectAccount = defineStep({
  type: 'connect-account',
  vendor: 'atomic',
  summary:
    'The user logs in to a merchant through Transact: a connect task plays out (queued → processing → authenticated → completed) and the account is created with its order history; the sandbox username decides failures (test-bad, test-failure)',
  params: z
    .object({
      identifier: IdentifierField,
      company: z.string().optional(),
      username: z.enum(SANDBOX_USERNAMES).optional(),
      ...OrdersFields,
    })
    .strict(),
  resultFields: [
    'identifier',
    'userId',
    'taskId',
    'status',
    'authenticated',
    'failReason',
    'accountId',
    'connectionStatus',
    'orderCount',
    'newOrders',
    'orders',
  ],
  async run(context, params) {
    const built = ordersFromParams(context, params, 90);
    const identifier = params.identifier ?? context.identifier;
    const company = companyId(params.company);
    const connection: ConnectionData = built ? { orders: built.orders } : {};
    const result = await connectAndWait(context, {
      identifier,
      company,
      username: params.username ?? 'test-good',
      connection,
    });
    const account = accountFor(context.atomic, identifier, company);
    if (account && result['status'] === 'completed') result['orders'] = storedOrders(account, built).orders;
    return result;
  },
});

export const reconnect = defineStep({
  type: 'reconnect',
  vendor: 'atomic',
  summary:
    'A disconnected user connects again through Transact: the initial connect pattern re-runs on the same account id (updated, not created)',
  params: z
    .object({
      account: AccountField,
      username: z.enum(SANDBOX_USERNAMES).optional(),
      ...OrdersFields,
    })
    .strict(),
  resultFields: [
    'identifier',
    'taskId',
    'status',
    'failReason',
    'accountId',
    'connectionStatus',
    'orderCount',
    'orders',
  ],
  async run(context, params) {
    const account = context.atomic.getPayLinkAccount(params.account);
    if (account.connectionStatus !== 'disconnected')
      throw new StepFailure(
        `account ${params.account} is ${account.connectionStatus}; only a disconnected account reconnects`,
      );
    const owner = context.atomic.accountOwner(params.account)!;
    const built = ordersFromParams(context, params, 2);
    const result = await connectAndWait(context, {
      identifier: owner.identifier,
      company: account.company._id,
      username: params.username ?? 'test-good',
      connection: built ? { orders: built.orders } : {},
    });
    const after = context.atomic.getPayLinkAccount(params.account);
    if (result['status'] === 'completed') result['orders'] = storedOrders(after, built).orders;
    return result;
  },
});

export const refresh = defineStep({
  type: 'refresh',
  vendor: 'atomic',
  summary:
    'A scheduled daily refresh (continuous access): a refresh task finds new or changed orders and the account is synced (pay-link-accounts-updated: updated); it also retries an account merchant-unavailable disconnected',
  params: z.object({ account: AccountField, ...OrdersFields }).strict(),
  resultFields: ['accountId', 'taskId', 'status', 'connectionStatus', 'orderCount', 'newOrders', 'orders'],
  run(context, params) {
    const before = context.atomic.getPayLinkAccount(params.account);
    const owner = context.atomic.accountOwner(params.account)!;
    const built = ordersFromParams(context, params, 1);
    // A scheduled refresh also retries an account a transient failure (merchant-unavailable) disconnected.
    const { task, account } = context.atomic.refreshAccount(params.account, {
      retryTransient: true,
      ...(built ? { orders: built.orders } : {}),
    });
    const changed = changedOrders(before, account);
    context.truth.addOrders(owner.identifier, changed);
    return {
      accountId: account._id,
      taskId: task._id,
      status: task.status,
      connectionStatus: account.connectionStatus,
      orderCount: account.orders?.length ?? 0,
      newOrders: changed.length,
      orders: built ? storedOrders(account, built).orders : keyedOrders([], changed),
    };
  },
});

export const addOrders = defineStep({
  type: 'add-orders',
  vendor: 'atomic',
  summary:
    'Orders appear on the account outside a scheduled refresh (a back-fill), then the account is synced (updated)',
  params: z.object({ account: AccountField, ...OrdersFields }).strict(),
  resultFields: ['accountId', 'orderCount', 'newOrders', 'orders'],
  run(context, params) {
    const built = ordersFromParams(context, params, 1);
    if (!built) throw new StepFailure('add-orders needs orders or generateOrders');
    const before = context.atomic.getPayLinkAccount(params.account);
    const owner = context.atomic.accountOwner(params.account)!;
    context.atomic.addOrders(params.account, built.orders);
    const account = context.atomic.markSynced(params.account);
    const changed = changedOrders(before, account);
    context.truth.addOrders(owner.identifier, changed);
    return {
      accountId: account._id,
      orderCount: account.orders?.length ?? 0,
      newOrders: changed.length,
      orders: storedOrders(account, built).orders,
    };
  },
});

const FailReasonField = z.enum(ORDER_MONITORING_FAIL_REASONS);

export const failRefresh = defineStep({
  type: 'fail-refresh',
  vendor: 'atomic',
  summary:
    'A scheduled refresh fails with a documented reason: the refresh task fails with failReason and the account is disconnected',
  params: z.object({ account: AccountField, reason: FailReasonField }).strict(),
  resultFields: ['accountId', 'taskId', 'status', 'failReason', 'connectionStatus'],
  run(context, params) {
    const { task, account } = context.atomic.refreshAccount(params.account, {
      failReason: params.reason,
      retryTransient: true,
    });
    return {
      accountId: account._id,
      taskId: task._id,
      status: task.status,
      failReason: task.failReason ?? params.reason,
      connectionStatus: account.connectionStatus,
    };
  },
});

export const disconnect = defineStep({
  type: 'disconnect',
  vendor: 'atomic',
  summary: 'The account loses its connection outside a task (pay-link-accounts-updated: disconnected)',
  params: z.object({ account: AccountField, reason: FailReasonField }).strict(),
  resultFields: ['accountId', 'connectionStatus', 'failReason'],
  run(context, params) {
    const account = context.atomic.disconnectAccount(params.account, params.reason);
    return {
      accountId: account._id,
      connectionStatus: account.connectionStatus,
      failReason: account.failReason ?? params.reason,
    };
  },
});

export const endMonitoring = defineStep({
  type: 'end-monitoring',
  vendor: 'atomic',
  summary: 'PUT /user/:identifier/end-monitoring: the user’s accounts are no longer refreshed',
  params: z.object({ identifier: IdentifierField }).strict(),
  resultFields: ['identifier', 'accountIds'],
  run(context, params) {
    const identifier = params.identifier ?? context.identifier;
    const { accountIds } = context.atomic.endMonitoring(identifier);
    return { identifier, accountIds };
  },
});

export const ATOMIC_STEPS = [
  accessToken,
  connectAccount,
  refresh,
  addOrders,
  failRefresh,
  disconnect,
  reconnect,
  endMonitoring,
];
