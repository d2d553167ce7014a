/**
 * What the stitcher's API says about one user, reduced to what must not depend on how the events
 * got there (retries, restarts, order of arrival): which order is stitched to which transaction
 * and why, every transaction's state, whether the user is paused, and how many events the inbox
 * processed. Bookkeeping times (when it fetched or stitched) are left out.
 */

interface OrderRow {
  orderId: string;
  sourceId: string | null;
  amount: number;
  paymentMethod: { type?: string; lastFour?: string } | string | null;
  stitch: {
    status: string;
    transactionId?: string;
    confidence?: number;
    provisional?: boolean;
    reasons?: string[];
    reason?: string;
  };
}

interface TransactionRow {
  transactionId: string;
  state: string;
  amount: string;
  lastFour: string | null;
  settlements: unknown[];
  match: { orderId: string; confidence: number; provisional: boolean; reasons: string[] } | null;
}

interface UserSummary {
  paused: boolean;
  pausedReason: { failReason: string | null; message: string } | null;
  accounts: { accountId: string; connectionStatus: string }[];
  counts: Record<string, number>;
}

export interface StitcherState {
  user: {
    paused: boolean;
    accounts: { accountId: string; connectionStatus: string }[];
    counts: Record<string, number>;
  };
  orders: OrderRow[];
  transactions: TransactionRow[];
  inbox: Record<string, number>;
}

type Get = <T>(path: string) => Promise<{ status: number; body: T }>;

export async function stitcherState(get: Get, identifier: string): Promise<StitcherState> {
  const id = encodeURIComponent(identifier);
  const [user, orders, transactions, inbox] = await Promise.all([
    get<UserSummary>(`/users/${id}`),
    get<{ orders: OrderRow[] }>(`/users/${id}/orders`),
    get<{ transactions: TransactionRow[] }>(`/users/${id}/transactions`),
    get<{ counts: Record<string, number> }>('/inbox?limit=1'),
  ]);
  for (const answer of [user, orders, transactions, inbox]) {
    if (answer.status !== 200)
      throw new Error(`stitcher answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const byId =
    <T>(key: keyof T) =>
    (a: T, b: T) =>
      String(a[key]).localeCompare(String(b[key]));
  return {
    user: {
      paused: user.body.paused,
      accounts: user.body.accounts.map(({ accountId, connectionStatus }) => ({
        accountId,
        connectionStatus,
      })),
      counts: user.body.counts,
    },
    orders: orders.body.orders
      .map(({ orderId, sourceId, amount, paymentMethod, stitch }) => ({
        orderId,
        sourceId,
        amount,
        paymentMethod,
        stitch,
      }))
      .sort(byId<OrderRow>('orderId')),
    transactions: transactions.body.transactions
      .map(({ transactionId, state, amount, lastFour, settlements, match }) => ({
        transactionId,
        state,
        amount,
        lastFour,
        settlements,
        match: match && {
          orderId: match.orderId,
          confidence: match.confidence,
          provisional: match.provisional,
          reasons: match.reasons,
        },
      }))
      .sort(byId<TransactionRow>('transactionId')),
    inbox: inbox.body.counts,
  };
}

export type { OrderRow, TransactionRow, UserSummary };
