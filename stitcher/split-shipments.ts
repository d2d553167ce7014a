/**
 * Split shipments. Amazon charges each shipment separately, so one order can become 2–4 card
 * transactions on different days whose amounts add up to the order total. After single charges are
 * settled, every order still without one looks for a set of free Amazon charges on one card, within
 * the order's date window (core and extended), that sums to its total exactly. Exactness is what
 * keeps this safe: a tolerance would let unrelated charges combine.
 *
 * Among several fitting sets the one with the strongest evidence wins: agreeing last four, fewer
 * charges, then the smallest total lag; orders choose in chronological order (FIFO), like singles.
 */
import { cardCase, orderLastFour } from './card-match';
import type { CardCase } from './card-match';
import { utcDay } from './dates';
import { CARD_PENALTY } from './matcher';
import { describeLag } from './match-explain';
import { spends } from './match-types';
import type {
  ChargeOutcome,
  MatchOrder,
  MatchTransaction,
  MatchingOptions,
  OrderOutcome,
} from './match-types';
import { formatCents } from './money';
import { attributeProducts } from './products';

const MIN_PARTS = 2;
const MAX_PARTS = 4;
/** Candidates per order beyond this are the farthest in time; dropping them bounds the search. */
const MAX_CANDIDATES = 14;

interface Candidate {
  txn: number;
  cents: number;
  lag: number;
  card: CardCase;
}

export interface SplitInput {
  /** Canonical order (date, id), as the matcher sorted them. */
  orders: readonly MatchOrder[];
  /** Eligible Amazon card debits, sorted by date then id. */
  eligible: readonly MatchTransaction[];
  /** Outcomes so far; split matches are written into it. */
  outcomes: Array<OrderOutcome | undefined>;
  /** Order index owning each eligible transaction, -1 when free; updated. */
  txnOwner: Int32Array;
  options: MatchingOptions;
}

export function matchSplitShipments(input: SplitInput): void {
  const { orders, eligible, outcomes, txnOwner, options } = input;
  let byUser: Map<string, number[]> | null = null;
  const scratch: number[] = [];
  for (let o = 0; o < orders.length; o++) {
    if (outcomes[o] !== undefined) continue;
    const order = orders[o]!;
    if (order.amountCents === null || order.dateMs === null || order.amountCents <= 0) continue;
    if (byUser === null) byUser = indexByUser(eligible, txnOwner);
    const pool = byUser.get(order.userId);
    if (!pool) continue;
    const candidates = candidatesFor(order, pool, eligible, txnOwner, options, scratch);
    if (candidates.length < MIN_PARTS) continue;
    const { best, fitting } = bestSet(candidates, eligible, order.amountCents);
    if (best === null) continue;
    if (fitting > 1) {
      // Two different sets of charges add up to the total: an exact sum that more than one
      // combination reaches is a coincidence, not evidence. Leave the order rather than guess.
      outcomes[o] = {
        orderId: order.id,
        status: 'awaiting-transaction',
        reason: `ambiguous: ${fitting} different sets of Amazon charges add up to the order total ${formatCents(order.amountCents)} (one is ${best.map((c) => eligible[c.txn]!.id).join(' + ')}); left unstitched rather than guessed`,
      };
      continue;
    }
    for (const c of best) txnOwner[c.txn] = o;
    outcomes[o] = splitOutcome(order, best, eligible, options);
  }
}

function indexByUser(eligible: readonly MatchTransaction[], txnOwner: Int32Array): Map<string, number[]> {
  const byUser = new Map<string, number[]>();
  for (let i = 0; i < eligible.length; i++) {
    if (txnOwner[i] !== -1) continue;
    const t = eligible[i]!;
    const list = byUser.get(t.userId);
    if (list) list.push(i);
    else byUser.set(t.userId, [i]);
  }
  return byUser;
}

function candidatesFor(
  order: MatchOrder,
  pool: readonly number[],
  eligible: readonly MatchTransaction[],
  txnOwner: Int32Array,
  options: MatchingOptions,
  scratch: number[],
): Candidate[] {
  const orderDay = utcDay(order.dateMs!);
  const total = order.amountCents!;
  const out: Candidate[] = [];
  // The pool is in date order: start at the first transaction that can be in the window.
  const from = (orderDay - options.windowDaysBefore) * 86_400_000;
  let lo = 0;
  let hi = pool.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (eligible[pool[mid]!]!.dateMs! < from) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < pool.length; k++) {
    const i = pool[k]!;
    if (txnOwner[i] !== -1) continue;
    const t = eligible[i]!;
    const lag = utcDay(t.dateMs!) - orderDay;
    if (lag > options.extendedDaysAfter) break;
    const card = cardCase(order.payment, t.lastFour);
    if (card === 'mismatch') continue;
    // A shipment's charge is what the transaction shows now: its amount, else what it authorised.
    const cents = Math.floor((spends(t, scratch)[0] ?? 0) / 4);
    if (cents <= 0 || cents >= total) continue;
    out.push({ txn: i, cents, lag, card });
  }
  if (out.length > MAX_CANDIDATES) {
    out.sort((a, b) => Math.abs(a.lag) - Math.abs(b.lag) || a.txn - b.txn);
    out.length = MAX_CANDIDATES;
    out.sort((a, b) => a.txn - b.txn);
  }
  return out;
}

