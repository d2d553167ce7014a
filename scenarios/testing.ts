import { ScopedClock, VirtualClock, type Clock } from '../core/clock';
import { recordAttemptInRunContext } from '../core/run-context';
import { createDeliveryEngine, type DeliveryEngine } from '../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../test/support/capture-receiver';
import { createAtelioApp, createAtelioStore, wireAtelioWebhooks, type AtelioStore } from '../mock-atelio';
import { createAtomicApp, createAtomicStore, wireAtomicWebhooks, type AtomicStore } from '../mock-atomic';
import { createScenarioRunner, type RunView, type ScenarioRunner } from './runner';

/**
 * The platform in one process, for scenario tests and the benchmark: both stores and apps on one
 * ScopedClock, one delivery engine (recording into runs), the webhook wiring, the runner, and
 * optionally a real capture receiver registered with both mocks.
 */

export const PLATFORM_NOW = '2025-03-10T15:00:00.000Z';
export const ATOMIC_API_SECRET = 'test-api-secret';
export const ATOMIC_HEADERS = { 'x-api-key': 'test-api-key', 'x-api-secret': ATOMIC_API_SECRET } as const;
export const ATELIO_HEADERS = { Identity: 'test-identity', Authorization: 'test-authorization' } as const;

export interface ScenarioPlatform {
  clock: ScopedClock;
  base: Clock;
  atomic: AtomicStore;
  atelio: AtelioStore;
  engine: DeliveryEngine;
  runner: ScenarioRunner;
  atomicApp: ReturnType<typeof createAtomicApp>;
  atelioApp: ReturnType<typeof createAtelioApp>;
  /** Registered with both mocks (Atomic at /atomic, Atelio at /atelio) unless `receiver: false`. */
  receiver?: CaptureReceiver;
  /** The Atelio subscription's `whsec_` secret for `receiver`. */
  atelioSecret?: string;
  /** GET on a mock app with valid credentials; parsed JSON. */
  getAtomic(path: string): Promise<{ status: number; body: unknown }>;
  getAtelio(path: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function createScenarioPlatform(
  options: {
    seed?: number;
    base?: Clock;
    receiver?: boolean;
    scenarioDirs?: string[];
    baseline?: boolean;
    /** `false` creates the engine without the run recorder (as a platform that forgot it would). */
    recorder?: boolean;
  } = {},
): Promise<ScenarioPlatform> {
  const base = options.base ?? new VirtualClock(PLATFORM_NOW);
  const clock = new ScopedClock(base);
  const seed = options.seed ?? 1;
  const engine = createDeliveryEngine({
    clock,
    ...(options.recorder === false ? {} : { recorder: recordAttemptInRunContext }),
  });
  const atomic = createAtomicStore({
    seed,
    clock,
    apiSecret: ATOMIC_API_SECRET,
    baseline: options.baseline ?? true,
  });
  const atelio = createAtelioStore({
    seed,
    clock,
    ...(options.baseline === false ? { baseline: false } : {}),
  });
  const unwire = [wireAtomicWebhooks(atomic, engine), wireAtelioWebhooks(atelio, engine)];
  const runner = createScenarioRunner({
    atomic,
    atelio,
    engine,
    clock,
    ...(options.scenarioDirs ? { scenarioDirs: options.scenarioDirs } : {}),
  });
  const atomicApp = createAtomicApp({ store: atomic, clock });
  const atelioApp = createAtelioApp({ store: atelio, clock });
  let receiver: CaptureReceiver | undefined;
  let atelioSecret: string | undefined;
  if (options.receiver ?? true) {
    receiver = await startCaptureReceiver();
    atomic.registerWebhookUrl(`${receiver.url}/atomic`);
    atelioSecret = atelio.registerWebhookUrl(`${receiver.url}/atelio`).secret;
  }
  const get = async (
    app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
    path: string,
    headers: Record<string, string>,
  ) => {
    const response = await app.request(path, { headers });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  return {
    clock,
    base,
    atomic,
    atelio,
    engine,
    runner,
    atomicApp,
    atelioApp,
    ...(receiver ? { receiver } : {}),
    ...(atelioSecret ? { atelioSecret } : {}),
    getAtomic: (path) => get(atomicApp, path, ATOMIC_HEADERS),
    getAtelio: (path) => get(atelioApp, path, ATELIO_HEADERS),
    async close() {
      await runner.cancelAll();
      for (const off of unwire) off();
      await engine.stop();
      await receiver?.close();
      atomic.dispose();
    },
  };
}

export interface Delivered {
  eventId: string;
  vendor: 'atomic' | 'atelio';
  eventType: string;
  step: string;
  /** The exact bytes the receiver got. */
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

/**
 * What `platform.receiver` received for a run, in the order the run caused it (several deliveries
 * go out at once, so arrival order is not it). Atomic requests are found by `ce-id`, Atelio ones by
 * their body, which is unique per event (each update has a later `updated_time`).
 */
export function deliveriesOf(platform: ScenarioPlatform, view: RunView): Delivered[] {
  const requests = platform.receiver?.requests ?? [];
  const out: Delivered[] = [];
  for (const entry of view.timeline)
    for (const webhook of entry.webhooks) {
      if (webhook.eventId === null) continue;
      const logged = platform.engine.log.get(webhook.eventId);
      if (!logged) throw new Error(`event ${webhook.eventId} is not in the delivery log`);
      const matches = requests.filter((r) =>
        webhook.vendor === 'atomic'
          ? r.headers['ce-id'] === webhook.eventId
          : r.path === '/atelio' && r.raw.toString('utf8') === logged.body,
      );
      for (const request of matches)
        out.push({
          eventId: webhook.eventId,
          vendor: webhook.vendor,
          eventType: webhook.eventType,
          step: entry.step,
          raw: request.raw,
          headers: request.headers,
          body: JSON.parse(request.raw.toString('utf8')) as Record<string, unknown>,
        });
    }
  return out;
}
