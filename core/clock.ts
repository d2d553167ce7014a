import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Time is passed in. Domain code never calls Date.now() or setTimeout directly; it asks a Clock.
 * That is what lets a 30-day scenario or a 3-day webhook retry schedule play out in milliseconds,
 * deterministically, on a VirtualClock.
 */
export type TimerId = number;

export interface Clock {
  /** Milliseconds since the Unix epoch, on this clock's timeline. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  sleep(ms: number): Promise<void>;
  /**
   * Registers real work (an HTTP delivery, a database write) that this clock's timeline depends on.
   * A VirtualClock will not jump ahead while tracked work is still running, so retries scheduled
   * by that work land at the right virtual time. Real clocks just pass the promise through.
   */
  track<T>(work: Promise<T>): Promise<T>;
}

export const isoAt = (clock: Clock): string => new Date(clock.now()).toISOString();

interface Timer {
  id: TimerId;
  at: number;
  seq: number;
  callback: () => void;
}

/** Min-heap of timers ordered by due time, then by creation order (so equal times stay FIFO). */
class TimerQueue {
  private heap: Timer[] = [];
  private cancelled = new Set<TimerId>();
  private seq = 0;
  private nextId = 1;

  add(at: number, callback: () => void): TimerId {
    const timer: Timer = { id: this.nextId++, at, seq: this.seq++, callback };
    this.heap.push(timer);
    this.up(this.heap.length - 1);
    return timer.id;
  }

  cancel(id: TimerId): void {
    this.cancelled.add(id);
  }

  /** The earliest live timer, without removing it. */
  peek(): Timer | undefined {
    this.dropCancelledHead();
    return this.heap[0];
  }

  pop(): Timer | undefined {
    this.dropCancelledHead();
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  get size(): number {
    return this.heap.length - this.cancelled.size;
  }

  clear(): void {
    this.heap = [];
    this.cancelled.clear();
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.cancelled.has(this.heap[0]!.id)) {
      const id = this.heap[0]!.id;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
      this.cancelled.delete(id);
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < h.length && this.less(h[l]!, h[smallest]!)) smallest = l;
      if (r < h.length && this.less(h[r]!, h[smallest]!)) smallest = r;
      if (smallest === i) return;
      [h[i], h[smallest]] = [h[smallest]!, h[i]!];
      i = smallest;
    }
  }
}

/** Wall-clock time. */
export class RealClock implements Clock {
  private handles = new Map<TimerId, NodeJS.Timeout>();
  private nextId = 1;

