/**
 * A large batch file read on two threads: the main thread parses and checks the head of the file
 * while a worker thread (batch-worker-thread.ts) does the same for the tail, and sends back its
 * transactions already in the matcher's form. Where the file is cut and why a wrong cut can never go
 * unnoticed: batch-split.ts.
 *
 * Every check is the one the one-thread path makes (batch-input.ts). Whenever something is not as
 * expected (no place to cut, a half that does not parse, an element the fast check refuses, a key
 * given twice), this answers null and the caller reads the file the ordinary way, which produces the
 * same result or the ordinary error message. So the result never depends on which path was taken;
 * the tests compare both on the same files.
 */
import { z } from 'zod';
import { lastFourByCard } from './batch';
import { fromColumns } from './batch-columns';
import type { PreparedBatch } from './batch';
import { checkedTransactionsForMatching, isBatchOrder } from './batch-input';
import { findTransactionsCut, headText, headTransactions } from './batch-split';
import type { BatchParseData, BatchParseReply } from './batch-worker-thread';
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

/** `bytes` must live in a SharedArrayBuffer: the worker reads the tail from the same memory. */
export async function prepareInParallel(bytes: Uint8Array): Promise<PreparedBatch | null> {
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
  const answer = new Promise<BatchParseReply>((resolve) => {
    worker.once('message', resolve);
    // A thread that fails or ends without answering is a "no": the file is then read on one thread.
    worker.once('error', () => resolve({ ok: false }));
    worker.once('exit', () => resolve({ ok: false }));
  });
  try {
    const head = parseHead(bytes, cut);
    if (!head) return null;
    const headSide = checkedTransactionsForMatching(head.transactions);
    if (!headSide) return null;
    let orders = ordersForMatching(head.object['orders']);

    const tail = await answer;
    if (!tail.ok || 'transactions' in tail.rest) return null;
    // A key given again after the cut wins, as it does in JSON.parse.
    if ('orders' in tail.rest) orders = ordersForMatching(tail.rest['orders']);
    if (!orders) return null;
    const cards = CardsSchema.safeParse({ ...head.object, ...tail.rest }['cards']);
    if (!cards.success) return null;

    const lastFour = lastFourByCard(cards.data);
    const withLastFour = (transactions: MatchTransaction[], cardIds: Array<string | null>) => {
      transactions.forEach((t, i) => {
        const cardId = cardIds[i];
        t.lastFour = cardId ? (lastFour.get(cardId) ?? null) : null;
      });
      return transactions;
    };
    return {
      orders,
      transactions: withLastFour(headSide.transactions, headSide.cardIds).concat(
        withLastFour(fromColumns(tail.transactions), tail.transactions.cardIds),
      ),
    };
  } finally {
    void worker.terminate();
  }
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
