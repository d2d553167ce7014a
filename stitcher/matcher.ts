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
 * - Date, in two tiers. Core: the transaction's UTC calendar day falls within [order day −
 *   windowDaysBefore, order day + windowDaysAfter] (postings usually land 0–1 days after the order;
 *   the day before is tolerated because order dates and bank dates are cut at different time zones).
 *   Extended: up to order day + extendedDaysAfter, only for an exact amount on the card whose last
 *   four agrees, and only once every core-window pair is settled (no closer candidate competes),
 *   with lower confidence.
 * - Split shipments: an order still unmatched may take 2–4 free charges on one card that add up to
 *   its total exactly (split-shipments.ts); refunds are linked afterwards (refunds.ts).
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
import { utcDay } from './dates';
import { cardCase as compareCards, orderLastFour } from './card-match';
import type { CardCase } from './card-match';
import { matchSplitShipments } from './split-shipments';
import { linkRefunds } from './refunds';
import { assignUnambiguously } from './assignment';
import { ineligibility, resolveMatchingOptions, spends } from './match-types';
import type {
  MatchOrder,
  MatchTransaction,
  MatchedOutcome,
  MatchingOptions,
  OrderOutcome,
  StitchResult,
} from './match-types';
import { MissExplainer, explainAmbiguity, explainMatch } from './match-explain';
import { formatCents } from './money';

export * from './match-types';
export type { RefundOutcome } from './refunds';
export { days, describeLag } from './match-explain';

type AmountKind = 'amount' | 'authorised' | 'settlements' | 'tolerance';

interface Edge {
  order: number;
  txn: number;
  points: number;
  kind: AmountKind;
  lag: number;
  card: CardCase;
  /** Posted beyond the core window, within the extended one. */
  extended: boolean;
  /** How far a tax-adjusted pending amount is from the order, in cents (0 for exact kinds). */
  diff: number;
  /** The order shows no last four and the transaction's card is not one the user's other Amazon orders show. */
  unfamiliar: boolean;
}

interface UserIndex {
  /** amount in cents → packed (eligible index × 4 + amount kind code) of the transactions offering it. */
  exact: Map<number, number[]>;
  /** Pending transactions sorted by current amount, for the tax-adjustment range search. */
  pending: Array<{ cents: number; txn: number }>;
}

const KIND_CODES: ReadonlyArray<Exclude<AmountKind, 'tolerance'>> = ['amount', 'authorised', 'settlements'];

const cardCase = (order: MatchOrder, t: MatchTransaction) => compareCards(order.payment, t.lastFour);

/**
 * A pair is only stitched when every other reading of its group scores at least this many points
 * (0.05 confidence, one step of date lag) less. Two readings that score the same are a coin toss,
 * not evidence: two identical orders placed the same day whose two charges posted the same day, or
 * an order without last four facing same-amount charges on two cards.
 */
const DECISIVE_MARGIN = 5;

export const CARD_PENALTY: Record<CardCase, number> = {
  agree: 0,
  'transaction-unknown': 10,
  'order-unknown': 20,
  'both-unknown': 25,
  'no-payment-method': 30,
};
/** Applied on top of the card penalty when an order without last four meets a card its account never showed. */
const UNFAMILIAR_CARD_PENALTY = 8;

const AMOUNT_PENALTY: Record<AmountKind, number> = {
  amount: 0,
  authorised: 3,
  settlements: 3,
  tolerance: 25,
};

/** Confidence in whole points out of 100; discrete, so equal evidence ties exactly and FIFO decides. */
function points(kind: AmountKind, card: CardCase, lag: number, options: MatchingOptions): number {
  if (lag > options.windowDaysAfter) {
    // Extended tier: 0.70 on the first day past the core window, 0.05 less per further day.
    return Math.max(5, 70 - AMOUNT_PENALTY[kind] - 5 * (lag - options.windowDaysAfter - 1));
  }
  const datePenalty = lag < 0 ? 10 * -lag : lag <= 1 ? 0 : 5 * (lag - 1);
  return Math.max(5, 100 - AMOUNT_PENALTY[kind] - CARD_PENALTY[card] - datePenalty);
}

/**
 * The same order as `byDateThenId`, for large arrays: the sort runs on indexes with the dates in a
 * typed array (one comparator call costs a few loads instead of two property lookups per side).
 */
