/** The words of the matcher: why a pair matched, why an order was left ambiguous, and what came closest for an order left waiting. */
import { formatCents } from './money';
import { isoDay, utcDay, DAY_MS } from './dates';
import { cardCase as compareCards, orderLastFour } from './card-match';
import type { CardCase } from './card-match';
import { byDateThenId, ineligibility } from './match-types';
import type { MatchOrder, MatchTransaction, MatchingOptions } from './match-types';

/** What a reason needs to know about a candidate pair (the matcher's edges carry more). */
export interface ExplainedEdge {
  order: number;
  txn: number;
  kind: 'amount' | 'authorised' | 'settlements' | 'tolerance';
  lag: number;
  card: CardCase;
  extended: boolean;
  unfamiliar: boolean;
}

const cardCase = (order: MatchOrder, t: MatchTransaction) => compareCards(order.payment, t.lastFour);

/** Why an order was left unstitched: which transactions and which other orders it could not be told apart from. */
export function explainAmbiguity(
  o: number,
  group: readonly ExplainedEdge[],
  orders: readonly MatchOrder[],
  eligible: readonly MatchTransaction[],
): string {
  const txns = new Set<number>();
  for (const e of group) if (e.order === o) txns.add(e.txn);
  const rivals = new Set<number>();
  for (const e of group) if (e.order !== o && txns.has(e.txn)) rivals.add(e.order);
  const txnIds = [...txns].sort((a, b) => a - b).map((t) => eligible[t]!.id);
  const amount = formatCents(orders[o]!.amountCents!);
  const who =
    rivals.size === 0
      ? 'this order'
      : `this order and order${rivals.size === 1 ? '' : 's'} ${[...rivals]
          .sort((a, b) => a - b)
          .map((r) => orders[r]!.id)
          .join(', ')}`;
  return `ambiguous: transaction${txnIds.length === 1 ? '' : 's'} ${txnIds.join(', ')} of ${amount} fit${txnIds.length === 1 ? 's' : ''} ${who} about equally well (amount, dates and card do not tell the pairing apart); left unstitched rather than guessed`;
}

export const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export function describeLag(lag: number): string {
  if (lag === 0) return 'posted the same day as the order';
  if (lag > 0) return `posted ${days(lag)} after the order`;
  return `posted ${days(-lag)} before the order date`;
}

export function explainMatch(
  order: MatchOrder,
  t: MatchTransaction,
  edge: ExplainedEdge,
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
    edge.extended
      ? `${describeLag(edge.lag)}: beyond the core window (−${options.windowDaysBefore} to +${options.windowDaysAfter} days), accepted in the extended window (up to +${options.extendedDaysAfter}) because amount, card last four and the Amazon descriptor agree and no closer candidate competes; lower confidence`
      : `${describeLag(edge.lag)} (window −${options.windowDaysBefore} to +${options.windowDaysAfter} days)`,
  );
  const orderFour = orderLastFour(order.payment);
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
  if (edge.unfamiliar)
    reasons.push(
      `card ending ${t.lastFour} is not one the user's other Amazon orders show: lower confidence`,
    );
  reasons.push(`Amazon merchant descriptor "${t.descriptor.trim()}"`);
  if (t.state === 'pending' && edge.kind !== 'tolerance') reasons.push('transaction still pending');
  return reasons;
}

/**
 * Explains why a card order found no candidate at all. Each user's transactions are indexed by
 * amount only when one of their orders needs explaining, so the cost follows the misses.
 */
export class MissExplainer {
  private byUser: Map<string, MatchTransaction[]> | undefined;
  private readonly misses = new Map<string, number>();
  private readonly amountIndex = new Map<string, Map<number, MatchTransaction[]>>();

  constructor(
    private readonly txns: readonly MatchTransaction[],
    private readonly isMerchant: (descriptor: string) => boolean,
    private readonly options: MatchingOptions,
  ) {}

