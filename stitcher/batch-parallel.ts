/**
 * A large batch stitched on two threads. Parsing is most of the cost of a large batch and
 * JSON.parse is single-threaded, and stitching never relates one user's orders to another user's
 * transactions, so:
 *
 * 1. The main thread parses and checks the head of the file while a worker thread
 *    (batch-worker-thread.ts) does the same for the tail. Where the file is cut, and why a wrong cut
 *    can never go unnoticed: batch-split.ts.
 * 2. Users are split in two (batch-partition.ts). Each thread stitches one half, having received
 *    from the other what it parsed of that half (as columns: batch-columns.ts), and the two outputs
 *    merge in canonical order (batch-output.ts).
 *
 * Every check is the one the one-thread path makes (batch-input.ts), and duplicate ids are found
 * over the whole file, in file order. Whenever something is not as expected (no place to cut, a half
 * that does not parse, an element the fast check refuses, a key given twice, a thread that fails),
 * this answers null and the caller reads the file the ordinary way, which produces the same result
 * or the ordinary error message. So the result never depends on which path was taken; the tests
 * compare both on the same files.
 */
import type { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { StitchInputError, assertUniqueIds, lastFourByCard } from './batch';
import { fromColumns, toColumns } from './batch-columns';
import { checkedTransactionsForMatching, isBatchOrder, withLastFour } from './batch-input';
import { mergeKeyed, stitchKeyed } from './batch-output';
import type { StitchBatchOutput } from './batch-output';
import { partitionOf, splitByPartition } from './batch-partition';
import { findTransactionsCut, headText, headTransactions } from './batch-split';
import type {
  BatchParseData,
  BatchParseReply,
  BatchStitchReply,
  BatchStitchRequest,
} from './batch-worker-thread';
import type { MatchOrder, MatchTransaction } from './match-types';
import { orderForMatching } from './normalize';
import { BATCH_PARSE_THREAD, startThread } from './thread-entry';
import { AtelioCardSchema } from './vendor-schemas';

/** Below this the second thread's start-up (tens of milliseconds) costs more than it saves. */
export const PARALLEL_FROM_BYTES = 8 * 1024 * 1024;

/**
 * Where to cut, as a share of the file: the main thread also checks the orders and takes in the
 * worker's answer, so it gets a little less than half to parse.
 */
const HEAD_SHARE = 0.5;

const CardsSchema = z.array(AtelioCardSchema).default([]);

type Json = Record<string, unknown>;

/**
 * The batch's output, stitched on two threads; null when the file is not one this can vouch for
 * (the caller then stitches it on one thread). Throws the one-thread path's StitchInputError for a
 * duplicate id. `bytes` must live in a SharedArrayBuffer: the worker reads the tail from the same memory.
 */
export async function stitchInParallel(bytes: Uint8Array): Promise<StitchBatchOutput | null> {
  if (!(bytes.buffer instanceof SharedArrayBuffer))
    throw new TypeError('bytes must be a SharedArrayBuffer view');
  if (bytes.byteOffset !== 0) throw new TypeError('bytes must start at the beginning of its buffer');
  const cut = findTransactionsCut(bytes, HEAD_SHARE);
  if (cut === null) return null;
  const worker = startThread(BATCH_PARSE_THREAD, {
    role: 'stitch-sandbox-batch-parse',
    bytes: bytes.buffer,
    length: bytes.byteLength,
    cut,
  } satisfies BatchParseData);
  const replies = repliesOf(worker);
  try {
    const head = parseHead(bytes, cut);
    if (!head) return null;
    const headSide = checkedTransactionsForMatching(head.transactions);
    if (!headSide) return null;
    let orders = ordersForMatching(head.object['orders']);

    const tail = (await replies.next()) as BatchParseReply | undefined;
    if (!tail?.ok || 'transactions' in tail.rest) return null;
    // A key given again after the cut wins, as it does in JSON.parse.
    if ('orders' in tail.rest) orders = ordersForMatching(tail.rest['orders']);
    if (!orders) return null;
    const cards = CardsSchema.safeParse({ ...head.object, ...tail.rest }['cards']);
    if (!cards.success) return null;
    const lastFour = lastFourByCard(cards.data);

    // Partition 1's users are stitched by the worker, partition 0's here.
    const [myOrders, theirOrders] = splitByPartition(orders);
    const headByPartition = [
      { transactions: [] as MatchTransaction[], cardIds: [] as Array<string | null> },
      { transactions: [] as MatchTransaction[], cardIds: [] as Array<string | null> },
    ] as const;
    headSide.transactions.forEach((t, i) => {
      const side = headByPartition[partitionOf(t.userId)];
      side.transactions.push(t);
      side.cardIds.push(headSide.cardIds[i]!);
    });
    worker.postMessage({
      orders: theirOrders,
      transactions: toColumns(headByPartition[1].transactions, headByPartition[1].cardIds),
      lastFour: [...lastFour],
    } satisfies BatchStitchRequest);

    const mine = stitchKeyed({
      orders: myOrders,
      transactions: withLastFour(
        headByPartition[0].transactions,
        headByPartition[0].cardIds,
        lastFour,
      ).concat(withLastFour(fromColumns(tail.transactions), tail.transactions.cardIds, lastFour)),
    });
    // While the worker stitches its half: ids must be unique over the whole file. Checked as the
    // one-thread path checks them (orders, then transactions in file order), for the same message.
    assertUniqueIds({ orders });
    assertUniqueTransactionIds(headSide.transactions, tail.ids);
    const theirs = (await replies.next()) as BatchStitchReply | undefined;
    return theirs ? mergeKeyed(mine, theirs.keyed) : null;
  } finally {
    void worker.terminate();
  }
}

function assertUniqueTransactionIds(head: ReadonlyArray<{ id: string }>, tailIds: readonly string[]): void {
  const seen = new Set<string>();
  const check = (id: string) => {
    if (seen.has(id)) throw new StitchInputError(`invalid stitch input: duplicate transaction_id "${id}"`);
    seen.add(id);
  };
  for (const { id } of head) check(id);
  for (const id of tailIds) check(id);
}

/** The worker's messages one at a time; undefined once it failed or ended without answering. */
function repliesOf(worker: Worker): { next(): Promise<unknown> } {
  const queue: unknown[] = [];
  let waiting: ((value: unknown) => void) | undefined;
  let over = false;
  const deliver = (value: unknown) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(value);
    } else queue.push(value);
  };
  worker.on('message', deliver);
  const end = () => {
    over = true;
    waiting?.(undefined);
    waiting = undefined;
  };
  worker.once('error', end);
  worker.once('exit', end);
  return {
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : over
          ? Promise.resolve(undefined)
          : new Promise((resolve) => (waiting = resolve)),
  };
}

function parseHead(bytes: Uint8Array, cut: number): { object: Json; transactions: unknown[] } | null {
  let object: unknown;
  try {
    object = JSON.parse(headText(bytes, cut));
  } catch {
    return null;
  }
  const transactions = headTransactions(object);
  return transactions ? { object: object as Json, transactions } : null;
}

function ordersForMatching(orders: unknown): MatchOrder[] | null {
  if (!Array.isArray(orders)) return null;
  const matching: MatchOrder[] = new Array(orders.length);
  for (let i = 0; i < orders.length; i++) {
    const order: unknown = orders[i];
    if (!isBatchOrder(order)) return null;
    matching[i] = orderForMatching(order, order.identifier);
  }
  return matching;
}
