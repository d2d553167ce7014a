import { AsyncResource } from 'node:async_hooks';
import type { Clock } from '../clock';
import { Emitter } from '../emitter';
import type { ChaosRules, ChaosRule } from './chaos';
import { ChaosHolds } from './chaos-holds';
import {
  DEFAULT_DUPLICATE_DELAY_MS,
  DeliveryNotFoundError,
  TargetNotFoundError,
  type DeliveryEngine,
  type DeliveryEngineEvents,
  type DeliveryEngineOptions,
  type PublishInput,
  type RedeliverFailedQuery,
  type TargetHealth,
} from './engine-api';
import { engineSettings, type EngineSettings } from './engine-settings';
import { EngineAbort, errorMessage, sendWebhook } from './http-send';
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
import { PendingWork } from './pending-work';
import { WEBHOOK_PROFILES, type WebhookVendor } from './profiles';
import {
  checkSubject,
  checkTargets,
  eventTime,
  laneKey,
  newTargetState,
  serialise,
  timeOf,
} from './publish-input';
import { RetrySchedule } from './retry-schedule';
import { TargetLanes, type Job, type Lane } from './target-lanes';

export * from './engine-api';

/**
 * The webhook delivery engine: publish logs an event and queues one attempt per target; each
 * target's lane runs its attempts, the vendor's schedule retries them, chaos rules may hold, copy
 * or drop them, and a failing target's breaker pauses it. The parts live beside it: the public
 * contract (engine-api), lanes and breakers (target-lanes), retries (retry-schedule), chaos holds
 * (chaos-holds), the HTTP attempt (http-send) and the log (log, log-records).
 */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  return new WebhookDeliveryEngine(options);
}

const automatic = (kind: AttemptKind) => kind === 'initial' || kind === 'retry';
/** The event's subject for a listener's payload, when it has one. */
const about = (event: EventState) => (event.subject === undefined ? {} : { subject: event.subject });

class WebhookDeliveryEngine implements DeliveryEngine {
  readonly events = new Emitter<DeliveryEngineEvents>();
  readonly chaos: ChaosRules;
  private readonly store: DeliveryLog;
  private readonly clock: Clock;
  private readonly settings: EngineSettings;

  private seq = 0;
  private stopped = false;
  /** Bumped by stop/reset so queued attempts from before it turn into no-ops. */
  private generation = 0;
  /** Attempts queued or in flight, chaos holds, plus retries scheduled; idle when none. */
  private readonly work = new PendingWork();
  private readonly lanes: TargetLanes;
  private readonly retries: RetrySchedule;
  private readonly holds: ChaosHolds;
  private readonly inflight = new Set<AbortController>();

  constructor(options: DeliveryEngineOptions) {
    this.settings = engineSettings(options);
    this.clock = options.clock;
    this.store = new DeliveryLog(this.settings.logCapacity);
    this.chaos = this.settings.chaos;
    this.lanes = new TargetLanes({
      clock: this.clock,
      breaker: this.settings.breaker,
      changed: (health) => this.emit('target', health),
      opened: (lane, why) => this.dropWaiting(lane, why),
    });
    this.retries = new RetrySchedule(this.clock, this.work, (event, target) =>
      this.enqueue(event, target, 'retry'),
    );
    this.holds = new ChaosHolds(this.clock, this.work);
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
    const subject = checkSubject(input.subject);
    const { body, parsed } = serialise(input.body);
    if (input.targets.length === 0) return null;

    const id = input.id ?? this.settings.createId();
    if (this.store.has(id)) throw new Error(`publish: event id ${id} is already in the delivery log`);
    const now = this.clock.now();
    const event: EventState = {
      seq: ++this.seq,
      id,
      vendor: profile.vendor,
      eventType: input.eventType,
      subject,
      createdAtMs: now,
      eventTimeMs: eventTime(input.time, parsed, profile, now),
      body,
      targets: input.targets.map((target) => newTargetState(target, profile)),
      announced: 'pending',
    };
    this.store.add(event);
    this.emit('published', {
      eventId: id,
      vendor: event.vendor,
      eventType: event.eventType,
      ...about(event),
      targets: event.targets.length,
    });
    // Chaos rules match on the user: the publisher's word for it, else the body's own field.
    const user = this.chaos.size > 0 ? (subject ?? profile.userOf(parsed)) : undefined;
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
    return [...this.lanes.all()].map((lane) => this.lanes.health(lane));
  }

  resumeTarget(vendor: WebhookVendor, targetId: string): TargetHealth {
    const lane = this.lanes.get(laneKey(vendor, targetId));
    if (!lane) throw new TargetNotFoundError(vendor, targetId);
    this.lanes.resume(lane);
    return this.lanes.health(lane);
  }

