import type { OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_CREDENTIALS } from '../core/config';
import type { VendorMock, VendorMockOptions } from '../core/vendor-mock';
import { createAtelioApp } from './app';
import type { AtelioCredentials } from './shared/auth';
import { createAtelioStore, type AtelioStore, type AtelioStoreOptions } from './store/store';
import { wireAtelioWebhooks } from './webhooks/wire';

export interface AtelioMockOptions extends VendorMockOptions, AtelioStoreOptions {
  /** The credentials the app accepts; default `Identity: test-identity`, `Authorization: test-authorization`. */
  credentials?: AtelioCredentials;
}

export type AtelioMock = VendorMock<AtelioStore, OpenAPIHono>;

/** The Atelio mock: its store, the app over it, and its webhook wiring. */
export function createAtelioMock(options: AtelioMockOptions): AtelioMock {
  const {
    credentials = DEFAULT_CREDENTIALS.atelio,
    journal,
    faults,
    bodyLimitBytes,
    testHooks,
    ...storeOptions
  } = options;
  const store = createAtelioStore(storeOptions);
  const app = createAtelioApp({
    store,
    clock: options.clock,
    credentials,
    ...(journal ? { journal } : {}),
    ...(faults ? { faults } : {}),
    ...(bodyLimitBytes !== undefined ? { bodyLimitBytes } : {}),
    ...(testHooks ? { testHooks } : {}),
  });
  return {
    vendor: 'atelio',
    store,
    app,
    wire: (engine) => wireAtelioWebhooks(store, engine),
    reset: (resetOptions) => store.reset(resetOptions),
    exportState: () => store.exportState(),
    importState: (state) => store.importState(state),
    // The Atelio store schedules nothing of its own: there is nothing to cancel.
    dispose: () => {},
  };
}
