import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  appDepsOf,
  storeOptionsOf,
  vendorMock,
  type VendorMock,
  type VendorMockOptions,
} from '../core/vendor-mock';
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
  const store = createAtelioStore(storeOptionsOf(options));
  const app = createAtelioApp({
    ...appDepsOf(options),
    store,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  return vendorMock('atelio', store, app, wireAtelioWebhooks);
}