  /** The user's transactions showing this amount (current, authorised or settled). */
  private withAmount(userId: string, cents: number): MatchTransaction[] {
    if (!this.byUser) {
      this.byUser = new Map();
      for (const t of this.txns) {
        const list = this.byUser.get(t.userId);
        if (list) list.push(t);
        else this.byUser.set(t.userId, [t]);
      }
    }
    const all = this.byUser.get(userId) ?? [];
    // A few misses per user: scan. Many misses for one user: index that user's amounts once.
    const count = (this.misses.get(userId) ?? 0) + 1;
    this.misses.set(userId, count);
    if (count <= 8) return all.filter((t) => showsAmount(t, cents));
    let amounts = this.amountIndex.get(userId);
    if (!amounts) {
      amounts = new Map();
      for (const t of all) {
        for (const signed of [t.amountCents, t.authorisedCents, t.settledCents]) {
          if (signed === null || signed === 0) continue;
          const list = amounts.get(Math.abs(signed));
          if (!list) amounts.set(Math.abs(signed), [t]);
          else if (list[list.length - 1] !== t) list.push(t);
        }
      }
      this.amountIndex.set(userId, amounts);
    }
    return amounts.get(cents) ?? [];
  }

  explain(order: MatchOrder): string {
    const { options } = this;
    const amount = formatCents(order.amountCents!);
    const orderDay = utcDay(order.dateMs!);
    const windowText = `${isoDay((orderDay - options.windowDaysBefore) * DAY_MS)} to ${isoDay((orderDay + options.windowDaysAfter) * DAY_MS)}`;
    // The nearest miss wins: wrong card, then outside the window, then not a usable transaction;
    // ties go to the earliest transaction so the wording never depends on input order.
    let best: { rank: number; t: MatchTransaction; text: string } | null = null;
    const offer = (rank: number, t: MatchTransaction, text: string) => {
      if (best === null || rank < best.rank || (rank === best.rank && byDateThenId(t, best.t) < 0))
        best = { rank, t, text };
    };
    for (const t of this.withAmount(order.userId, order.amountCents!)) {
      const why = ineligibility(t, this.isMerchant);
      if (why !== null) {
        offer(3, t, `transaction ${t.id} of ${amount} ${why}`);
        continue;
      }
      const lag = utcDay(t.dateMs!) - orderDay;
      const card = cardCase(order, t);
      if (lag > options.windowDaysAfter && lag <= options.extendedDaysAfter && card !== 'mismatch') {
        offer(
          2,
          t,
          `Amazon transaction ${t.id} of ${amount} is ${describeLag(lag)}, outside the window ${windowText}; a posting up to +${options.extendedDaysAfter} days is accepted only on an exact amount with agreeing card last four and no closer candidate`,
        );
        continue;
      }
      if (lag < -options.windowDaysBefore || lag > options.windowDaysAfter) {
        offer(
          2,
          t,
          `Amazon transaction ${t.id} of ${amount} is ${describeLag(lag)}, outside the window ${windowText}`,
        );
        continue;
      }
      if (card === 'mismatch') {
        const orderFour = orderLastFour(order.payment);
        offer(
          1,
          t,
          `Amazon transaction ${t.id} of ${amount} is on card ending ${t.lastFour}; the order was paid with card ending ${orderFour}`,
        );
      }
    }
    if (best !== null) return (best as { text: string }).text;
    const closed =
      options.asOfMs !== undefined && options.asOfMs >= (orderDay + options.extendedDaysAfter + 1) * DAY_MS;
    return closed
      ? `no Amazon card transaction of ${amount} between ${windowText}; the window has closed`
      : `no Amazon card transaction of ${amount} between ${windowText} yet`;
  }
}

function showsAmount(t: MatchTransaction, cents: number): boolean {
  return (
    (t.amountCents !== null && Math.abs(t.amountCents) === cents) ||
    (t.authorisedCents !== null && Math.abs(t.authorisedCents) === cents) ||
    (t.settledCents !== null && Math.abs(t.settledCents) === cents)
  );
}
