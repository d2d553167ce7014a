/**
 * The batch output (`{matches, unmatched_orders, refunds}`) from the matcher's result, with each
 * row's place in the canonical order, so that two outputs of disjoint sets of users merge into the
 * output of their union: how a large batch is stitched on two threads (batch-parallel.ts). No zod
 * here: the stitching thread loads this module.
 */
import { stitch } from './matcher';
import type { MatchOrder, MatchTransaction, MatchingOptions } from './match-types';

export interface StitchBatchOutput {
  /** `transaction_ids` only on a split shipment: every charge of the order, earliest first. */
  matches: Array<{
    order_id: string;
    transaction_id: string;
    confidence: number;
    transaction_ids?: string[];
  }>;
  unmatched_orders: Array<{ order_id: string; reason: string }>;
  /** Refund credits and reversed charges linked to the order they refund. */
  refunds: Array<{
    transaction_id: string;
    order_id: string;
    kind: 'credit' | 'reversal';
    amount: number;
    confidence: number;
  }>;
}

/**
 * The output, with each row's place in the canonical order: matches and unmatched orders by order
 * date (then order id), refunds by the refunding transaction's date (then its id). Two outputs of
 * disjoint sets of users merge into the output of their union (mergeKeyed).
 */
export interface KeyedOutput {
  output: StitchBatchOutput;
  matchDates: number[];
  unmatchedDates: number[];
  refundDates: number[];
}

export function stitchKeyed(
  batch: { orders: MatchOrder[]; transactions: MatchTransaction[] },
  options?: Partial<MatchingOptions>,
): KeyedOutput {
  const result = stitch(batch.orders, batch.transactions, { ...options, explain: false });
  const orderDate = new Map<string, number>();
  for (const order of batch.orders) orderDate.set(order.id, order.dateMs ?? 0);
  const keyed: KeyedOutput = {
    output: { matches: [], unmatched_orders: [], refunds: [] },
    matchDates: [],
    unmatchedDates: [],
    refundDates: [],
  };
  const { output } = keyed;
  for (const outcome of result.outcomes) {
    if (outcome.status === 'matched') {
      output.matches.push({
        order_id: outcome.orderId,
        transaction_id: outcome.transactionId,
        confidence: outcome.confidence,
        ...(outcome.charges ? { transaction_ids: outcome.charges.map((c) => c.transactionId) } : {}),
      });
      keyed.matchDates.push(orderDate.get(outcome.orderId)!);
    } else {
      output.unmatched_orders.push({ order_id: outcome.orderId, reason: outcome.reason });
      keyed.unmatchedDates.push(orderDate.get(outcome.orderId)!);
    }
  }
  if (result.refunds.length > 0) {
    const refunding = new Set(result.refunds.map((r) => r.transactionId));
    const transactionDate = new Map<string, number>();
    for (const t of batch.transactions) if (refunding.has(t.id)) transactionDate.set(t.id, t.dateMs ?? 0);
    for (const r of result.refunds) {
      output.refunds.push({
        transaction_id: r.transactionId,
        order_id: r.orderId,
        kind: r.kind,
        amount: r.amountCents / 100,
        confidence: r.confidence,
      });
      keyed.refundDates.push(transactionDate.get(r.transactionId)!);
    }
  }
  return keyed;
}

/** Two keyed outputs of disjoint users → the output stitching them together would give. */
export function mergeKeyed(a: KeyedOutput, b: KeyedOutput): StitchBatchOutput {
  return {
    matches: mergeRows(a.output.matches, a.matchDates, b.output.matches, b.matchDates, (r) => r.order_id),
    unmatched_orders: mergeRows(
      a.output.unmatched_orders,
      a.unmatchedDates,
      b.output.unmatched_orders,
      b.unmatchedDates,
      (r) => r.order_id,
    ),
    refunds: mergeRows(
      a.output.refunds,
      a.refundDates,
      b.output.refunds,
      b.refundDates,
      (r) => r.transaction_id,
    ),
  };
}

/** Merges two lists sorted by (date, id), as byDateThenId orders them. */
function mergeRows<T>(
  a: readonly T[],
  aDates: readonly number[],
  b: readonly T[],
  bDates: readonly number[],
  idOf: (row: T) => string,
): T[] {
  const merged: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) {
    const d = aDates[i]! - bDates[j]!;
    const first = d < 0 || (d === 0 && idOf(a[i]!) < idOf(b[j]!));
    merged[k++] = first ? a[i++]! : b[j++]!;
  }
  while (i < a.length) merged[k++] = a[i++]!;
  while (j < b.length) merged[k++] = b[j++]!;
  return merged;
}
