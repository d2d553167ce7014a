/**
 * Batch stitching: `{orders, transactions, cards}` in, `{matches, unmatched_orders}` out, with the
 * same matcher the service uses. Orders are in Atomic's shape plus the user's `identifier`;
 * transactions in Atelio's shape (their `customer_id` is the same identifier); cards `{card_id, last_four}`.
 */
import { z } from 'zod';
import { stitch } from './matcher';
import type { MatchingOptions } from './matcher';
import { orderForMatching, transactionForMatching } from './normalize';
import { acceptFast } from './batch-input';
import type { MatchInputs } from './batch-reader';
import { AtelioCardSchema, AtelioTransactionSchema, AtomicOrderSchema } from './vendor-schemas';

export const StitchInputSchema = z.object({
  orders: z.array(AtomicOrderSchema.extend({ identifier: z.string().min(1) })),
  transactions: z.array(AtelioTransactionSchema.extend({ customer_id: z.string().min(1) })),
  cards: z.array(AtelioCardSchema).default([]),
});
export type StitchInput = z.input<typeof StitchInputSchema>;

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

function assertUnique<T>(items: readonly T[], idOf: (item: T) => string, what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const id = idOf(item);
    if (seen.has(id)) throw new StitchInputError(`invalid stitch input: duplicate ${what} "${id}"`);
    seen.add(id);
  }
}

/** The matcher's inputs of a validated batch (batch-reader.ts builds the same from a file's text). */
export function batchMatchInputs(input: StitchInput): MatchInputs {
  const lastFour = new Map<string, string | null>();
  for (const card of input.cards ?? []) lastFour.set(card.card_id, card.last_four ?? null);
  return {
    orders: input.orders.map((o) => orderForMatching(o, o.identifier)),
    transactions: input.transactions.map((t) => transactionForMatching(t, lastFour)),
  };
}

/** Outputs follow the orders' chronological order (order date, then id), whatever the input order. */
export function stitchBatch(input: StitchInput, options?: Partial<MatchingOptions>): StitchBatchOutput {
  return stitchMatchInputs(batchMatchInputs(input), options);
}

/** The batch output of matcher inputs; refuses repeated order or transaction ids. */
export function stitchMatchInputs(
  inputs: MatchInputs,
  options?: Partial<MatchingOptions>,
): StitchBatchOutput {
  // Ids must be unique: with two versions of one transaction the result would depend on which came first.
  assertUnique(inputs.orders, (o) => o.id, 'order _id');
  assertUnique(inputs.transactions, (t) => t.id, 'transaction_id');
  const result = stitch(inputs.orders, inputs.transactions, { ...options, explain: false });
  const output: StitchBatchOutput = { matches: [], unmatched_orders: [], refunds: [] };
  for (const outcome of result.outcomes) {
    if (outcome.status === 'matched') {
      output.matches.push({
        order_id: outcome.orderId,
        transaction_id: outcome.transactionId,
        confidence: outcome.confidence,
        ...(outcome.charges ? { transaction_ids: outcome.charges.map((c) => c.transactionId) } : {}),
      });
    } else {
      output.unmatched_orders.push({ order_id: outcome.orderId, reason: outcome.reason });
    }
  }
  for (const r of result.refunds) {
    output.refunds.push({
      transaction_id: r.transactionId,
      order_id: r.orderId,
      kind: r.kind,
      amount: r.amountCents / 100,
      confidence: r.confidence,
    });
  }
  return output;
}
