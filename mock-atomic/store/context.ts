import type { WebhookTargetCheck } from '../../core/vendor-store';
import type { Clock, TimerId } from '../../core/clock';
import type { Emitter } from '../../core/emitter';
import { createRandom, type SeededRandom } from '../../core/random';
import { currentRunContext } from '../../core/run-context';
import type { AtomicStoreEvents } from './events';
import type { StateTables, TaskRecord } from './state';
import type { BaselineInfo, ConnectionData, OrderFetchTiming, TaskTimings } from './types';

/**
 * What every section of the Atomic store (users, tasks, accounts, ...) works with: the tables, the
 * clock, the id generator, the event channel and the timers. One context per store and one per
 * `withRandom` view; they all share `core`, so a view reads and writes the same state.
 */

export const DAY_MS = 24 * 3600 * 1000;

export const iso = (ms: number) => new Date(ms).toISOString();

export interface PendingRun {
  reject(error: Error): void;
}

/** State shared by a store and all its `withRandom` views. */
export interface StoreCore {
  tables: StateTables;
  runtimeRandom: SeededRandom;
  timers: Set<TimerId>;
  runs: Set<PendingRun>;
  mfaWaiters: Map<string, () => void>;
  muted: boolean;
  baseline: BaselineInfo;
  /** Moves on with every change to the state (see READ_ONLY_METHODS in store.ts). */
  revision: number;
  /** Set by the platform through `AtomicStore.webhookTargetCheck`: why a URL may not receive webhooks. */
  webhookTargetCheck: WebhookTargetCheck | undefined;
}

/**
 * The one call from the tasks section into accounts, linked accounts and payroll: what a task's
 * success means. Injected so that tasks know nothing of the sections their outcome touches.
 */
export interface TaskOutcomes {
  /**
   * vendor-docs 000's lifecycle (`runTask`): at a successful login, opens the Order
   * Monitoring account and decides the orders the fetch will load. Returns the connection to finish
   * with, or undefined when the company is not an Order Monitoring merchant.
   */
  atAuthentication(s: StoreContext, task: TaskRecord, connection: ConnectionData): ConnectionData | undefined;
  /** A task completed: a connection opens or reconnects its accounts, a payroll task stores data. */
  succeeded(s: StoreContext, task: TaskRecord, connection: ConnectionData): void;
}

export interface StoreContextParts {
  clock: Clock;
  core: StoreCore;
  events: Emitter<AtomicStoreEvents>;
  timings: TaskTimings;
  /** How long an Order Monitoring connection's order fetch takes (vendor-docs 000). */
  orderFetch: OrderFetchTiming;
  /** Token of the baseline "default" API secret. */
  apiSecret: string;
  /** HMAC key of signed file URLs. */
  fileKey: string;
  /** The store's seed, for data that must stay the same whoever asks and when (`identityRandom`). */
  seed: number;
  taskOutcomes: TaskOutcomes;
  /** A `withRandom` view's generator; the store itself has none. */
  random?: SeededRandom | undefined;
}

export class StoreContext {
  readonly clock: Clock;
  readonly core: StoreCore;
  readonly timings: TaskTimings;
  readonly orderFetch: OrderFetchTiming;
  readonly apiSecret: string;
  readonly fileKey: string;
  readonly taskOutcomes: TaskOutcomes;

  constructor(private readonly parts: StoreContextParts) {
    this.clock = parts.clock;
    this.core = parts.core;
    this.timings = parts.timings;
    this.orderFetch = parts.orderFetch;
    this.apiSecret = parts.apiSecret;
    this.fileKey = parts.fileKey;
    this.taskOutcomes = parts.taskOutcomes;
  }

  /**
   * A generator that depends only on the store's seed and `label`, never on what ran before: for
   * data that must be the same every time it is produced (a person's payroll identity).
   */
  identityRandom(label: string): SeededRandom {
    return createRandom(`${this.parts.seed}:${label}`);
  }

  /** The same state seen with another clock and/or generator (a `withRandom` view, the baseline's past). */
  derive(change: { clock?: Clock; random: SeededRandom }): StoreContext {
    return new StoreContext({ ...this.parts, ...change });
  }

  get t(): StateTables {
    return this.core.tables;
  }

  /**
   * Where new ids and generated data come from: a `withRandom` view's generator, else the running
   * scenario's (so a run's data depends only on its own seed), else the store's own sequence.
   */
  get ids(): SeededRandom {
    return this.parts.random ?? currentRunContext()?.random ?? this.core.runtimeRandom;
  }

  nowIso(): string {
    return iso(this.clock.now());
  }

  emit<K extends keyof AtomicStoreEvents>(event: K, payload: AtomicStoreEvents[K]): void {
    if (!this.core.muted) this.parts.events.emit(event, payload);
  }

  schedule(ms: number, fn: () => void): void {
    const id = this.clock.setTimeout(() => {
      this.core.timers.delete(id);
      try {
        fn();
      } finally {
        // A timer changes state outside any method call: count it as a change too.
        this.core.revision++;
      }
    }, ms);
    this.core.timers.add(id);
  }
}
