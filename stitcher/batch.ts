/**
 * Batch stitching: `{orders, transactions, cards}` in, `{matches, unmatched_orders}` out, with the
 * same matcher the service uses. Orders are in Atomic's shape plus the user's `identifier`;
 * transactions in Atelio's shape (their `customer_id` is the same identifier); cards `{card_id, last_four}`.
 */
import { z } from 'zod';
import type { MatchOrder, MatchTransaction, MatchingOptions } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import { acceptFast } from './batch-input';
import { stitchKeyed } from './batch-output';
import type { StitchBatchOutput } from './batch-output';
import { AtelioCardSchema, AtelioTransactionSchema, AtomicOrderSchema } from './vendor-schemas';
import type { AtelioCard } from './vendor-schemas';

export const StitchInputSchema = z.object({
  orders: z.array(AtomicOrderSchema.extend({ identifier: z.string().min(1) })),
  transactions: z.array(AtelioTransactionSchema.extend({ customer_id: z.string().min(1) })),
  cards: z.array(AtelioCardSchema).default([]),
});
export type StitchInput = z.input<typeof StitchInputSchema>;

/** Bad batch input; the message says which item and field. */
export class StitchInputError extends Error {
  override readonly name = 'StitchInputError';
}

/**
 * Validates unknown JSON as stitch input, with an error naming each bad path (first 10). Valid
 * orders and transactions are returned as they are (batch-input.ts: checking 400,000 objects in place
 * instead of copying them is most of what makes a large batch fast), cards as the schema shapes them.
 */
export function parseStitchInput(json: unknown): z.output<typeof StitchInputSchema> {
  const fast = acceptFast(json);
  if (fast !== null) {
    const cards = z.array(AtelioCardSchema).default([]).safeParse(fast.cards);
    if (cards.success) return { orders: fast.orders, transactions: fast.transactions, cards: cards.data };
  }
  const result = StitchInputSchema.safeParse(json);
  if (result.success) return result.data;
  const lines = result.error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, key) =>
        typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key),
      '',
    );
    return `  ${path || '(root)'}: ${issue.message}`;
  });
  const more = result.error.issues.length > 10 ? `\n  ...and ${result.error.issues.length - 10} more` : '';
  throw new StitchInputError(`invalid stitch input:\n${lines.join('\n')}${more}`);
}

function assertUnique(items: ReadonlyArray<{ id: string }>, what: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) throw new StitchInputError(`invalid stitch input: duplicate ${what} "${id}"`);
    seen.add(id);
  }
}

/** A batch in the matcher's form: what `stitchPrepared` needs, whichever way the file was read. */
export interface PreparedBatch {
  orders: MatchOrder[];
  transactions: MatchTransaction[];
}

/** Validated input → the matcher's form (the transactions' last four from `cards`). */
export function prepareBatch(input: StitchInput): PreparedBatch {
  const lastFour = lastFourByCard(input.cards ?? []);
  return {
    orders: input.orders.map((o) => orderForMatching(o, o.identifier)),
    transactions: input.transactions.map((t) => transactionForMatching(t, lastFour)),
  };
}

export function lastFourByCard(cards: readonly AtelioCard[]): Map<string, string | null> {
  const lastFour = new Map<string, string | null>();
  for (const card of cards) lastFour.set(card.card_id, card.last_four ?? null);
  return lastFour;
}

/** Outputs follow the orders' chronological order (order date, then id), whatever the input order. */
export function stitchBatch(input: StitchInput, options?: Partial<MatchingOptions>): StitchBatchOutput {
  return stitchPrepared(prepareBatch(input), options);
}

export type { StitchBatchOutput } from './batch-output';

export function stitchPrepared(batch: PreparedBatch, options?: Partial<MatchingOptions>): StitchBatchOutput {
  // Ids must be unique: with two versions of one transaction the result would depend on which came first.
  assertUniqueIds(batch);
  return stitchKeyed(batch, options).output;
}

export function assertUniqueIds(batch: {
  orders?: ReadonlyArray<{ id: string }>;
  transactions?: ReadonlyArray<{ id: string }>;
}): void {
  if (batch.orders) assertUnique(batch.orders, 'order _id');
  if (batch.transactions) assertUnique(batch.transactions, 'transaction_id');
}
