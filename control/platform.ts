import { PlatformClock, ScopedClock } from '../core/clock';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, loadConfig, type PlatformConfig, type PlatformConfigInput } from '../core/config';
import { FaultInjector } from '../core/faults';
import { isExposedBind, WebhookTargetPolicy } from '../core/hosts';
import { RequestJournal } from '../core/journal';
import { createRandom } from '../core/random';
import { publishWebhook, recordAttemptInRunContext } from '../core/run-context';
import { startServer, type ProtocolErrorBody, type RunningServer } from '../core/server';
import {
  createDeliveryEngine,
  DEFAULT_LOG_CAPACITY,
  savedDeliveryLogSchema,
  type DeliveryEngine,
  type DeliveryEventRecord,
} from '../core/webhooks';
import {
  createAtelioApp,
  createAtelioStore,
  errorBody as atelioErrorBody,
  wireAtelioWebhooks,
  type AtelioStore,
} from '../mock-atelio';
import {
  atomicEvents,
  atomicProtocolErrorBody,
  createAtomicApp,
  createAtomicStore,
  wireAtomicWebhooks,
  type AtomicStore,
} from '../mock-atomic';
import { atelioBaselineForAtomic, createScenarioRunner, type ScenarioRunner } from '../scenarios';
import { createStitcherService, createStitcherWorker, type StitcherHandle } from '../stitcher';
import { sameSecret } from './access';
import { createTransactApp, TransactSessions } from '../transact';
import { createControlApp } from './app';
import { dashboardRoutes } from './dashboard';
import { RecordingStore } from './recordings';
import { scenarioRoutes } from './routes/scenarios';
import { readStateDocument, removeStaleTemporaries, StateFileWriter } from './state-file';
import type { ResetOptions } from './routes/state';
import { refreshRoutes } from './routes/refreshes';
import { transactRoutes } from './routes/transact';

const DEFAULT_RESET_KEEP = ['webhooks'] as const;

// The typed control API client, for scripts and test runners driving a running platform.
export {
  answer,
  createControlClient,
  ControlApiError,
  type ControlClient,
  type ControlClientOptions,
  type StartRunBody,
} from './client';

export type Ports = PlatformConfig['ports'];

export interface SandboxOptions extends Omit<PlatformConfigInput, 'ports'> {
  /** `0` picks a free port for every server; or set each one. */
  ports?: 0 | Partial<Record<keyof Ports, number>>;
  /** Start the reference stitcher and register it with both mocks (default true). */
  stitcher?: boolean;
  /**
   * Where the stitcher runs: `'worker'`, its own thread, so a stitching backlog never slows the
   * vendor mocks (what `stitch-sandbox start` does; docs/decisions/016); or `'in-process'` (default),
   * on the platform's event loop, as tests that reach into it want.
   */
  stitcherThread?: 'worker' | 'in-process';
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
  /**
   * Who may use the control plane: the tokens in force (the control token generated at start when
   * the platform is exposed and none was given), and whether the bind reaches beyond loopback.
   */
  access: { exposed: boolean; controlToken?: string; viewerToken?: string; generatedControlToken: boolean };
  /** Recordings of runs started over HTTP (a private folder). */
  recordings: RecordingStore;
  /** Where webhooks may go (the `--allow-webhook-host` list once exposed). */
  webhookTargets: WebhookTargetPolicy;
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
  /**
   * Webhooks still on their way when the state was taken. Importing the state sends them again to
   * the current targets: a crash or restart loses no webhook (receivers de-duplicate the repeats).
   */
  pendingWebhooks?: PendingWebhook[];
  /**
   * The delivery log's settled events (delivered, failed, dropped), oldest first, at most the log's
   * capacity: after a restart `GET /api/deliveries` still shows what was delivered before it.
   */
  deliveryLog?: DeliveryEventRecord[];
}

/** A webhook published but not yet delivered (or given up on) when the state was taken. */
export interface PendingWebhook {
  id: string;
  vendor: 'atomic' | 'atelio';
  eventType: string;
  /** The exact body, sent again byte for byte (same Atomic `ce-id`, so receivers de-duplicate). */
  body: string;
  eventTime: string;
}

