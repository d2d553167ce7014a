import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createStitcherService } from './service';
import { CREDS, FakeVendors, ManualTimers } from './testing';

const service = createStitcherService({
  atomic: { ...CREDS.atomic },
  atelio: { ...CREDS.atelio, webhookSecrets: [CREDS.atelio.webhookSecret] },
  dbPath: ':memory:',
  now: () => Date.parse('2024-10-25T12:00:00Z'),
  timers: new ManualTimers(),
  fetch: new FakeVendors().fetch,
  log: () => {},
  bodyLimitBytes: 4096,
});
afterAll(() => service.close());

const segment = fc.oneof(
  fc.constantFrom(
    'users',
    'webhooks',
    'atomic',
    'atelio',
    'inbox',
    'retry',
    'orders',
    'transactions',
    '..',
    '%2F',
    '%00',
    '',
  ),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const path = fc.oneof(
  fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
  fc
    .tuple(
      fc.constantFrom('/users/', '/inbox/'),
      fc.string({ maxLength: 300 }),
      fc.constantFrom('', '/orders', '/transactions', '/retry'),
    )
    .map(([base, id, tail]) => `${base}${encodeURIComponent(id)}${tail}`),
  fc
    .tuple(fc.constantFrom('status', 'limit', 'x'), fc.string({ maxLength: 12 }))
    .map(([key, value]) => `/inbox?${key}=${encodeURIComponent(value)}`),
  fc.constantFrom('/webhooks/atomic', '/webhooks/atelio'),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant('x'.repeat(6000)),
);
const hex64 = fc
  .array(fc.constantFrom(...'0123456789abcdef'), { minLength: 64, maxLength: 64 })
  .map((chars) => chars.join(''));
const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      '',
    ),
    'x-hmac-signature-sha-256': fc.oneof(hex64, fc.string({ maxLength: 80 })),
    'bond-signature': fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 2_000_000_000 }), hex64).map(([t, v]) => `t=${t},v1=${v}`),
      fc.string({ maxLength: 80 }),
    ),
    'ce-id': fc.string({ maxLength: 40 }),
  },
  { requiredKeys: [] },
);

describe('stitcher HTTP API under generated bad input', () => {
  it('never answers 5xx and always answers errors in the JSON envelope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        path,
        body,
        headers,
        async (method, url, payload, extra) => {
          const init: RequestInit = { method, headers: extra };
          if (payload !== undefined && method !== 'GET')
            init.body =
              typeof payload === 'string' || payload instanceof Uint8Array
                ? payload
                : JSON.stringify(payload);
          const response = await service.app.request(url, init);
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            const json = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
            expect(typeof json.error?.code).toBe('string');
            expect(typeof json.error?.message).toBe('string');
          }
        },
      ),
      { numRuns: 1500 },
    );
    // Nothing unsigned got in.
    expect(service.store.inboxCounts()).toEqual({ pending: 0, retrying: 0, done: 0, failed: 0, ignored: 0 });
  });
});
