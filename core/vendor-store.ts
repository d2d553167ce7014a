import type { Clock } from './clock';
import type { SeededRandom } from './random';

/** What every vendor store is built from: the same seed on the same clock gives the same data. */
export interface VendorStoreOptions {
  seed: number;
  clock: Clock;
  /** Where generated ids and data come from; defaults to `createRandom(seed)`. */
  random?: SeededRandom;
}

/**
 * Set by the platform on each store: why a URL may not receive webhooks (the operator's
 * allow-list), or undefined when it may. Every webhook target a store registers — through the API,
 * `--webhook-url` or an import — passes it.
 */
export type WebhookTargetCheck = (url: string) => string | undefined;

/** How a store goes back to its seeded baseline. */
export interface StoreResetOptions {
  /** Keep the webhook registrations made so far: configuration, not data (a test suite registers once and resets between tests). */
  keepWebhookRegistrations?: boolean;
}