/** The furthest the platform clock may be ahead of real time in an imported state: 100 years. */
export const MAX_CLOCK_OFFSET_MS = 100 * 366 * 86_400_000;
/** How often `--state-file` looks for changes to save (the longest a change waits for the disk). */
const STATE_SAVE_INTERVAL_MS = 200;
/** Pending webhooks kept in a state document (the delivery log's own capacity). */
const MAX_PENDING_WEBHOOKS = 1000;

const PendingWebhookSchema = z
  .object({
    id: z.string().min(1).max(200),
    vendor: z.enum(['atomic', 'atelio']),
    eventType: z.string().min(1).max(200),
    body: z.string().max(1024 * 1024),
    eventTime: z.iso.datetime(),
  })
  .strict();
/** The platform's own fields of a state document; the stores check theirs. */
const PlatformStateFieldsSchema = z.object({
  version: z.literal(1, 'state.version must be 1 (export one with GET /api/state)'),
  clockOffsetMs: z.number().int().min(0).max(MAX_CLOCK_OFFSET_MS).optional(),
  receivers: z.array(z.string().max(2048)).max(100).optional(),
  pendingWebhooks: z.array(PendingWebhookSchema).max(MAX_PENDING_WEBHOOKS).optional(),
  deliveryLog: savedDeliveryLogSchema(DEFAULT_LOG_CAPACITY).optional(),
});

/**
 * The control plane's tokens. Beyond loopback a control token is required: when none is given one
 * is generated (printed at start). On loopback tokens are optional and enforced only when given.
 */
function controlAccessFor(config: PlatformConfig): Sandbox['access'] {
  const exposed = isExposedBind(config.host);
  const needed = exposed || config.viewerToken !== undefined;
  const generated = needed && config.controlToken === undefined;
  const controlToken = config.controlToken ?? (generated ? randomBytes(24).toString('base64url') : undefined);
  if (
    controlToken !== undefined &&
    config.viewerToken !== undefined &&
    sameSecret(controlToken, config.viewerToken)
  )
    throw new ConfigError('Invalid configuration:\n  viewerToken: must differ from the control token');
  return {
    exposed,
    generatedControlToken: generated,
    ...(controlToken === undefined ? {} : { controlToken }),
    ...(config.viewerToken === undefined ? {} : { viewerToken: config.viewerToken }),
  };
}

/** Malformed HTTP (refused before any app code runs) still gets each server's own error envelope. */
const PROTOCOL_ERROR_BODIES: Record<'atomic' | 'atelio' | 'control', ProtocolErrorBody> = {
  atomic: atomicProtocolErrorBody,
  atelio: (status, message) => JSON.stringify(atelioErrorBody(status, 'invalid_request', message)),
  control: (status, message) =>
    JSON.stringify({ error: { code: status === 431 ? 'headers_too_large' : 'bad_request', message } }),
};

/** The longest start-up, a reset or the scenario prefetch waits for the seeded world's announcement. */
const SEEDED_WORLD_WAIT_MS = 2_000;
/** Resolves after `ms` without holding the process open. */
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const ATOMIC_STITCHER_PATH = '/webhooks/atomic';
const ATELIO_STITCHER_PATH = '/webhooks/atelio';

/** The Atomic mock's refresh schedule from the platform configuration (decision 027). */
const atomicRefreshes = (config: PlatformConfig) => ({
  enabled: config.refreshes.enabled,
  everyMs: config.refreshes.every,
  atMs: config.refreshes.at,
  failureRate: config.refreshes.failureRate,
});