function sortedByDateThenId<T extends { id: string; dateMs: number | null }>(items: readonly T[]): T[] {
  const n = items.length;
  const dates = new Float64Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    dates[i] = items[i]!.dateMs ?? 0;
    order[i] = i;
  }
  order.sort((a, b) => {
    const d = dates[a]! - dates[b]!;
    if (d !== 0) return d;
    const ia = items[a]!.id;
    const ib = items[b]!.id;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = items[order[i]!]!;
  return out;
}

/**
 * Strongest evidence first; within equal evidence the closer pending amount, then the earliest
 * order, then its earliest transaction.
 */
function byEvidenceThenFifo(a: Edge, b: Edge): number {
  return b.points - a.points || a.diff - b.diff || a.order - b.order || a.txn - b.txn;
}

function memoise(isMerchant: (descriptor: string) => boolean): (descriptor: string) => boolean {
  // Descriptors repeat heavily ("AMZN Mktp US*..." on thousands of rows): recognise each once.
  const seen = new Map<string, boolean>();
  return (descriptor) => {
    let verdict = seen.get(descriptor);
    if (verdict === undefined) {
      verdict = isMerchant(descriptor);
      seen.set(descriptor, verdict);
    }
    return verdict;
  };
}

function buildIndex(eligible: readonly MatchTransaction[]): Map<string, UserIndex> {
  const index = new Map<string, UserIndex>();
  const packed: number[] = [];
  for (let i = 0; i < eligible.length; i++) {
    const t = eligible[i]!;
    let idx = index.get(t.userId);
    if (!idx) {
      idx = { exact: new Map(), pending: [] };
      index.set(t.userId, idx);
    }
    for (const p of spends(t, packed)) {
      const cents = Math.floor(p / 4);
      const bucket = idx.exact.get(cents);
      const entry = i * 4 + (p % 4);
      if (bucket) bucket.push(entry);
      else idx.exact.set(cents, [entry]);
    }
    if (t.state === 'pending' && t.amountCents !== null && t.amountCents < 0)
      idx.pending.push({ cents: -t.amountCents, txn: i });
  }
  for (const idx of index.values())
    if (idx.pending.length > 1) idx.pending.sort((a, b) => a.cents - b.cents || a.txn - b.txn);
  return index;
}

function addEdge(
  edges: Edge[],
  o: number,
  order: MatchOrder,
  txn: number,
  t: MatchTransaction,
  kind: AmountKind,
  orderDay: number,
  options: MatchingOptions,
  familiar: ReadonlySet<string> | undefined,
): void {
  const lag = utcDay(t.dateMs!) - orderDay;
  if (lag < -options.windowDaysBefore || lag > options.extendedDaysAfter) return;
  const card = cardCase(order, t);
  if (card === 'mismatch') return;
  // An order without last four was most likely paid with a card the user's other Amazon orders show.
  const unfamiliar =
    (card === 'order-unknown' || card === 'no-payment-method') &&
    t.lastFour !== null &&
    familiar !== undefined &&
    !familiar.has(t.lastFour);
  const extended = lag > options.windowDaysAfter;
  // The extended tier needs every other piece of evidence to agree: exact amount, same card.
  if (extended && (kind === 'tolerance' || card !== 'agree')) return;
  const diff = kind === 'tolerance' ? Math.abs(-(t.amountCents ?? 0) - order.amountCents!) : 0;
  const score = points(kind, card, lag, options) - (unfamiliar ? UNFAMILIAR_CARD_PENALTY : 0);
  edges.push({ order: o, txn, points: score, kind, lag, card, extended, diff, unfamiliar });
}

function collectEdges(
  edges: Edge[],
  o: number,
  order: MatchOrder,
  idx: UserIndex,
  eligible: readonly MatchTransaction[],
  options: MatchingOptions,
  familiar: ReadonlySet<string> | undefined,
): void {
  const cents = order.amountCents!;
  const orderDay = utcDay(order.dateMs!);
  const bucket = idx.exact.get(cents);
  if (bucket) {
    for (const entry of bucket) {
      const txn = Math.floor(entry / 4);
      addEdge(edges, o, order, txn, eligible[txn]!, KIND_CODES[entry % 4]!, orderDay, options, familiar);
    }
  }
  const pending = idx.pending;
  if (pending.length === 0) return;
  const tol = options.pendingTolerance;
  const slack = Math.min(tol.maxCents, Math.max(tol.minCents, Math.round(tol.ratio * cents)));
  for (let i = lowerBound(pending, cents - slack); i < pending.length; i++) {
    const entry = pending[i]!;
    if (entry.cents > cents + slack) break;
    if (entry.cents !== cents)
      addEdge(edges, o, order, entry.txn, eligible[entry.txn]!, 'tolerance', orderDay, options, familiar);
  }
}

export function stitch(
  ordersIn: readonly MatchOrder[],
  transactionsIn: readonly MatchTransaction[],
  partialOptions?: Partial<MatchingOptions>,
): StitchResult {
  const options = resolveMatchingOptions(partialOptions);
  const isMerchant = memoise(options.isMerchant);

  // Canonical order: everything below walks these arrays, so input order cannot leak into the result.
  const orders = sortedByDateThenId(ordersIn);
  const eligible: MatchTransaction[] = [];
  for (const t of transactionsIn) if (ineligibility(t, isMerchant) === null) eligible.push(t);
  const sortedEligible = sortedByDateThenId(eligible);
  eligible.length = 0;
  for (const t of sortedEligible) eligible.push(t);
  const index = buildIndex(eligible);

  // The last fours each user's Amazon orders show: the cards the account pays with.
  const familiar = new Map<string, Set<string>>();
  for (const order of orders) {
    const four = orderLastFour(order.payment);
    if (four === null) continue;
    const set = familiar.get(order.userId);
    if (set) set.add(four);
    else familiar.set(order.userId, new Set([four]));
  }

  const outcomes: Array<OrderOutcome | undefined> = new Array<OrderOutcome | undefined>(orders.length);
  const edges: Edge[] = [];
  for (let o = 0; o < orders.length; o++) {
    const order = orders[o]!;
    const blocked = unmatchableReason(order);
    if (blocked !== null) {
      outcomes[o] = { orderId: order.id, status: 'unmatchable', reason: blocked };
      continue;
    }
    const idx = index.get(order.userId);
    if (idx) collectEdges(edges, o, order, idx, eligible, options, familiar.get(order.userId));
  }

  edges.sort(byEvidenceThenFifo);
  // -1: free; -2: held back because the orders that want it cannot be told apart; else its order.
  const txnOwner = new Int32Array(eligible.length).fill(-1);
  const assign = (edge: Edge) => {
    txnOwner[edge.txn] = edge.order;
    const order = orders[edge.order]!;
    const t = eligible[edge.txn]!;
    outcomes[edge.order] = {
      orderId: order.id,
      status: 'matched',
      transactionId: t.id,
      confidence: edge.points / 100,
      provisional: edge.kind === 'tolerance',
      reasons: options.explain === false ? [] : explainMatch(order, t, edge, options),
    };
  };
  const phase = (wanted: (edge: Edge) => boolean) => {
    const free = edges.filter((e) => wanted(e) && outcomes[e.order] === undefined && txnOwner[e.txn] === -1);
    const { accepted, declined } = assignUnambiguously(free, orders.length, eligible.length, DECISIVE_MARGIN);
    for (const edge of accepted) assign(edge);
    for (const { unsure, group } of declined) {
      for (const edge of unsure) txnOwner[edge.txn] = -2;
      for (const edge of unsure) {
        outcomes[edge.order] = {
          orderId: orders[edge.order]!.id,
          status: 'awaiting-transaction',
          reason: explainAmbiguity(edge.order, group, orders, eligible),
        };
      }
    }
  };
  // Exact amounts in the core window first, for every order. Then sets of charges that add up to an
  // order exactly (split shipments), then single postings in the extended window: a later posting is
  // only considered once no exact pair inside the core window wants its order or its transaction, so
  // a closer candidate always wins. A tax-adjusted pending amount is the weakest evidence: it only
  // takes what no exact evidence claimed. Each tier is assigned globally (assignment.ts).
  phase((edge) => !edge.extended && edge.kind !== 'tolerance');
  matchSplitShipments({ orders, eligible, outcomes, txnOwner, options });
  phase((edge) => edge.extended);
  phase((edge) => edge.kind === 'tolerance');

  // For orders left without a transaction: the best-ranked core candidate another order took.
  const lostTo = new Int32Array(orders.length).fill(-1);
  for (const edge of edges)
    if (
      outcomes[edge.order] === undefined &&
      lostTo[edge.order] === -1 &&
      !edge.extended &&
      txnOwner[edge.txn]! >= 0
    )
      lostTo[edge.order] = edge.txn;

  // Unmatched card orders: say what came closest, so a human can tell "not posted yet" from "wrong card".
  const misses = new MissExplainer(transactionsIn, isMerchant, options);
  const matches: MatchedOutcome[] = [];
  for (let o = 0; o < orders.length; o++) {
    const outcome = outcomes[o];
    if (outcome === undefined) {
      const order = orders[o]!;
      const lost = lostTo[o]!;
      outcomes[o] = {
        orderId: order.id,
        status: 'awaiting-transaction',
        reason:
          lost !== -1
            ? `its candidate transaction ${eligible[lost]!.id} is stitched to order ${orders[txnOwner[lost]!]!.id}, which has stronger or earlier evidence`
            : misses.explain(order),
      };
    } else if (outcome.status === 'matched') matches.push(outcome);
  }
  const refunds = linkRefunds({
    orders,
    outcomes: outcomes as OrderOutcome[],
    transactions: transactionsIn,
    isMerchant,
    options,
  });
  return { outcomes: outcomes as OrderOutcome[], matches, refunds };
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
