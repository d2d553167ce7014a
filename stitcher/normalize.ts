/** Vendor objects → the matcher's inputs. The one place that knows both wire formats and the matcher. */
import { toCents } from './money';
import { parseTimestamp } from './dates';
import { classifyPaymentMethod } from './payment-method';
import type { MatchOrder, MatchTransaction } from './matcher';
import type { AtomicOrder, AtelioTransaction } from './vendor-schemas';

export function orderForMatching(order: AtomicOrder, identifier: string): MatchOrder {
  return {
    id: order._id,
    userId: identifier,
    dateMs: parseTimestamp(order.date),
    amountCents: toCents(order.amount),
    payment: classifyPaymentMethod(order.paymentMethod),
    productCents: (order.products ?? []).map((p) => (p.amount == null ? null : toCents(p.amount))),
    returnByMs: latestReturnBy(order),
  };
}

/** The last day any product of the order can be returned; null when none can (digital goods: `returnBy: null`). */
function latestReturnBy(order: AtomicOrder): number | null {
  let latest: number | null = null;
  // An order's products usually share one returnBy: each distinct text is read once.
  let lastText: string | null | undefined;
  for (const p of order.products ?? []) {
    if (p.returnBy === lastText) continue;
    lastText = p.returnBy;
    const ms = parseTimestamp(p.returnBy);
    if (ms !== null && (latest === null || ms > latest)) latest = ms;
  }
  return latest;
}

/**
 * `lastFourByCard` maps Atelio card ids to their last four digits (from `GET /cards/{id}` or the
 * batch file's `cards`). A transaction whose card is not in it has an unknown last four.
 */
export function transactionForMatching(
  txn: AtelioTransaction,
  lastFourByCard: ReadonlyMap<string, string | null>,
  fallbackUserId = '',
): MatchTransaction {
  const details = txn.details ?? {};
  const settlements = details.settlements ?? [];
  let settled: number | null = null;
  for (const s of settlements) {
    const cents = toCents(s.amount);
    if (cents !== null) settled = (settled ?? 0) + cents;
  }
  const cardId = details.card_id ?? null;
  return {
    id: txn.transaction_id,
    userId: txn.customer_id ?? fallbackUserId,
    dateMs: parseTimestamp(txn.created_time),
    state: txn.state.trim().toLowerCase(),
    paymentType: txn.payment_type ? txn.payment_type.trim().toLowerCase() : cardId ? 'card' : null,
    amountCents: toCents(txn.amount),
    authorisedCents: details.merchant_amount === undefined ? null : toCents(details.merchant_amount),
    settledCents: settled,
    settlementCount: settlements.length,
    descriptor: joinDescriptor(details.merchant_name, details.statement_descriptor),
    lastFour: cardId ? (lastFourByCard.get(cardId) ?? null) : null,
    // Only a reversal's time is ever read (refunds.ts); parsing every updated_time would be waste.
    updatedMs: txn.state.trim().toLowerCase() === 'returned' ? parseTimestamp(txn.updated_time) : null,
    previousTransactionId: txn.previous_transaction_id ?? null,
  };
}

function joinDescriptor(name: string | null | undefined, statement: string | null | undefined): string {
  if (!name) return statement ?? '';
  if (!statement || statement === name) return name;
  return `${name} ${statement}`;
}
