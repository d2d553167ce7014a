import type { OpenAPIHono } from '@hono/zod-openapi';
import { mountApiDocs } from '../core/api-docs';
import { DEFAULT_CREDENTIALS } from '../core/config';
import { maskSecret } from '../core/journal';
import { createVendorApp, type VendorAppDeps, type VendorErrorEnvelope } from '../core/vendor-app';
import { registerAccessTokenRoutes } from './access-token/routes';
import { registerCompanyRoutes } from './companies/routes';
import { registerLinkedAccountRoutes } from './linked-accounts/routes';
import { registerPayLinkRoutes } from './pay-link/routes';
import { registerPayrollRoutes } from './payroll/routes';
import { registerTaskRoutes } from './tasks/routes';
import { registerUserRoutes } from './users/routes';
import { documentAtomicWebhooks } from './webhooks/openapi';
import { registerWebhookRoutes } from './webhooks/routes';
import { SECURITY_SCHEMES, createAuth, type AtomicCredentials, type AtomicEnv } from './shared/auth';
import {
  AtomicHttpError,
  ERROR_CODES,
  atomicErrorCode,
  errorResponse,
  respondError,
  toAtomicError,
  validationHook,
} from './shared/errors';
import type { RouteDeps } from './shared/routing';
import type { AtomicStore } from './store/store';

export interface AtomicAppDeps extends VendorAppDeps {
  store: AtomicStore;
  /** Default: test-api-key / test-api-secret. */
  credentials?: AtomicCredentials;
}

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

/** Atomic's `{code, message}` envelope for every failure the shared middleware chain answers. */
const ATOMIC_ENVELOPE: VendorErrorEnvelope = {
  validationHook,
  fault: (_c, status, message) =>
    errorResponse(status, FAULT_CODES[status] ?? atomicErrorCode(status), message),
  tooLarge: (limit) =>
    respondError(
      new AtomicHttpError('payloadTooLarge', `Request body too large: the limit is ${limit} bytes`),
    ),
  notFound: (c) =>
    respondError(new AtomicHttpError('routeNotFound', `No route for ${c.req.method} ${c.req.path}`)),
  onError: (error) => {
    const mapped = toAtomicError(error);
    if (mapped.status >= 500) console.error('[atomic] unexpected error:', error);
    return respondError(mapped);
  },
};

/**
 * The Atomic API emulation. Every route validates its input with the resource's zod schema, answers
 * in Atomic's `{code, message}` envelope on any failure, and reads and writes `store`.
 */
export function createAtomicApp(deps: AtomicAppDeps): OpenAPIHono<AtomicEnv> {
  const { store, clock } = deps;
  const credentials = deps.credentials ?? DEFAULT_CREDENTIALS.atomic;
  const app = createVendorApp<AtomicEnv>('atomic', deps, ATOMIC_ENVELOPE, { redactPath: redactTokenPath });

  const routeDeps: RouteDeps = { store, clock, auth: createAuth(store, credentials) };
  registerAccessTokenRoutes(app, routeDeps);
  registerPayLinkRoutes(app, routeDeps);
  registerTaskRoutes(app, routeDeps);
  registerUserRoutes(app, routeDeps);
  registerCompanyRoutes(app, routeDeps);
  registerPayrollRoutes(app, routeDeps);
  registerLinkedAccountRoutes(app, routeDeps);
  registerWebhookRoutes(app, routeDeps);
  documentAtomicWebhooks(app as unknown as OpenAPIHono);

  mountApiDocs(app as unknown as OpenAPIHono, {
    title: 'Atomic API (stitch-sandbox emulation)',
    description:
      "A stateful emulation of Atomic's PayLink, Order Monitoring and UserLink APIs. Server calls use x-api-key + " +
      'x-api-secret; client calls use x-public-token. Errors are {code, message} (+ errors[] on 422).',
    securitySchemes: SECURITY_SCHEMES,
    layers: {
      envelope: 'Error',
      validation: ERROR_CODES.validation.status,
      credentials: ERROR_CODES.missingCredentials.status,
      malformedJson: ERROR_CODES.malformedJson.status,
      unsupportedMediaType: ERROR_CODES.unsupportedMediaType.status,
    },
  });
  return app;
}
