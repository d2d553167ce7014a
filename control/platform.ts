import type { Hono } from 'hono';
import type { Clock, PlatformClock, ScopedClock } from '../core/clock';
import { ConfigError, type PlatformConfig } from '../core/config';
import type { FaultInjector } from '../core/faults';
import { WebhookTargetPolicy } from '../core/hosts';
import type { RequestJournal } from '../core/journal';
import { startServer, type FetchApp, type RunningServer } from '../core/server';
import type { DeliveryEngine } from '../core/webhooks';
import type { AtelioMock, AtelioStore } from '../mock-atelio';
import type { AtomicMock, AtomicStore } from '../mock-atomic';
import {
  createPlatform,
  type PlatformState,
  type Platform,
  type ResetOptions,
  type ScenarioRunner,
} from '../scenarios';
import { createStitcherService, createStitcherWorker, type StitcherHandle } from '../stitcher';
import { createTransactApp, type TransactSessions } from '../transact';
import { createControlApp } from './app';
import { dashboardRoutes } from './dashboard';
import { ATOMIC_STITCHER_PATH, SandboxReceivers, type WebhookSecrets } from './receivers';
import { RecordingStore } from './recordings';
import { scenarioRoutes } from './routes/scenarios';
import { refreshRoutes } from './routes/refreshes';
import { transactRoutes } from './routes/transact';
import {
  atomicRefreshes,
  controlAccessFor,
  PROTOCOL_ERROR_BODIES,
  resolveConfig,
  type SandboxAccess,
  type SandboxOptions,
} from './sandbox-config';
import { announceSeededWorldAndWait, delay, SEEDED_WORLD_WAIT_MS } from './seeded-world-announcement';
import { persistState, type StatePersistence } from './state-persistence';

export type { Ports, SandboxAccess, SandboxOptions } from './sandbox-config';
export { MAX_CLOCK_OFFSET_MS, type PendingWebhook, type PlatformState } from '../scenarios';
// The typed control API client, for scripts and test runners driving a running platform.
export {
  answer,
  createControlClient,
  ControlApiError,
  type ControlClient,
  type ControlClientOptions,
  type StartRunBody,
} from './client';

export interface SandboxUrls {
  control: string;
  atomic: string;
  atelio: string;
  /** The Transact stand-in: what a host page passes to Atomic's SDK as `environmentOverride`. */
  transact: string;
  stitcher?: string;
}

/** A running platform: five servers (Transact included) sharing one clock, one journal, one fault table and one delivery engine. */
export interface Sandbox {
  config: PlatformConfig;
  urls: SandboxUrls;
  clock: PlatformClock;
  scopedClock: ScopedClock;
  journal: RequestJournal;
  faults: FaultInjector;
  engine: DeliveryEngine;
  atomic: AtomicStore;
  atelio: AtelioStore;
  /** Transact launches: the config each received, the pages visited, the tasks started. */
  transactSessions: TransactSessions;
  scenarios: ScenarioRunner;
  /** The reference stitcher: the in-process service, or a handle to it in its own worker thread. */
  stitcher: StitcherHandle | undefined;
  /** The apps the mock and control servers serve, for in-process requests (the fuzzer's). */
  apps: { atomic: AtomicMock['app']; atelio: AtelioMock['app']; control: Hono };
  /**
   * Who may use the control plane: the tokens in force (the control token generated at start when
   * the platform is exposed and none was given), and whether the bind reaches beyond loopback.
   */
  access: SandboxAccess;
  /** Recordings of runs started over HTTP (a private folder). */
  recordings: RecordingStore;
  /** Where webhooks may go (the `--allow-webhook-host` list once exposed). */
  webhookTargets: WebhookTargetPolicy;
  /** Secrets to verify webhooks sent to `--webhook-url` with: Atomic's HMAC key and Atelio's whsec_. */
  webhookSecrets: WebhookSecrets | undefined;
  /**
   * Back to the seeded baseline: stores, delivery log, journal, faults, chaos rules and the
   * stitcher's data. Webhook endpoints, secrets and subscriptions registered with the mocks are
   * kept unless `keep` leaves out `'webhooks'` (`{keep: []}` wipes everything).
   */
  reset(options?: ResetOptions): Promise<void>;
  exportState(): PlatformState;
  importState(state: unknown): Promise<void>;
  /**
   * Graceful shutdown, safe to call twice: running scenario runs are cancelled, the state is saved
   * to `stateFile` (when set), in-flight deliveries are recorded as aborted, the stitcher finishes
   * the event in hand and closes its database (checkpointing the WAL), then every server closes.
   */
  stop(): Promise<void>;
}