  now(): number {
    return Date.now();
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.handles.delete(id);
      callback();
    }, Math.max(0, ms));
    this.handles.set(id, handle);
    return id;
  }

  clearTimeout(id: TimerId): void {
    const handle = this.handles.get(id);
    if (handle) clearTimeout(handle);
    this.handles.delete(id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock that only moves when told to. `advance(ms)` fires every timer due within the window in
 * order, letting each callback's follow-up work (tracked promises, microtasks) finish before the
 * next timer fires; `runUntilIdle()` does the same until nothing is scheduled.
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers = new TimerQueue();
  private inflight = new Set<Promise<unknown>>();

  constructor(start: number | Date | string = 0) {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(this.current)) throw new Error(`VirtualClock: invalid start time ${String(start)}`);
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    return this.timers.add(this.current + Math.max(0, ms), callback);
  }

  clearTimeout(id: TimerId): void {
    this.timers.cancel(id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const forget = () => this.inflight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Number of timers still scheduled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Time of the next scheduled timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Waits until no tracked work is running and the microtask queue has drained. */
  async settle(): Promise<void> {
    for (;;) {
      await nextMacrotask();
      if (this.inflight.size === 0) {
        await nextMacrotask();
        if (this.inflight.size === 0) return;
      }
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `target` (never backwards), firing every timer due on the way. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await this.settle();
      const next = this.timers.peek();
      if (!next || next.at > target) break;
      this.timers.pop();
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
    this.current = Math.max(this.current, target);
    await this.settle();
  }

  /**
   * Fires timers until none are left, jumping straight to each one's due time. `horizonMs` bounds
   * how far ahead it may go, so a timer that keeps rescheduling itself cannot spin forever.
   */
  async runUntilIdle(horizonMs = 400 * 24 * 3600 * 1000): Promise<void> {
    const limit = this.current + horizonMs;
    for (;;) {
      await this.settle();
      const next = this.timers.peek();
      if (!next || next.at > limit) return;
      this.timers.pop();
      this.current = Math.max(this.current, next.at);
      next.callback();
    }
  }

  /** Drops every scheduled timer. */
  reset(to?: number): void {
    this.timers.clear();
    if (to !== undefined) this.current = to;
  }
}

/**
 * The platform's clock when it runs as a server: wall-clock time that can be pushed ahead.
 * `advance(ms)` moves "now" forward and fires every timer that became due, so a developer can skip
 * a 30 s Atomic retry or a 24 h Atelio one from the control plane without waiting.
 */
export class PlatformClock implements Clock {
  private offset = 0;
  private timers = new TimerQueue();
  private wakeup: NodeJS.Timeout | undefined;

  constructor(private readonly wall: () => number = Date.now) {}

  now(): number {
    return this.wall() + this.offset;
  }

  get offsetMs(): number {
    return this.offset;
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const id = this.timers.add(this.now() + Math.max(0, ms), callback);
    this.schedule();
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.timers.cancel(id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  track<T>(work: Promise<T>): Promise<T> {
    return work;
  }

  /**
   * Moves "now" forward by `ms`, firing every timer due on the way with "now" at its own instant
   * (as `VirtualClock` does), so work a timer schedules lands in its place among the window's
   * other timers: a settlement due after a refresh in the window sees that refresh done.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`PlatformClock.advance: ms must be >= 0, got ${ms}`);
    const offsetAfter = this.offset + ms;
    this.fireUpTo(this.now() + ms);
    this.offset = Math.max(this.offset, offsetAfter);
    this.schedule();
  }

  /** Stops the wake-up timer so the process can exit; scheduled callbacks are dropped. */
  stop(): void {
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    this.timers.clear();
  }

  private fireDue(): void {
    this.fireUpTo(this.now());
    this.schedule();
  }

  /** Fires every timer due by `target` in order, "now" moved up to each one's instant (never back). */
  private fireUpTo(target: number): void {
    for (;;) {
      const next = this.timers.peek();
      if (!next || next.at > target) break;
      this.timers.pop();
      this.offset = Math.max(this.offset, next.at - this.wall());
      next.callback();
    }
  }

  private schedule(): void {
    if (this.wakeup) clearTimeout(this.wakeup);
    this.wakeup = undefined;
    const next = this.timers.peek();
    if (!next) return;
    // Node caps timers at ~24.8 days; wake up at least that often and re-check.
    const delay = Math.min(Math.max(0, next.at - this.now()), 2 ** 31 - 1);
    this.wakeup = setTimeout(() => this.fireDue(), delay);
  }
}

/**
 * A clock that delegates to whichever clock is in scope. Scenario runs execute inside
 * `runWith(runClock, …)`, so every timestamp and retry they cause lands on the run's own virtual
 * timeline while other runs and ordinary API traffic keep using the base clock.
 */
export class ScopedClock implements Clock {
  private readonly scope = new AsyncLocalStorage<Clock>();

  constructor(readonly base: Clock) {}

  current(): Clock {
    return this.scope.getStore() ?? this.base;
  }

  runWith<T>(clock: Clock, fn: () => T): T {
    return this.scope.run(clock, fn);
  }

  now(): number {
    return this.current().now();
  }

  setTimeout(callback: () => void, ms: number): TimerId {
    const clock = this.current();
    // Timer ids are only meaningful to the clock that issued them; remember which one that was.
    const scopedId = this.nextId++;
    // The callback runs in the scope it was scheduled from, so a retry fired by a run's virtual
    // clock still sees that run's clock.
    const id = clock.setTimeout(() => {
      this.owners.delete(scopedId);
      this.scope.run(clock, callback);
    }, ms);
    this.owners.set(scopedId, { clock, id });
    return scopedId;
  }

  clearTimeout(scopedId: TimerId): void {
    const owner = this.owners.get(scopedId);
    if (!owner) return;
    owner.clock.clearTimeout(owner.id);
    this.owners.delete(scopedId);
  }

  sleep(ms: number): Promise<void> {
    return this.current().sleep(ms);
  }

  track<T>(work: Promise<T>): Promise<T> {
    return this.current().track(work);
  }

  private nextId = 1;
  private owners = new Map<TimerId, { clock: Clock; id: TimerId }>();
}
