/**
 * The read API's JSON: orders with their stitch status, transactions with their matched order and
 * its products, and a per-user summary that says whether (and why) stitching is paused.
 */
import { formatCents, toCents } from './money';
import { isPausedBy } from './stitching';
import type { AccountRow, StitchRow, StitcherStore } from './store';
import type { RefundOutcome } from './matcher';
import type { AtomicOrder, AtomicProduct } from './vendor-schemas';

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

/** One charge of a split shipment, with the products it paid for when the split follows item prices. */
export interface ChargeView {
  transactionId: string;
  amount: string;
  products: AtomicProduct[] | null;
}

/** A refund credit (or the order's reversed charge) linked to the order. */
export interface RefundView {
  transactionId: string;
  kind: 'credit' | 'reversal';
  amount: string;
  products: AtomicProduct[] | null;
  confidence: number;
  reasons: string[];
}

export type StitchView =
  | {
      status: 'matched';
      transactionId: string;
      confidence: number;
      provisional: boolean;
      reasons: string[];
      charges?: ChargeView[];
    }
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

const pick = (order: AtomicOrder, indexes: number[] | null): AtomicProduct[] | null =>
  indexes === null ? null : indexes.flatMap((i) => (order.products?.[i] ? [order.products[i]] : []));

function refundView(order: AtomicOrder, r: RefundOutcome): RefundView {
  return {
    transactionId: r.transactionId,
    kind: r.kind,
    amount: formatCents(r.amountCents),
    products: pick(order, r.products),
    confidence: r.confidence,
    reasons: r.reasons,
  };
}

function stitchView(row: StitchRow | undefined, pause: PauseView | null, order: AtomicOrder): StitchView {
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
    const view: StitchView = {
      status: 'matched',
      transactionId: row.transactionId,
      confidence: row.confidence ?? 0,
      provisional: row.provisional,
      reasons: row.reasons,
    };
    if (row.charges)
      view.charges = row.charges.map((c) => ({
        transactionId: c.transactionId,
        amount: formatCents(c.amountCents),
        products: pick(order, c.products),
      }));
    return view;
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
    .map(({ orderId, accountId, order }) => {
      const row = stitches.get(orderId);
      return {
        orderId,
        sourceId: order.sourceId ?? null,
        accountId,
        date: order.date,
        amount: order.amount,
        paymentMethod: order.paymentMethod ?? null,
        products: order.products ?? [],
        stitch: stitchView(row, pause, order),
        /** Refunds linked to the order, beside it (kept while paused, like the match). */
        refunds: (row?.refunds ?? []).map((r) => refundView(order, r)),
      };
    })
    .sort((a, b) => newestFirst({ date: a.date, id: a.orderId }, { date: b.date, id: b.orderId }));
  return { identifier, paused: pause !== null, pausedReason: pause, orders };
}

export function transactionsView(store: StitcherStore, identifier: string) {
  const accounts = store.accountsFor(identifier);
  const pause = pauseFor(store, identifier, accounts);
  // Each charge → its order's stitch and, for a split shipment, which charge of how many it is.
  const byTransaction = new Map<string, { row: StitchRow; charge: number | null }>();
  const refundOf = new Map<string, { row: StitchRow; refund: RefundOutcome }>();
  for (const row of store.stitchesFor(identifier).values()) {
    if (row.status === 'matched' && row.transactionId) {
      if (row.charges) row.charges.forEach((c, k) => byTransaction.set(c.transactionId, { row, charge: k }));
      else byTransaction.set(row.transactionId, { row, charge: null });
    }
    for (const refund of row.refunds) refundOf.set(refund.transactionId, { row, refund });
  }
  const orders = new Map(store.ordersFor(identifier).map((o) => [o.orderId, o.order]));
  const transactions = store
    .transactionsFor(identifier)
    .map(({ transactionId, cardId, lastFour, transaction: t }) => {
      const found = byTransaction.get(transactionId);
      const order = found ? orders.get(found.row.orderId) : undefined;
      const charges = found?.row.charges ?? null;
      const charge = found && charges && found.charge !== null ? charges[found.charge]! : null;
      const refunded = refundOf.get(transactionId);
      const refundOrder = refunded ? orders.get(refunded.row.orderId) : undefined;
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
          found && order
            ? {
                orderId: found.row.orderId,
                sourceId: order.sourceId ?? null,
                orderDate: order.date,
                orderAmount: order.amount,
                confidence: found.row.confidence ?? 0,
                provisional: found.row.provisional,
                reasons: found.row.reasons,
                // A split shipment's charge shows the products it paid for (all of them when that cannot be told).
                products: (charge ? pick(order, charge.products) : null) ?? order.products ?? [],
                ...(charge && charges
                  ? {
                      shipment: {
                        index: found.charge! + 1,
                        of: charges.length,
                        amount: formatCents(charge.amountCents),
                      },
                    }
                  : {}),
              }
            : null,
        refund:
          refunded && refundOrder
            ? {
                orderId: refunded.row.orderId,
                sourceId: refundOrder.sourceId ?? null,
                ...refundView(refundOrder, refunded.refund),
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
    splitShipments: 0,
    refunds: 0,
  };
  for (const row of store.stitchesFor(identifier).values()) {
    counts.refunds += row.refunds.length;
    if (row.status === 'matched') {
      counts.matched++;
      if (row.charges) counts.splitShipments++;
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
