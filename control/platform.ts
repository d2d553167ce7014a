import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PlatformClock, ScopedClock } from '../core/clock';
import { loadConfig, type PlatformConfig, type PlatformConfigInput } from '../core/config';
import { FaultInjector } from '../core/faults';
import { RequestJournal } from '../core/journal';
import { createRandom } from '../core/random';
import { recordAttemptInRunContext } from '../core/run-context';
import { startServer, type ProtocolErrorBody, type RunningServer } from '../core/server';
import { createDeliveryEngine, type DeliveryEngine } from '../core/webhooks';
import { createAtelioApp, createAtelioStore, errorBody as atelioErrorBody, wireAtelioWebhooks, type AtelioStore } from '../mock-atelio';
import { ERROR_CODES, createAtomicApp, createAtomicStore, wireAtomicWebhooks, type AtomicStore } from '../mock-atomic';
import { createScenarioRunner, type ScenarioRunner } from '../scenarios';
import { createStitcherService, type StitcherService } from '../stitcher';
import { createTransactApp, TransactSessions } from '../transact';
import { createControlApp } from './app';
import { dashboardRoutes } from './dashboard';
import { scenarioRoutes } from './routes/scenarios';
import type { ResetOptions } from './routes/state';
import { transactRoutes } from './routes/transact';

const DEFAULT_RESET_KEEP = ['webhooks'] as const;

export type Ports = PlatformConfig['ports'];

export interface SandboxOptions extends Omit<PlatformConfigInput, 'ports'> {
  /** `0` picks a free port for every server; or set each one. */
  ports?: 0 | Partial<Record<keyof Ports, number>>;
  /** Start the reference stitcher and register it with both mocks (default true). */
  stitcher?: boolean;
  /** Environment to read settings from; default process.env. Pass `{}` to ignore it. */
  env?: Record<string, string | undefined>;
}

export interface SandboxUrls {
  control: string;
  atomic: string;
  atelio: string;
  /** The Transact stand-in: what a host page passes to Atomic's SDK as `environmentOverride`. */
  transact: string;
  stitcher?: string;
}

/** A running platform: four servers sharing one clock, one journal, one fault table and one delivery engine. */
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
  stitcher: StitcherService | undefined;
  /** Secrets to verify webhooks sent to `--webhook-url` with: Atomic's HMAC key and Atelio's whsec_. */
  webhookSecrets: { atomic: string; atelio: string } | undefined;
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

export interface PlatformState {
  version: 1;
  clockOffsetMs: number;
  atomic: unknown;
  atelio: unknown;
  /**
   * Webhook URLs the platform registered itself (the stitcher's, `--webhook-url`). Another
   * platform importing the state drops those it does not use (a stitcher on another port).
   */
  receivers?: string[];
}

/** Reads a saved state; a missing file is no state, an unreadable one is an error that names it. */
function readStateFile(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--state-file ${file} is not a state document: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Writes beside the file and renames over it, so a crash mid-write never leaves half a state. The
 * state holds webhook signing secrets: readable by the owner only.
 */
function writeStateFile(file: string, state: PlatformState): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  renameSync(temporary, file);
}

/** Malformed HTTP (refused before any app code runs) still gets each server's own error envelope. */
const PROTOCOL_ERROR_BODIES: Record<'atomic' | 'atelio' | 'control', ProtocolErrorBody> = {
  atomic: (status, message) =>
    JSON.stringify({ code: status === 400 ? ERROR_CODES.badRequest.code : status * 100 + 1, message }),
  atelio: (status, message) => JSON.stringify(atelioErrorBody(status, 'invalid_request', message)),
  control: (status, message) =>
    JSON.stringify({ error: { code: status === 431 ? 'headers_too_large' : 'bad_request', message } }),
};

const ATOMIC_STITCHER_PATH = '/webhooks/atomic';
const ATELIO_STITCHER_PATH = '/webhooks/atelio';

function resolveConfig(options: SandboxOptions): PlatformConfig {
  const { ports, stitcher: _stitcher, env, ...rest } = options;
  const portOverrides =
    ports === 0 ? { control: 0, atomic: 0, atelio: 0, stitcher: 0, transact: 0 } : (ports ?? {});
  return loadConfig({ ...rest, ports: portOverrides }, env);
}

