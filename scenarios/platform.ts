import { PlatformClock, ScopedClock, type Clock } from '../core/clock';
import { FaultInjector } from '../core/faults';
import { RequestJournal } from '../core/journal';
import { createRandom } from '../core/random';
import { recordAttemptInRunContext } from '../core/run-context';
import type { VendorAppDeps } from '../core/vendor-app';
import { createDeliveryEngine, type DeliveryEngine, type DeliveryEngineOptions } from '../core/webhooks';
import { createAtelioMock, type AtelioCredentials, type AtelioMock } from '../mock-atelio';
import {
  createAtomicMock,
  type AtomicCredentials,
  type AtomicMock,
  type AtomicStoreOptions,
} from '../mock-atomic';
import { TransactSessions } from '../transact';
import {
  createStateOperations,
  NO_HOST,
  type PlatformStateOperations,
  type StateHost,
} from './platform-state';
import { createScenarioRunner, type ScenarioRunner } from './runner';
import { atelioBaselineForAtomic } from './seeded-world';
import { SeededWorldCharges } from './seeded-world-charges';

/**
 * The composition root: the whole platform in one process, without a port. Both mocks (store, app,
 * webhook wiring) on one scoped clock, one journal, one fault table and one delivery engine, the
 * scenario runner, Transact sessions and the state operations. `startSandbox` adds only servers
 * around it; tests, contract verification and the fuzzer use it as it is.
 */

export interface PlatformOptions {
  seed: number;
  /** `false`: both stores start empty (Atomic keeps only its default secret). Default true. */
  baseline?: boolean;
  /**
   * One world (docs/decisions/029): the Atelio baseline's customers are the Atomic baseline's
   * Amazon shoppers, their card orders its card transactions. `startSandbox` turns it on; test
   * platforms keep the two baselines independent unless they ask.
   */
  sharedWorld?: boolean;
  credentials?: { atomic?: AtomicCredentials; atelio?: AtelioCredentials };
  /** Largest request body the mocks accept; default 1 MiB. */
  bodyLimitBytes?: number;
  /** Requests the journal keeps; default 1,000. */
  journalSize?: number;
  /** More folders of scenario files, after the shipped ones. */
  scenarioDirs?: string[];
  /** The Atomic store's scheduled refreshes of connected accounts (decision 027); off by default. */
  refreshes?: AtomicStoreOptions['refreshes'];
  /**
   * The delivery engine's settings (its transport, timeouts). `recordRuns: false` leaves out the
   * recorder that hands each attempt to the scenario run it belongs to (as a platform that forgot it would).
   */
  delivery?: Omit<DeliveryEngineOptions, 'clock' | 'recorder'> & { recordRuns?: boolean };
  /** Test-only response rewriting per mock (see `VendorAppDeps.testHooks`). */
  testHooks?: { atomic?: VendorAppDeps['testHooks']; atelio?: VendorAppDeps['testHooks'] };
  /**
   * The servers around the platform: their own webhook receivers, the webhook-target policy every
   * registration passes (vendor API and imported state alike), what else a reset clears.
   */
  host?: StateHost;
}

export interface Platform<C extends Clock = PlatformClock> extends PlatformStateOperations {
  seed: number;
  /** The base clock: real time that can be pushed ahead, or a test's virtual clock. */
  clock: C;
  /** What every part reads: the base clock, or a scenario run's own timeline inside a run. */
  scopedClock: ScopedClock;
  journal: RequestJournal;
  faults: FaultInjector;
  engine: DeliveryEngine;
  atomic: AtomicMock;
  atelio: AtelioMock;
  scenarios: ScenarioRunner;
  /** Transact launches: the config each received, the pages visited, the tasks started. */
  transactSessions: TransactSessions;
  /**
   * With `sharedWorld`: the seeded shoppers' Amazon card orders arriving after start becoming their
   * Atelio card charges (docs/decisions/030); undefined otherwise.
   */
  seededWorld: SeededWorldCharges | undefined;
  /**
   * No new webhooks: the wiring is undone, deliveries in flight are aborted (and recorded so in the
   * delivery log) with no retry left scheduled, and running scenario runs are cancelled.
   */
  stop(): Promise<void>;
  /** Cancels the stores' timers and stops the clock the platform made itself; after `stop`. */
  dispose(): void;
  /** `stop`, then `dispose`. */
  close(): Promise<void>;
}