/** Strongest set first: every known last four agrees, fewer charges, closer in time, earlier charges. */
function better(a: Candidate[], b: Candidate[]): boolean {
  const agreeA = a.every((c) => c.card === 'agree');
  const agreeB = b.every((c) => c.card === 'agree');
  if (agreeA !== agreeB) return agreeA;
  if (a.length !== b.length) return a.length < b.length;
  const lagA = a.reduce((s, c) => s + Math.abs(c.lag), 0);
  const lagB = b.reduce((s, c) => s + Math.abs(c.lag), 0);
  if (lagA !== lagB) return lagA < lagB;
  for (let k = 0; k < a.length; k++) if (a[k]!.txn !== b[k]!.txn) return a[k]!.txn < b[k]!.txn;
  return false;
}

/** The best set of 2–4 candidates on one card whose amounts sum exactly to the total, and how many sets do. */
function bestSet(
  candidates: readonly Candidate[],
  eligible: readonly MatchTransaction[],
  total: number,
): { best: Candidate[] | null; fitting: number } {
  let best: Candidate[] | null = null;
  let fitting = 0;
  const chosen: Candidate[] = [];
  // `four`: the last four the set is on so far (null while every part's card is unknown).
  const search = (from: number, sum: number, four: string | null) => {
    if (sum === total && chosen.length >= MIN_PARTS) {
      fitting++;
      if (best === null || better(chosen, best)) best = [...chosen];
      return;
    }
    if (chosen.length === MAX_PARTS) return;
    for (let k = from; k < candidates.length; k++) {
      const c = candidates[k]!;
      if (sum + c.cents > total) continue;
      const cFour = eligible[c.txn]!.lastFour;
      if (four !== null && cFour !== null && cFour !== four) continue;
      chosen.push(c);
      search(k + 1, sum + c.cents, four ?? cFour);
      chosen.pop();
    }
  };
  search(0, 0, null);
  return { best, fitting };
}

function splitOutcome(
  order: MatchOrder,
  parts: readonly Candidate[],
  eligible: readonly MatchTransaction[],
  options: MatchingOptions,
): OrderOutcome {
  const sorted = [...parts].sort((a, b) => a.txn - b.txn);
  const products = attributeProducts(
    order.productCents ?? [],
    order.amountCents!,
    sorted.map((p) => p.cents),
  );
  const charges: ChargeOutcome[] = sorted.map((p, k) => ({
    transactionId: eligible[p.txn]!.id,
    amountCents: p.cents,
    products: products ? products[k]! : null,
  }));
  // 0.85 for two charges on the agreeing card inside the core window; less per extra charge, per
  // day beyond the core window, and for an unknown card.
  const worstCard = sorted.reduce((w, p) => Math.max(w, CARD_PENALTY[p.card]), 0);
  const beyond = sorted.reduce((s, p) => s + Math.max(0, p.lag - options.windowDaysAfter), 0);
  const points = Math.max(5, 85 - 5 * (sorted.length - MIN_PARTS) - worstCard - 5 * beyond);
  const reasons: string[] = [];
  if (options.explain !== false) {
    reasons.push(
      `split shipment: ${sorted.length} card transactions (${sorted.map((p) => formatCents(p.cents)).join(' + ')}) add up to the order total ${formatCents(order.amountCents!)}`,
    );
    reasons.push(
      `${sorted.map((p) => describeLag(p.lag)).join('; ')} (window −${options.windowDaysBefore} to +${options.extendedDaysAfter} days for shipments)`,
    );
    const four = orderLastFour(order.payment);
    reasons.push(
      sorted.every((p) => p.card === 'agree')
        ? `card last four ${four} agrees on every charge`
        : 'card last four not known on every side: every charge is on one card and matched on amount, date and merchant',
    );
    reasons.push(
      `Amazon merchant descriptor${sorted.length > 1 ? 's' : ''} ${[...new Set(sorted.map((p) => `"${eligible[p.txn]!.descriptor.trim()}"`))].join(', ')}`,
    );
    reasons.push(
      products
        ? 'each charge matches the price of its products (with their share of the tax), so products are attributed per charge'
        : 'the charges do not follow the item prices: products are not attributed per charge',
    );
    const pending = sorted.filter((p) => eligible[p.txn]!.state === 'pending');
    if (pending.length > 0)
      reasons.push(`${pending.map((p) => eligible[p.txn]!.id).join(', ')} still pending`);
  }
  return {
    orderId: order.id,
    status: 'matched',
    transactionId: charges[0]!.transactionId,
    confidence: points / 100,
    provisional: false,
    reasons,
    charges,
  };
}
