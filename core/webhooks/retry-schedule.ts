import type { Clock } from '../clock';
import { detachedTimeout, platformClockOf } from './detached-timer';
import type { EventState, TargetState } from './log';
import type { PendingWork } from './pending-work';
import type { WebhookProfile } from './profiles';

/** Each delivery's next automatic retry on the vendor's schedule, and the ones still waiting. */
export class RetrySchedule {
  private readonly retrying = new Map<TargetState, EventState>();

  constructor(
    private readonly clock: Clock,
    private readonly work: PendingWork,
    /** Queues the retry attempt when its time comes. */
    private readonly fire: (event: EventState, target: TargetState) => void,
  ) {}

  /**
   * The next retry of the vendor's schedule. A detached attempt's retry waits on the platform clock:
   * the run that caused it has moved on (or ended) without waiting for the target.
   */
  schedule(event: EventState, target: TargetState, profile: WebhookProfile, detached: boolean): void {
    if (target.retryTimer !== undefined) return;
    const delay = profile.retryDelaysMs[target.retriesScheduled];
    if (delay === undefined) return; // schedule exhausted: the target is now failed
    target.retriesScheduled++;
    const clock = detached ? platformClockOf(this.clock) : this.clock;
    target.nextAttemptAt = clock.now() + delay;
    this.work.start();
    this.retrying.set(target, event);
    const fire = () => {
      target.retryTimer = undefined;
      target.retryClock = undefined;
      target.nextAttemptAt = undefined;
      this.retrying.delete(target);
      this.fire(event, target);
      this.work.end(); // after queueing the attempt, so idle() cannot slip in between
    };
    target.retryClock = clock;
    target.retryTimer = detached
      ? detachedTimeout(this.clock, fire, delay)
      : this.clock.setTimeout(fire, delay);
  }

  cancel(target: TargetState): void {
    if (target.retryTimer === undefined) return;
    (target.retryClock ?? this.clock).clearTimeout(target.retryTimer);
    target.retryTimer = undefined;
    target.retryClock = undefined;
    target.nextAttemptAt = undefined;
    this.retrying.delete(target);
    this.work.end();
  }

  /** The deliveries waiting for a retry (a copy: cancelling while iterating is safe). */
  waiting(): [TargetState, EventState][] {
    return [...this.retrying];
  }
}
