import { AsyncResource } from 'node:async_hooks';
import type { Clock, TimerId } from '../clock';
import { DEFAULT_REORDER_WINDOW_MS, draw, type ChaosRule } from './chaos';
import type { EventState, TargetState } from './log';
import type { PendingWork } from './pending-work';

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

/**
 * Deliveries that `delay`, `duplicate` and `reorder` chaos rules hold back. Each hold counts as
 * pending work (and keeps its target pending) until it hands the delivery on to be queued.
 */
export class ChaosHolds {
  private readonly holds = new Map<number, Hold>();
  private nextHold = 1;
  private readonly reorders = new Map<string, ReorderBuffer>();

  constructor(
    private readonly clock: Clock,
    private readonly work: PendingWork,
  ) {}

  /** Runs `fn` after `ms` on the caller's clock (a run's virtual clock in a run), counted as pending. */
  hold(event: EventState, target: TargetState, ms: number, fn: () => void): void {
    target.outstanding++;
    this.work.start();
    const id = this.nextHold++;
    const clock = this.clock;
    const timer = clock.setTimeout(() => {
      this.holds.delete(id);
      fn(); // queues the attempt before the hold stops counting, so idle() cannot slip in between
      target.outstanding--;
      this.work.end();
    }, ms);
    this.holds.set(id, { clock, timer, event, target });
  }

  /**
   * Holds the delivery until the rule's window for this target (`laneKey`) closes, then hands every
   * held one to `release` out of order, each in the async context it was held in.
   */
  holdForReorder(
    rule: ChaosRule,
    laneKey: string,
    event: EventState,
    target: TargetState,
    release: (event: EventState, target: TargetState) => void,
  ): void {
    target.outstanding++;
    this.work.start();
    const key = `${rule.id}\u0000${laneKey}`;
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
      for (const { entry } of ranked) entry.scope.runInAsyncScope(() => release(entry.event, entry.target));
      for (const { entry } of ranked) {
        entry.target.outstanding--;
        this.work.end();
      }
    }, rule.windowMs ?? DEFAULT_REORDER_WINDOW_MS);
    this.reorders.set(key, { clock, timer, seed: rule.seed, items: [item] });
  }

  /** Cancels every hold (stop, reset); `abandon` is told of each delivery that was held. */
  cancelAll(abandon: (event: EventState, target: TargetState) => void): void {
    for (const [id, hold] of [...this.holds]) {
      this.holds.delete(id);
      hold.clock.clearTimeout(hold.timer);
      hold.target.outstanding--;
      this.work.end();
      abandon(hold.event, hold.target);
    }
    for (const [key, buffer] of [...this.reorders]) {
      this.reorders.delete(key);
      buffer.clock.clearTimeout(buffer.timer);
      for (const { event, target } of buffer.items) {
        target.outstanding--;
        this.work.end();
        abandon(event, target);
      }
    }
  }
}
