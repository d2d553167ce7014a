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

/** What a mock's store offers the platform besides its own API. */
export interface MockStore {
  reset(options?: { keepWebhookRegistrations?: boolean }): void;
  exportState(): unknown;
  importState(state: unknown): void;
  /** Cancels pending timers (a store that schedules nothing has none). */
  dispose?(): void;
}

type AppPart = 'journal' | 'faults' | 'bodyLimitBytes' | 'testHooks' | 'credentials';

/** The shared app parts of a mock's options, for its app factory. */
export function appDepsOf(options: VendorMockOptions): VendorAppDeps {
  const { clock, journal, faults, bodyLimitBytes, testHooks } = options;
  return {
    clock,
    ...(journal ? { journal } : {}),
    ...(faults ? { faults } : {}),
    ...(bodyLimitBytes !== undefined ? { bodyLimitBytes } : {}),
    ...(testHooks ? { testHooks } : {}),
  };
}

/** A mock's options without the app parts (and credentials): what its store factory takes. */
export function storeOptionsOf<O extends VendorMockOptions>(options: O): Omit<O, AppPart> {
  const { journal: _j, faults: _f, bodyLimitBytes: _b, testHooks: _t, ...rest } = options;
  const { credentials: _c, ...storeOptions } = rest as typeof rest & { credentials?: unknown };
  return storeOptions as Omit<O, AppPart>;
}

/** One mock from its parts; its state operations are its store's own. */
export function vendorMock<Store extends MockStore, App extends FetchApp>(
  vendor: VendorMock<Store, App>['vendor'],
  store: Store,
  app: App,
  wire: (store: Store, engine: DeliveryEngine) => () => void,
): VendorMock<Store, App> {
  return {
    vendor,
    store,
    app,
    wire: (engine) => wire(store, engine),
    reset: (options) => store.reset(options),
    exportState: () => store.exportState(),
    importState: (state) => store.importState(state),
    dispose: () => store.dispose?.(),
  };
}
