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
import { createControlApp } from './app';
import { dashboardRoutes } from './dashboard';
import { scenarioRoutes } from './routes/scenarios';

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
  scenarios: ScenarioRunner;
  stitcher: StitcherService | undefined;
  /** Secrets to verify webhooks sent to `--webhook-url` with: Atomic's HMAC key and Atelio's whsec_. */
  webhookSecrets: { atomic: string; atelio: string } | undefined;
  /** Back to the seeded baseline: stores, delivery log, journal, faults and the stitcher's data. */
  reset(): Promise<void>;
  exportState(): PlatformState;
  importState(state: unknown): Promise<void>;
  /** Stops every server; in-flight deliveries are recorded as aborted. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PlatformState {
  version: 1;
  clockOffsetMs: number;
  atomic: unknown;
  atelio: unknown;
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
    ports === 0 ? { control: 0, atomic: 0, atelio: 0, stitcher: 0 } : (ports ?? {});
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

  const servers: RunningServer[] = [];
  let stitcher: StitcherService | undefined;
  let webhookSecrets: Sandbox['webhookSecrets'];
  const host = config.host;
  const common = { clock: scopedClock, journal, faults, bodyLimitBytes: config.bodyLimitBytes };

  const stopAll = async () => {
    for (const off of unwire) off();
    await engine.stop();
    await Promise.allSettled(servers.map((s) => s.close()));
    await stitcher?.close();
    atomic.dispose();
    clock.stop();
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

    let stitcherUrl: string | undefined;
    if (options.stitcher !== false) {
      stitcher = createStitcherService({
        atomic: { baseUrl: atomicServer.url, apiKey: config.atomic.apiKey, apiSecret: config.atomic.apiSecret },
        atelio: {
          baseUrl: atelioServer.url,
          identity: config.atelio.identity,
          authorization: config.atelio.authorization,
          webhookSecrets: [],
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

    const reset = async () => {
      await scenarios.cancelAll?.();
      await engine.reset();
      atomic.reset();
      atelio.reset();
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
    });
    const importState = async (input: unknown) => {
      const state = input as Partial<PlatformState> | null;
      if (!state || state.version !== 1) throw new Error('state.version must be 1 (export one with GET /api/state)');
      await engine.reset();
      atomic.importState(state.atomic);
      atelio.importState(state.atelio);
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
    });
    const control = createControlApp({
      clock,
      journal,
      faults,
      engine,
      state: { reset, exportState, importState },
      extraApi: { '': scenarioRoutes(scenarios), ...dashboard.api },
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

    let stopped: Promise<void> | undefined;
    return {
      config,
      urls: {
        control: controlServer.url,
        atomic: atomicServer.url,
        atelio: atelioServer.url,
        ...(stitcherUrl ? { stitcher: stitcherUrl } : {}),
      },
      clock,
      scopedClock,
      journal,
      faults,
      engine,
      atomic,
      atelio,
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
