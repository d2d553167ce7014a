import type { ChaosRules } from './chaos';
import type { Clock } from '../clock';
import type { Emitter } from '../emitter';
import type {
  AttemptKind,
  DeliveryAttempt,
  DeliveryEventRecord,
  DeliveryLogView,
  DeliveryStatus,
} from './log';
import type { SavedDelivery } from './log-records';
import type { WebhookVendor } from './profiles';

/**
 * The delivery engine's public contract: what callers publish, the options, the events it emits,
 * target health, its errors and defaults. The engine itself is in `engine.ts`.
 */

/** Where one event goes: an Atomic endpoint or an Atelio subscription. */
export interface WebhookTarget {
  id: string;
  url: string;
  /** Signing secret: Atomic's secret token, Atelio's `whsec_...`. Never shown in the log. */
  secret: string;
  /** Shown in recordings (e.g. `stitcher`, `user`); defaults to the vendor's word for a target. */
  kind?: string;
}

export interface PublishInput {
  vendor: WebhookVendor;
  eventType: string;
  /**
   * Whom the event is about, as CloudEvents' `subject`: the user identifier (Atomic `identifier`,
   * Atelio `customer_id`), given by whoever publishes it. Kept on the delivery record, never sent.
   */
  subject?: string;
  /** A JSON value, serialised once here, or an already serialised JSON string, sent byte for byte. */
  body: object | string;
  targets: readonly WebhookTarget[];
  /** The event id (Atomic `ce-id`). Defaults to the engine's `createId()`. */
  id?: string;
  /** The event time (Atomic `ce-time`). Defaults to the body's own time field, else the clock's now. */
  time?: number | string | Date;
}

/** What the recorder sink receives for every attempt, just before it is sent. */
export interface DeliveryRecording {
  eventId: string;
  vendor: WebhookVendor;
  eventType: string;
  targetId: string;
  targetKind: string;
  url: string;
  attempt: number;
  kind: AttemptKind;
  headers: Record<string, string>;
  /** The exact body string sent. */
  body: string;
  /** The attempt's time on the engine's clock. */
  time: string;
  timeMs: number;
}

/** A target's circuit breaker: `open` pauses it, `half-open` lets the next attempt probe it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One delivery target as the engine sees it: health, backlog and breaker. */
export interface TargetHealth {
  vendor: WebhookVendor;
  targetId: string;
  url: string;
  breaker: BreakerState;
  /** Failed attempts in a row (any event), reset by a success. */
  consecutiveFailures: number;
  /** Deliveries queued, in flight, held by chaos or waiting for a retry. */
  backlog: number;
  /** Deliveries dropped so far (backlog full, circuit open, chaos). */
  dropped: number;
  /** Attempts take longer than `slowTargetAfterMs`: they no longer hold a run's clock. */
  slow: boolean;
  /** While paused: when, why, and when the cool-down ends (platform clock). */
  pausedAt?: string;
  pauseReason?: string;
  resumesAt?: string;
}

export type DeliveryEngineEvents = {
  published: {
    eventId: string;
    vendor: WebhookVendor;
    eventType: string;
    /** The user the event is about, when its publisher said. */
    subject?: string;
    targets: number;
  };
  attempt: {
    eventId: string;
    vendor: WebhookVendor;
    eventType: string;
    subject?: string;
    targetId: string;
    attempt: DeliveryAttempt;
    targetStatus: DeliveryStatus;
    eventStatus: DeliveryStatus;
  };
  /** An event stopped being pending: every target delivered, or at least one gave up or was dropped. */
  settled: {
    eventId: string;
    vendor: WebhookVendor;
    eventType: string;
    subject?: string;
    status: Exclude<DeliveryStatus, 'pending'>;
  };
  /** A target's circuit breaker opened, half-opened or closed. */
  target: TargetHealth;
  /** A listener or the recorder threw; delivery carried on. */
  error: { message: string; error: unknown };
};

export interface CircuitBreakerOptions {
  /** Failed attempts in a row (across events) that pause a target. Default 20. */
  failureThreshold?: number;
  /** How long a paused target stays paused before one probe attempt is let through. Default 5 min. */
  coolDownMs?: number;
}

