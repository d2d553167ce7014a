/**
 * Transactions in the matcher's form, as columns, for the way back from the thread that parses the
 * tail of a large batch (batch-worker-thread.ts). Copying 150,000 small objects between threads
 * (structured clone) costs several hundred milliseconds; the same values as a few arrays of strings
 * and one Float64Array cost a tenth of that.
 */
import type { MatchTransaction } from './match-types';

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