function resolveConfig(options: SandboxOptions): PlatformConfig {
  const { ports, stitcher: _stitcher, stitcherThread: _thread, env, ...rest } = options;
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
  const atomic = createAtomicStore({
    seed: config.seed,
    clock: scopedClock,
    apiSecret: config.atomic.apiSecret,
    refreshes: atomicRefreshes(config),
  });
  // One world: the Atomic baseline's Amazon shoppers are Atelio customers (docs/decisions/029).
  const atelio = createAtelioStore({
    seed: config.seed,
    clock: scopedClock,
    baseline: atelioBaselineForAtomic(atomic),
  });
  const unwire = [wireAtomicWebhooks(atomic, engine), wireAtelioWebhooks(atelio, engine)];
  const scenarios = createScenarioRunner({
    atomic,
    atelio,
    engine,
    clock: scopedClock,
    scenarioDirs: config.scenarioDirs,
  });
  // A run's user gets no scheduled refresh while the run plays: its data depends on the run alone.
  atomic.skipScheduledRefresh = (identifier) =>
    scenarios.runs().some((run) => run.status === 'running' && run.options.identifier === identifier);
  const host = config.host;
  const access = controlAccessFor(config);
  // Every registration — vendor API, `--webhook-url`, imported state — passes the same check.
  const recordings = new RecordingStore({
    dir: config.recordingsDir,
    retentionMs: config.recordingRetentionMs,
    now: () => clock.now(),
  });
  const webhookTargets = new WebhookTargetPolicy({ bindHost: host, allowHosts: config.allowWebhookHosts });
  atomic.webhookTargetCheck = (url) => webhookTargets.refusal(url);
  atelio.webhookTargetCheck = (url) => webhookTargets.refusal(url);
  const transactSessions = new TransactSessions({ store: atomic, clock: scopedClock });

  const servers: RunningServer[] = [];
  let stitcher: StitcherHandle | undefined;
  let webhookSecrets: Sandbox['webhookSecrets'];
  const common = { clock: scopedClock, journal, faults, bodyLimitBytes: config.bodyLimitBytes };

  /** Set once the platform is up: saves the state to `--state-file` on the way down. */
  let saveState: ((pending: PendingWebhook[]) => void) | undefined;
  /** Set once the platform is up: the webhooks not yet delivered. */
  let pendingNow: (() => PendingWebhook[]) | undefined;
  const stopAll = async () => {
    // Runs end after the step in hand (a cancelled run plays out its timers at once) while the
    // webhooks they cause are still published, so the state file holds them as pending.
    if (saveState) await scenarios.cancelAll();
    const pendingAtStop = pendingNow?.() ?? [];
    // No new webhooks. Deliveries in flight are aborted and recorded as such in the delivery log,
    // and no retry is left scheduled: a receiver that hangs cannot hold the shutdown up.
    for (const off of unwire) off();
    await engine.stop();
    await scenarios.cancelAll();
    try {
      // What was on its way when the stop began is sent again after the next start.
      saveState?.(pendingAtStop);
    } finally {
      // The stitcher stops taking webhooks and finishes the event in hand while the vendors it
      // calls are still up; whatever is left stays in its inbox for the next start.
      await stitcher?.stop();
      await Promise.allSettled(servers.map((s) => s.close()));
      await stitcher?.close();
      atomic.dispose();
      recordings.dispose();
      clock.stop();
    }
  };

  try {
    const atomicServer = await startServer(
      createAtomicApp({ ...common, store: atomic, credentials: config.atomic }),
      {
        name: 'Atomic mock',
        host,
        port: config.ports.atomic,
        protocolErrorBody: PROTOCOL_ERROR_BODIES.atomic,
        maxConnections: config.maxConnections,
      },
    );
    servers.push(atomicServer);
    const atelioServer = await startServer(
      createAtelioApp({ ...common, store: atelio, credentials: config.atelio }),
      {
        name: 'Atelio mock',
        host,
        port: config.ports.atelio,
        protocolErrorBody: PROTOCOL_ERROR_BODIES.atelio,
        maxConnections: config.maxConnections,
      },
    );
    servers.push(atelioServer);
    // Transact shares the Atomic store, clock and webhook wiring; its own origin (docs/decisions/007).
    const transactServer = await startServer(
      createTransactApp({ store: atomic, sessions: transactSessions, bodyLimitBytes: config.bodyLimitBytes }),
      { name: 'Transact stand-in', host, port: config.ports.transact, maxConnections: config.maxConnections },
    );
    servers.push(transactServer);

    let stitcherUrl: string | undefined;
    if (options.stitcher !== false) {
      const vendors = {
        atomic: {
          baseUrl: atomicServer.url,
          apiKey: config.atomic.apiKey,
          apiSecret: config.atomic.apiSecret,
        },
        dbPath: config.stitcherDb,
      };
      const atelioAccess = {
        baseUrl: atelioServer.url,
        identity: config.atelio.identity,
        authorization: config.atelio.authorization,
        webhookSecrets: [],
      };
      // Bond-Signature carries the real send time (docs/decisions/008): judge it by the wall clock,
      // even when the platform clock has been pushed ahead. In its own thread (decision 016) the
      // stitcher follows the platform clock through the offset it is sent.
      stitcher =
        options.stitcherThread === 'worker'
          ? createStitcherWorker(
              { ...vendors, atelio: { ...atelioAccess, signatureByWallClock: true } },
              { clockOffsetMs: () => scopedClock.base.now() - Date.now() },
            )
          : createStitcherService({
              ...vendors,
              atelio: { ...atelioAccess, signatureClock: Date.now },
              now: () => scopedClock.base.now(),
            });
      const started = await stitcher.start({
        host,
        port: config.ports.stitcher,
        maxConnections: config.maxConnections,
      });
      stitcherUrl = started.url;
      webhookTargets.allowOrigin(stitcherUrl);
    }
    if (config.webhookUrl) {
      const refusal = webhookTargets.refusal(config.webhookUrl);
      if (refusal !== undefined)
        throw new ConfigError(`Invalid configuration:\n  webhookUrl: ${config.webhookUrl} ${refusal}`);
    }

    /** An Atelio subscription for this URL: the existing one (e.g. from an imported state) or a new one. */
    const atelioSubscription = (url: string, description: string, events?: string[]) =>
      atelio.listWebhookSubscriptions().find((s) => s.url === url) ??
      atelio.registerWebhookUrl(url, { description, ...(events ? { events } : {}) });

    /** The webhook URLs this platform registers itself. */
    const receiverUrls = () => [
      ...(stitcher && stitcherUrl
        ? [`${stitcherUrl}${ATOMIC_STITCHER_PATH}`, `${stitcherUrl}${ATELIO_STITCHER_PATH}`]
        : []),
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
        const subscription = atelioSubscription(
          `${stitcherUrl}${ATELIO_STITCHER_PATH}`,
          'Reference stitcher',
          ['transactions'],
        );
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
    /**
     * The reference stitcher learns of the seeded world the way it learns of any account: the
     * seeded users' last pay-link-accounts-updated webhook, sent to its endpoint (docs/decisions/029).
     * Only to the stitcher the platform registered itself: other receivers get the webhooks of what
     * happens after they registered, as with the real vendor. Resolves once those deliveries have
     * settled and the stitcher has taken them in.
     */
    const announceSeededWorld = async () => {
      if (!stitcher || !stitcherUrl) return;
      const url = `${stitcherUrl}${ATOMIC_STITCHER_PATH}`;
      const targets = atomic
        .webhookTargets('pay-link-accounts-updated')
        .filter((t) => t.url === url)
        .map((t) => ({ id: t.endpointId, url: t.url, secret: t.secret }));
      if (targets.length === 0) return;
      const published = new Set<string>();
      const settled = new Promise<void>((resolve) => {
        const offSettled = engine.events.on('settled', (e) => {
          if (!published.delete(e.eventId) || published.size > 0) return;
          offSettled();
          resolve();
        });
      });
      for (const state of atomic.baselineAccountStates()) {
        const id = publishWebhook(engine, {
          vendor: 'atomic',
          eventType: 'pay-link-accounts-updated',
          subject: state.user.identifier,
          body: atomicEvents.payLinkAccountsUpdated(state),
          targets,
        });
        if (id !== null) published.add(id);
      }
      if (published.size > 0) await settled;
    };
    /** The announcement delivered (at most `SEEDED_WORLD_WAIT_MS`), then the stitcher idle too. */
    const announceAndWait = async (): Promise<{ takenIn: Promise<void> }> => {
      const delivered = announceSeededWorld();
      await Promise.race([delivered, delay(SEEDED_WORLD_WAIT_MS)]);
      // Wrapped: an async function's promise would otherwise wait for this one too.
      return { takenIn: delivered.then(() => stitcher?.idle()) };
    };

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
      await stitcher?.reset();
      recordings.clear();
      registerReceivers();
      void (await announceAndWait()).takenIn.catch(() => undefined);
    };
    /** An imported state is held to the same webhook-target rules as a registration. */
    const refuseDisallowedTargets = (droppedReceivers: readonly string[]) => {
      // The other platform's own receivers in the document are dropped right after, not kept.
      const dropped = new Set(droppedReceivers);
      const urls = [
        ...atomic.listWebhookEndpoints().map((e) => e.url),
        ...atelio.listWebhookSubscriptions().map((s) => s.url),
      ].filter((url) => !dropped.has(url) || receiverUrls().includes(url));
      for (const url of urls) {
        const refusal = webhookTargets.refusal(url);
        if (refusal !== undefined) throw new Error(`webhook target ${url} ${refusal}`);
      }
    };
    /** Webhooks published and not yet settled, to be sent again after a restart. */
    const pendingWebhooks = (): PendingWebhook[] =>
      engine.log
        .list({ status: 'pending', limit: MAX_PENDING_WEBHOOKS })
        .reverse()
        .map((event) => ({
          id: event.id,
          vendor: event.vendor as 'atomic' | 'atelio',
          eventType: event.eventType,
          body: event.body,
          eventTime: event.eventTime,
        }));
    /** The state; `pending` replaces the webhooks still on their way (those caught as a stop began). */
    const exportState = (pending: PendingWebhook[] = pendingWebhooks()): PlatformState => {
      // An event is either sent again after a restart or shown as settled, never both.
      const resent = new Set(pending.map((webhook) => webhook.id));
      const settled = engine.exportSettled().filter((event) => !resent.has(event.id));
      return {
        version: 1,
        clockOffsetMs: clock.offsetMs,
        atomic: atomic.exportState(),
        atelio: atelio.exportState(),
        receivers: receiverUrls(),
        ...(pending.length ? { pendingWebhooks: pending } : {}),
        ...(settled.length ? { deliveryLog: settled } : {}),
      };
    };
    /** Signing secrets for restored log entries, from the registrations in force now. */
    const secretOf = (vendor: string, eventType: string, targetId: string) =>
      vendor === 'atomic'
        ? atomic
            .webhookTargets(eventType as Parameters<AtomicStore['webhookTargets']>[0])
            .find((target) => target.endpointId === targetId)?.secret
        : atelio.listWebhookSubscriptions().find((subscription) => subscription.id === targetId)?.secret;
    /** Sends the pending webhooks of an imported state to the targets registered now. */
    const resendPending = (pending: readonly PendingWebhook[]) => {
      for (const webhook of pending) {
        const targets =
          webhook.vendor === 'atomic'
            ? atomic
                .webhookTargets(webhook.eventType as Parameters<AtomicStore['webhookTargets']>[0])
                .map((t) => ({ id: t.endpointId, url: t.url, secret: t.secret }))
            : atelio
                .subscriptionsFor(webhook.eventType)
                .map((t) => ({ id: t.id, url: t.url, secret: t.secret }));
        if (targets.length === 0 || engine.log.get(webhook.id)) continue;
        engine.publish({
          vendor: webhook.vendor,
          eventType: webhook.eventType,
          body: webhook.body,
          targets,
          id: webhook.id,
          time: webhook.eventTime,
        });
      }
    };
    const importState = async (input: unknown) => {
      const fields = PlatformStateFieldsSchema.safeParse(input);
      if (!fields.success) {
        const issue = fields.error.issues[0]!;
        throw new Error(`state.${issue.path.join('.') || 'version'}: ${issue.message}`);
      }
      const state = input as PlatformState;
      // Both stores or neither: a document one of them refuses leaves the platform as it was.
      const previous = { atomic: atomic.exportState(), atelio: atelio.exportState() };
      try {
        atomic.importState(state.atomic);
        atelio.importState(state.atelio);
        refuseDisallowedTargets(fields.data.receivers ?? []);
      } catch (error) {
        atomic.importState(previous.atomic);
        atelio.importState(previous.atelio);
        throw error;
      }
      await engine.reset();
      dropForeignReceivers(state.receivers);
      registerReceivers();
      const offset = fields.data.clockOffsetMs;
      if (offset !== undefined && offset > clock.offsetMs) clock.advance(offset - clock.offsetMs);
      engine.restoreSettled(fields.data.deliveryLog ?? [], secretOf);
      resendPending(fields.data.pendingWebhooks ?? []);
    };

    // The live feed, the dashboard's read models and the page itself.
    const dashboard = dashboardRoutes({
      clock,
      engine,
      scenarios,
      atomic,
      atelio,
      stitcher: stitcher && stitcherUrl ? { service: stitcher, url: stitcherUrl } : undefined,
      maxLiveSubscribers: config.maxLiveSubscribers,
      transactUrl: transactServer.url,
    });
    const control = createControlApp({
      clock,
      journal,
      faults,
      engine,
      state: { reset, exportState, importState },
      scenarios: scenarioRoutes(scenarios, recordings),
      transact: transactRoutes({ sessions: transactSessions, atomic, transactUrl: transactServer.url }),
      refreshes: refreshRoutes(atomic),
      extraApi: dashboard.api,
      site: dashboard.site,
      bodyLimitBytes: config.bodyLimitBytes,
      bindHost: host,
      allowedHosts: config.allowedHosts,
      tokens: { admin: access.controlToken, viewer: access.viewerToken },
    });
    const controlServer = await startServer(control, {
      name: 'control plane',
      host,
      port: config.ports.control,
      protocolErrorBody: PROTOCOL_ERROR_BODIES.control,
      maxConnections: config.maxConnections,
    });
    servers.push(controlServer);

    // `--state-file`: restored now, saved on stop. The servers print their URLs only after this.
    const { stateFile } = config;
    let restoredState = false;
    if (stateFile) {
      removeStaleTemporaries(stateFile);
      const saved = readStateDocument(stateFile);
      if (saved !== undefined) await importState(saved);
      restoredState = saved !== undefined;
      // Anything that moves a store, the clock or a delivery moves this.
      let deliveryChanges = 0;
      const writer = new StateFileWriter({
        file: stateFile,
        snapshot: () => exportState(),
        version: () => `${atomic.revision}:${atelio.revision}:${clock.offsetMs}:${deliveryChanges}`,
        onError: (error) =>
          process.stderr.write(`stitch-sandbox: could not save ${stateFile}: ${error.message}\n`),
      });
      try {
        writer.save();
      } catch (error) {
        throw new ConfigError(
          `Invalid configuration:\n  stateFile: cannot write ${stateFile}: ${(error as Error).message}`,
        );
      }
      // A webhook is on disk (with the change it announces) before any receiver can hear it.
      const offPublished = engine.events.on('published', () => {
        deliveryChanges++;
        writer.flushSoon();
      });
      const offSettled = engine.events.on('settled', () => {
        deliveryChanges++;
        writer.changed();
      });
      // Store changes and clock moves are many and have no one event: look at their versions.
      const tick = setInterval(() => writer.saveIfChanged(), STATE_SAVE_INTERVAL_MS);
      tick.unref();
      saveState = (pending) => {
        offPublished();
        offSettled();
        clearInterval(tick);
        writer.close(exportState(pending));
      };
      pendingNow = pendingWebhooks;
    }

    // Start-up and reset return once the stitcher has the webhooks (its processing goes on after),
    // so the state a caller reads next is not changed under it by the announcement's deliveries.
    // A restored state is not the baseline: the stitcher's own database already knows it.
    const seededWorldTakenIn = restoredState ? Promise.resolve() : (await announceAndWait()).takenIn;

    // Read the scenario folders once, just after start-up, so no request pays for the first parse.
    // The first parse holds the thread for a while: it waits until the receivers have taken in the
    // seeded world (two seconds at most), so the stitched baseline is there first.
    const prefetchScenarios = () =>
      setTimeout(() => {
        try {
          scenarios.list();
        } catch {
          // A folder that cannot be listed is reported by the request that lists it.
        }
      }, 0).unref();
    void Promise.race([seededWorldTakenIn, delay(SEEDED_WORLD_WAIT_MS)]).then(prefetchScenarios, prefetchScenarios);

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
      access,
      webhookTargets,
      recordings,
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
