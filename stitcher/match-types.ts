/** The matcher's vocabulary: its inputs and outcomes, its options, and which transactions can be candidates at all. */
import { isAmazonDescriptor } from './merchant';
import type { PaymentInfo } from './payment-method';
import type { RefundOutcome } from './refunds';

export interface MatchOrder {
  id: string;
  /** The user the order belongs to: Atomic `identifier` (= Atelio `customer_id`). */
  userId: string;
  /** Order date in epoch ms; null when the vendor sent something unreadable. */
  dateMs: number | null;
  /** Order total in cents; null when missing. */
  amountCents: number | null;
  payment: PaymentInfo;
  /** Item prices in cents (`products[].amount`; null when unreadable), to tell which charge or refund is for which products. */
  productCents?: ReadonlyArray<number | null> | undefined;
  /** The latest `products[].returnBy` in epoch ms; null when no product can be returned. */
  returnByMs?: number | null | undefined;
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
  /** `updated_time` in epoch ms: when a `returned` charge was reversed. */
  updatedMs?: number | null | undefined;
  /** `previous_transaction_id`: the purchase a refund credit points back to. */
  previousTransactionId?: string | null | undefined;
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
  /** The core window: a match posted up to this many days after the order gets full confidence. */
  windowDaysAfter: number;
  /**
   * The extended window: later postings, up to this many days after the order, match only on an
   * exact amount with agreeing card last four and when no closer candidate competes. Equal to
   * windowDaysAfter turns the tier off.
   */
  extendedDaysAfter: number;
  pendingTolerance: PendingTolerance;
  /** Merchant recognition; replace to stitch another merchant's orders. */
  isMerchant: (descriptor: string) => boolean;
  /** "Now", only used to word reasons ("window closed" vs "waiting"). */
  asOfMs?: number | undefined;
  /** Build the human-readable reasons of each match (default true; batch output does not need them). */
  explain?: boolean | undefined;
}

export const DEFAULT_MATCHING: Readonly<MatchingOptions> = Object.freeze({
  windowDaysBefore: 1,
  windowDaysAfter: 3,
  extendedDaysAfter: 7,
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
  /**
   * A split shipment: every charge of the order, earliest first (`transactionId` is the first),
   * with the products each was for when the split follows item prices (null when it cannot be told).
   */
  charges?: ChargeOutcome[] | undefined;
}

export interface ChargeOutcome {
  transactionId: string;
  amountCents: number;
  /** Indexes into the order's products; null when the charges do not follow item prices. */
  products: number[] | null;
}

export interface UnmatchedOutcome {
  orderId: string;
  status: 'unmatchable' | 'awaiting-transaction';
  reason: string;
}

export type OrderOutcome = MatchedOutcome | UnmatchedOutcome;

export interface StitchResult {
  /** One outcome per order, in canonical order: order date, then order id. */
  outcomes: OrderOutcome[];
  /** The matched outcomes only, in the same order. */
  matches: MatchedOutcome[];
  /** Refund credits and reversed charges linked to the orders they refund, in transaction date order. */
  refunds: RefundOutcome[];
}

/** States in which a card purchase moved or will move money. Declined and cancelled never did. */
const MATCHABLE_STATES = new Set(['pending', 'completed', 'returned']);
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
  if (partial?.extendedDaysAfter === undefined && partial?.windowDaysAfter !== undefined)
    options.extendedDaysAfter = Math.max(options.windowDaysAfter, DEFAULT_MATCHING.extendedDaysAfter);
  if (!Number.isInteger(options.extendedDaysAfter) || options.extendedDaysAfter < options.windowDaysAfter)
    throw new RangeError('matching.extendedDaysAfter must be an integer no smaller than windowDaysAfter');
  const t = options.pendingTolerance;
  if (!(t.ratio >= 0) || !(t.minCents >= 0) || !(t.maxCents >= t.minCents))
    throw new RangeError('matching.pendingTolerance needs ratio >= 0 and 0 <= minCents <= maxCents');
  return options;
}

/**
 * The debit amounts (positive cents) a transaction could match, best kind first, without
 * duplicates, as packed `cents × 4 + kind code` numbers (no per-call object allocation).
 */
export function spends(t: MatchTransaction, out: number[]): number[] {
  out.length = 0;
  const a = t.amountCents !== null && t.amountCents < 0 ? -t.amountCents : 0;
  const b = t.authorisedCents !== null && t.authorisedCents < 0 ? -t.authorisedCents : 0;
  const c = t.settlementCount > 0 && t.settledCents !== null && t.settledCents < 0 ? -t.settledCents : 0;
  if (a > 0) out.push(a * 4);
  if (b > 0 && b !== a) out.push(b * 4 + 1);
  if (c > 0 && c !== a && c !== b) out.push(c * 4 + 2);
  return out;
}

const scratch: number[] = [];

/** Why a transaction can never be stitched to an order, or null when it is a candidate. */
export function ineligibility(
  t: MatchTransaction,
  isMerchant: (descriptor: string) => boolean,
): string | null {
  if (t.dateMs === null) return 'has no readable created_time';
  if (!MATCHABLE_STATES.has(t.state)) return `is ${t.state || 'in an unknown state'}`;
  if (t.paymentType !== null && t.paymentType !== 'card')
    return `is a ${t.paymentType} payment, not a card purchase`;
  if (spends(t, scratch).length === 0) return 'is not a debit';
  if (!isMerchant(t.descriptor)) return `is not at an Amazon-like merchant ("${t.descriptor.trim()}")`;
  return null;
}

export function byDateThenId(
  a: { id: string; dateMs: number | null },
  b: { id: string; dateMs: number | null },
): number {
  const d = (a.dateMs ?? 0) - (b.dateMs ?? 0);
  if (d !== 0) return d;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
