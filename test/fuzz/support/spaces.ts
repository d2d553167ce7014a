import type { FuzzPlatform } from './platform-apps';
import type { RequestSpace } from './requests';

/** What the fuzzer sends each mock: its documented operations, ids that exist, good and bad credentials. */

export const ATOMIC_AUTH = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
export const ATELIO_AUTH = { identity: 'test-identity', authorization: 'test-authorization' };

export function atomicSpace(platform: FuzzPlatform, bodyLimit: number): RequestSpace {
  const token = platform.knownIds.atomic.find(
    (id) => id === platform.sandbox.atomic.baselineInfo().publicToken,
  );
  return {
    api: platform.atomicApi,
    knownIds: platform.knownIds.atomic,
    credentials: [
      ATOMIC_AUTH,
      ...(token ? [{ 'x-public-token': token }] : []),
      {},
      { 'x-api-key': 'test-api-key', 'x-api-secret': 'wrong' },
      { 'x-api-key': 'test-api-key', 'x-api-secret': 'x'.repeat(8000) },
      { 'x-public-token': '../../etc/passwd' },
    ],
    bodyLimit,
    maxQueryLength: 200_000,
    extraPaths: ['/openapi.json', '/docs', '/__sandbox/health', '/', '//', '/%2e%2e/openapi.json'],
  };
}

/** The document lists every operation under /api/v0.1 and the legacy /api/v0, so both are fuzzed. */
export function atelioSpace(platform: FuzzPlatform, bodyLimit: number): RequestSpace {
  return {
    api: platform.atelioApi,
    knownIds: platform.knownIds.atelio,
    credentials: [
      ATELIO_AUTH,
      {},
      { identity: 'test-identity', authorization: 'Bearer test-authorization' },
      { identity: 'x'.repeat(8000), authorization: 'test-authorization' },
      { identity: 'test-identity' },
    ],
    bodyLimit,
    maxQueryLength: 200_000,
    extraPaths: [
      '/openapi.json',
      '/docs',
      '/api',
      '/api/',
      '/api/v0.2/transactions',
      '/api/v0.1',
      '/api/v0.1/',
    ],
  };
}
