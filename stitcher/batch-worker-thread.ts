/**
 * The thread that reads and stitches half of a large batch (batch-split.ts, batch-parallel.ts).
 *
 * 1. It parses the tail of the file and checks its transactions with the same fast check as the
 *    main thread, in the matcher's form. It answers with the file's other top-level keys and the
 *    tail transactions of the main thread's users (as columns: batch-columns.ts), and keeps those of
 *    its own users (batch-partition.ts). Anything it cannot vouch for is answered `{ ok: false }`,
 *    and the main thread then reads the whole file itself.
 * 2. The main thread sends this thread's users' orders and head transactions and the cards' last
 *    fours. The thread stitches its users and answers with their output and each row's place in
 *    the canonical order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { stitchKeyed } from './batch-output';
import type { KeyedOutput } from './batch-output';
import { fromColumns, toColumns } from './batch-columns';
import type { TransactionColumns } from './batch-columns';
import { checkedTransactionsForMatching, withLastFour } from './batch-input';
import { partitionOf } from './batch-partition';
import { TAIL_KEY, tailText } from './batch-split';
import type { MatchOrder, MatchTransaction } from './match-types';

export interface BatchParseData {
  role: 'stitch-sandbox-batch-parse';
  /** The whole file. */
  bytes: SharedArrayBuffer;
  length: number;
  /** The offset of the `}` the head ends with. */
  cut: number;
}

export type BatchParseReply =
  | {
      ok: true;
      /** The tail transactions of the main thread's users (partition 0), `lastFour` not yet known. */
      transactions: TransactionColumns;
      /** Every tail transaction id, in file order (the main thread checks ids are unique). */
      ids: string[];
      /** The file's top-level keys after the `transactions` array, as parsed. */
      rest: Record<string, unknown>;
    }
  | { ok: false };

/** The main thread's half of the work's inputs for this thread's users (partition 1). */
export interface BatchStitchRequest {
  orders: MatchOrder[];
  /** Head transactions of this thread's users (their card ids in the columns). */
  transactions: TransactionColumns;
  lastFour: Array<[string, string | null]>;
}

export interface BatchStitchReply {
  keyed: KeyedOutput;
}

interface Tail {
  /** This thread's users' tail transactions, with each one's card id. */
  mine: MatchTransaction[];
  mineCardIds: Array<string | null>;
}

export function parseTail(data: BatchParseData): { reply: BatchParseReply; tail?: Tail } {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(tailText(new Uint8Array(data.bytes, 0, data.length), data.cut)) as Record<
      string,
      unknown
    >;
  } catch {
    return { reply: { ok: false } };
  }
  const { [TAIL_KEY]: elements, ...rest } = parsed;
  const checked = Array.isArray(elements) ? checkedTransactionsForMatching(elements) : null;
  if (!checked) return { reply: { ok: false } };
  const theirs: MatchTransaction[] = [];
  const theirCardIds: Array<string | null> = [];
  const ids: string[] = new Array(checked.transactions.length);
  const tail: Tail = { mine: [], mineCardIds: [] };
  checked.transactions.forEach((t, i) => {
    ids[i] = t.id;
    if (partitionOf(t.userId) === 0) {
      theirs.push(t);
      theirCardIds.push(checked.cardIds[i]!);
    } else {
      tail.mine.push(t);
      tail.mineCardIds.push(checked.cardIds[i]!);
    }
  });
  return { reply: { ok: true, transactions: toColumns(theirs, theirCardIds), ids, rest }, tail };
}

export function stitchMyHalf(tail: Tail, request: BatchStitchRequest): BatchStitchReply {
  const lastFour = new Map(request.lastFour);
  const head = withLastFour(fromColumns(request.transactions), request.transactions.cardIds, lastFour);
  const mine = withLastFour(tail.mine, tail.mineCardIds, lastFour);
  return { keyed: stitchKeyed({ orders: request.orders, transactions: head.concat(mine) }) };
}

function serve(port: MessagePort, data: BatchParseData): void {
  const { reply, tail } = parseTail(data);
  port.postMessage(reply);
  if (!tail) return;
  port.once('message', (request: BatchStitchRequest) => {
    port.postMessage(stitchMyHalf(tail, request));
  });
}

// Run when loaded as the thread's entry (the source file under tsx, or dist/batch-worker.mjs).
if (parentPort && (workerData as Partial<BatchParseData> | undefined)?.role === 'stitch-sandbox-batch-parse')
  serve(parentPort, workerData as BatchParseData);
