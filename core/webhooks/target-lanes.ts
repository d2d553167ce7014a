import type { AsyncResource } from 'node:async_hooks';
import type { Clock, TimerId } from '../clock';
import { detachedTimeout, platformClockOf } from './detached-timer';
import type { BreakerState, CircuitBreakerOptions, TargetHealth } from './engine-api';
import type { AttemptKind, EventState, TargetState } from './log';
import type { WebhookVendor } from './profiles';

/** One attempt waiting for (or holding) a slot in its target's lane. */
export interface Job {
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
export interface Lane {
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

export interface TargetLanesOptions {
  /** The engine's clock; cool-downs wait on the platform clock behind it. */
  clock: Clock;
  /** Undefined when the circuit breaker is off. */
  breaker: Required<CircuitBreakerOptions> | undefined;
  /** A lane's health changed (slow, breaker): the engine's `target` event. */
  changed: (health: TargetHealth) => void;
  /**
   * The breaker just opened: drop what waits for the target (scheduled retries, queued automatic
   * attempts) with `why` as the reason. Runs before `changed` reports the open breaker.
   */
  opened: (lane: Lane, why: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Every target's lane: created on first use, forgotten on reset; slowness and circuit breaker. */
export class TargetLanes {
  private readonly lanes = new Map<string, Lane>();
  private readonly platformClock: Clock;

  constructor(private readonly options: TargetLanesOptions) {
    this.platformClock = platformClockOf(options.clock);
  }

  /** The target's lane, created on first use; follows the target's current URL. */
  of(vendor: WebhookVendor, target: TargetState): Lane {
    let lane = this.lanes.get(target.queueKey);
    if (!lane) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      lane = {
        key: target.queueKey,
        vendor,
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

  get(key: string): Lane | undefined {
    return this.lanes.get(key);
  }

  all(): IterableIterator<Lane> {
    return this.lanes.values();
  }

  clear(): void {
    this.lanes.clear();
  }

  health(lane: Lane): TargetHealth {
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
  markSlow(lane: Lane): void {
    if (lane.slow) return;
    lane.slow = true;
    lane.epoch++;
    const release = lane.release;
    lane.released = new Promise<void>((resolve) => (lane.release = resolve));
    release();
    this.options.changed(this.health(lane));
  }

  /** It answers promptly again: its attempts hold the run's clock again. */
  markPrompt(lane: Lane): void {
    lane.slow = false;
    this.options.changed(this.health(lane));
  }

  breakerSuccess(lane: Lane): void {
    lane.failures = 0;
    if (lane.breaker !== 'closed') this.closeBreaker(lane);
  }

  breakerFailure(lane: Lane): void {
    if (!this.options.breaker) return;
    lane.failures++;
    if (lane.breaker === 'half-open')
      this.openBreaker(lane, 'the first attempt after the cool-down failed too');
    else if (lane.breaker === 'closed' && lane.failures >= this.options.breaker.failureThreshold)
      this.openBreaker(lane, `${lane.failures} failed attempts in a row`);
  }

  /** Closes the breaker by hand and forgets the failures. */
  resume(lane: Lane): void {
    lane.failures = 0;
    this.closeBreaker(lane);
  }

  /** The drop reason of a delivery refused because the target is paused. */
  pausedReason(lane: Lane): string {
    const hint =
      lane.resumeAtMs === undefined ? 'resume it by hand' : `resumes at ${iso(lane.resumeAtMs)} or by hand`;
    return `circuit open: target paused (${lane.pauseReason ?? 'failing'}); ${hint}`;
  }

  /** Stops every cool-down timer (stop, reset); the breakers keep their state. */
  cancelCoolDowns(): void {
    for (const lane of this.lanes.values()) {
      if (lane.coolDownTimer !== undefined) this.platformClock.clearTimeout(lane.coolDownTimer);
      lane.coolDownTimer = undefined;
    }
  }

  /**
   * Pauses the target: scheduled retries and queued attempts are dropped (recorded with the reason,
   * redeliverable in bulk), and new events for it are dropped until the cool-down ends or someone
   * resumes it. Attempts already in flight finish.
   */
  private openBreaker(lane: Lane, reason: string): void {
    const breaker = this.options.breaker!;
    lane.breaker = 'open';
    lane.pausedAtMs = this.platformClock.now();
    lane.pauseReason = reason;
    lane.resumeAtMs = lane.pausedAtMs + breaker.coolDownMs;
    if (lane.coolDownTimer !== undefined) this.platformClock.clearTimeout(lane.coolDownTimer);
    lane.coolDownTimer = detachedTimeout(
      this.options.clock,
      () => {
        lane.coolDownTimer = undefined;
        if (lane.breaker !== 'open') return;
        lane.breaker = 'half-open';
        this.options.changed(this.health(lane));
      },
      breaker.coolDownMs,
    );
    this.options.opened(lane, this.pausedReason(lane));
    this.options.changed(this.health(lane));
  }

  private closeBreaker(lane: Lane): void {
    if (lane.coolDownTimer !== undefined) this.platformClock.clearTimeout(lane.coolDownTimer);
    const changed = lane.breaker !== 'closed';
    lane.breaker = 'closed';
    lane.coolDownTimer = undefined;
    lane.pausedAtMs = undefined;
    lane.pauseReason = undefined;
    lane.resumeAtMs = undefined;
    if (changed) this.options.changed(this.health(lane));
  }
}
