/**
 * A real mock (the same app factory, store and webhook wiring `npm start` uses) on an ephemeral port,
 * with what provider verification needs around it: named provider states applied through the store,
 * a reset before every interaction, and the webhooks the mock published since that reset, read back
 * from the delivery engine's log as the exact bytes it would send.
 */
import { VirtualClock } from '../../core/clock';
import type { Clock } from '../../core/clock';
import { createRandom } from '../../core/random';
import type { SeededRandom } from '../../core/random';
import { startServer } from '../../core/server';
import type { FetchApp } from '../../core/server';
import { createDeliveryEngine } from '../../core/webhooks/engine';
import type { DeliveryEngine } from '../../core/webhooks/engine';
import { createAtelioApp, createAtelioStore, wireAtelioWebhooks } from '../../mock-atelio';
import type { AtelioStore } from '../../mock-atelio';
import { createAtomicApp, createAtomicStore, wireAtomicWebhooks } from '../../mock-atomic';
import type { AtomicStore } from '../../mock-atomic';
import { ATELIO_STATES } from './states/atelio';
import { ATOMIC_STATES } from './states/atomic';
import { checkParams, describeState, ProviderStateError } from './states/types';
import type { ProvidedValues, ProviderStateDefinition, StateDescription } from './states/types';

export const PROVIDERS = ['atomic', 'atelio'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export const isProviderName = (name: unknown): name is ProviderName =>
  typeof name === 'string' && (PROVIDERS as readonly string[]).includes(name);

/** Verification always runs at this instant, so dates in the mocks' answers are the same on every run. */
export const VERIFICATION_TIME = '2025-03-10T15:00:00.000Z';
export const DEFAULT_VERIFICATION_SEED = 1;

/** Where the mock's webhook subscription points; deliveries never leave the process (see `accept`). */
const CAPTURE_URL = 'http://webhooks.contracts.invalid/receive';

/** Test-only response rewriting, passed to the app factory (see `testHooks` there). */
export interface ResponseHooks {
  transformResponse?(path: string, body: unknown): unknown;
}

export interface CapturedWebhook {
  eventType: string;
  /** The body exactly as the delivery engine serialised (and would sign and send) it, parsed. */
  body: unknown;
}

export interface MockProviderOptions {
  seed?: number;
  testHooks?: ResponseHooks;
}

export interface MockProvider {
  readonly name: ProviderName;
  readonly url: string;
  readonly states: readonly StateDescription[];
  hasState(name: string): boolean;
  /** Back to the seeded baseline, nothing captured: run before every interaction. */
  reset(): Promise<void>;
  /** Applies a named state; returns the values its `fromProviderState` expressions need. */
  setUpState(name: string, params: unknown): ProvidedValues | undefined;
  /** Webhooks published since the last reset, oldest first. */
  webhooks(): CapturedWebhook[];
  close(): Promise<void>;
}

interface VendorAdapter<Store> {
  createStore(seed: number, clock: Clock): Store;
  createApp(store: Store, clock: Clock, testHooks: ResponseHooks | undefined): FetchApp;
  wire(store: Store, engine: DeliveryEngine): () => void;
  subscribe(store: Store, url: string): void;
  reset(store: Store): void;
  dispose(store: Store): void;
  states: readonly ProviderStateDefinition<Store>[];
}

const hooksFor = (testHooks: ResponseHooks | undefined) => (testHooks ? { testHooks } : {});

const ADAPTERS: { atomic: VendorAdapter<AtomicStore>; atelio: VendorAdapter<AtelioStore> } = {
  atomic: {
    createStore: (seed, clock) => createAtomicStore({ seed, clock }),
    createApp: (store, clock, testHooks) => createAtomicApp({ store, clock, ...hooksFor(testHooks) }),
    wire: (store, engine) => wireAtomicWebhooks(store, engine),
    subscribe: (store, url) => void store.registerWebhookUrl(url),
    reset: (store) => store.reset(),
    dispose: (store) => store.dispose(),
    states: ATOMIC_STATES,
  },
  atelio: {
    createStore: (seed, clock) => createAtelioStore({ seed, clock }),
    createApp: (store, clock, testHooks) => createAtelioApp({ store, clock, ...hooksFor(testHooks) }),
    wire: (store, engine) => wireAtelioWebhooks(store, engine),
    subscribe: (store, url) => void store.registerWebhookUrl(url),
    reset: (store) => store.reset(),
    dispose: () => {},
    states: ATELIO_STATES,
  },
};

/** The delivery engine's transport: every delivery is acknowledged without leaving the process. */
const accept = (async () => new Response('{"received":true}', { status: 200 })) as typeof fetch;

/** The provider states a mock knows, for reports and docs. */
export function providerStates(name: ProviderName): StateDescription[] {
  return (ADAPTERS[name].states as readonly ProviderStateDefinition<unknown>[]).map(describeState);
}

export function startMockProvider(
  name: ProviderName,
  options: MockProviderOptions = {},
): Promise<MockProvider> {
  return name === 'atomic' ? start(name, ADAPTERS.atomic, options) : start(name, ADAPTERS.atelio, options);
}

async function start<Store>(
  name: ProviderName,
  adapter: VendorAdapter<Store>,
  options: MockProviderOptions,
): Promise<MockProvider> {
  const seed = options.seed ?? DEFAULT_VERIFICATION_SEED;
  const clock = new VirtualClock(VERIFICATION_TIME);
  const store = adapter.createStore(seed, clock);
  const engine = createDeliveryEngine({ clock, fetch: accept });
  const unwire = adapter.wire(store, engine);
  adapter.subscribe(store, CAPTURE_URL);
  const server = await startServer(adapter.createApp(store, clock, options.testHooks), { name, port: 0 });
  const byName = new Map(adapter.states.map((s) => [s.name, s]));
  const freshRandom = () => createRandom(`${seed}:contracts`);
  let random: SeededRandom = freshRandom();

  return {
    name,
    url: server.url,
    states: adapter.states.map(describeState),
    hasState: (state) => byName.has(state),
    async reset() {
      await engine.reset();
      adapter.reset(store);
      // A reset store has the baseline's subscriptions only; the capture point comes back each time.
      adapter.subscribe(store, CAPTURE_URL);
      random = freshRandom();
    },
    setUpState(state, params) {
      const definition = byName.get(state);
      if (!definition) throw new ProviderStateError(`the ${name} mock has no provider state "${state}"`);
      const provided = definition.setup({ store, random, now: clock.now() }, checkParams(definition, params));
      return provided ?? undefined;
    },
    webhooks() {
      return engine.log
        .list()
        .reverse()
        .map((event) => ({ eventType: event.eventType, body: JSON.parse(event.body) as unknown }));
    },
    async close() {
      unwire();
      await engine.stop();
      adapter.dispose(store);
      await server.close();
    },
  };
}
