/**
 * Order-to-transaction stitching: pure, deterministic, one pass over indexed data.
 *
 * Rules (vendor-docs 000, "Order-to-Transaction Stitching"):
 * - Amount is the primary key, compared in integer cents. A transaction offers up to three amounts:
 *   its current amount, its authorised amount (`details.merchant_amount`) and the sum of its
 *   settlements, so a multi-settlement purchase (35.93 authorised, settled 30.49 + 5.44) matches
 *   its 35.93 order at every stage.
 * - A pending transaction whose amount differs slightly from the order (tax adjustment) matches
 *   provisionally; once it settles at the order amount the same pair matches exactly.
 * - Date: the transaction's UTC calendar day must fall within [order day − windowDaysBefore,
 *   order day + windowDaysAfter]. Postings usually land 0–1 days after the order; the day before
 *   is tolerated because order dates and bank dates are cut at different time zones.
 * - Card last four must agree where both are known. A card order without last four (or a
 *   transaction whose card is unknown) may still match, with lower confidence.
 * - The merchant must look like Amazon; only debit card purchases that moved (or will move) money
 *   are candidates.
 * - Non-card payment methods (gift card, EBT, Affirm, Google Play, ...) are never matched.
 *
 * Ambiguity is resolved globally, never by arrival order: candidate pairs are ranked by confidence;
 * within one confidence level the earliest order takes the earliest free transaction (FIFO). For
 * interchangeable pairs (same amount, same card) FIFO is what keeps two identical orders placed a day
 * apart from swapping their transactions, which "closest date first" would do. Every sort ends on
 * ids, so the result does not depend on input order.
 */
import { formatCents } from './money';
import { isoDay, utcDay, DAY_MS } from './dates';
import { isAmazonDescriptor } from './merchant';
import type { PaymentInfo } from './payment-method';

export interface MatchOrder {
  id: string;
  /** The user the order belongs to: Atomic `identifier` (= Atelio `customer_id`). */
  userId: string;
  /** Order date in epoch ms; null when the vendor sent something unreadable. */
  dateMs: number | null;
  /** Order total in cents; null when missing. */
  amountCents: number | null;
  payment: PaymentInfo;
}

export interface MatchTransaction {
  id: string;
  /** Atelio `customer_id`. */
  userId: string;
  /** `created_time` (authorisation time at the point of sale) in epoch ms. */
  dateMs: number | null;
  /** Lower-case Atelio state: pending, completed, declined, cancelled, returned. */
  state: string;
  /** `payment_type` (card, ach, rdc, account) or null when absent. */
  paymentType: string | null;
  /** Signed cents; debits are negative. */
  amountCents: number | null;
  /** Signed `details.merchant_amount` (the authorised amount), if given. */
  authorisedCents: number | null;
  /** Signed sum of `details.settlements[].amount`, if there are settlements. */
  settledCents: number | null;
  settlementCount: number;
  /** Merchant name and statement descriptor, for merchant recognition and reasons. */
  descriptor: string;
  /** Last four of the card the transaction was made with, when known. */
  lastFour: string | null;
}

export interface PendingTolerance {
  /** Largest allowed difference as a share of the order amount. */
  ratio: number;
  /** The allowed difference is never smaller than this (small orders still get a few cents of slack). */
  minCents: number;
  /** ...and never larger than this. */
  maxCents: number;
}

export interface MatchingOptions {
  windowDaysBefore: number;
  windowDaysAfter: number;
  pendingTolerance: PendingTolerance;
  /** Merchant recognition; replace to stitch another merchant's orders. */
  isMerchant: (descriptor: string) => boolean;
  /** "Now", only used to word reasons ("window closed" vs "waiting"). */
  asOfMs?: number | undefined;
}

export const DEFAULT_MATCHING: Readonly<MatchingOptions> = Object.freeze({
  windowDaysBefore: 1,
  windowDaysAfter: 3,
  pendingTolerance: Object.freeze({ ratio: 0.1, minCents: 100, maxCents: 2500 }),
  isMerchant: isAmazonDescriptor,
});

