/**
 * Drains the persisted inbox: one event at a time, oldest first. A retryable failure (vendor down,
 * 429, 5xx, timeout) leaves the event in the inbox as `retrying` and schedules another attempt after
 * a back-off taken from a table (or the vendor's Retry-After, if longer). Nothing accepted is ever
 * dropped: retryable events retry forever at the table's last delay; events that can never succeed
 * (unknown id, unreadable body) are kept as `failed` with the reason and can be re-queued.
 *
 * Retry timers live in memory; after a restart every `retrying` event is simply due again.
 */
import { ZodError } from 'zod';
import { VendorApiError } from './clients/http';
import type { StitcherLogger } from './log';
import { PermanentEventError } from './processor';
import type { HandlerResult } from './processor';
import type { InboxEvent, StitchScope, StitcherStore } from './store';

/** The timer half of a clock; a platform Clock (or a test's manual scheduler) fits. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // Retry timers must not keep a process alive on their own; the HTTP server does that.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Delay before attempt n+1 after n failures; the last entry repeats. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  1_000, 5_000, 15_000, 60_000, 300_000, 900_000, 3_600_000,
];

export interface InboxWorkerDeps {
  store: StitcherStore;
  handle: (event: InboxEvent) => Promise<HandlerResult>;
  /** Called after each batch for every user whose data changed, with what changed. */
  restitch: (scope: StitchScope) => void;
  timers: Timers;
  now: () => number;
  log: StitcherLogger;
  retryDelaysMs?: readonly number[] | undefined;
  batchSize?: number | undefined;
  /** How long processed events are kept (ms); undefined keeps them forever. */
  inboxRetentionMs?: number | undefined;
}

export function retryDelayFor(
  failures: number,
  table: readonly number[],
  retryAfterMs: number | null,
): number {
  const base = table[Math.min(Math.max(failures, 1), table.length) - 1] ?? 1_000;
  return Math.max(base, retryAfterMs ?? 0);
}

export class InboxWorker {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly retryTimers = new Map<number, unknown>();
  private idleWaiters: Array<() => void> = [];
  private readonly delays: readonly number[];
  private readonly batchSize: number;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: InboxWorkerDeps) {
    this.delays =
      deps.retryDelaysMs && deps.retryDelaysMs.length > 0 ? deps.retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
    this.batchSize = deps.batchSize ?? 50;
  }

  /** Resumes whatever the last run left: waiting retries are due now, pending events are processed. */
  start(): void {
    const released = this.deps.store.releaseAllRetrying();
    if (released > 0)
      this.deps.log('info', 'resuming events that were waiting for a retry', { count: released });
    this.kick();
  }

  /** Something new is in the inbox: process it soon (never inline, so the webhook answer goes out first). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .catch((error: unknown) => this.deps.log('error', 'inbox worker crashed', { error: String(error) }))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) this.kick();
        else this.settle();
      });
  }

  /** Resolves once every accepted event is processed or failed for good (retries included). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking work; an event being processed finishes first. Pending events stay in the inbox. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.retryTimers.values()) this.deps.timers.clearTimeout(handle);
    this.retryTimers.clear();
    await this.running;
    this.settle();
  }

  private isIdle(): boolean {
    if (this.running) return false;
    if (this.stopped) return true;
    return this.retryTimers.size === 0 && this.deps.store.unsettledCount() === 0;
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      for (;;) {
        if (this.stopped) return;
        const batch = this.deps.store.dueEvents(this.batchSize);
        if (batch.length === 0) break;
        for (const event of batch) {
          if (this.stopped) return;
          await this.process(event);
        }
        await this.restitchChangedUsers();
      }
      await this.restitchChangedUsers();
    } while (this.again && !this.stopped);
  }

  private async restitchChangedUsers(): Promise<void> {
    for (const scope of this.deps.store.usersNeedingStitch()) {
      // One user at a time, letting the event loop in between: a backlog of re-stitches never holds
      // up the webhook receivers (or anything else sharing the process) for longer than one user.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      try {
        this.deps.restitch(scope);
      } catch (error) {
        // Stitching is derived data: log and move on; the next change for this user tries again.
        this.deps.log('error', 're-stitching failed', { identifier: scope.identifier, error: String(error) });
        this.deps.store.clearNeedsStitch(scope.identifier);
      }
    }
    this.pruneNow();
  }

  /**
   * Processed events are the de-duplication record only while a vendor may still redeliver them
   * (Atelio retries for about two days); after the retention period they go. At most once an hour.
   */
  private pruneNow(): void {
    const now = this.deps.now();
    if (this.deps.inboxRetentionMs === undefined || now - this.lastPruneAt < 3_600_000) return;
    this.lastPruneAt = now;
    const pruned = this.deps.store.pruneInbox(now - this.deps.inboxRetentionMs);
    if (pruned > 0) this.deps.log('info', 'pruned processed inbox events', { count: pruned });
  }

  private async process(event: InboxEvent): Promise<void> {
    const { store, now, log } = this.deps;
    try {
      const result = await this.deps.handle(event);
      store.transaction(() => {
        result.commit();
        store.finishEvent(event.id, result.status, now());
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const permanent =
        error instanceof PermanentEventError ||
        (error instanceof VendorApiError && !error.retryable) ||
        error instanceof ZodError;
      if (permanent) {
        store.finishEvent(event.id, 'failed', now(), message);
        log('error', 'event cannot be processed; kept as failed', {
          eventId: event.id,
          type: event.eventType,
          error: message,
        });
        return;
      }
      const failures = event.attempts + 1;
      const delay = retryDelayFor(
        failures,
        this.delays,
        error instanceof VendorApiError ? error.retryAfterMs : null,
      );
      store.retryEventLater(event.id, message, now() + delay);
      log('warn', 'event processing failed; will retry', {
        eventId: event.id,
        type: event.eventType,
        failures,
        delayMs: delay,
        error: message,
      });
      const handle = this.deps.timers.setTimeout(() => {
        this.retryTimers.delete(event.id);
        if (this.stopped) return;
        store.releaseEvent(event.id);
        this.kick();
      }, delay);
      this.retryTimers.set(event.id, handle);
    }
  }
}
