/**
 * The thread that parses the tail of a large batch file (batch-split.ts, batch-parallel.ts): it
 * parses its half, checks its transactions with the same fast check as the main thread, turns them
 * into the matcher's form, and sends back only that (as columns: batch-columns.ts) and the file's
 * other top-level keys. Anything it cannot vouch for is answered `{ ok: false }`, and the main thread
 * then parses the whole file itself.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toColumns } from './batch-columns';
import type { TransactionColumns } from './batch-columns';
import { checkedTransactionsForMatching } from './batch-input';
import { TAIL_KEY, tailText } from './batch-split';

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
      /** The tail's transactions in the matcher's form, `lastFour` not yet known (cards may be in the head). */
      transactions: TransactionColumns;
      /** The file's top-level keys after the `transactions` array, as parsed. */
      rest: Record<string, unknown>;
    }
  | { ok: false };

export function parseTail(data: BatchParseData): BatchParseReply {
  let tail: Record<string, unknown>;
  try {
    tail = JSON.parse(tailText(new Uint8Array(data.bytes, 0, data.length), data.cut)) as Record<
      string,
      unknown
    >;
  } catch {
    return { ok: false };
  }
  const { [TAIL_KEY]: elements, ...rest } = tail;
  const checked = Array.isArray(elements) ? checkedTransactionsForMatching(elements) : null;
  if (!checked) return { ok: false };
  return { ok: true, transactions: toColumns(checked.transactions, checked.cardIds), rest };
}

// Run when loaded as the thread's entry (the source file under tsx, or dist/batch-worker.mjs).
if (parentPort && (workerData as Partial<BatchParseData> | undefined)?.role === 'stitch-sandbox-batch-parse')
  parentPort.postMessage(parseTail(workerData as BatchParseData));
