import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import type { ZodError } from 'zod';
import { requestBodyLimit } from './body-limit';
import type { Clock } from './clock';
import { faultMiddleware, type FaultInjector, type FaultResponder, type FaultVendor } from './faults';
import { journalMiddleware, type RequestJournal } from './journal';

/** What every vendor mock app takes besides its store: where it records, what it injects, its limits. */
export interface VendorAppDeps {
  clock: Clock;
  journal?: RequestJournal;
  faults?: FaultInjector;
  /** Largest accepted request body; default 1 MiB. */
  bodyLimitBytes?: number;
  /**
   * Test-only: rewrites every JSON response body before it leaves, so contract tests can prove that a
   * renamed or retyped field fails verification. Never set by the platform.
   */
  testHooks?: { transformResponse?(path: string, body: unknown): unknown };
}

/** A vendor's error envelope: the only thing a mock supplies to the shared middleware chain. */
export interface VendorErrorEnvelope {
  /** Validation failures of a route's request schemas. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  validationHook: Hook<any, any, any, any>;
  /** An injected fault (429, 5xx, ...). */
  fault: FaultResponder;
  /** A request body over `limitBytes`. */
  tooLarge(limitBytes: number): Response;
  /** A path no route serves. */
  notFound(c: Context): Response;
  /** Anything a handler threw. */
  onError(error: Error): Response;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What a route's request validation produced, as @hono/zod-openapi hands it to the hook. */
export type ValidationOutcome = { success: true } | { success: false; error: ZodError; target: string };

/**
 * A validation hook: a failure answers in the vendor's envelope (`refuse`, given the zod error and
 * which part of the request was wrong), a success lets the route run.
 */
export const validationHookFor =
  (refuse: (error: ZodError, target: string) => Response) =>
  (result: ValidationOutcome): Response | undefined =>
    result.success ? undefined : refuse(result.error, result.target);

/** A failure answered as a JSON envelope with its status: how both mocks send every error body. */
export const jsonErrorResponse = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * A mock vendor's Hono app with the one middleware chain every mock shares, always in this order:
 * test hooks (outermost, so they see the final body), journal, faults, body limit; then the
 * routes the caller registers; an unknown path answers `envelope.notFound` and a thrown error
 * `envelope.onError`. Each mock supplies only its error envelope (and its journal path redaction).
 */
export function createVendorApp<E extends Env = Env>(
  vendor: FaultVendor,
  deps: VendorAppDeps,
  envelope: VendorErrorEnvelope,
  options: { redactPath?: (path: string) => string } = {},
): OpenAPIHono<E> {
  const app = new OpenAPIHono<E>({ defaultHook: envelope.validationHook });

  const transform = deps.testHooks?.transformResponse;
  if (transform)
    app.use('*', async (c, next) => {
      await next();
      if (!c.res.headers.get('content-type')?.startsWith('application/json')) return;
      const body = JSON.stringify(transform(c.req.path, await c.res.json()));
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(body, { status: c.res.status, headers });
    });
  if (deps.journal)
    app.use(
      '*',
      journalMiddleware(
        deps.journal,
        vendor,
        deps.clock,
        options.redactPath ? { redactPath: options.redactPath } : {},
      ),
    );
  if (deps.faults) app.use('*', faultMiddleware(deps.faults, vendor, envelope.fault));
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  app.use('*', requestBodyLimit({ maxSize: limit, onError: () => envelope.tooLarge(limit) }));

  app.notFound((c) => envelope.notFound(c));
  app.onError((error) => envelope.onError(error));
  return app;
}