  idle(): Promise<void> {
    return this.work.idle();
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
    const lane = this.lanes.of(event.vendor, target);
    if (lane.breaker === 'open') {
      this.drop(target, lane, this.lanes.pausedReason(lane));
      return;
    }
    if (lane.backlog >= this.settings.maxBacklog) {
      this.drop(
        target,
        lane,
        `backlog full: ${lane.backlog} deliveries already pending for this target (limit ${this.settings.maxBacklog})`,
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
    if (reorder)
      this.holds.holdForReorder(reorder, lane.key, event, target, (e, t) => this.enqueue(e, t, 'initial'));
    else if (delay)
      this.holds.hold(event, target, delay.delayMs ?? 0, () => this.enqueue(event, target, 'initial'));
    else this.enqueue(event, target, 'initial');
    const duplicate = rule('duplicate');
    if (duplicate) {
      const gap = duplicate.delayMs ?? DEFAULT_DUPLICATE_DELAY_MS;
      for (let copy = 1; copy <= (duplicate.times ?? 1); copy++)
        this.holds.hold(event, target, gap * copy, () =>
          this.enqueue(event, target, 'duplicate', duplicate.id),
        );
    }
  }

  private drop(target: TargetState, lane: Lane, reason: string): void {
    target.dropped = { reason, atMs: this.clock.now() };
    lane.dropped++;
    this.retries.cancel(target);
  }

  /** The target's breaker opened: its scheduled retries and queued automatic attempts are dropped. */
  private dropWaiting(lane: Lane, why: string): void {
    for (const [target, event] of this.retries.waiting()) {
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
  }

  // ------------------------------------------------------------------------------ attempts

  private async cancelAll(reason: string): Promise<void> {
    this.generation++;
    for (const [target, event] of this.retries.waiting()) {
      this.retries.cancel(target);
      target.abandoned = true;
      this.refresh(event);
    }
    this.holds.cancelAll((event, target) => {
      target.abandoned = true;
      this.refresh(event);
    });
    this.lanes.cancelCoolDowns();
    for (const controller of this.inflight) controller.abort(new EngineAbort(reason));
    this.work.wakeIfIdle();
    await this.idle();
  }

  /**
   * Queues one attempt on the target's lane. The attempt is bound to the caller's async context (so
   * under a ScopedClock it keeps the clock of the scenario run that caused it) and tracked on the
   * clock from now until it has finished, so a VirtualClock never jumps past work still queued —
   * unless the target is slow: then the run does not wait for it (see TargetLanes.markSlow).
   */
  private enqueue(event: EventState, target: TargetState, kind: AttemptKind, chaos?: string): void {
    target.outstanding++;
    this.work.start();
    const lane = this.lanes.of(event.vendor, target);
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
    while (lane.running < this.settings.concurrency && lane.waiting.length > 0) {
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
      this.drop(target, lane, this.lanes.pausedReason(lane));
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
        sendTimeMs: this.settings.signingClock(),
      });
      signature = headers[profile.signatureHeader] ?? '';
    } catch (error) {
      buildError = `could not sign the request: ${errorMessage(error)}`;
    }
    if (headers) this.record(event, target, number, kind, headers, timeMs);

    // Real time, like the request timeout: a target that takes longer stops holding the run's clock.
    const slowTimer = lane.slow
      ? undefined
      : setTimeout(() => this.lanes.markSlow(lane), this.settings.slowAfterMs);
    const outcome = headers
      ? await sendWebhook({
          fetch: this.settings.fetch,
          url: target.url,
          headers,
          body: event.body,
          timeoutMs: this.settings.timeoutOverride ?? profile.timeoutMs,
          inflight: this.inflight,
        })
      : { latencyMs: 0, error: buildError!, aborted: false };
    if (slowTimer !== undefined) clearTimeout(slowTimer);
    if (lane.slow && !outcome.aborted && outcome.latencyMs < this.settings.slowAfterMs)
      this.lanes.markPrompt(lane);
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
      if (ok) this.lanes.breakerSuccess(lane);
      else this.lanes.breakerFailure(lane);
    }
    if (kind === 'duplicate') {
      // A chaos copy changes nothing about the delivery itself.
    } else if (ok) {
      target.delivered = true;
      target.dropped = undefined;
      this.retries.cancel(target);
    } else if (!live) {
      target.abandoned = true;
    } else if (automatic(kind) && !target.delivered) {
      if (lane.breaker === 'open') this.drop(target, lane, this.lanes.pausedReason(lane));
      else this.retries.schedule(event, target, profile, detached);
    }
    this.finishAttempt(event, target, target.attempts[target.attempts.length - 1]);
  }

  /** Hands the exact request to the recorder sink, if any; a recorder that throws stops nothing. */
  private record(
    event: EventState,
    target: TargetState,
    attempt: number,
    kind: AttemptKind,
    headers: Record<string, string>,
    timeMs: number,
  ): void {
    if (!this.settings.recorder) return;
    try {
      this.settings.recorder({
        eventId: event.id,
        vendor: event.vendor,
        eventType: event.eventType,
        targetId: target.id,
        targetKind: target.kind,
        url: target.url,
        attempt,
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

  private recordAttempt(target: TargetState, attempt: DeliveryAttempt): void {
    target.attempts.push(attempt);
    if (target.attempts.length > MAX_ATTEMPTS_PER_TARGET) {
      target.attempts.shift();
      target.droppedAttempts++;
    }
  }

  /** Bookkeeping after an attempt (or a cancelled one): status, log position, listeners, idle. */
  private finishAttempt(event: EventState, target: TargetState, attempt?: DeliveryAttempt): void {
    target.outstanding--;
    this.work.end();
    const after = this.refresh(event, false);
    if (attempt) {
      this.emit('attempt', {
        eventId: event.id,
        vendor: event.vendor,
        eventType: event.eventType,
        ...about(event),
        targetId: target.id,
        attempt: { ...attempt },
        targetStatus: targetStatus(target),
        eventStatus: after,
      });
    }
    this.announce(event, after);
    this.work.wakeIfIdle();
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
      this.emit('settled', {
        eventId: event.id,
        vendor: event.vendor,
        eventType: event.eventType,
        ...about(event),
        status,
      });
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