export function createPlatform(options: PlatformOptions & { clock?: undefined }): Platform;
export function createPlatform<C extends Clock>(options: PlatformOptions & { clock: C }): Platform<C>;
export function createPlatform(options: PlatformOptions & { clock?: Clock | undefined }): Platform<Clock> {
  const ownClock = options.clock === undefined ? new PlatformClock() : undefined;
  const clock = options.clock ?? ownClock!;
  const scopedClock = new ScopedClock(clock);
  const journal = new RequestJournal(options.journalSize);
  const faultRandom = createRandom(`${options.seed}:faults`);
  const faults = new FaultInjector(() => faultRandom.faker.number.float({ min: 0, max: 1 }));
  const { recordRuns = true, ...delivery } = options.delivery ?? {};
  const engine = createDeliveryEngine({
    ...delivery,
    clock: scopedClock,
    ...(recordRuns ? { recorder: recordAttemptInRunContext } : {}),
  });
  const host = options.host ?? NO_HOST;

  const shared = {
    seed: options.seed,
    clock: scopedClock,
    journal,
    faults,
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
  };
  const atomic = createAtomicMock({
    ...shared,
    ...(options.baseline === false ? { baseline: false } : {}),
    ...(options.credentials?.atomic ? { credentials: options.credentials.atomic } : {}),
    ...(options.testHooks?.atomic ? { testHooks: options.testHooks.atomic } : {}),
    ...(options.refreshes ? { refreshes: options.refreshes } : {}),
  });
  const atelio = createAtelioMock({
    ...shared,
    ...(options.baseline === false
      ? { baseline: false }
      : options.sharedWorld
        ? { baseline: atelioBaselineForAtomic(atomic.store) }
        : {}),
    ...(options.credentials?.atelio ? { credentials: options.credentials.atelio } : {}),
    ...(options.testHooks?.atelio ? { testHooks: options.testHooks.atelio } : {}),
  });
  // Every registration through a vendor API passes the host's target policy.
  if (options.host) {
    atomic.store.webhookTargetCheck = (url) => host.webhookTargetRefusal(url);
    atelio.store.webhookTargetCheck = (url) => host.webhookTargetRefusal(url);
  }
  const unwire = [atomic.wire(engine), atelio.wire(engine)];
  // One world that keeps growing: later Amazon card orders become card charges (decision 030).
  const seededWorld =
    options.sharedWorld && options.baseline !== false
      ? new SeededWorldCharges({ atomic: atomic.store, atelio: atelio.store, clock: scopedClock })
      : undefined;
  const scenarios = createScenarioRunner({
    atomic: atomic.store,
    atelio: atelio.store,
    engine,
    clock: scopedClock,
    ...(options.scenarioDirs ? { scenarioDirs: options.scenarioDirs } : {}),
  });
  // A run's user gets no scheduled refresh while the run plays: its data depends on the run alone.
  atomic.store.skipScheduledRefresh = (identifier) =>
    scenarios.runs().some((run) => run.status === 'running' && run.options.identifier === identifier);
  const transactSessions = new TransactSessions({ store: atomic.store, clock: scopedClock });
  const state = createStateOperations(
    { clock, engine, atomic, atelio, scenarios, transactSessions, journal, faults, seededWorld },
    host,
  );

  const stop = async () => {
    for (const off of unwire.splice(0)) off();
    await engine.stop();
    await scenarios.cancelAll();
  };
  const dispose = () => {
    seededWorld?.dispose();
    atomic.dispose();
    atelio.dispose();
    ownClock?.stop();
  };
  return {
    seed: options.seed,
    clock,
    scopedClock,
    journal,
    faults,
    engine,
    atomic,
    atelio,
    scenarios,
    transactSessions,
    seededWorld,
    ...state,
    stop,
    dispose,
    async close() {
      await stop();
      dispose();
    },
  };
}
