import { expect } from 'vitest';
import type { z } from 'zod';
import { VirtualClock } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import type { RequestJournal } from '../core/journal';
import { ErrorSchema } from './shared/errors';
import { createAtomicMock } from './mock';
import type { AtomicStoreOptions } from './store/store';

/** Test support for the Atomic mock: an app on a virtual clock, credentials and response checks. */

export const TEST_NOW = '2025-03-10T15:00:00.000Z';
export const API_KEY = 'test-api-key';
export const API_SECRET = 'test-api-secret';
export const SERVER_HEADERS = { 'x-api-key': API_KEY, 'x-api-secret': API_SECRET } as const;

export type AuthKind = 'server' | 'none' | { publicToken: string } | Record<string, string>;

export interface RequestOptions {
  auth?: AuthKind;
  /** Serialised as JSON with content-type application/json unless a string is given. */
  body?: unknown;
  headers?: Record<string, string>;
}

export function makeAtomic(
  options: {
    seed?: number;
    now?: string;
    store?: Partial<Omit<AtomicStoreOptions, 'clock' | 'seed' | 'apiSecret'>>;
    journal?: RequestJournal;
    faults?: FaultInjector;
    bodyLimitBytes?: number;
  } = {},
) {
  const clock = new VirtualClock(options.now ?? TEST_NOW);
  const { store, app } = createAtomicMock({
    seed: options.seed ?? 1,
    clock,
    ...options.store,
    credentials: { apiKey: API_KEY, apiSecret: API_SECRET },
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  const baseline = store.baselineInfo();

  const request = (method: string, path: string, opts: RequestOptions = {}): Promise<Response> => {
    const auth = opts.auth ?? 'server';
    const headers: Record<string, string> =
      auth === 'server'
        ? { ...SERVER_HEADERS }
        : auth === 'none'
          ? {}
          : 'publicToken' in auth
            ? { 'x-public-token': String(auth['publicToken']) }
            : { ...auth };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, opts.headers);
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };

  /** A fresh public token for `identifier` (the user is created if new). */
  const publicToken = (identifier = 'demo-user', tokenLifetime?: number) =>
    store.createAccessToken({ identifier, ...(tokenLifetime ? { tokenLifetime } : {}) }).publicToken;

  return { app, store, clock, baseline, request, publicToken };
}

export type AtomicHarness = ReturnType<typeof makeAtomic>;

/** Asserts Atomic's error envelope: status, `code` = status × 100 + n, a message, `errors` only on 422. */
export async function expectError(
  response: Response,
  status: number,
  code?: number,
): Promise<{ code: number; message: string; errors?: { path: string; message: string }[] | undefined }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = ErrorSchema.strict().parse(await response.json());
  expect(Math.floor(body.code / 100)).toBe(status);
  if (code !== undefined) expect(body.code).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
  if (status === 422) expect(body.errors?.length).toBeGreaterThan(0);
  else expect(body.errors).toBeUndefined();
  return body;
}

/** Parses a 200 body against the route's response schema and returns it typed. */
export async function expectOk<S extends z.ZodType>(response: Response, schema: S): Promise<z.infer<S>> {
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const parsed = schema.safeParse(JSON.parse(text));
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
  return parsed.data as z.infer<S>;
}

/**
 * Asserts that an object carries every field the vendor documents for it. The lists in the tests
 * are copied from vendor-docs, independently of the route schemas, so a schema that drops a
 * documented field fails here.
 */
export function expectDocumentedFields(value: unknown, fields: readonly string[], where = 'object'): void {
  expect(value, where).toBeTypeOf('object');
  const keys = Object.keys(value as object);
  const missing = fields.filter((f) => !keys.includes(f));
  expect(missing, `${where} is missing documented fields`).toEqual([]);
}

export const objectId = /^[0-9a-f]{24}$/;
export const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
