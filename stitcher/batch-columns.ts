/**
 * Transactions and orders in the matcher's form, as columns, for crossing between the two threads
 * that stitch a large batch (batch-parallel.ts, batch-worker-thread.ts). Copying 150,000 small
 * objects between threads (structured clone) costs several hundred milliseconds; the same values as
 * a few arrays of strings and typed arrays cost a tenth of that.
 */
import type { MatchOrder, MatchTransaction } from './match-types';
import type { PaymentInfo } from './payment-method';

export interface TransactionColumns {
  ids: string[];
  userIds: string[];
  states: string[];
  paymentTypes: Array<string | null>;
  descriptors: string[];
  previousTransactionIds: Array<string | null | undefined>;
  cardIds: Array<string | null>;
  /** NUMBER_FIELDS per transaction; NaN stands for null, and for undefined where the field may be absent. */
  numbers: Float64Array;
}

const NUMBER_FIELDS = 6;
const fromNullable = (value: number | null | undefined) => (value == null ? NaN : value);
const toNullable = (value: number) => (Number.isNaN(value) ? null : value);

export function toColumns(
  transactions: readonly MatchTransaction[],
  cardIds: ReadonlyArray<string | null>,
): TransactionColumns {
  const n = transactions.length;
  const columns: TransactionColumns = {
    ids: new Array(n),
    userIds: new Array(n),
    states: new Array(n),
    paymentTypes: new Array(n),
    descriptors: new Array(n),
    previousTransactionIds: new Array(n),
    cardIds: cardIds.slice(),
    numbers: new Float64Array(n * NUMBER_FIELDS),
  };
  for (let i = 0; i < n; i++) {
    const t = transactions[i]!;
    columns.ids[i] = t.id;
    columns.userIds[i] = t.userId;
    columns.states[i] = t.state;
    columns.paymentTypes[i] = t.paymentType;
    columns.descriptors[i] = t.descriptor;
    columns.previousTransactionIds[i] = t.previousTransactionId;
    const at = i * NUMBER_FIELDS;
    columns.numbers[at] = fromNullable(t.dateMs);
    columns.numbers[at + 1] = fromNullable(t.amountCents);
    columns.numbers[at + 2] = fromNullable(t.authorisedCents);
    columns.numbers[at + 3] = fromNullable(t.settledCents);
    columns.numbers[at + 4] = t.settlementCount;
    columns.numbers[at + 5] = fromNullable(t.updatedMs);
  }
  return columns;
}

/** Back to objects; `lastFour` is null (the caller knows the cards). */
export function fromColumns(columns: TransactionColumns): MatchTransaction[] {
  const n = columns.ids.length;
  const transactions: MatchTransaction[] = new Array(n);
  const numbers = columns.numbers;
  for (let i = 0; i < n; i++) {
    const at = i * NUMBER_FIELDS;
    transactions[i] = {
      id: columns.ids[i]!,
      userId: columns.userIds[i]!,
      dateMs: toNullable(numbers[at]!),
      state: columns.states[i]!,
      paymentType: columns.paymentTypes[i] ?? null,
      amountCents: toNullable(numbers[at + 1]!),
      authorisedCents: toNullable(numbers[at + 2]!),
      settledCents: toNullable(numbers[at + 3]!),
      settlementCount: numbers[at + 4]!,
      descriptor: columns.descriptors[i]!,
      lastFour: null,
      updatedMs: toNullable(numbers[at + 5]!),
      previousTransactionId: columns.previousTransactionIds[i] ?? null,
    };
  }
  return transactions;
}

/** Orders in the matcher's form, as columns (the same reason as for transactions). */
export interface OrderColumns {
  ids: string[];
  userIds: string[];
  /** dateMs, amountCents, returnByMs per order; NaN stands for null. */
  numbers: Float64Array;
  /** PAYMENT_KINDS index per order. */
  paymentKinds: Uint8Array;
  /** Card: last four; non-card: the method. */
  paymentTexts: Array<string | null>;
  /** Card: brand. */
  paymentBrands: Array<string | null>;
  /** Every order's product prices one after another (NaN for null); order i's are [starts[i], starts[i + 1]). */
  productCents: Float64Array;
  productStarts: Int32Array;
}

const PAYMENT_KINDS = ['card', 'non-card', 'unknown'] as const;

export function toOrderColumns(orders: readonly MatchOrder[]): OrderColumns {
  const n = orders.length;
  let products = 0;
  for (const order of orders) products += order.productCents?.length ?? 0;
  const columns: OrderColumns = {
    ids: new Array(n),
    userIds: new Array(n),
    numbers: new Float64Array(n * 3),
    paymentKinds: new Uint8Array(n),
    paymentTexts: new Array(n),
    paymentBrands: new Array(n),
    productCents: new Float64Array(products),
    productStarts: new Int32Array(n + 1),
  };
  let at = 0;
  for (let i = 0; i < n; i++) {
    const order = orders[i]!;
    columns.ids[i] = order.id;
    columns.userIds[i] = order.userId;
    columns.numbers[i * 3] = fromNullable(order.dateMs);
    columns.numbers[i * 3 + 1] = fromNullable(order.amountCents);
    columns.numbers[i * 3 + 2] = fromNullable(order.returnByMs);
    const payment = order.payment;
    columns.paymentKinds[i] = PAYMENT_KINDS.indexOf(payment.kind);
    columns.paymentTexts[i] =
      payment.kind === 'card' ? payment.lastFour : payment.kind === 'non-card' ? payment.method : null;
    columns.paymentBrands[i] = payment.kind === 'card' ? payment.brand : null;
    columns.productStarts[i] = at;
    for (const cents of order.productCents ?? []) columns.productCents[at++] = fromNullable(cents);
  }
  columns.productStarts[n] = at;
  return columns;
}

export function fromOrderColumns(columns: OrderColumns): MatchOrder[] {
  const n = columns.ids.length;
  const orders: MatchOrder[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const kind = PAYMENT_KINDS[columns.paymentKinds[i]!]!;
    const payment: PaymentInfo =
      kind === 'card'
        ? { kind, lastFour: columns.paymentTexts[i] ?? null, brand: columns.paymentBrands[i] ?? null }
        : kind === 'non-card'
          ? { kind, method: columns.paymentTexts[i]! }
          : { kind };
    const productCents: Array<number | null> = [];
    for (let p = columns.productStarts[i]!; p < columns.productStarts[i + 1]!; p++)
      productCents.push(toNullable(columns.productCents[p]!));
    orders[i] = {
      id: columns.ids[i]!,
      userId: columns.userIds[i]!,
      dateMs: toNullable(columns.numbers[i * 3]!),
      amountCents: toNullable(columns.numbers[i * 3 + 1]!),
      payment,
      productCents,
      returnByMs: toNullable(columns.numbers[i * 3 + 2]!),
    };
  }
  return orders;
}