/** The platform's servers, started one by one and closed together. */
class ServerSet {
  private readonly running: RunningServer[] = [];

  constructor(private readonly config: PlatformConfig) {}

  async serve(app: FetchApp, name: string, port: number, envelope?: 'atomic' | 'atelio' | 'control') {
    const server = await startServer(app, {
      name,
      host: this.config.host,
      port,
      ...(envelope ? { protocolErrorBody: PROTOCOL_ERROR_BODIES[envelope] } : {}),
      maxConnections: this.config.maxConnections,
    });
    this.running.push(server);
    return server;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.running.map((s) => s.close()));
  }
}

/**
 * The reference stitcher, listening, as a client of the two mock servers: in this process, or in
 * its own worker thread (docs/decisions/016).
 */
async function startReferenceStitcher(
  config: PlatformConfig,
  thread: SandboxOptions['stitcherThread'],
  mocks: { atomic: string; atelio: string },
  platformClock: Clock,
): Promise<{ stitcher: StitcherHandle; url: string }> {
  const vendors = {
    atomic: { baseUrl: mocks.atomic, apiKey: config.atomic.apiKey, apiSecret: config.atomic.apiSecret },
    dbPath: config.stitcherDb,
  };
  const atelioAccess = {
    baseUrl: mocks.atelio,
    identity: config.atelio.identity,
    authorization: config.atelio.authorization,
    webhookSecrets: [],
  };
  // Bond-Signature carries the real send time (docs/decisions/008): judge it by the wall clock,
  // even when the platform clock has been pushed ahead. In its own thread (decision 016) the
  // stitcher follows the platform clock through the offset it is sent.
  const stitcher: StitcherHandle =
    thread === 'worker'
      ? createStitcherWorker(
          { ...vendors, atelio: { ...atelioAccess, signatureByWallClock: true } },
          { clockOffsetMs: () => platformClock.now() - Date.now() },
        )
      : createStitcherService({
          ...vendors,
          atelio: { ...atelioAccess, signatureClock: Date.now },
          now: () => platformClock.now(),
        });
  const started = await stitcher.start({
    host: config.host,
    port: config.ports.stitcher,
    maxConnections: config.maxConnections,
  });
  return { stitcher, url: started.url };
}

/** The control plane's app: its API, the scenario and Transact routes, the dashboard. */
function createControlPlane(
  platform: Platform,
  parts: {
    config: PlatformConfig;
    access: SandboxAccess;
    recordings: RecordingStore;
    stitcher: { service: StitcherHandle; url: string } | undefined;
    transactUrl: string;
  },
) {
  const { config, access, transactUrl } = parts;
  const { clock, engine, scenarios } = platform;
  const atomic = platform.atomic.store;
  // The live feed, the dashboard's read models and the page itself.
  const dashboard = dashboardRoutes({
    clock,
    engine,
    scenarios,
    atomic,
    atelio: platform.atelio.store,
    stitcher: parts.stitcher,
    maxLiveSubscribers: config.maxLiveSubscribers,
    transactUrl,
  });
  return createControlApp({
    clock,
    journal: platform.journal,
    faults: platform.faults,
    engine,
    state: {
      reset: platform.reset,
      exportState: () => platform.exportState(),
      importState: platform.importState,
    },
    // Named groups, not `extraApi`: they are in the route table and the typed client (decision 023).
    scenarios: scenarioRoutes(scenarios, parts.recordings),
    transact: transactRoutes({ sessions: platform.transactSessions, atomic, transactUrl }),
    refreshes: refreshRoutes(atomic),
    extraApi: dashboard.api,
    site: dashboard.site,
    bodyLimitBytes: config.bodyLimitBytes,
    bindHost: config.host,
    allowedHosts: config.allowedHosts,
    tokens: { admin: access.controlToken, viewer: access.viewerToken },
  });
}