export interface MatchedOutcome {
  orderId: string;
  status: 'matched';
  transactionId: string;
  /** 0..1, two decimals. */
  confidence: number;
  /** True while the pair rests on a pending amount that differs from the order (tax adjustment). */
  provisional: boolean;
  reasons: string[];
}

export interface UnmatchedOutcome {
  orderId: string;
  status: 'unmatchable' | 'awaiting-transaction';
  reason: string;
}

export type OrderOutcome = MatchedOutcome | UnmatchedOutcome;

export interface StitchResult {
  /** One outcome per order, sorted by order id. */
  outcomes: OrderOutcome[];
  /** The matched outcomes only, sorted by order id. */
  matches: MatchedOutcome[];
}

/** States in which a card purchase moved or will move money. Declined and cancelled never did. */
const MATCHABLE_STATES = new Set(['pending', 'completed', 'returned']);

type AmountKind = 'amount' | 'authorised' | 'settlements' | 'tolerance';
type CardCase = 'agree' | 'order-unknown' | 'transaction-unknown' | 'both-unknown' | 'no-payment-method';

interface Edge {
  order: number;
  txn: number;
  points: number;
  kind: AmountKind;
  lag: number;
  card: CardCase;
}

interface Spend {
  cents: number;
  kind: Exclude<AmountKind, 'tolerance'>;
}

interface UserIndex {
  /** Eligible transactions by each amount (cents, positive) they could match. */
  exact: Map<number, Array<{ txn: number; kind: Spend['kind'] }>>;
  /** Eligible pending transactions sorted by current amount, for the tax-adjustment range search. */
  pending: Array<{ txn: number; cents: number }>;
}

export function resolveMatchingOptions(partial?: Partial<MatchingOptions>): MatchingOptions {
  const options: MatchingOptions = {
    ...DEFAULT_MATCHING,
    ...partial,
    pendingTolerance: { ...DEFAULT_MATCHING.pendingTolerance, ...partial?.pendingTolerance },
  };
  if (!Number.isInteger(options.windowDaysBefore) || options.windowDaysBefore < 0)
    throw new RangeError('matching.windowDaysBefore must be a non-negative integer');
  if (!Number.isInteger(options.windowDaysAfter) || options.windowDaysAfter < 0)
    throw new RangeError('matching.windowDaysAfter must be a non-negative integer');
  const t = options.pendingTolerance;
  if (!(t.ratio >= 0) || !(t.minCents >= 0) || !(t.maxCents >= t.minCents))
    throw new RangeError('matching.pendingTolerance needs ratio >= 0 and 0 <= minCents <= maxCents');
  return options;
}

/** The debit amounts (positive cents) a transaction could match, best kind first, without duplicates. */
function spends(t: MatchTransaction): Spend[] {
  const out: Spend[] = [];
  const add = (signed: number | null, kind: Spend['kind']) => {
    if (signed === null || signed >= 0) return;
    const cents = -signed;
    if (!out.some((s) => s.cents === cents)) out.push({ cents, kind });
  };
  add(t.amountCents, 'amount');
  add(t.authorisedCents, 'authorised');
  if (t.settlementCount > 0) add(t.settledCents, 'settlements');
  return out;
}

/** Why a transaction can never be stitched to an order, or null when it is a candidate. */
function ineligibility(t: MatchTransaction, options: MatchingOptions): string | null {
  if (t.dateMs === null) return 'has no readable created_time';
  if (!MATCHABLE_STATES.has(t.state)) return `is ${t.state || 'in an unknown state'}`;
  if (t.paymentType !== null && t.paymentType !== 'card')
    return `is a ${t.paymentType} payment, not a card purchase`;
  if (spends(t).length === 0) return 'is not a debit';
  if (!options.isMerchant(t.descriptor))
    return `is not at an Amazon-like merchant ("${t.descriptor.trim()}")`;
  return null;
}

