import type { Clock, TimerId } from '../clock';
import type { ChaosMark } from './chaos';
import type { WebhookVendor } from './profiles';

/** `dropped`: never (or no longer) sent, with the reason in `dropReason` (backlog full, circuit open, chaos). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed', 'dropped'];

/**
 * `initial` and `retry` follow the vendor's schedule; `redelivery` is a by-hand resend (one attempt);
 * `duplicate` is an extra copy a chaos rule sent.
 */
export type AttemptKind = 'initial' | 'retry' | 'redelivery' | 'duplicate';

export interface DeliveryAttempt {
  /** 1-based, per target; redeliveries continue the numbering. */
  attempt: number;
  kind: AttemptKind;
  /** When the attempt was made, on the engine's clock (virtual time under a VirtualClock). */
  time: string;
  targetId: string;
  url: string;
  ok: boolean;
  /** The receiver's HTTP status, when it answered at all. */
  statusCode?: number;
  /** Why no usable answer came back: timeout, refused, reset, aborted, ... */
  error?: string;
  /** Real milliseconds from sending the request to the end of the answer (or the failure). */
  latencyMs: number;
  /** The signature header's value as sent on this attempt. */
  signature: string;
  /** The start of the receiver's answer, to show why it refused (at most 256 characters). */
  responseSnippet?: string;
  /** The chaos rule that made this attempt (a duplicate) or changed its outcome (a lost ack). */
  chaos?: string;
  /**
   * Set when the target was too slow to hold the run's clock: the attempt went on in real time
   * while the run carried on, and its retry waits on the platform clock.
   */
  detached?: true;
}

export interface DeliveryTargetRecord {
  id: string;
  url: string;
  kind: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  /** When the next automatic retry is due, while one is scheduled. */
  nextAttemptAt?: string;
  /** Attempts dropped from the front of `attempts` to keep memory bounded (repeated redeliveries). */
  droppedAttempts?: number;
  /** Why the delivery was dropped (status `dropped`), and when. */
  dropReason?: string;
  droppedAt?: string;
  /** The chaos rules that touched this delivery. */
  chaos?: ChaosMark[];
}

/** One event as the delivery log shows it. Signing secrets are never part of it. */
export interface DeliveryEventRecord {
  id: string;
  vendor: WebhookVendor;
  eventType: string;
  /** The user the event is about (CloudEvents `subject`), when its publisher said. */
  subject?: string;
  /** When it was published, on the engine's clock. */
  createdAt: string;
  /** The event's own time (Atomic `ce-time`). */
  eventTime: string;
  /** The exact body string sent (and signed) on every attempt. */
  body: string;
  status: DeliveryStatus;
  targets: DeliveryTargetRecord[];
}

export interface DeliveryLogQuery {
  vendor?: WebhookVendor;
  status?: DeliveryStatus;
  /** Only events sent (or meant) to this target. */
  targetId?: string;
  /** Only events about this user (their `subject`). */
  subject?: string;
  /** At most this many events (newest first). */
  limit?: number;
}

/** Read side of the delivery log, as `engine.log`. */
export interface DeliveryLogView {
  /** Events, newest published first. */
  list(query?: DeliveryLogQuery): DeliveryEventRecord[];
  get(id: string): DeliveryEventRecord | undefined;
  readonly size: number;
  readonly capacity: number;
  /** Events dropped while still being delivered because the log was full of undelivered events. */
  readonly evictedWhilePending: number;
}

/** Attempts kept per target; only repeated redeliveries can reach it (a vendor schedule has at most 9). */
export const MAX_ATTEMPTS_PER_TARGET = 50;

/** Mutable per-target delivery state, owned by the engine. */
export interface TargetState {
  id: string;
  url: string;
  kind: string;
  secret: string;
  /** Key of the concurrency queue this target's attempts go through. */
  queueKey: string;
  attempts: DeliveryAttempt[];
  droppedAttempts: number;
  /** Attempts numbered so far (including dropped ones). */
  attemptCount: number;
  /** Automatic retries scheduled so far: the index of the next delay in the vendor's schedule. */
  retriesScheduled: number;
  retryTimer: TimerId | undefined;
  /** The clock `retryTimer` belongs to (the run's, or the platform's for a detached retry). */
  retryClock: Clock | undefined;
  nextAttemptAt: number | undefined;
  /** Attempts queued or in flight. */
  outstanding: number;
  delivered: boolean;
  /** Set when the engine gave up on it early (stop or reset). */
  abandoned: boolean;
  /** Set when it was dropped (never sent, or no longer retried) and why. */
  dropped: { reason: string; atMs: number } | undefined;
  chaos: ChaosMark[];
  /** Successful answers a lost-ack chaos rule still turns into timeouts. */
  lostAcks: number;
  lostAckRule: string | undefined;
  /** Counted in its target's backlog (while pending). */
  inBacklog: boolean;
}

export interface EventState {
  seq: number;
  id: string;
  vendor: WebhookVendor;
  eventType: string;
  subject: string | undefined;
  createdAtMs: number;
  eventTimeMs: number;
  body: string;
  targets: TargetState[];
  /** The status last announced to listeners, to tell when the event settles. */
  announced: DeliveryStatus;
}