/**
 * Reads the scenario folders once, just after start-up, so no request pays for the first parse.
 * The first parse holds the thread for a while: it waits until `first` (the stitcher taking in the
 * seeded world) or two seconds at most, so the stitched baseline is there first.
 */
function warmScenarioList(scenarios: ScenarioRunner, first: Promise<void>): void {
  const warm = () =>
    setTimeout(() => {
      try {
        scenarios.list();
      } catch {
        // A folder that cannot be listed is reported by the request that lists it.
      }
    }, 0).unref();
  void Promise.race([first, delay(SEEDED_WORLD_WAIT_MS)]).then(warm, warm);
}

/**
 * Starts the whole platform in this process: the platform of `createPlatform` (both mocks, one
 * clock, journal, fault table and delivery engine, the scenario runner) behind its servers — the
 * Atomic and Atelio mocks, the Transact stand-in, the reference stitcher (registered with both as
 * a webhook receiver) and the control plane. Test runners call this with `{ports: 0}` to get one
 * isolated sandbox per worker.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveConfig(options);
  const access = controlAccessFor(config);
  // Every registration — vendor API, `--webhook-url`, imported state — passes the same check.
  const webhookTargets = new WebhookTargetPolicy({
    bindHost: config.host,
    allowHosts: config.allowWebhookHosts,
  });
  const receivers = new SandboxReceivers(config);
  let stitcher: StitcherHandle | undefined;
  let stitcherUrl: string | undefined;
  /** The seeded world, announced to the reference stitcher (docs/decisions/029). */
  const announce = () =>
    stitcher && stitcherUrl
      ? announceSeededWorldAndWait(platform.engine, platform.atomic.store, {
          service: stitcher,
          atomicWebhookUrl: `${stitcherUrl}${ATOMIC_STITCHER_PATH}`,
        })
      : Promise.resolve({ takenIn: Promise.resolve() });
  const platform: Platform = createPlatform({
    seed: config.seed,
    // One world: the Atomic baseline's Amazon shoppers are Atelio customers (docs/decisions/029).
    sharedWorld: true,
    credentials: { atomic: config.atomic, atelio: config.atelio },
    bodyLimitBytes: config.bodyLimitBytes,
    journalSize: config.journalSize,
    scenarioDirs: config.scenarioDirs,
    refreshes: atomicRefreshes(config),
    host: {
      receiverUrls: () => receivers.urls(),
      registerReceivers: () => receivers.register(platform.atomic.store, platform.atelio.store),
      webhookTargetRefusal: (url) => webhookTargets.refusal(url),
      onReset: async () => {
        await stitcher?.reset();
        recordings.clear();
      },
      afterReset: async () => {
        void (await announce()).takenIn.catch(() => undefined);
      },
    },
  });
  const { clock, scenarios } = platform;
  const recordings = new RecordingStore({
    dir: config.recordingsDir,
    retentionMs: config.recordingRetentionMs,
    now: () => clock.now(),
  });
  const servers = new ServerSet(config);

  /** Set once the platform is up with `--state-file`: saves the state on the way down. */
  let persistence: StatePersistence | undefined;
  const stopAll = async () => {
    // Runs end after the step in hand (a cancelled run plays out its timers at once) while the
    // webhooks they cause are still published, so the state file holds them as pending.
    if (persistence) await scenarios.cancelAll();
    const pendingAtStop = persistence ? platform.pendingWebhooks() : [];
    // No new webhooks. Deliveries in flight are aborted and recorded as such in the delivery log,
    // and no retry is left scheduled: a receiver that hangs cannot hold the shutdown up.
    await platform.stop();
    try {
      // What was on its way when the stop began is sent again after the next start.
      persistence?.close(pendingAtStop);
    } finally {
      // The stitcher stops taking webhooks and finishes the event in hand while the vendors it
      // calls are still up; whatever is left stays in its inbox for the next start.
      await stitcher?.stop();
      await servers.closeAll();
      await stitcher?.close();
      recordings.dispose();
      platform.dispose();
    }
  };

  try {
    const atomicServer = await servers.serve(
      platform.atomic.app,
      'Atomic mock',
      config.ports.atomic,
      'atomic',
    );
    const atelioServer = await servers.serve(
      platform.atelio.app,
      'Atelio mock',
      config.ports.atelio,
      'atelio',
    );
    // Transact shares the Atomic store, clock and webhook wiring; its own origin (docs/decisions/007).
    const transactApp = createTransactApp({
      store: platform.atomic.store,
      sessions: platform.transactSessions,
      bodyLimitBytes: config.bodyLimitBytes,
    });
    const transactServer = await servers.serve(transactApp, 'Transact stand-in', config.ports.transact);

    if (options.stitcher !== false) {
      const started = await startReferenceStitcher(
        config,
        options.stitcherThread,
        { atomic: atomicServer.url, atelio: atelioServer.url },
        platform.scopedClock.base,
      );
      stitcher = started.stitcher;
      stitcherUrl = started.url;
      webhookTargets.allowOrigin(stitcherUrl);
      receivers.addStitcher(stitcher, stitcherUrl);
    }
    if (config.webhookUrl) {
      const refusal = webhookTargets.refusal(config.webhookUrl);
      if (refusal !== undefined)
        throw new ConfigError(`Invalid configuration:\n  webhookUrl: ${config.webhookUrl} ${refusal}`);
    }
    receivers.register(platform.atomic.store, platform.atelio.store);

    const control = createControlPlane(platform, {
      config,
      access,
      recordings,
      stitcher: stitcher && stitcherUrl ? { service: stitcher, url: stitcherUrl } : undefined,
      transactUrl: transactServer.url,
    });
    const controlServer = await servers.serve(control, 'control plane', config.ports.control, 'control');

    // `--state-file`: restored now, saved on stop. The servers print their URLs only after this.
    if (config.stateFile) persistence = await persistState(config.stateFile, platform);
    // Start-up returns once the stitcher has the seeded world's webhooks (its processing goes on
    // after), so the state a caller reads next is not changed under it by their deliveries. A
    // restored state is not the baseline: the stitcher's own database already knows it.
    const seededWorldTakenIn = persistence?.restored ? Promise.resolve() : (await announce()).takenIn;
    warmScenarioList(scenarios, seededWorldTakenIn);

    let stopped: Promise<void> | undefined;
    return {
      config,
      urls: {
        control: controlServer.url,
        atomic: atomicServer.url,
        atelio: atelioServer.url,
        transact: transactServer.url,
        ...(stitcherUrl ? { stitcher: stitcherUrl } : {}),
      },
      clock,
      scopedClock: platform.scopedClock,
      journal: platform.journal,
      faults: platform.faults,
      engine: platform.engine,
      access,
      webhookTargets,
      recordings,
      atomic: platform.atomic.store,
      atelio: platform.atelio.store,
      transactSessions: platform.transactSessions,
      scenarios,
      stitcher,
      apps: { atomic: platform.atomic.app, atelio: platform.atelio.app, control },
      get webhookSecrets() {
        return receivers.webhookSecrets;
      },
      reset: platform.reset,
      exportState: () => platform.exportState(),
      importState: platform.importState,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