function cardCase(order: MatchOrder, t: MatchTransaction): CardCase | 'mismatch' {
  if (order.payment.kind === 'unknown') return 'no-payment-method';
  const orderFour = order.payment.kind === 'card' ? order.payment.lastFour : null;
  if (orderFour !== null && t.lastFour !== null) return orderFour === t.lastFour ? 'agree' : 'mismatch';
  if (orderFour === null && t.lastFour === null) return 'both-unknown';
  return orderFour === null ? 'order-unknown' : 'transaction-unknown';
}

const CARD_PENALTY: Record<CardCase, number> = {
  agree: 0,
  'transaction-unknown': 10,
  'order-unknown': 20,
  'both-unknown': 25,
  'no-payment-method': 30,
};
const AMOUNT_PENALTY: Record<AmountKind, number> = {
  amount: 0,
  authorised: 3,
  settlements: 3,
  tolerance: 25,
};

/** Confidence in whole points out of 100; discrete, so equal evidence ties exactly and FIFO decides. */
function points(kind: AmountKind, card: CardCase, lag: number): number {
  const datePenalty = lag < 0 ? 10 * -lag : lag <= 1 ? 0 : 5 * (lag - 1);
  return Math.max(5, 100 - AMOUNT_PENALTY[kind] - CARD_PENALTY[card] - datePenalty);
}

