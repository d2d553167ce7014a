/**
 * The read API's JSON: orders with their stitch status, transactions with their matched order and
 * its products, and a per-user summary that says whether (and why) stitching is paused.
 */
import { formatCents, toCents } from './money';
import { isPausedBy } from './stitching';
import type { AccountRow, StitchRow, StitcherStore } from './store';

/** vendor-docs 000, "Failure Reasons Reference". */
export const FAIL_REASONS: Record<string, { description: string; recommendedAction: string }> = {
  'session-expired': {
    description: 'The cached authentication session has expired',
    recommendedAction: 'Prompt user to reconnect',
  },
  'credentials-invalid': {
    description: 'User credentials are no longer valid',
    recommendedAction: 'Prompt user to reconnect with updated credentials',
  },
  'bot-detection': {
    description: 'Merchant detected automated access',
    recommendedAction: 'Wait and retry, or prompt user to reconnect',
  },
  'merchant-unavailable': {
    description: 'Merchant site is temporarily unavailable',
    recommendedAction: 'Automatic retry on next scheduled refresh',
  },
};

export interface PauseView {
  accountId: string;
  company: string | null;
  connectionStatus: string;
  failReason: string | null;
  description: string | null;
  recommendedAction: string | null;
  message: string;
}

export type StitchView =
  | { status: 'matched'; transactionId: string; confidence: number; provisional: boolean; reasons: string[] }
  | { status: 'unmatchable' | 'awaiting-transaction'; reason: string }
  | { status: 'paused'; reason: string; transactionId?: string; confidence?: number };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function pauseFor(
  store: StitcherStore,
  identifier: string,
  accounts: readonly AccountRow[],
): PauseView | null {
  const account = isPausedBy(accounts);
  if (!account) return null;
  // The newest task event for that merchant explains the disconnection when it is a failure (failReason).
  const task = store.latestTask(identifier, account.companyName);
  const failReason = task && task.status === 'failed' ? task.failReason : null;
  const known = failReason ? FAIL_REASONS[failReason] : undefined;
  const company = account.companyName ?? task?.companyName ?? null;
  const why = failReason ? ` (${failReason}${known ? `: ${known.description}` : ''})` : '';
  return {
    accountId: account.accountId,
    company,
    connectionStatus: account.connectionStatus,
    failReason,
    description: known?.description ?? null,
    recommendedAction: known?.recommendedAction ?? (failReason ? null : 'Prompt user to reconnect'),
    message: `${company ?? 'Merchant'} account ${account.accountId} is disconnected${why}; stitching is paused until the user reconnects`,
  };
}

function stitchView(row: StitchRow | undefined, pause: PauseView | null): StitchView {
  if (pause) {
    const frozen: StitchView = { status: 'paused', reason: pause.message };
    if (row?.status === 'matched' && row.transactionId !== null && row.confidence !== null) {
      frozen.transactionId = row.transactionId;
      frozen.confidence = row.confidence;
    }
    return frozen;
  }
  if (!row) return { status: 'awaiting-transaction', reason: 'not stitched yet' };
  if (row.status === 'matched' && row.transactionId !== null) {
    return {
      status: 'matched',
      transactionId: row.transactionId,
      confidence: row.confidence ?? 0,
      provisional: row.provisional,
      reasons: row.reasons,
    };
  }
  return {
    status: row.status === 'unmatchable' ? 'unmatchable' : 'awaiting-transaction',
    reason: row.reasons[0] ?? '',
  };
}

const newestFirst = (a: { date: string; id: string }, b: { date: string; id: string }) =>
  a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function ordersView(store: StitcherStore, identifier: string) {
  const accounts = store.accountsFor(identifier);
  const pause = pauseFor(store, identifier, accounts);
  const stitches = store.stitchesFor(identifier);
  const orders = store
    .ordersFor(identifier)
    .map(({ orderId, accountId, order }) => ({
      orderId,
      sourceId: order.sourceId ?? null,
      accountId,
      date: order.date,
      amount: order.amount,
      paymentMethod: order.paymentMethod ?? null,
      products: order.products ?? [],
      stitch: stitchView(stitches.get(orderId), pause),
    }))
    .sort((a, b) => newestFirst({ date: a.date, id: a.orderId }, { date: b.date, id: b.orderId }));
  return { identifier, paused: pause !== null, pausedReason: pause, orders };
}

