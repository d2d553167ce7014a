/**
 * A real mock, taken from the platform `npm start` builds on (`createPlatform`: the same store, app
 * and webhook wiring), on an ephemeral port, with what provider verification needs around it: named provider states applied through the store,
 * a reset before every interaction, and the webhooks the mock published since that reset, read back
 * from the delivery engine's log as the exact bytes it would send.
 */
import { VirtualClock } from '../../core/clock';
import { createRandom } from '../../core/random';
import type { SeededRandom } from '../../core/random';
import { startServer } from '../../core/server';
import type { VendorMock } from '../../core/vendor-mock';
import { createPlatform } from '../../scenarios';
import type { Platform } from '../../scenarios';
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

/** Provider states, by mock: each sets its mock's store up for one interaction. */
const STATES = { atomic: ATOMIC_STATES, atelio: ATELIO_STATES };

/** The delivery engine's transport: every delivery is acknowledged without leaving the process. */
const accept = (async () => new Response('{"received":true}', { status: 200 })) as typeof fetch;

/** The provider states a mock knows, for reports and docs. */
export function providerStates(name: ProviderName): StateDescription[] {
  return (STATES[name] as readonly ProviderStateDefinition<unknown>[]).map(describeState);
}

export function startMockProvider(
  name: ProviderName,
  options: MockProviderOptions = {},
): Promise<MockProvider> {
  const seed = options.seed ?? DEFAULT_VERIFICATION_SEED;
  const platform = createPlatform({
    seed,
    clock: new VirtualClock(VERIFICATION_TIME),
    delivery: { fetch: accept },
    ...(options.testHooks ? { testHooks: { [name]: options.testHooks } } : {}),
  });
  return name === 'atomic'
    ? start(platform, platform.atomic, STATES.atomic, seed)
    : start(platform, platform.atelio, STATES.atelio, seed);
}

/** A store whose mock can subscribe a URL to every webhook it sends. */
interface Subscribable {
  registerWebhookUrl(url: string): unknown;
}

async function start<Store extends Subscribable>(
  platform: Platform<VirtualClock>,
  mock: VendorMock<Store>,
  states: readonly ProviderStateDefinition<Store>[],
  seed: number,
): Promise<MockProvider> {
  const { vendor: name, store } = mock;
  const { clock, engine } = platform;
  store.registerWebhookUrl(CAPTURE_URL);
  const server = await startServer(mock.app, { name, port: 0 });
  const byName = new Map(states.map((s) => [s.name, s]));
  const freshRandom = () => createRandom(`${seed}:contracts`);
  let random: SeededRandom = freshRandom();

  return {
    name,
    url: server.url,
    states: states.map(describeState),
    hasState: (state) => byName.has(state),
    async reset() {
      await engine.reset();
      mock.reset();
      // A reset store has the baseline's subscriptions only; the capture point comes back each time.
      store.registerWebhookUrl(CAPTURE_URL);
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
        .filter((event) => event.vendor === name)
        .reverse()
        .map((event) => ({ eventType: event.eventType, body: JSON.parse(event.body) as unknown }));
    },
    async close() {
      await platform.close();
      await server.close();
    },
  };
}
