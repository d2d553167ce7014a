import { OpenAPIHono } from '@hono/zod-openapi';
import { mountApiDocs } from '../core/api-docs';
import { DEFAULT_CREDENTIALS } from '../core/config';
import { createVendorApp, type VendorAppDeps, type VendorErrorEnvelope } from '../core/vendor-app';
import { registerAccountRoutes } from './accounts/routes';
import { registerBalanceRoutes } from './balances/routes';
import { registerCardRoutes } from './cards/routes';
import { registerCustomerRoutes } from './customers/routes';
import { atelioAuth, type AtelioCredentials } from './shared/auth';
import { SECURITY_SCHEMES, faultResponder, respond, respondToThrown, validationHook } from './shared/http';
import type { RouteContext } from './shared/routing';
import { registerSimulationRoutes } from './simulate/routes';
import type { AtelioStore } from './store/store';
import { registerTransactionRoutes } from './transactions/routes';
import { documentAtelioWebhooks } from './webhooks/openapi';
import { registerWebhookRoutes } from './webhooks/routes';

export interface AtelioAppDeps extends VendorAppDeps {
  store: AtelioStore;
  /** Defaults to `Identity: test-identity`, `Authorization: test-authorization`. */
  credentials?: AtelioCredentials;
}

/** The current path prefix and the legacy one; both serve the same operations on the same store. */
export const API_PREFIXES = ['/api/v0.1', '/api/v0'] as const;

/** Atelio's `{Message, Status, Code, Type}` envelope for every failure the shared middleware chain answers. */
const ATELIO_ENVELOPE: VendorErrorEnvelope = {
  validationHook,
  fault: faultResponder,
  tooLarge: (limit) => respond(413, 'request_too_large', `Request body is larger than ${limit} bytes.`),
  notFound: (c) => respond(404, 'route_dne', `No route ${c.req.method} ${c.req.path}.`),
  onError: respondToThrown,
};

function buildApi(store: AtelioStore): OpenAPIHono {
  const api = new OpenAPIHono({ defaultHook: validationHook });
  const context: RouteContext = { api, store };
  registerTransactionRoutes(context);
  registerCustomerRoutes(context);
  registerAccountRoutes(context);
  registerCardRoutes(context);
  registerBalanceRoutes(context);
  registerSimulationRoutes(context);
  registerWebhookRoutes(context);
  return api;
}

const [CURRENT_PREFIX, LEGACY_PREFIX] = API_PREFIXES;

/**
 * The legacy `/api/v0` copy of every operation is in the document too (clients still call it), grouped
 * under its own tag and pointing at its current path, so the reference reads as one API, not two.
 */
function describeLegacyPaths(doc: Record<string, unknown>): void {
  const paths = doc['paths'] as Record<string, Record<string, Record<string, unknown>>>;
  for (const [path, item] of Object.entries(paths)) {
    if (!path.startsWith(`${LEGACY_PREFIX}/`)) continue;
    const current = `${CURRENT_PREFIX}${path.slice(LEGACY_PREFIX.length)}`;
    for (const op of Object.values(item)) {
      op['tags'] = [`Legacy ${LEGACY_PREFIX}`];
      op['description'] =
        `The legacy path of ${current}: the same operation on the same data, answered the same way.`;
    }
  }
}

/**
 * The Atelio mock as a Hono app: every route under `/api/v0.1/` and the legacy `/api/v0/`,
 * `/openapi.json` and `/docs`. Every failure answers in Atelio's `{Message, Status, Code, Type}`
 * envelope: validation (400 `invalid_request`), credentials (403 `auth_err`), unknown ids (404
 * `*_dne`), unknown routes (404), oversized bodies (413), injected faults.
 */
export function createAtelioApp(deps: AtelioAppDeps): OpenAPIHono {
  const credentials = deps.credentials ?? DEFAULT_CREDENTIALS.atelio;
  const app = createVendorApp('atelio', deps, ATELIO_ENVELOPE);
  app.use('/api/*', atelioAuth(credentials));

  for (const prefix of API_PREFIXES) app.route(prefix, buildApi(deps.store));
  documentAtelioWebhooks(app);

  mountApiDocs(app, {
    title: 'Atelio API (stitch-sandbox mock)',
    description:
      'A stateful local emulation of Atelio’s banking API: transactions with multi-settlement, customers, accounts, ' +
      'cards, balances, sandbox simulation and webhook subscriptions. Every path below is served under /api/v0.1 and ' +
      'also under the legacy /api/v0. Authenticate with the raw Identity and Authorization headers.',
    version: '0.1',
    securitySchemes: SECURITY_SCHEMES,
    layers: {
      envelope: 'AtelioError',
      validation: 400,
      credentials: 403,
      malformedJson: 400,
      unsupportedMediaType: 400,
    },
    refine: describeLegacyPaths,
  });
  return app;
}