export function transactionsView(store: StitcherStore, identifier: string) {
  const accounts = store.accountsFor(identifier);
  const pause = pauseFor(store, identifier, accounts);
  const byTransaction = new Map<string, StitchRow>();
  for (const row of store.stitchesFor(identifier).values()) {
    if (row.status === 'matched' && row.transactionId) byTransaction.set(row.transactionId, row);
  }
  const orders = new Map(store.ordersFor(identifier).map((o) => [o.orderId, o.order]));
  const transactions = store
    .transactionsFor(identifier)
    .map(({ transactionId, cardId, lastFour, transaction: t }) => {
      const row = byTransaction.get(transactionId);
      const order = row ? orders.get(row.orderId) : undefined;
      const amountCents = toCents(t.amount);
      return {
        transactionId,
        state: t.state,
        amount: amountCents === null ? String(t.amount) : formatCents(amountCents),
        currency: t.currency ?? null,
        paymentType: t.payment_type ?? null,
        createdTime: t.created_time,
        updatedTime: t.updated_time ?? null,
        merchantName: t.details?.merchant_name ?? null,
        statementDescriptor: t.details?.statement_descriptor ?? null,
        cardId,
        lastFour,
        settlements: t.details?.settlements ?? [],
        match:
          row && order
            ? {
                orderId: row.orderId,
                sourceId: order.sourceId ?? null,
                orderDate: order.date,
                orderAmount: order.amount,
                confidence: row.confidence ?? 0,
                provisional: row.provisional,
                reasons: row.reasons,
                products: order.products ?? [],
              }
            : null,
      };
    })
    .sort((a, b) =>
      newestFirst({ date: a.createdTime, id: a.transactionId }, { date: b.createdTime, id: b.transactionId }),
    );
  return { identifier, paused: pause !== null, pausedReason: pause, transactions };
}

export function userView(store: StitcherStore, identifier: string) {
  const user = store.user(identifier);
  if (!user) return null;
  const accounts = store.accountsFor(identifier);
  const pause = pauseFor(store, identifier, accounts);
  const task = store.latestTask(identifier);
  const counts = {
    orders: store.orderCount(identifier),
    transactions: store.transactionCount(identifier),
    matched: 0,
    provisional: 0,
    unmatchable: 0,
    awaitingTransaction: 0,
  };
  for (const row of store.stitchesFor(identifier).values()) {
    if (row.status === 'matched') {
      counts.matched++;
      if (row.provisional) counts.provisional++;
    } else if (row.status === 'unmatchable') counts.unmatchable++;
    else counts.awaitingTransaction++;
  }
  return {
    identifier,
    atomicUserId: user.atomicUserId,
    paused: pause !== null,
    pausedReason: pause,
    accounts: accounts.map((a) => ({
      accountId: a.accountId,
      company: a.companyName,
      connectionStatus: a.connectionStatus,
      lastSyncedAt: a.lastSyncedAt,
      lastUpdateType: a.lastUpdateType,
      fetchedAt: iso(a.fetchedAt),
    })),
    lastTask: task
      ? {
          taskId: task.taskId,
          status: task.status,
          failReason: task.failReason,
          company: task.companyName,
          eventTime: iso(task.eventTimeMs),
        }
      : null,
    counts,
    stitchedAt: iso(user.stitchedAt),
  };
}

export type OrdersView = ReturnType<typeof ordersView>;
export type OrderView = OrdersView['orders'][number];
export type TransactionsView = ReturnType<typeof transactionsView>;
export type TransactionView = TransactionsView['transactions'][number];
export type UserSummaryView = NonNullable<ReturnType<typeof userView>>;
