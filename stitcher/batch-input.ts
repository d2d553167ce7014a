/**
 * A fast acceptance check for batch input, in front of the zod schemas (vendor-schemas.ts).
 *
 * A 100,000-order batch is about 400,000 vendor objects. Running them through zod builds a second
 * copy of every one (zod returns new objects with unknown keys stripped), which costs more in
 * allocation and garbage collection than in checking. So each order and transaction is first checked
 * here, in place, against the same rules, and a valid one is used as it is (its unknown keys are
 * kept; the matcher never reads them). The check is deliberately no looser than the schemas: anything
 * it does not recognise, it refuses, and the whole input then goes through zod, which either accepts
 * it after all or produces the error message naming every bad field. A test checks that everything
 * accepted here is accepted by zod.
 */
import type { AtelioTransaction, AtomicOrder } from './vendor-schemas';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string';
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isMaybeText = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const isAmountLike = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isMaybeAmount = (v: unknown) => v === undefined || v === null || isAmountLike(v);

function isPaymentMethod(v: unknown): boolean {
  if (v === undefined || v === null || typeof v === 'string') return true;
  return isObject(v) && isMaybeText(v.type) && isMaybeText(v.lastFour) && isMaybeText(v.brand);
}

function isProducts(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v)) return false;
  for (const p of v as unknown[]) {
    if (!isObject(p)) return false;
    const amount = p.amount;
    if (!(amount === undefined || amount === null || (typeof amount === 'number' && Number.isFinite(amount))))
      return false;
    if (!isMaybeText(p.description) || !isMaybeText(p.returnBy)) return false;
  }
  return true;
}

/** An Atomic order with the user's `identifier`, as `StitchInputSchema` accepts it. */
export function isBatchOrder(v: unknown): v is AtomicOrder & { identifier: string } {
  return (
    isObject(v) &&
    isId(v._id) &&
    isId(v.identifier) &&
    isText(v.date) &&
    typeof v.amount === 'number' &&
    Number.isFinite(v.amount) &&
    isMaybeText(v.sourceId) &&
    isPaymentMethod(v.paymentMethod) &&
    isProducts(v.products)
  );
}

function isDetails(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (!isObject(v)) return false;
  if (!isMaybeText(v.card_id) || !isMaybeText(v.merchant_name) || !isMaybeText(v.statement_descriptor))
    return false;
  if (!isMaybeAmount(v.merchant_amount)) return false;
  const settlements = v.settlements;
  if (settlements === undefined || settlements === null) return true;
  if (!Array.isArray(settlements)) return false;
  for (const s of settlements as unknown[])
    if (!isObject(s) || !isMaybeText(s.settlement_date) || !isAmountLike(s.amount)) return false;
  return true;
}

/** An Atelio transaction with its `customer_id`, as `StitchInputSchema` accepts it. */
export function isBatchTransaction(v: unknown): v is AtelioTransaction & { customer_id: string } {
  return (
    isObject(v) &&
    isId(v.transaction_id) &&
    isId(v.customer_id) &&
    isText(v.state) &&
    isAmountLike(v.amount) &&
    isText(v.created_time) &&
    isMaybeText(v.payment_type) &&
    isMaybeText(v.transaction_type) &&
    isMaybeText(v.previous_transaction_id) &&
    isMaybeText(v.currency) &&
    isMaybeText(v.updated_time) &&
    isMaybeText(v.description) &&
    isDetails(v.details)
  );
}

/** The orders and transactions of `json` when every one passes the fast check; otherwise null. */
export function acceptFast(json: unknown): {
  orders: Array<AtomicOrder & { identifier: string }>;
  transactions: Array<AtelioTransaction & { customer_id: string }>;
  cards: unknown;
} | null {
  if (!isObject(json) || !Array.isArray(json.orders) || !Array.isArray(json.transactions)) return null;
  const orders = json.orders as unknown[];
  const transactions = json.transactions as unknown[];
  for (const o of orders) if (!isBatchOrder(o)) return null;
  for (const t of transactions) if (!isBatchTransaction(t)) return null;
  return {
    orders: orders as Array<AtomicOrder & { identifier: string }>,
    transactions: transactions as Array<AtelioTransaction & { customer_id: string }>,
    cards: json.cards,
  };
}
