import type { Clock } from './clock';
import type { FetchApp } from './server';
import type { VendorAppDeps } from './vendor-app';
import type { DeliveryEngine } from './webhooks';

/**
 * One vendor mock, whole: its store, the app serving it, and what the platform does with both.
 * `createAtomicMock` and `createAtelioMock` return this shape, so whatever assembles a platform
 * (or verifies one mock's contract) treats either vendor alike.
 */
export interface VendorMock<Store, App extends FetchApp = FetchApp> {
  readonly vendor: 'atomic' | 'atelio';
  readonly store: Store;
  /** The vendor API over `store`, with the shared middleware chain (journal, faults, body limit). */
  readonly app: App;
  /** Publishes the store's webhook-shaped changes through `engine`; returns the function that stops it. */
  wire(engine: DeliveryEngine): () => void;
  /** Back to the seeded baseline; webhook registrations survive when asked to. */
  reset(options?: { keepWebhookRegistrations?: boolean }): void;
  /** The store's whole state as plain JSON; `importState` takes it back. */
  exportState(): unknown;
  /** Replaces the store's state; throws (and changes nothing) on a document the store refuses. */
  importState(state: unknown): void;
  /** Cancels the store's pending timers; the store stays readable. */
  dispose(): void;
}

/** What creating a mock takes besides its own store options: the clock and the shared app parts. */
export interface VendorMockOptions extends VendorAppDeps {
  seed: number;
  clock: Clock;
}