/**
 * Starts the whole platform in this process: the Atomic and Atelio mocks, the reference stitcher
 * (registered with both as a webhook receiver), and the control plane. Test runners call this with
 * `{ports: 0}` to get one isolated sandbox per worker.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveConfig(options);
  const clock = new PlatformClock();
  const scopedClock = new ScopedClock(clock);
  const journal = new RequestJournal(config.journalSize);
  const faultRandom = createRandom(`${config.seed}:faults`);
  const faults = new FaultInjector(() => faultRandom.faker.number.float({ min: 0, max: 1 }));
  // The recorder hands each attempt to the scenario run it belongs to (for `--record`).
  const engine = createDeliveryEngine({ clock: scopedClock, recorder: recordAttemptInRunContext });
  const atomic = createAtomicStore({ seed: config.seed, clock: scopedClock, apiSecret: config.atomic.apiSecret });
  const atelio = createAtelioStore({ seed: config.seed, clock: scopedClock });
  const unwire = [wireAtomicWebhooks(atomic, engine), wireAtelioWebhooks(atelio, engine)];
  const scenarios = createScenarioRunner({ atomic, atelio, engine, clock: scopedClock });
  const transactSessions = new TransactSessions({ store: atomic, clock: scopedClock });

  const servers: RunningServer[] = [];
  let stitcher: StitcherService | undefined;
  let webhookSecrets: Sandbox['webhookSecrets'];
  const host = config.host;
  const common = { clock: scopedClock, journal, faults, bodyLimitBytes: config.bodyLimitBytes };

  /** Set once the platform is up: saves the state to `--state-file` on the way down. */
  let saveState: (() => void) | undefined;
  const stopAll = async () => {
    // No new webhooks. Deliveries in flight are aborted and recorded as such in the delivery log,
    // and no retry is left scheduled: a receiver that hangs cannot hold the shutdown up.
    for (const off of unwire) off();
    await engine.stop();
    // Runs end after the step in hand; then the stores are quiet and their state can be saved.
    await scenarios.cancelAll();
    try {
      saveState?.();
    } finally {
      // The stitcher stops taking webhooks and finishes the event in hand while the vendors it
      // calls are still up; whatever is left stays in its inbox for the next start.
      await stitcher?.stop();
      await Promise.allSettled(servers.map((s) => s.close()));
      await stitcher?.close();
      atomic.dispose();
      clock.stop();
    }
  };

  try {
    const atomicServer = await startServer(createAtomicApp({ ...common, store: atomic, credentials: config.atomic }), {
      name: 'Atomic mock',
      host,
      port: config.ports.atomic,
      protocolErrorBody: PROTOCOL_ERROR_BODIES.atomic,
    });
    servers.push(atomicServer);
    const atelioServer = await startServer(createAtelioApp({ ...common, store: atelio, credentials: config.atelio }), {
      name: 'Atelio mock',
      host,
      port: config.ports.atelio,
      protocolErrorBody: PROTOCOL_ERROR_BODIES.atelio,
    });
    servers.push(atelioServer);
    // Transact shares the Atomic store, clock and webhook wiring; its own origin (docs/decisions/007).
    const transactServer = await startServer(
      createTransactApp({ store: atomic, sessions: transactSessions, bodyLimitBytes: config.bodyLimitBytes }),
      { name: 'Transact stand-in', host, port: config.ports.transact },
    );
    servers.push(transactServer);

    let stitcherUrl: string | undefined;
    if (options.stitcher !== false) {
      stitcher = createStitcherService({
        atomic: { baseUrl: atomicServer.url, apiKey: config.atomic.apiKey, apiSecret: config.atomic.apiSecret },
        atelio: {
          baseUrl: atelioServer.url,
          identity: config.atelio.identity,
          authorization: config.atelio.authorization,
          webhookSecrets: [],
          // Bond-Signature carries the real send time (docs/decisions/008): judge it by the wall
          // clock, even when the platform clock has been pushed ahead.
          signatureClock: Date.now,
        },
        dbPath: config.stitcherDb,
        now: () => scopedClock.base.now(),
      });
      const started = await stitcher.start({ host, port: config.ports.stitcher });
      stitcherUrl = started.url;
    }

    /** An Atelio subscription for this URL: the existing one (e.g. from an imported state) or a new one. */
    const atelioSubscription = (url: string, description: string, events?: string[]) =>
      atelio.listWebhookSubscriptions().find((s) => s.url === url) ??
      atelio.registerWebhookUrl(url, { description, ...(events ? { events } : {}) });

    /** The webhook URLs this platform registers itself. */
    const receiverUrls = () => [
      ...(stitcher && stitcherUrl ? [`${stitcherUrl}${ATOMIC_STITCHER_PATH}`, `${stitcherUrl}${ATELIO_STITCHER_PATH}`] : []),
      ...(config.webhookUrl ? [config.webhookUrl] : []),
    ];
    /** Drops registrations another platform made for its own receivers (e.g. a stitcher on another port). */
    const dropForeignReceivers = (urls: unknown) => {
      if (!Array.isArray(urls)) return;
      const ours = new Set(receiverUrls());
      const stale = new Set(urls.filter((url): url is string => typeof url === 'string' && !ours.has(url)));
      for (const endpoint of atomic.listWebhookEndpoints())
        if (stale.has(endpoint.url)) atomic.deleteWebhookEndpoint(endpoint._id);
      for (const subscription of atelio.listWebhookSubscriptions())
        if (stale.has(subscription.url)) atelio.deleteWebhookSubscription(subscription.id);
    };

    /** Registers the stitcher and `--webhook-url` with both mocks; again after every reset or import. */
    const registerReceivers = () => {
      if (stitcher && stitcherUrl) {
        atomic.registerWebhookUrl(`${stitcherUrl}${ATOMIC_STITCHER_PATH}`);
        const subscription = atelioSubscription(`${stitcherUrl}${ATELIO_STITCHER_PATH}`, 'Reference stitcher', [
          'transactions',
        ]);
        stitcher.setAtomicWebhookSecret(config.atomic.apiSecret);
        stitcher.setAtelioWebhookSecrets([subscription.secret]);
      }
      if (config.webhookUrl) {
        atomic.registerWebhookUrl(config.webhookUrl);
        const subscription = atelioSubscription(config.webhookUrl, 'Registered by --webhook-url');
        webhookSecrets = { atomic: config.atomic.apiSecret, atelio: subscription.secret };
      }
    };
    registerReceivers();

    const reset = async (options: ResetOptions = {}) => {
      // Webhook registrations are configuration a test suite makes once; by default they survive.
      const keepWebhookRegistrations = (options.keep ?? DEFAULT_RESET_KEEP).includes('webhooks');
      await scenarios.cancelAll?.();
      await engine.reset();
      engine.chaos.clear();
      atomic.reset({ keepWebhookRegistrations });
      atelio.reset({ keepWebhookRegistrations });
      transactSessions.clear();
      journal.clear();
      faults.clear();
      stitcher?.reset();
      registerReceivers();
    };
    const exportState = (): PlatformState => ({
      version: 1,
      clockOffsetMs: clock.offsetMs,
      atomic: atomic.exportState(),
      atelio: atelio.exportState(),
      receivers: receiverUrls(),
    });
    const importState = async (input: unknown) => {
      const state = input as Partial<PlatformState> | null;
      if (!state || state.version !== 1) throw new Error('state.version must be 1 (export one with GET /api/state)');
      // Both stores or neither: a document one of them refuses leaves the platform as it was.
      const previous = { atomic: atomic.exportState(), atelio: atelio.exportState() };
      try {
        atomic.importState(state.atomic);
        atelio.importState(state.atelio);
      } catch (error) {
        atomic.importState(previous.atomic);
        atelio.importState(previous.atelio);
        throw error;
      }
      await engine.reset();
      dropForeignReceivers(state.receivers);
      registerReceivers();
      if (typeof state.clockOffsetMs === 'number' && state.clockOffsetMs > clock.offsetMs) {
        clock.advance(state.clockOffsetMs - clock.offsetMs);
      }
    };

    // The live feed, the dashboard's read models and the page itself.
    const dashboard = dashboardRoutes({
      clock,
      engine,
      scenarios,
      atomic,
      atelio,
      stitcher: stitcher && stitcherUrl ? { service: stitcher, url: stitcherUrl } : undefined,
      transactUrl: transactServer.url,
    });
    const control = createControlApp({
      clock,
      journal,
      faults,
      engine,
      state: { reset, exportState, importState },
      extraApi: {
        '': scenarioRoutes(scenarios),
        ...dashboard.api,
        '/transact': transactRoutes({ sessions: transactSessions, atomic, transactUrl: transactServer.url }),
      },
      site: dashboard.site,
      bodyLimitBytes: config.bodyLimitBytes,
      bindHost: host,
    });
    const controlServer = await startServer(control, {
      name: 'control plane',
      host,
      port: config.ports.control,
      protocolErrorBody: PROTOCOL_ERROR_BODIES.control,
    });
    servers.push(controlServer);

    // `--state-file`: restored now, saved on stop. The servers print their URLs only after this.
    const { stateFile } = config;
    if (stateFile) {
      const saved = readStateFile(stateFile);
      if (saved !== undefined) await importState(saved);
      saveState = () => writeStateFile(stateFile, exportState());
    }

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
      scopedClock,
      journal,
      faults,
      engine,
      atomic,
      atelio,
      transactSessions,
      scenarios,
      stitcher,
      get webhookSecrets() {
        return webhookSecrets;
      },
      reset,
      exportState,
      importState,
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
