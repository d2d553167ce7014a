import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import { Emitter } from '../emitter';
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
  /** An event stopped being pending: every target delivered, or at least one gave up. */
  settled: {
    eventId: string;
    vendor: WebhookVendor;
    eventType: string;
    status: Exclude<DeliveryStatus, 'pending'>;
  };
  /** A listener or the recorder threw; delivery carried on. */
  error: { message: string; error: unknown };
};

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
}

export interface DeliveryEngine {
  /**
   * Serialises the body once, logs the event and queues one attempt per target. Returns the event id
   * at once (delivery happens later, off the caller's path), or null when there is no target.
   */
  publish(input: PublishInput): string | null;
  /** Sends a logged event again, re-signed as the vendor would: one attempt per (chosen) target. */
  redeliver(id: string, options?: { targetId?: string }): DeliveryEventRecord;
  readonly log: DeliveryLogView;
  readonly events: Emitter<DeliveryEngineEvents>;
  /** Resolves once nothing is queued, in flight, or waiting for a retry. Does not move a VirtualClock. */
  idle(): Promise<void>;
  /** Cancels retries and aborts attempts in flight (recorded as aborted); publish then throws. */
  stop(): Promise<void>;
  /** Like stop, then empties the log; the engine stays usable. */
  reset(): Promise<void>;
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

export const DEFAULT_CONCURRENCY_PER_TARGET = 4;
export const DEFAULT_LOG_CAPACITY = 1000;

const SNIPPET_CHARS = 256;
/** Reading more of an answer than this is pointless; the connection is dropped instead. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  return new WebhookDeliveryEngine(options);
}

interface TargetQueue {
  running: number;
  waiting: (() => Promise<void>)[];
}

/** Why an in-flight attempt was cut short by the engine itself. */
class EngineAbort extends Error {}

class WebhookDeliveryEngine implements DeliveryEngine {
  readonly events = new Emitter<DeliveryEngineEvents>();
  private readonly store: DeliveryLog;
  private readonly clock: Clock;
  private readonly concurrency: number;
  private readonly timeoutOverride: number | undefined;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly createId: () => string;
  private readonly recorder: ((recording: DeliveryRecording) => void) | undefined;

  private seq = 0;
  private stopped = false;
  /** Bumped by stop/reset so queued attempts from before it turn into no-ops. */
  private generation = 0;
  /** Attempts queued or in flight plus retries scheduled; idle when 0. */
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private queues = new Map<string, TargetQueue>();
  private retrying = new Map<TargetState, EventState>();
  private inflight = new Set<AbortController>();

  constructor(options: DeliveryEngineOptions) {
    this.clock = options.clock;
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
        nextAttemptAt: undefined,
        outstanding: 0,
        delivered: false,
        abandoned: false,
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
    for (const target of event.targets) this.enqueue(event, target, 'initial');
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
    for (const target of targets) {
      target.abandoned = false;
      this.enqueue(event, target, 'redelivery');
    }
    this.refresh(event);
    return snapshotEvent(event);
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
  }

  // -------------------------------------------------------------------------------------------------

  private async cancelAll(reason: string): Promise<void> {
    this.generation++;
    for (const [target, event] of [...this.retrying]) {
      this.cancelRetry(target);
      target.abandoned = true;
      this.refresh(event);
    }
    for (const controller of this.inflight) controller.abort(new EngineAbort(reason));
    this.checkIdle();
    await this.idle();
  }

  /**
   * Queues one attempt on the target's queue. The attempt is bound to the caller's async context (so
   * under a ScopedClock it keeps the clock of the scenario run that caused it) and tracked on the
   * clock from now until it has finished, so a VirtualClock never jumps past work still queued.
   */
  private enqueue(event: EventState, target: TargetState, kind: AttemptKind): void {
    target.outstanding++;
    this.outstanding++;
    const generation = this.generation;
    // Captures the caller's async context (not AsyncResource.bind: that one costs a deprecation
    // wrapper per call, which shows in the benchmark).
    const scope = new AsyncResource('webhook-attempt', { requireManualDestroy: true });
    const run = () => scope.runInAsyncScope(() => this.attempt(event, target, kind, generation));
    let queue = this.queues.get(target.queueKey);
    if (!queue) {
      queue = { running: 0, waiting: [] };
      this.queues.set(target.queueKey, queue);
    }
    const done = new Promise<void>((resolve) => queue.waiting.push(() => run().finally(resolve)));
    void this.clock.track(done);
    this.pump(target.queueKey, queue);
  }

  private pump(key: string, queue: TargetQueue): void {
    while (queue.running < this.concurrency && queue.waiting.length > 0) {
      const job = queue.waiting.shift()!;
      queue.running++;
      // setImmediate, not a clock timer: the attempt must start promptly in real time whatever the
      // clock says, yet never inside the publisher's own call (an API request stays unaffected).
      setImmediate(() => {
        void job().finally(() => {
          queue.running--;
          this.pump(key, queue);
        });
      });
    }
    if (queue.running === 0 && queue.waiting.length === 0) this.queues.delete(key);
  }

  private async attempt(
    event: EventState,
    target: TargetState,
    kind: AttemptKind,
    generation: number,
  ): Promise<void> {
    if (generation !== this.generation) {
      // Queued before a stop/reset: never sent.
      target.abandoned = true;
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

    const outcome = headers
      ? await this.send(target.url, headers, event.body, this.timeoutOverride ?? profile.timeoutMs)
      : { latencyMs: 0, error: buildError!, aborted: false };
    const ok = outcome.statusCode !== undefined && profile.isSuccess(outcome.statusCode);

    this.recordAttempt(target, {
      attempt: number,
      kind,
      time: new Date(timeMs).toISOString(),
      targetId: target.id,
      url: target.url,
      ok,
      ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
      latencyMs: outcome.latencyMs,
      signature,
      ...(outcome.snippet ? { responseSnippet: outcome.snippet } : {}),
    });

    if (ok) {
      target.delivered = true;
      this.cancelRetry(target);
    } else if (outcome.aborted || generation !== this.generation) {
      target.abandoned = true;
    } else if (kind !== 'redelivery' && !target.delivered) {
      this.scheduleRetry(event, target, profile);
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

  private scheduleRetry(event: EventState, target: TargetState, profile: WebhookProfile): void {
    if (target.retryTimer !== undefined) return;
    const delay = profile.retryDelaysMs[target.retriesScheduled];
    if (delay === undefined) return; // schedule exhausted: the target is now failed
    target.retriesScheduled++;
    target.nextAttemptAt = this.clock.now() + delay;
    this.outstanding++;
    this.retrying.set(target, event);
    target.retryTimer = this.clock.setTimeout(() => {
      target.retryTimer = undefined;
      target.nextAttemptAt = undefined;
      this.retrying.delete(target);
      this.enqueue(event, target, 'retry');
      this.outstanding--; // after enqueue, so idle() cannot slip in between
    }, delay);
  }

  private cancelRetry(target: TargetState): void {
    if (target.retryTimer === undefined) return;
    this.clock.clearTimeout(target.retryTimer);
    target.retryTimer = undefined;
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

  /** Re-files the event in the log after a change; announces it settling unless told to wait. */
  private refresh(event: EventState, announce = true): DeliveryStatus {
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
