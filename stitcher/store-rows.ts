/** The rows the stitcher's store hands out, and how raw SQLite rows become them. */
import type { ChargeOutcome, RefundOutcome } from './matcher';
import type { AtelioTransaction, AtomicOrder } from './vendor-schemas';
import { parseTimestamp, utcDay } from './dates';

/** A user's pending re-stitch: every order, or only the orders dated within `fromDay..toDay` (UTC day numbers). */
export type StitchScope =
  { identifier: string; all: true } | { identifier: string; all: false; fromDay: number; toDay: number };

export const dayOf = (timestamp: string | null | undefined): number | null => {
  const ms = parseTimestamp(timestamp);
  return ms === null ? null : utcDay(ms);
};

export type InboxSource = 'atomic' | 'atelio' | 'stitcher';
export type InboxStatus = 'pending' | 'retrying' | 'done' | 'failed' | 'ignored';

export interface InboxEvent {
  id: number;
  dedupKey: string;
  source: InboxSource;
  eventType: string;
  body: string;
  receivedAt: number;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  processedAt: number | null;
}

export interface UserRow {
  identifier: string;
  atomicUserId: string | null;
  needsStitch: boolean;
  stitchedAt: number | null;
  createdAt: number;
}

export interface AccountRow {
  accountId: string;
  identifier: string;
  connectionStatus: string;
  lastSyncedAt: string | null;
  companyId: string | null;
  companyName: string | null;
  lastUpdateType: string | null;
  fetchedAt: number;
}

export interface StoredOrder {
  orderId: string;
  accountId: string;
  order: AtomicOrder;
}

export interface StoredTransaction {
  transactionId: string;
  customerId: string;
  cardId: string | null;
  lastFour: string | null;
  transaction: AtelioTransaction;
}

export interface TaskRow {
  taskId: string;
  identifier: string;
  status: string;
  failReason: string | null;
  companyName: string | null;
  eventTimeMs: number | null;
}

export interface StitchRow {
  orderId: string;
  status: 'matched' | 'unmatchable' | 'awaiting-transaction';
  transactionId: string | null;
  confidence: number | null;
  provisional: boolean;
  reasons: string[];
  stitchedAt: number;
  /** Every charge of a split shipment; null for a single charge. */
  charges: ChargeOutcome[] | null;
  /** Refund credits and reversals linked to the order. */
  refunds: RefundOutcome[];
}

export interface RawInbox {
  id: number;
  dedup_key: string;
  source: InboxSource;
  event_type: string;
  body: string;
  received_at: number;
  status: InboxStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  processed_at: number | null;
}

export const toInbox = (r: RawInbox): InboxEvent => ({
  id: r.id,
  dedupKey: r.dedup_key,
  source: r.source,
  eventType: r.event_type,
  body: r.body,
  receivedAt: r.received_at,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  processedAt: r.processed_at,
});
