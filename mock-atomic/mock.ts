import type { OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_CREDENTIALS } from '../core/config';
import {
  appDepsOf,
  storeOptionsOf,
  vendorMock,
  type VendorMock,
  type VendorMockOptions,
} from '../core/vendor-mock';
import { createAtomicApp } from './app';
import type { AtomicCredentials, AtomicEnv } from './shared/auth';
import { createAtomicStore, type AtomicStore, type AtomicStoreOptions } from './store/store';
import { wireAtomicWebhooks } from './webhooks/wire';

export interface AtomicMockOptions extends VendorMockOptions, Omit<AtomicStoreOptions, 'apiSecret'> {
  /** The server credentials the app accepts; default test-api-key / test-api-secret. */
  credentials?: AtomicCredentials;
}

export type AtomicMock = VendorMock<AtomicStore, OpenAPIHono<AtomicEnv>>;

/**
 * The Atomic mock: its store, the app over it, and its webhook wiring. The baseline's default
 * secret (which signs webhooks until a user registers another) is the API secret the app accepts,
 * as on Atomic, where the API secret doubles as the webhook signing key.
 */
export function createAtomicMock(options: AtomicMockOptions): AtomicMock {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS.atomic;
  const store = createAtomicStore({ ...storeOptionsOf(options), apiSecret: credentials.apiSecret });
  const app = createAtomicApp({ ...appDepsOf(options), store, credentials });
  return vendorMock('atomic', store, app, wireAtomicWebhooks);
}