export function targetStatus(target: TargetState): DeliveryStatus {
  if (target.delivered) return 'delivered';
  if (!target.abandoned && (target.outstanding > 0 || target.retryTimer !== undefined)) return 'pending';
  return target.dropped ? 'dropped' : 'failed';
}

/** Pending while any target is; otherwise failed if any target's attempts failed, dropped if any was dropped. */
export function eventStatus(event: EventState): DeliveryStatus {
  let failed = false;
  let dropped = false;
  for (const target of event.targets) {
    const status = targetStatus(target);
    if (status === 'pending') return 'pending';
    if (status === 'failed') failed = true;
    if (status === 'dropped') dropped = true;
  }
  return failed ? 'failed' : dropped ? 'dropped' : 'delivered';
}

const iso = (ms: number) => new Date(ms).toISOString();

export function snapshotEvent(event: EventState): DeliveryEventRecord {
  return {
    id: event.id,
    vendor: event.vendor,
    eventType: event.eventType,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    createdAt: iso(event.createdAtMs),
    eventTime: iso(event.eventTimeMs),
    body: event.body,
    status: eventStatus(event),
    targets: event.targets.map((target) => ({
      id: target.id,
      url: target.url,
      kind: target.kind,
      status: targetStatus(target),
      attempts: target.attempts.map((attempt) => ({ ...attempt })),
      ...(target.nextAttemptAt === undefined ? {} : { nextAttemptAt: iso(target.nextAttemptAt) }),
      ...(target.droppedAttempts > 0 ? { droppedAttempts: target.droppedAttempts } : {}),
      ...(target.dropped && !target.delivered
        ? { dropReason: target.dropped.reason, droppedAt: iso(target.dropped.atMs) }
        : {}),
      ...(target.chaos.length > 0 ? { chaos: target.chaos.map((mark) => ({ ...mark })) } : {}),
    })),
  };
}

/**
 * A bounded log of events. Memory stays flat however many events pass through: past `capacity`, the
 * event that settled (delivered or failed) longest ago is dropped first. Events still being delivered
 * are dropped only when nothing settled is left to drop; their delivery carries on regardless, and
 * `evictedWhilePending` counts them so the loss of visibility is never silent.
 */
export class DeliveryLog implements DeliveryLogView {
  /** Events still being delivered, in the order they (re)entered delivery. */
  private active = new Map<string, EventState>();
  /** Settled events, least recently settled first. */
  private settled = new Map<string, EventState>();
  private evictedPending = 0;

  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`delivery log capacity must be an integer >= 1, got ${capacity}`);
    }
  }

  get size(): number {
    return this.active.size + this.settled.size;
  }

  get evictedWhilePending(): number {
    return this.evictedPending;
  }

  has(id: string): boolean {
    return this.active.has(id) || this.settled.has(id);
  }

  state(id: string): EventState | undefined {
    return this.active.get(id) ?? this.settled.get(id);
  }

  add(event: EventState): void {
    if (this.has(event.id)) throw new Error(`delivery log already holds event ${event.id}`);
    this.active.set(event.id, event);
    this.trim();
  }

  /** Re-files an event after its status may have changed. Ignores events already dropped. */
  update(event: EventState): void {
    if (!this.has(event.id)) return;
    const pending = eventStatus(event) === 'pending';
    if (pending && this.settled.delete(event.id)) this.active.set(event.id, event);
    if (!pending && this.active.delete(event.id)) this.settled.set(event.id, event);
  }

  /** Files an event that is already settled (a restored one); the oldest settled go first when full. */
  addSettled(event: EventState): void {
    if (this.has(event.id)) throw new Error(`delivery log already holds event ${event.id}`);
    this.settled.set(event.id, event);
    this.trim();
  }

  clear(): void {
    this.active.clear();
    this.settled.clear();
  }

  list(query: DeliveryLogQuery = {}): DeliveryEventRecord[] {
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const matches: EventState[] = [];
    for (const map of [this.active, this.settled]) {
      for (const event of map.values()) {
        if (query.vendor !== undefined && event.vendor !== query.vendor) continue;
        if (query.status !== undefined && eventStatus(event) !== query.status) continue;
        if (query.targetId !== undefined && !event.targets.some((t) => t.id === query.targetId)) continue;
        if (query.subject !== undefined && event.subject !== query.subject) continue;
        matches.push(event);
      }
    }
    matches.sort((a, b) => b.seq - a.seq);
    return matches.slice(0, limit).map(snapshotEvent);
  }

  /** Every event's live state, oldest published first (for bulk redelivery). */
  states(): EventState[] {
    return [...this.active.values(), ...this.settled.values()].sort((a, b) => a.seq - b.seq);
  }

  get(id: string): DeliveryEventRecord | undefined {
    const event = this.state(id);
    return event ? snapshotEvent(event) : undefined;
  }

  private trim(): void {
    while (this.size > this.capacity) {
      const oldestSettled = this.settled.keys().next();
      if (!oldestSettled.done) {
        this.settled.delete(oldestSettled.value);
        continue;
      }
      const oldestActive = this.active.keys().next();
      if (oldestActive.done) return;
      this.active.delete(oldestActive.value);
      this.evictedPending++;
    }
  }
}
