import { VirtualClock, type Clock, type ScopedClock } from '../core/clock';
import type { DeliveryEngine } from '../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../test/support/capture-receiver';
import type { AtelioMock, AtelioStore } from '../mock-atelio';
import type { AtomicMock, AtomicStore } from '../mock-atomic';
import { createPlatform, type Platform } from './platform';
import type { RunView, ScenarioRunner } from './runner';

/**
 * The platform in one process, for scenario tests and the benchmark: `createPlatform` on a virtual
 * clock (both mocks, one ScopedClock, one delivery engine recording into runs, the webhook wiring,
 * the runner), and optionally a real capture receiver registered with both mocks.
 */

export const PLATFORM_NOW = '2025-03-10T15:00:00.000Z';
export const ATOMIC_API_SECRET = 'test-api-secret';
export const ATOMIC_HEADERS = { 'x-api-key': 'test-api-key', 'x-api-secret': ATOMIC_API_SECRET } as const;
export const ATELIO_HEADERS = { Identity: 'test-identity', Authorization: 'test-authorization' } as const;

export interface ScenarioPlatform {
  /** The whole platform these fields are taken from. */
  platform: Platform<Clock>;
  clock: ScopedClock;
  base: Clock;
  atomic: AtomicStore;
  atelio: AtelioStore;
  engine: DeliveryEngine;
  runner: ScenarioRunner;
  atomicApp: AtomicMock['app'];
  atelioApp: AtelioMock['app'];
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
  const platform = createPlatform({
    seed: options.seed ?? 1,
    clock: base,
    ...(options.baseline === false ? { baseline: false } : {}),
    ...(options.scenarioDirs ? { scenarioDirs: options.scenarioDirs } : {}),
    ...(options.recorder === false ? { delivery: { recordRuns: false } } : {}),
  });
  const { atomic, atelio } = platform;
  let receiver: CaptureReceiver | undefined;
  let atelioSecret: string | undefined;
  if (options.receiver ?? true) {
    receiver = await startCaptureReceiver();
    atomic.store.registerWebhookUrl(`${receiver.url}/atomic`);
    atelioSecret = atelio.store.registerWebhookUrl(`${receiver.url}/atelio`).secret;
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
    platform,
    clock: platform.scopedClock,
    base,
    atomic: atomic.store,
    atelio: atelio.store,
    engine: platform.engine,
    runner: platform.scenarios,
    atomicApp: atomic.app,
    atelioApp: atelio.app,
    ...(receiver ? { receiver } : {}),
    ...(atelioSecret ? { atelioSecret } : {}),
    getAtomic: (path) => get(atomic.app, path, ATOMIC_HEADERS),
    getAtelio: (path) => get(atelio.app, path, ATELIO_HEADERS),
    async close() {
      await platform.scenarios.cancelAll();
      await platform.stop();
      await receiver?.close();
      platform.dispose();
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
