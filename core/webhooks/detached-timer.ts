import { AsyncResource } from 'node:async_hooks';
import { ScopedClock, type Clock, type TimerId } from '../clock';

/**
 * Timers that wait on the platform clock even while a scenario run's clock is current: a slow
 * target's retries and the circuit breakers' cool-downs must not hold (or be held by) a run.
 */

/** The platform clock behind a ScopedClock (a plain clock is its own). */
export function platformClockOf(clock: Clock): Clock {
  return clock instanceof ScopedClock ? clock.base : clock;
}

/** A timer on the platform clock, run outside any scenario run's clock (but in its run context). */
export function detachedTimeout(clock: Clock, fn: () => void, ms: number): TimerId {
  const scope = new AsyncResource('webhook-detached', { requireManualDestroy: true });
  const base = platformClockOf(clock);
  return base.setTimeout(
    () => scope.runInAsyncScope(() => (clock instanceof ScopedClock ? clock.runWith(base, fn) : fn())),
    ms,
  );
}
