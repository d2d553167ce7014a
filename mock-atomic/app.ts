import { OpenAPIHono } from '@hono/zod-openapi';
import { mountApiDocs } from '../core/api-docs';
import { requestBodyLimit } from '../core/body-limit';
import type { Clock } from '../core/clock';
import { DEFAULT_CREDENTIALS } from '../core/config';
import { faultMiddleware, type FaultInjector } from '../core/faults';
import { journalMiddleware, maskSecret, type RequestJournal } from '../core/journal';
import { registerAccessTokenRoutes } from './access-token/routes';
import { registerCompanyRoutes } from './companies/routes';
import { registerLinkedAccountRoutes } from './linked-accounts/routes';
import { registerPayLinkRoutes } from './pay-link/routes';
import { registerPayrollRoutes } from './payroll/routes';
import { registerTaskRoutes } from './tasks/routes';
import { registerUserRoutes } from './users/routes';
import { registerWebhookRoutes } from './webhooks/routes';
import { SECURITY_SCHEMES, createAuth, type AtomicCredentials, type AtomicEnv } from './shared/auth';
import {
  AtomicHttpError,
  ERROR_CODES,
  errorResponse,
  respondError,
  toAtomicError,
  validationHook,
} from './shared/errors';
import type { RouteDeps } from './shared/routing';
import type { AtomicStore } from './store/store';

export interface AtomicAppDeps {
  store: AtomicStore;
  clock: Clock;
  journal?: RequestJournal;
  faults?: FaultInjector;
  /** Default: test-api-key / test-api-secret. */
  credentials?: AtomicCredentials;
  /** Largest accepted request body; default 1 MiB. */
  bodyLimitBytes?: number;
  /**
   * Test-only: rewrites every JSON response body before it leaves, so contract tests can prove that a
   * renamed or retyped field fails verification. Never set by the platform.
   */
  testHooks?: { transformResponse?(path: string, body: unknown): unknown };
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** A public token is a credential (masked as the `x-public-token` header is) even in the revoke path. */
const REVOKE_PATH = /^(\/access-token\/)([^/]+)(\/revoke\/?)$/;
const redactTokenPath = (path: string) =>
  // The prefix test first: this runs for every request the journal records.
  path.startsWith('/access-token/')
    ? path.replace(
        REVOKE_PATH,
        (_all, head: string, token: string, tail: string) => `${head}${maskSecret(token)}${tail}`,
      )
    : path;

const FAULT_CODES: Record<number, number> = {
  429: ERROR_CODES.rateLimited.code,
  500: ERROR_CODES.internal.code,
};

/**
 * The Atomic API emulation. Every route validates its input with the resource's zod schema, answers
 * in Atomic's `{code, message}` envelope on any failure, and reads and writes `store`.
 */
export function createAtomicApp(deps: AtomicAppDeps): OpenAPIHono<AtomicEnv> {
  const { store, clock } = deps;
  const credentials = deps.credentials ?? DEFAULT_CREDENTIALS.atomic;
  const app = new OpenAPIHono<AtomicEnv>({ defaultHook: validationHook });

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
    app.use('*', journalMiddleware(deps.journal, 'atomic', clock, { redactPath: redactTokenPath }));
  if (deps.faults)
    app.use(
      '*',
      faultMiddleware(deps.faults, 'atomic', (_c, status, message) =>
        errorResponse(status, FAULT_CODES[status] ?? status * 100 + 1, message),
      ),
    );
  const limit = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  app.use(
    '*',
    requestBodyLimit({
      maxSize: limit,
      onError: () =>
        respondError(
          new AtomicHttpError('payloadTooLarge', `Request body too large: the limit is ${limit} bytes`),
        ),
    }),
  );

  const routeDeps: RouteDeps = { store, clock, auth: createAuth(store, credentials) };
  registerAccessTokenRoutes(app, routeDeps);
  registerPayLinkRoutes(app, routeDeps);
  registerTaskRoutes(app, routeDeps);
  registerUserRoutes(app, routeDeps);
  registerCompanyRoutes(app, routeDeps);
  registerPayrollRoutes(app, routeDeps);
  registerLinkedAccountRoutes(app, routeDeps);
  registerWebhookRoutes(app, routeDeps);

  mountApiDocs(app as unknown as OpenAPIHono, {
    title: 'Atomic API (stitch-sandbox emulation)',
    description:
      "A stateful emulation of Atomic's PayLink, Order Monitoring and UserLink APIs. Server calls use x-api-key + " +
      'x-api-secret; client calls use x-public-token. Errors are {code, message} (+ errors[] on 422).',
    securitySchemes: SECURITY_SCHEMES,
  });

  app.notFound((c) =>
    respondError(new AtomicHttpError('routeNotFound', `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error) => {
    const mapped = toAtomicError(error);
    if (mapped.status >= 500) console.error('[atomic] unexpected error:', error);
    return respondError(mapped);
  });
  return app;
}