const byDateThenId = <T extends { id: string; dateMs: number | null }>(a: T, b: T): number =>
  (a.dateMs ?? 0) - (b.dateMs ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function stitch(
  ordersIn: readonly MatchOrder[],
  transactionsIn: readonly MatchTransaction[],
  partialOptions?: Partial<MatchingOptions>,
): StitchResult {
  const options = resolveMatchingOptions(partialOptions);
  // Canonical order: everything below walks these arrays, so input order cannot leak into the result.
  const orders = [...ordersIn].sort(byDateThenId);
  const txns = [...transactionsIn].sort(byDateThenId);

  const index = new Map<string, UserIndex>();
  const userIndex = (userId: string): UserIndex => {
    let entry = index.get(userId);
    if (!entry) {
      entry = { exact: new Map(), pending: [] };
      index.set(userId, entry);
    }
    return entry;
  };
  for (let i = 0; i < txns.length; i++) {
    const t = txns[i]!;
    if (ineligibility(t, options) !== null) continue;
    const idx = userIndex(t.userId);
    for (const spend of spends(t)) {
      let bucket = idx.exact.get(spend.cents);
      if (!bucket) idx.exact.set(spend.cents, (bucket = []));
      bucket.push({ txn: i, kind: spend.kind });
    }
    if (t.state === 'pending' && t.amountCents !== null && t.amountCents < 0) {
      idx.pending.push({ txn: i, cents: -t.amountCents });
    }
  }
  for (const idx of index.values()) idx.pending.sort((a, b) => a.cents - b.cents || a.txn - b.txn);

  const outcomes = new Map<string, OrderOutcome>();
  const edges: Edge[] = [];
  const { windowDaysBefore: before, windowDaysAfter: after, pendingTolerance: tol } = options;

  for (let o = 0; o < orders.length; o++) {
    const order = orders[o]!;
    const blocked = unmatchableReason(order);
    if (blocked !== null) {
      outcomes.set(order.id, { orderId: order.id, status: 'unmatchable', reason: blocked });
      continue;
    }
    const idx = index.get(order.userId);
    if (!idx) continue;
    const cents = order.amountCents!;
    const orderDay = utcDay(order.dateMs!);
    const consider = (txn: number, kind: AmountKind) => {
      const t = txns[txn]!;
      const lag = utcDay(t.dateMs!) - orderDay;
      if (lag < -before || lag > after) return;
      const card = cardCase(order, t);
      if (card === 'mismatch') return;
      edges.push({ order: o, txn, points: points(kind, card, lag), kind, lag, card });
    };
    for (const { txn, kind } of idx.exact.get(cents) ?? []) consider(txn, kind);
    if (idx.pending.length > 0) {
      const slack = Math.min(tol.maxCents, Math.max(tol.minCents, Math.round(tol.ratio * cents)));
      for (let i = lowerBound(idx.pending, cents - slack); i < idx.pending.length; i++) {
        const entry = idx.pending[i]!;
        if (entry.cents > cents + slack) break;
        if (entry.cents !== cents) consider(entry.txn, 'tolerance');
      }
    }
  }

  // Strongest evidence first; within equal evidence the earliest order takes the earliest transaction.
  edges.sort((a, b) => b.points - a.points || a.order - b.order || a.txn - b.txn);
  const orderTaken = new Uint8Array(orders.length);
  const txnOwner = new Int32Array(txns.length).fill(-1);
  // For orders left without a transaction: the best-ranked candidate another order took first.
  const lostTo = new Int32Array(orders.length).fill(-1);
  for (const edge of edges) {
    if (orderTaken[edge.order]) continue;
    if (txnOwner[edge.txn] !== -1) {
      if (lostTo[edge.order] === -1) lostTo[edge.order] = edge.txn;
      continue;
    }
    orderTaken[edge.order] = 1;
    txnOwner[edge.txn] = edge.order;
    const order = orders[edge.order]!;
    const t = txns[edge.txn]!;
    outcomes.set(order.id, {
      orderId: order.id,
      status: 'matched',
      transactionId: t.id,
      confidence: edge.points / 100,
      provisional: edge.kind === 'tolerance',
      reasons: explainMatch(order, t, edge, options),
    });
  }

  // Unmatched card orders: say what came closest, so a human can tell "not posted yet" from "wrong card".
  let diagnostics: Map<string, Map<number, number[]>> | undefined;
  for (let o = 0; o < orders.length; o++) {
    const order = orders[o]!;
    if (outcomes.has(order.id)) continue;
    diagnostics ??= buildDiagnosticIndex(txns);
    outcomes.set(order.id, {
      orderId: order.id,
      status: 'awaiting-transaction',
      reason: explainMiss(order, lostTo[o]!, txns, txnOwner, orders, diagnostics, options),
    });
  }

  const sorted = [...outcomes.values()].sort((a, b) => compareIds(a.orderId, b.orderId));
  return { outcomes: sorted, matches: sorted.filter((x): x is MatchedOutcome => x.status === 'matched') };
}

function unmatchableReason(order: MatchOrder): string | null {
  if (order.payment.kind === 'non-card')
    return `paid by ${order.payment.method}: non-card payments never appear as a bank card transaction`;
  if (order.amountCents === null) return 'order amount is missing or unreadable';
  if (order.amountCents <= 0)
    return `order total is ${formatCents(order.amountCents)}: nothing was charged to a card`;
  if (order.dateMs === null) return 'order date is missing or unreadable';
  return null;
}

function lowerBound(items: ReadonlyArray<{ cents: number }>, cents: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.cents < cents) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

function describeLag(lag: number): string {
  if (lag === 0) return 'posted the same day as the order';
  if (lag > 0) return `posted ${days(lag)} after the order`;
  return `posted ${days(-lag)} before the order date`;
}

function explainMatch(
  order: MatchOrder,
  t: MatchTransaction,
  edge: Edge,
  options: MatchingOptions,
): string[] {
  const amount = formatCents(order.amountCents!);
  const reasons: string[] = [];
  switch (edge.kind) {
    case 'amount':
      reasons.push(`amount ${amount} equals the transaction amount`);
      break;
    case 'authorised':
      reasons.push(
        t.settlementCount > 0
          ? `amount ${amount} equals the authorised amount (merchant_amount) of a multi-settlement transaction, settled ${formatCents(-(t.settledCents ?? 0))} so far in ${t.settlementCount} settlement${t.settlementCount === 1 ? '' : 's'}`
          : `amount ${amount} equals the authorised amount (merchant_amount)`,
      );
      break;
    case 'settlements':
      reasons.push(`amount ${amount} equals the sum of ${t.settlementCount} settlements`);
      break;
    case 'tolerance': {
      const pending = -(t.amountCents ?? 0);
      reasons.push(
        `provisional: pending amount ${formatCents(pending)} differs from the order by ${formatCents(Math.abs(pending - order.amountCents!))} (tax adjustment); reconciles when the transaction settles`,
      );
      break;
    }
  }
  reasons.push(
    `${describeLag(edge.lag)} (window −${options.windowDaysBefore} to +${options.windowDaysAfter} days)`,
  );
  const orderFour = order.payment.kind === 'card' ? order.payment.lastFour : null;
  switch (edge.card) {
    case 'agree':
      reasons.push(`card last four ${orderFour} agrees`);
      break;
    case 'order-unknown':
      reasons.push('card order without last four: matched on amount, date and merchant only');
      break;
    case 'transaction-unknown':
      reasons.push(`the transaction's card last four is unknown; order paid with card ending ${orderFour}`);
      break;
    case 'both-unknown':
      reasons.push('card last four unknown on both sides: matched on amount, date and merchant only');
      break;
    case 'no-payment-method':
      reasons.push('order has no payment method: matched on amount, date and merchant only');
      break;
  }
  reasons.push(`Amazon merchant descriptor "${t.descriptor.trim()}"`);
  if (t.state === 'pending' && edge.kind !== 'tolerance') reasons.push('transaction still pending');
  return reasons;
}

function buildDiagnosticIndex(txns: readonly MatchTransaction[]): Map<string, Map<number, number[]>> {
  const byUser = new Map<string, Map<number, number[]>>();
  txns.forEach((t, i) => {
    let amounts = byUser.get(t.userId);
    if (!amounts) byUser.set(t.userId, (amounts = new Map()));
    const seen = new Set<number>();
    for (const signed of [t.amountCents, t.authorisedCents, t.settledCents]) {
      if (signed === null || signed === 0) continue;
      const cents = Math.abs(signed);
      if (seen.has(cents)) continue;
      seen.add(cents);
      let list = amounts.get(cents);
      if (!list) amounts.set(cents, (list = []));
      list.push(i);
    }
  });
  return byUser;
}

function explainMiss(
  order: MatchOrder,
  lostTxn: number,
  txns: readonly MatchTransaction[],
  txnOwner: Int32Array,
  orders: readonly MatchOrder[],
  diagnostics: Map<string, Map<number, number[]>>,
  options: MatchingOptions,
): string {
  const amount = formatCents(order.amountCents!);
  const orderDay = utcDay(order.dateMs!);
  const windowText = `${isoDay((orderDay - options.windowDaysBefore) * DAY_MS)} to ${isoDay((orderDay + options.windowDaysAfter) * DAY_MS)}`;

  if (lostTxn !== -1) {
    // Every transaction this order could take went to another order ranked ahead of it.
    const owner = orders[txnOwner[lostTxn]!]!;
    return `its candidate transaction ${txns[lostTxn]!.id} is stitched to order ${owner.id}, which has stronger or earlier evidence`;
  }

  const sameAmount = diagnostics.get(order.userId)?.get(order.amountCents!) ?? [];
  let best: { rank: number; text: string } | null = null;
  const offer = (rank: number, text: string) => {
    if (best === null || rank < best.rank) best = { rank, text };
  };
  for (const i of sameAmount) {
    const t = txns[i]!;
    const why = ineligibility(t, options);
    if (why !== null) {
      offer(3, `transaction ${t.id} of ${amount} ${why}`);
      continue;
    }
    const lag = utcDay(t.dateMs!) - orderDay;
    if (lag < -options.windowDaysBefore || lag > options.windowDaysAfter) {
      offer(
        2,
        `Amazon transaction ${t.id} of ${amount} is ${describeLag(lag)}, outside the window ${windowText}`,
      );
      continue;
    }
    if (cardCase(order, t) === 'mismatch') {
      const orderFour = order.payment.kind === 'card' ? order.payment.lastFour : null;
      offer(
        1,
        `Amazon transaction ${t.id} of ${amount} is on card ending ${t.lastFour}; the order was paid with card ending ${orderFour}`,
      );
    }
  }
  if (best !== null) return (best as { text: string }).text;
  const closed =
    options.asOfMs !== undefined && options.asOfMs >= (orderDay + options.windowDaysAfter + 1) * DAY_MS;
  return closed
    ? `no Amazon card transaction of ${amount} between ${windowText}; the window has closed`
    : `no Amazon card transaction of ${amount} between ${windowText} yet`;
}
