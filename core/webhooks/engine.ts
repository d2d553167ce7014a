import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { ScopedClock, type Clock, type TimerId } from '../clock';
import { Emitter } from '../emitter';
import { ChaosRules, DEFAULT_REORDER_WINDOW_MS, draw, type ChaosRule } from './chaos';
import {
  DeliveryLog,
  MAX_ATTEMPTS_PER_TARGET,
  eventStatus,
  snapshotEvent,
  targetStatus,
  type AttemptKind,
  type DeliveryAttempt,
  type DeliveryEventRecord,
  type DeliveryLogView,
  type DeliveryStatus,
  type EventState,
  type TargetState,
} from './log';
import { restoredEvent, type SavedDelivery } from './log-records';
import { WEBHOOK_PROFILES, type WebhookProfile, type WebhookVendor } from './profiles';

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
  published: { eventId: string; vendor: WebhookVendor; eventType: string; targets: number };
  attempt: {
    eventId: string;
    vendor: WebhookVendor;
    eventType: string;
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

const SNIPPET_CHARS = 256;
/** Reading more of an answer than this is pointless; the connection is dropped instead. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  return new WebhookDeliveryEngine(options);
}

/** One attempt waiting for (or holding) a slot in its target's lane. */
interface Job {
  event: EventState;
  target: TargetState;
  kind: AttemptKind;
  generation: number;
  /** The caller's async context: a run's clock and run context travel with the attempt. */
  scope: AsyncResource;
  /** Whether it holds the caller's (virtual) clock; false when its target was already slow. */
  tracked: boolean;
  /** The lane's slow-epoch when it was queued: a change means it was released from the clock. */
  epoch: number;
  /** The chaos rule that caused it (a duplicate). */
  chaos: string | undefined;
  resolve: () => void;
}

/**
 * Everything the engine knows about one target (per vendor, by id): its queue and concurrency, its
 * backlog, whether it is slow, and its circuit breaker.
 */
interface Lane {
  key: string;
  vendor: WebhookVendor;
  targetId: string;
  url: string;
  running: number;
  waiting: Job[];
  backlog: number;
  dropped: number;
  slow: boolean;
  /** Bumped each time the lane turns slow; every job queued before it is released. */
  epoch: number;
  released: Promise<void>;
  release: () => void;
  breaker: BreakerState;
  failures: number;
  pausedAtMs: number | undefined;
  pauseReason: string | undefined;
  resumeAtMs: number | undefined;
  coolDownTimer: TimerId | undefined;
}

/** A delivery a chaos rule holds back (delay, duplicate copy), on the clock of the caller. */
interface Hold {
  clock: Clock;
  timer: TimerId;
  event: EventState;
  target: TargetState;
}

/** Deliveries a reorder rule holds for one target until its window closes. */
interface ReorderBuffer {
  clock: Clock;
  timer: TimerId;
  seed: number;
  items: { event: EventState; target: TargetState; scope: AsyncResource }[];
}

/** Why an in-flight attempt was cut short by the engine itself. */
class EngineAbort extends Error {}

const iso = (ms: number) => new Date(ms).toISOString();
const automatic = (kind: AttemptKind) => kind === 'initial' || kind === 'retry';

class WebhookDeliveryEngine implements DeliveryEngine {
  readonly events = new Emitter<DeliveryEngineEvents>();
  readonly chaos: ChaosRules;
  private readonly store: DeliveryLog;
  private readonly clock: Clock;
  /** Where a slow target's retries and the breakers' cool-downs wait: the platform clock. */
  private readonly detachedClock: Clock;
  private readonly concurrency: number;
  private readonly timeoutOverride: number | undefined;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly createId: () => string;
  private readonly recorder: ((recording: DeliveryRecording) => void) | undefined;
  private readonly signingClock: () => number;
  private readonly slowAfterMs: number;
  private readonly maxBacklog: number;
  private readonly breaker: Required<CircuitBreakerOptions> | undefined;

  private seq = 0;
  private stopped = false;
  /** Bumped by stop/reset so queued attempts from before it turn into no-ops. */
  private generation = 0;
  /** Attempts queued or in flight, chaos holds, plus retries scheduled; idle when 0. */
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private lanes = new Map<string, Lane>();
  private retrying = new Map<TargetState, EventState>();
  private inflight = new Set<AbortController>();
  private holds = new Map<number, Hold>();
  private nextHold = 1;
  private reorders = new Map<string, ReorderBuffer>();

  constructor(options: DeliveryEngineOptions) {
    this.clock = options.clock;
    this.detachedClock = options.clock instanceof ScopedClock ? options.clock.base : options.clock;
    this.store = new DeliveryLog(options.log?.capacity ?? DEFAULT_LOG_CAPACITY);
    this.concurrency = options.concurrencyPerTarget ?? DEFAULT_CONCURRENCY_PER_TARGET;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`concurrencyPerTarget must be an integer >= 1, got ${this.concurrency}`);
    }
    this.timeoutOverride = options.timeoutMs;
    if (this.timeoutOverride !== undefined && !(this.timeoutOverride > 0)) {
      throw new RangeError(`timeoutMs must be > 0, got ${this.timeoutOverride}`);
    }
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.createId = options.createId ?? randomUUID;
    this.recorder = options.recorder;
    this.signingClock = options.signingClock ?? Date.now;
    this.slowAfterMs = options.slowTargetAfterMs ?? DEFAULT_SLOW_TARGET_AFTER_MS;
    if (!(this.slowAfterMs > 0))
      throw new RangeError(`slowTargetAfterMs must be > 0, got ${this.slowAfterMs}`);
    this.maxBacklog = options.maxBacklogPerTarget ?? DEFAULT_MAX_BACKLOG_PER_TARGET;
    if (!Number.isInteger(this.maxBacklog) || this.maxBacklog < 1) {
      throw new RangeError(`maxBacklogPerTarget must be an integer >= 1, got ${this.maxBacklog}`);
    }
    this.breaker =
      options.circuitBreaker === false
        ? undefined
        : {
            failureThreshold: options.circuitBreaker?.failureThreshold ?? DEFAULT_BREAKER_FAILURE_THRESHOLD,
            coolDownMs: options.circuitBreaker?.coolDownMs ?? DEFAULT_BREAKER_COOL_DOWN_MS,
          };
    if (
      this.breaker &&
      !(Number.isInteger(this.breaker.failureThreshold) && this.breaker.failureThreshold >= 1)
    ) {
      throw new RangeError(`circuitBreaker.failureThreshold must be an integer >= 1`);
    }
    this.chaos = options.chaos ?? new ChaosRules();
  }

  get log(): DeliveryLogView {
    return this.store;
  }

  publish(input: PublishInput): string | null {
    if (this.stopped) throw new Error('the webhook delivery engine is stopped');
    const profile = Object.hasOwn(WEBHOOK_PROFILES, input.vendor)
      ? WEBHOOK_PROFILES[input.vendor]
      : undefined;
    if (!profile) throw new TypeError(`unknown webhook vendor ${String(input.vendor)}`);
    if (typeof input.eventType !== 'string' || input.eventType.length === 0) {
      throw new TypeError('publish: eventType must be a non-empty string');
    }
    checkTargets(input.targets);
    const { body, parsed } = serialise(input.body);
    if (input.targets.length === 0) return null;

    const id = input.id ?? this.createId();
    if (this.store.has(id)) throw new Error(`publish: event id ${id} is already in the delivery log`);
    const now = this.clock.now();
    const event: EventState = {
      seq: ++this.seq,
      id,
      vendor: profile.vendor,
      eventType: input.eventType,
      createdAtMs: now,
      eventTimeMs: eventTime(input.time, parsed, profile, now),
      body,
      targets: input.targets.map((target) => ({
        id: target.id,
        url: target.url,
        kind: target.kind ?? profile.targetKind,
        secret: target.secret,
        // Targets are per vendor, so two vendors' endpoint ids never share a queue.
        queueKey: `${profile.vendor}\u0000${target.id}`,
        attempts: [],
        droppedAttempts: 0,
        attemptCount: 0,
        retriesScheduled: 0,
        retryTimer: undefined,
        retryClock: undefined,
        nextAttemptAt: undefined,
        outstanding: 0,
        delivered: false,
        abandoned: false,
        dropped: undefined,
        chaos: [],
        lostAcks: 0,
        lostAckRule: undefined,
        inBacklog: false,
      })),
      announced: 'pending',
    };
    this.store.add(event);
    this.emit('published', {
      eventId: id,
      vendor: event.vendor,
      eventType: event.eventType,
      targets: event.targets.length,
    });
    const user = this.chaos.size > 0 ? profile.userOf(parsed) : undefined;
    for (const target of event.targets) this.admit(event, target, user);
    this.refresh(event);
    return id;
  }

  redeliver(id: string, options: { targetId?: string } = {}): DeliveryEventRecord {
    if (this.stopped) throw new Error('the webhook delivery engine is stopped');
    const event = this.store.state(id);
    if (!event) throw new DeliveryNotFoundError(id);
    const targets =
      options.targetId === undefined ? event.targets : event.targets.filter((t) => t.id === options.targetId);
    if (targets.length === 0) {
      throw new DeliveryNotFoundError(id, `webhook event ${id} has no target ${String(options.targetId)}`);
    }
    const unsigned = targets.find((target) => target.secret === '');
    if (unsigned) {
      throw new DeliveryNotFoundError(
        id,
        `webhook event ${id} was restored from a saved state and its target ${unsigned.id} is no longer registered`,
      );
    }
    for (const target of targets) {
      target.abandoned = false;
      target.dropped = undefined;
      this.enqueue(event, target, 'redelivery');
    }
    this.refresh(event);
    return snapshotEvent(event);
  }

  redeliverFailed(query: RedeliverFailedQuery): { redelivered: string[] } {
    if (this.stopped) throw new Error('the webhook delivery engine is stopped');
    const since = query.since === undefined ? Number.NEGATIVE_INFINITY : timeOf(query.since, 'since');
    const redelivered: string[] = [];
    for (const event of this.store.states()) {
      if (event.vendor !== query.vendor || event.createdAtMs < since) continue;
      const target = event.targets.find((t) => t.id === query.targetId);
      if (!target) continue;
      const status = targetStatus(target);
      if (status !== 'failed' && status !== 'dropped') continue;
      this.redeliver(event.id, { targetId: query.targetId });
      redelivered.push(event.id);
    }
    return { redelivered };
  }

  targets(): TargetHealth[] {
    return [...this.lanes.values()].map((lane) => this.health(lane));
  }

  resumeTarget(vendor: WebhookVendor, targetId: string): TargetHealth {
    const lane = this.lanes.get(`${vendor}\u0000${targetId}`);
    if (!lane) throw new TargetNotFoundError(vendor, targetId);
    lane.failures = 0;
    this.closeBreaker(lane);
    return this.health(lane);
  }

  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.cancelAll('delivery engine stopped');
  }

  async reset(): Promise<void> {
    await this.cancelAll('delivery log reset');
    this.store.clear();
    this.lanes.clear();
  }

  exportSettled(): DeliveryEventRecord[] {
    return this.store
      .states()
      .filter((event) => eventStatus(event) !== 'pending')
      .map(snapshotEvent);
  }

  restoreSettled(
    records: readonly SavedDelivery[],
    secretOf: (vendor: string, eventType: string, targetId: string) => string | undefined,
  ): void {
    for (const record of records) {
      if (this.store.has(record.id)) continue;
      this.store.addSettled(restoredEvent(record, ++this.seq, secretOf));
    }
  }

  // ------------------------------------------------------------------------------ admission

  /** A new event for one target: dropped (breaker, backlog, chaos), held by chaos, or queued. */
  private admit(event: EventState, target: TargetState, user: string | undefined): void {
    const lane = this.laneOf(event, target);
    if (lane.breaker === 'open') {
      this.drop(
        target,
        lane,
        `circuit open: target paused (${lane.pauseReason ?? 'failing'}); ${this.resumeHint(lane)}`,
      );
      return;
    }
    if (lane.backlog >= this.maxBacklog) {
      this.drop(
        target,
        lane,
        `backlog full: ${lane.backlog} deliveries already pending for this target (limit ${this.maxBacklog})`,
      );
      return;
    }
    // Counted at once, so the next event published in the same tick sees it.
    target.inBacklog = true;
    lane.backlog++;
    const rules =
      this.chaos.size === 0
        ? []
        : this.chaos.take({
            vendor: event.vendor,
            eventType: event.eventType,
            targetId: target.id,
            user,
            eventId: event.id,
          });
    const rule = (kind: ChaosRule['kind']) => rules.find((r) => r.kind === kind);
    for (const r of rules)
      target.chaos.push({ ruleId: r.id, kind: r.kind, ...(r.note === undefined ? {} : { note: r.note }) });

    const dropRule = rule('drop');
    if (dropRule) {
      this.drop(target, lane, `chaos rule ${dropRule.id}: drop`);
      return;
    }
    const lostAck = rule('lost-ack');
    if (lostAck) {
      target.lostAcks = 1;
      target.lostAckRule = lostAck.id;
    }
    const reorder = rule('reorder');
    const delay = rule('delay');
    if (reorder) this.holdForReorder(reorder, lane, event, target);
    else if (delay)
      this.hold(event, target, delay.delayMs ?? 0, () => this.enqueue(event, target, 'initial'));
    else this.enqueue(event, target, 'initial');
    const duplicate = rule('duplicate');
    if (duplicate) {
      const gap = duplicate.delayMs ?? DEFAULT_DUPLICATE_DELAY_MS;
      for (let copy = 1; copy <= (duplicate.times ?? 1); copy++)
        this.hold(event, target, gap * copy, () => this.enqueue(event, target, 'duplicate', duplicate.id));
    }
  }

  private drop(target: TargetState, lane: Lane, reason: string): void {
    target.dropped = { reason, atMs: this.clock.now() };
    lane.dropped++;
    this.cancelRetry(target);
  }

  /** Runs `fn` after `ms` on the caller's clock (a run's virtual clock in a run), counted as pending. */
  private hold(event: EventState, target: TargetState, ms: number, fn: () => void): void {
    target.outstanding++;
    this.outstanding++;
    const id = this.nextHold++;
    const clock = this.clock;
    const timer = clock.setTimeout(() => {
      this.holds.delete(id);
      fn(); // queues the attempt before the hold stops counting, so idle() cannot slip in between
      target.outstanding--;
      this.outstanding--;
    }, ms);
    this.holds.set(id, { clock, timer, event, target });
  }

  /** Holds the delivery until the rule's window for this target closes, then releases all out of order. */
  private holdForReorder(rule: ChaosRule, lane: Lane, event: EventState, target: TargetState): void {
    target.outstanding++;
    this.outstanding++;
    const key = `${rule.id}\u0000${lane.key}`;
    const item = {
      event,
      target,
      scope: new AsyncResource('webhook-reorder', { requireManualDestroy: true }),
    };
    const buffer = this.reorders.get(key);
    if (buffer) {
      buffer.items.push(item);
      return;
    }
    const clock = this.clock;
    const timer = clock.setTimeout(() => {
      const held = this.reorders.get(key);
      this.reorders.delete(key);
      if (!held) return;
      const ranked = held.items
        .map((entry, index) => ({
          entry,
          index,
          rank: draw(held.seed + 1, { eventId: entry.event.id, targetId: entry.target.id }),
        }))
        .sort((a, b) => a.rank - b.rank);
      // A shuffle that happens to keep the order is no reorder at all: reverse instead.
      if (ranked.length > 1 && ranked.every((r, i) => r.index === i)) ranked.reverse();
      for (const { entry } of ranked)
        entry.scope.runInAsyncScope(() => this.enqueue(entry.event, entry.target, 'initial'));
      for (const { entry } of ranked) {
        entry.target.outstanding--;
        this.outstanding--;
      }
    }, rule.windowMs ?? DEFAULT_REORDER_WINDOW_MS);
    this.reorders.set(key, { clock, timer, seed: rule.seed, items: [item] });
  }

  // ------------------------------------------------------------------------------ lanes

  private laneOf(event: EventState, target: TargetState): Lane {
    let lane = this.lanes.get(target.queueKey);
    if (!lane) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      lane = {
        key: target.queueKey,
        vendor: event.vendor,
        targetId: target.id,
        url: target.url,
        running: 0,
        waiting: [],
        backlog: 0,
        dropped: 0,
        slow: false,
        epoch: 0,
        released,
        release,
        breaker: 'closed',
        failures: 0,
        pausedAtMs: undefined,
        pauseReason: undefined,
        resumeAtMs: undefined,
        coolDownTimer: undefined,
      };
      this.lanes.set(target.queueKey, lane);
    }
    lane.url = target.url;
    return lane;
  }

  private health(lane: Lane): TargetHealth {
    return {
      vendor: lane.vendor,
      targetId: lane.targetId,
      url: lane.url,
      breaker: lane.breaker,
      consecutiveFailures: lane.failures,
      backlog: lane.backlog,
      dropped: lane.dropped,
      slow: lane.slow,
      ...(lane.pausedAtMs === undefined ? {} : { pausedAt: iso(lane.pausedAtMs) }),
      ...(lane.pauseReason === undefined ? {} : { pauseReason: lane.pauseReason }),
      ...(lane.resumeAtMs === undefined ? {} : { resumesAt: iso(lane.resumeAtMs) }),
    };
  }

  /**
   * The target answers too slowly to hold a run's clock: every attempt queued for it so far is
   * released (the run carries on), and later ones are not tracked until it answers promptly again.
   */
  private markSlow(lane: Lane): void {
    if (lane.slow) return;
    lane.slow = true;
    lane.epoch++;
    const release = lane.release;
    lane.released = new Promise<void>((resolve) => (lane.release = resolve));
    release();
    this.emit('target', this.health(lane));
  }

  private breakerSuccess(lane: Lane): void {
    lane.failures = 0;
    if (lane.breaker !== 'closed') this.closeBreaker(lane);
  }

  private breakerFailure(lane: Lane): void {
    if (!this.breaker) return;
    lane.failures++;
    if (lane.breaker === 'half-open')
      this.openBreaker(lane, 'the first attempt after the cool-down failed too');
    else if (lane.breaker === 'closed' && lane.failures >= this.breaker.failureThreshold)
      this.openBreaker(lane, `${lane.failures} failed attempts in a row`);
  }

  /**
   * Pauses the target: scheduled retries and queued attempts are dropped (recorded with the reason,
   * redeliverable in bulk), and new events for it are dropped until the cool-down ends or someone
   * resumes it. Attempts already in flight finish.
   */
  private openBreaker(lane: Lane, reason: string): void {
    const breaker = this.breaker!;
    lane.breaker = 'open';
    lane.pausedAtMs = this.detachedClock.now();
    lane.pauseReason = reason;
    lane.resumeAtMs = lane.pausedAtMs + breaker.coolDownMs;
    if (lane.coolDownTimer !== undefined) this.detachedClock.clearTimeout(lane.coolDownTimer);
    lane.coolDownTimer = this.detachedTimeout(() => {
      lane.coolDownTimer = undefined;
      if (lane.breaker !== 'open') return;
      lane.breaker = 'half-open';
      this.emit('target', this.health(lane));
    }, breaker.coolDownMs);
    const why = `circuit open: target paused (${reason}); ${this.resumeHint(lane)}`;
    for (const [target, event] of [...this.retrying]) {
      if (target.queueKey !== lane.key) continue;
      this.drop(target, lane, why);
      this.refresh(event);
    }
    const keep: Job[] = [];
    for (const job of lane.waiting) {
      if (!automatic(job.kind)) {
        keep.push(job);
        continue;
      }
      this.drop(job.target, lane, why);
      this.finishAttempt(job.event, job.target);
      job.resolve();
    }
    lane.waiting = keep;
    this.emit('target', this.health(lane));
  }

  private closeBreaker(lane: Lane): void {
    if (lane.coolDownTimer !== undefined) this.detachedClock.clearTimeout(lane.coolDownTimer);
    const changed = lane.breaker !== 'closed';
    lane.breaker = 'closed';
    lane.coolDownTimer = undefined;
    lane.pausedAtMs = undefined;
    lane.pauseReason = undefined;
    lane.resumeAtMs = undefined;
    if (changed) this.emit('target', this.health(lane));
  }

  private resumeHint(lane: Lane): string {
    return lane.resumeAtMs === undefined
      ? 'resume it by hand'
      : `resumes at ${iso(lane.resumeAtMs)} or by hand`;
  }

  /** A timer on the platform clock, run outside any scenario run's clock (but in its run context). */
  private detachedTimeout(fn: () => void, ms: number): TimerId {
    const scope = new AsyncResource('webhook-detached', { requireManualDestroy: true });
    const clock = this.clock;
    const base = this.detachedClock;
    return base.setTimeout(
      () => scope.runInAsyncScope(() => (clock instanceof ScopedClock ? clock.runWith(base, fn) : fn())),
      ms,
    );
  }

  // ------------------------------------------------------------------------------ attempts

  private async cancelAll(reason: string): Promise<void> {
    this.generation++;
    for (const [target, event] of [...this.retrying]) {
      this.cancelRetry(target);
      target.abandoned = true;
      this.refresh(event);
    }
    for (const [id, hold] of [...this.holds]) {
      this.holds.delete(id);
      hold.clock.clearTimeout(hold.timer);
      hold.target.outstanding--;
      this.outstanding--;
      hold.target.abandoned = true;
      this.refresh(hold.event);
    }
    for (const [key, buffer] of [...this.reorders]) {
      this.reorders.delete(key);
      buffer.clock.clearTimeout(buffer.timer);
      for (const { event, target } of buffer.items) {
        target.outstanding--;
        this.outstanding--;
        target.abandoned = true;
        this.refresh(event);
      }
    }
    for (const lane of this.lanes.values()) {
      if (lane.coolDownTimer !== undefined) this.detachedClock.clearTimeout(lane.coolDownTimer);
      lane.coolDownTimer = undefined;
    }
    for (const controller of this.inflight) controller.abort(new EngineAbort(reason));
    this.checkIdle();
    await this.idle();
  }

  /**
   * Queues one attempt on the target's lane. The attempt is bound to the caller's async context (so
   * under a ScopedClock it keeps the clock of the scenario run that caused it) and tracked on the
   * clock from now until it has finished, so a VirtualClock never jumps past work still queued —
   * unless the target is slow: then the run does not wait for it (see markSlow).
   */
  private enqueue(event: EventState, target: TargetState, kind: AttemptKind, chaos?: string): void {
    target.outstanding++;
    this.outstanding++;
    const lane = this.laneOf(event, target);
    // Captures the caller's async context (not AsyncResource.bind: that one costs a deprecation
    // wrapper per call, which shows in the benchmark).
    const scope = new AsyncResource('webhook-attempt', { requireManualDestroy: true });
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const job: Job = {
      event,
      target,
      kind,
      generation: this.generation,
      scope,
      tracked: !lane.slow,
      epoch: lane.epoch,
      chaos,
      resolve,
    };
    lane.waiting.push(job);
    if (job.tracked) void this.clock.track(Promise.race([done, lane.released]));
    this.pump(lane);
  }

  private pump(lane: Lane): void {
    while (lane.running < this.concurrency && lane.waiting.length > 0) {
      const job = lane.waiting.shift()!;
      lane.running++;
      // setImmediate, not a clock timer: the attempt must start promptly in real time whatever the
      // clock says, yet never inside the publisher's own call (an API request stays unaffected).
      setImmediate(() => {
        void job.scope
          .runInAsyncScope(() => this.attempt(job, lane))
          .finally(() => {
            job.resolve();
            lane.running--;
            this.pump(lane);
          });
      });
    }
  }

  private async attempt(job: Job, lane: Lane): Promise<void> {
    const { event, target, kind, generation } = job;
    if (generation !== this.generation) {
      // Queued before a stop/reset: never sent.
      target.abandoned = true;
      this.finishAttempt(event, target);
      return;
    }
    if (automatic(kind) && lane.breaker === 'open') {
      this.drop(
        target,
        lane,
        `circuit open: target paused (${lane.pauseReason ?? 'failing'}); ${this.resumeHint(lane)}`,
      );
      this.finishAttempt(event, target);
      return;
    }
    const profile = WEBHOOK_PROFILES[event.vendor];
    const number = ++target.attemptCount;
    const timeMs = this.clock.now();
    let signature = '';
    let headers: Record<string, string> | undefined;
    let buildError: string | undefined;
    try {
      headers = profile.headers({
        body: event.body,
        secret: target.secret,
        eventId: event.id,
        eventType: event.eventType,
        eventTimeMs: event.eventTimeMs,
        attemptTimeMs: timeMs,
        sendTimeMs: this.signingClock(),
      });
      signature = headers[profile.signatureHeader] ?? '';
    } catch (error) {
      buildError = `could not sign the request: ${errorMessage(error)}`;
    }

    if (headers && this.recorder) {
      try {
        this.recorder({
          eventId: event.id,
          vendor: event.vendor,
          eventType: event.eventType,
          targetId: target.id,
          targetKind: target.kind,
          url: target.url,
          attempt: number,
          kind,
          headers: { ...headers },
          body: event.body,
          time: new Date(timeMs).toISOString(),
          timeMs,
        });
      } catch (error) {
        this.emit('error', { message: `webhook recorder failed: ${errorMessage(error)}`, error });
      }
    }

    // Real time, like the request timeout: a target that takes longer stops holding the run's clock.
    const slowTimer = lane.slow ? undefined : setTimeout(() => this.markSlow(lane), this.slowAfterMs);
    const outcome = headers
      ? await this.send(target.url, headers, event.body, this.timeoutOverride ?? profile.timeoutMs)
      : { latencyMs: 0, error: buildError!, aborted: false };
    if (slowTimer !== undefined) clearTimeout(slowTimer);
    if (lane.slow && !outcome.aborted && outcome.latencyMs < this.slowAfterMs) {
      lane.slow = false; // it answers promptly again: its attempts hold the run's clock again
      this.emit('target', this.health(lane));
    }
    const detached = !job.tracked || job.epoch !== lane.epoch;

    let ok = outcome.statusCode !== undefined && profile.isSuccess(outcome.statusCode);
    let error = outcome.error;
    let chaos = job.chaos;
    if (ok && automatic(kind) && target.lostAcks > 0) {
      target.lostAcks--;
      ok = false;
      chaos = target.lostAckRule;
      error = `chaos rule ${chaos} (lost-ack): the receiver answered ${outcome.statusCode}, treated as a timeout`;
    }

    this.recordAttempt(target, {
      attempt: number,
      kind,
      time: new Date(timeMs).toISOString(),
      targetId: target.id,
      url: target.url,
      ok,
      ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
      ...(error === undefined ? {} : { error }),
      latencyMs: outcome.latencyMs,
      signature,
      ...(outcome.snippet ? { responseSnippet: outcome.snippet } : {}),
      ...(chaos === undefined ? {} : { chaos }),
      ...(detached ? { detached: true as const } : {}),
    });

    const live = !outcome.aborted && generation === this.generation;
    // Only the vendor's own schedule tells about the target's health; a lost ack was an answer.
    if (live && automatic(kind) && chaos === undefined) {
      if (ok) this.breakerSuccess(lane);
      else this.breakerFailure(lane);
    }
    if (kind === 'duplicate') {
      // A chaos copy changes nothing about the delivery itself.
    } else if (ok) {
      target.delivered = true;
      target.dropped = undefined;
      this.cancelRetry(target);
    } else if (!live) {
      target.abandoned = true;
    } else if (automatic(kind) && !target.delivered) {
      if (lane.breaker === 'open')
        this.drop(
          target,
          lane,
          `circuit open: target paused (${lane.pauseReason ?? 'failing'}); ${this.resumeHint(lane)}`,
        );
      else this.scheduleRetry(event, target, profile, detached);
    }
    this.finishAttempt(event, target, target.attempts[target.attempts.length - 1]);
  }

  private recordAttempt(target: TargetState, attempt: DeliveryAttempt): void {
    target.attempts.push(attempt);
    if (target.attempts.length > MAX_ATTEMPTS_PER_TARGET) {
      target.attempts.shift();
      target.droppedAttempts++;
    }
  }

  /**
   * The next retry of the vendor's schedule. A detached attempt's retry waits on the platform clock:
   * the run that caused it has moved on (or ended) without waiting for the target.
   */
  private scheduleRetry(
    event: EventState,
    target: TargetState,
    profile: WebhookProfile,
    detached: boolean,
  ): void {
    if (target.retryTimer !== undefined) return;
    const delay = profile.retryDelaysMs[target.retriesScheduled];
    if (delay === undefined) return; // schedule exhausted: the target is now failed
    target.retriesScheduled++;
    const clock = detached ? this.detachedClock : this.clock;
    target.nextAttemptAt = clock.now() + delay;
    this.outstanding++;
    this.retrying.set(target, event);
    const fire = () => {
      target.retryTimer = undefined;
      target.retryClock = undefined;
      target.nextAttemptAt = undefined;
      this.retrying.delete(target);
      this.enqueue(event, target, 'retry');
      this.outstanding--; // after enqueue, so idle() cannot slip in between
    };
    target.retryClock = detached ? this.detachedClock : this.clock;
    target.retryTimer = detached ? this.detachedTimeout(fire, delay) : this.clock.setTimeout(fire, delay);
  }

  private cancelRetry(target: TargetState): void {
    if (target.retryTimer === undefined) return;
    (target.retryClock ?? this.clock).clearTimeout(target.retryTimer);
    target.retryTimer = undefined;
    target.retryClock = undefined;
    target.nextAttemptAt = undefined;
    this.retrying.delete(target);
    this.outstanding--;
  }

  /** Bookkeeping after an attempt (or a cancelled one): status, log position, listeners, idle. */
  private finishAttempt(event: EventState, target: TargetState, attempt?: DeliveryAttempt): void {
    target.outstanding--;
    this.outstanding--;
    const after = this.refresh(event, false);
    if (attempt) {
      this.emit('attempt', {
        eventId: event.id,
        vendor: event.vendor,
        eventType: event.eventType,
        targetId: target.id,
        attempt: { ...attempt },
        targetStatus: targetStatus(target),
        eventStatus: after,
      });
    }
    this.announce(event, after);
    this.checkIdle();
  }

  /**
   * Re-files the event in the log after a change and keeps each target's backlog count true;
   * announces it settling unless told to wait.
   */
  private refresh(event: EventState, announce = true): DeliveryStatus {
    for (const target of event.targets) {
      const pending = targetStatus(target) === 'pending';
      if (pending === target.inBacklog) continue;
      target.inBacklog = pending;
      const lane = this.lanes.get(target.queueKey);
      if (lane) lane.backlog += pending ? 1 : -1;
    }
    this.store.update(event);
    const status = eventStatus(event);
    if (announce) this.announce(event, status);
    return status;
  }

  private announce(event: EventState, status: DeliveryStatus): void {
    const previous = event.announced;
    event.announced = status;
    if (previous === 'pending' && status !== 'pending') {
      this.emit('settled', { eventId: event.id, vendor: event.vendor, eventType: event.eventType, status });
    }
  }

  private checkIdle(): void {
    if (this.outstanding !== 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * One HTTP POST. The timeout is real time on purpose: it bounds a real socket. On a VirtualClock a
   * virtual timeout could never fire (the clock waits for this very request before moving), and on
   * the platform clock an "advance 1 h" must not abort requests that are merely in progress.
   */
  private async send(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<{ statusCode?: number; error?: string; snippet?: string; latencyMs: number; aborted: boolean }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    this.inflight.add(controller);
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 10) / 10;
    let statusCode: number | undefined;
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual', // webhook senders do not follow redirects; a 3xx is a failed attempt
        signal: controller.signal,
      });
      statusCode = response.status;
      const snippet = await readSnippet(response);
      return { statusCode, ...(snippet ? { snippet } : {}), latencyMs: latency(), aborted: false };
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      const stopped = reason instanceof EngineAbort;
      const described = timedOut
        ? `timeout: no complete answer within ${timeoutMs} ms`
        : stopped
          ? `aborted: ${reason.message}`
          : describeNetworkError(error);
      return {
        ...(statusCode === undefined ? {} : { statusCode }),
        error: described,
        latencyMs: latency(),
        aborted: stopped,
      };
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
  }

  private emit<K extends keyof DeliveryEngineEvents>(name: K, payload: DeliveryEngineEvents[K]): void {
    try {
      this.events.emit(name, payload);
    } catch (error) {
      if (name === 'error') return;
      try {
        this.events.emit('error', {
          message: `a '${String(name)}' listener threw: ${errorMessage(error)}`,
          error,
        });
      } catch {
        // an error listener that throws has nowhere left to report to
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------

function checkTargets(targets: readonly WebhookTarget[]): void {
  if (!Array.isArray(targets)) throw new TypeError('publish: targets must be an array');
  const seen = new Set<string>();
  for (const target of targets) {
    for (const key of ['id', 'url', 'secret'] as const) {
      if (typeof target?.[key] !== 'string' || target[key].length === 0) {
        throw new TypeError(`publish: every target needs a non-empty string ${key}`);
      }
    }
    if (seen.has(target.id)) throw new TypeError(`publish: target ${target.id} is listed twice`);
    seen.add(target.id);
  }
}

/** The body is serialised exactly once; every attempt sends (and signs) this same string. */
function serialise(body: object | string): { body: string; parsed: unknown } {
  if (typeof body === 'string') {
    try {
      return { body, parsed: JSON.parse(body) };
    } catch {
      throw new TypeError('publish: a string body must already be valid JSON');
    }
  }
  const text = JSON.stringify(body) as string | undefined;
  if (text === undefined) throw new TypeError('publish: the body is not JSON-serialisable');
  return { body: text, parsed: body };
}

function timeOf(value: number | string | Date, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new TypeError(`${name}: invalid time ${String(value)}`);
  return ms;
}

function eventTime(
  given: PublishInput['time'],
  parsed: unknown,
  profile: WebhookProfile,
  now: number,
): number {
  if (given !== undefined) {
    const ms =
      given instanceof Date ? given.getTime() : typeof given === 'number' ? given : Date.parse(given);
    if (!Number.isFinite(ms)) throw new TypeError(`publish: invalid event time ${String(given)}`);
    return ms;
  }
  if (parsed !== null && typeof parsed === 'object') {
    const field = (parsed as Record<string, unknown>)[profile.eventTimeField];
    if (typeof field === 'string') {
      const ms = Date.parse(field);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return now;
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (text.length < SNIPPET_CHARS) text += decoder.decode(value, { stream: true });
    if (bytes > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return text.slice(0, SNIPPET_CHARS);
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  UND_ERR_SOCKET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** fetch hides the socket error in `cause`; surface its code so the log says what happened. */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const label = NETWORK_ERRORS[code] ?? 'network error';
    return `${label} (${code}: ${errorMessage(cause)})`;
  }
  return `request failed: ${errorMessage(cause ?? error)}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