export interface DeliveryEngineOptions {
  clock: Clock;
  log?: { capacity?: number };
  /** Attempts in flight at once per target; the rest wait in that target's queue. Default 4. */
  concurrencyPerTarget?: number;
  /** Per-attempt timeout in real milliseconds, for every vendor. Default: each vendor's (10 s). */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Event ids. Default random UUIDs, so ids never repeat across restarts (receivers de-duplicate on them). */
  createId?: () => string;
  /** Called for every attempt with the exact request, e.g. to record NDJSON. */
  recorder?: (recording: DeliveryRecording) => void;
  /**
   * The wall clock signature timestamps are taken from (Atelio's `t=`). Default `Date.now`: a
   * receiver checks freshness against its own wall clock, whatever timeline a run is on.
   */
  signingClock?: () => number;
  /**
   * Real milliseconds an attempt may take before its target counts as slow. A slow target's attempts
   * stop holding a scenario run's virtual clock (the run carries on without waiting for it) and
   * their retries wait on the platform clock. Default 500.
   */
  slowTargetAfterMs?: number;
  /** Deliveries pending per target before new events for it are dropped. Default 10,000. */
  maxBacklogPerTarget?: number;
  /** Pause targets that keep failing (default on), or `false`. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Delivery chaos rules (a fresh empty table by default). */
  chaos?: ChaosRules;
}

export interface RedeliverFailedQuery {
  vendor: WebhookVendor;
  targetId: string;
  /** Only events published at or after this time (engine clock, as the log shows `createdAt`). */
  since?: number | string | Date;
}

export interface DeliveryEngine {
  /**
   * Serialises the body once, logs the event and queues one attempt per target. Returns the event id
   * at once (delivery happens later, off the caller's path), or null when there is no target.
   */
  publish(input: PublishInput): string | null;
  /** Sends a logged event again, re-signed as the vendor would: one attempt per (chosen) target. */
  redeliver(id: string, options?: { targetId?: string }): DeliveryEventRecord;
  /** Redelivers every event whose delivery to this target failed or was dropped (since a time). */
  redeliverFailed(query: RedeliverFailedQuery): { redelivered: string[] };
  /** Every target the engine has delivered to since the last reset, with its breaker and backlog. */
  targets(): TargetHealth[];
  /** Closes a target's circuit breaker by hand; its next events are sent again. */
  resumeTarget(vendor: WebhookVendor, targetId: string): TargetHealth;
  readonly chaos: ChaosRules;
  readonly log: DeliveryLogView;
  readonly events: Emitter<DeliveryEngineEvents>;
  /** Resolves once nothing is queued, in flight, or waiting for a retry. Does not move a VirtualClock. */
  idle(): Promise<void>;
  /** Cancels retries and aborts attempts in flight (recorded as aborted); publish then throws. */
  stop(): Promise<void>;
  /** Like stop, then empties the log and forgets target health; the engine stays usable. Chaos rules stay. */
  reset(): Promise<void>;
  /**
   * The settled events of the log (delivered, failed, dropped), oldest published first: the part of
   * the log a saved state carries (events still pending travel as webhooks to send again).
   */
  exportSettled(): DeliveryEventRecord[];
  /**
   * Puts saved settled events back into the log (after a reset), in their order, before anything
   * published from now on. `secretOf` gives each target's signing secret for by-hand redelivery;
   * a target it does not know cannot be redelivered to. The log's capacity still applies.
   */
  restoreSettled(
    records: readonly SavedDelivery[],
    secretOf: (vendor: string, eventType: string, targetId: string) => string | undefined,
  ): void;
}

export class DeliveryNotFoundError extends Error {
  constructor(
    readonly eventId: string,
    message = `no webhook event ${eventId} in the delivery log (unknown, or dropped as the log filled up)`,
  ) {
    super(message);
    this.name = 'DeliveryNotFoundError';
  }
}

export class TargetNotFoundError extends Error {
  constructor(vendor: string, targetId: string) {
    super(`no ${vendor} webhook target ${targetId} has been delivered to since the last reset`);
    this.name = 'TargetNotFoundError';
  }
}

export const DEFAULT_CONCURRENCY_PER_TARGET = 4;
export const DEFAULT_LOG_CAPACITY = 1000;
export const DEFAULT_MAX_BACKLOG_PER_TARGET = 10_000;
export const DEFAULT_SLOW_TARGET_AFTER_MS = 500;
export const DEFAULT_BREAKER_FAILURE_THRESHOLD = 20;
export const DEFAULT_BREAKER_COOL_DOWN_MS = 5 * 60_000;
/** A `duplicate` rule's copy follows the original after this long unless the rule says otherwise. */
export const DEFAULT_DUPLICATE_DELAY_MS = 1000;
