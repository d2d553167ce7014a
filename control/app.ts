import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { PlatformClock } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import type { RequestJournal } from '../core/journal';
import type { DeliveryEngine } from '../core/webhooks';
import { controlError, handleControlError } from './errors';
import { controlAccess, roleOf, type AccessTokens } from './access';
import { allowedHostsOnly, sameOriginOnly } from './origin-guard';
import { clockRoutes } from './routes/clock';
import { chaosRoutes } from './routes/chaos';
import { deliveryRoutes, webhookTargetRoutes } from './routes/deliveries';
import { faultRoutes } from './routes/faults';
import { requestRoutes } from './routes/requests';
import { stateRoutes, type StateControl } from './routes/state';

export interface ControlDeps {
  clock: PlatformClock;
  journal: RequestJournal;
  faults: FaultInjector;
  engine: DeliveryEngine;
  state: StateControl;
  /** Extra route groups mounted under /api (scenarios, live events). */
  extraApi?: Record<string, Hono>;
  /** Routes mounted at the root (the dashboard). */
  site?: Hono;
  bodyLimitBytes?: number;
  /** The interface the server binds: requests naming a Host it is not meant to be reached by are refused. */
  bindHost?: string;
  /** More Host names to answer to (`--allowed-host`). */
  allowedHosts?: readonly string[];
  /** Control (admin) and viewer tokens; none means open (loopback only). */
  tokens?: AccessTokens;
}

/** The state document's own cap: at least 16 MiB, or the request cap when that is larger. */
export const stateImportLimitBytes = (bodyLimitBytes = 1024 * 1024): number =>
  Math.max(bodyLimitBytes, 16 * 1024 * 1024);

/**
 * The control plane: the `/api` routes of DESIGN.md. Every request passes the Host allow-list and
 * the token check (when tokens are configured); anything that changes state must be same-origin.
 */
export function createControlApp(deps: ControlDeps) {
  const app = new Hono();
  app.onError(handleControlError);
  app.notFound((c) => controlError(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}.`));
  if (deps.bindHost !== undefined) app.use(allowedHostsOnly(deps.bindHost, deps.allowedHosts));
  app.use(controlAccess(deps.tokens ?? {}));
  app.use(sameOriginOnly());
  const cap = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => controlError(c, 413, 'body_too_large', 'The request body is too large.'),
    });
  const requestCap = cap(deps.bodyLimitBytes ?? 1024 * 1024);
  // An exported state (both stores plus up to 1,000 logged deliveries) outgrows the per-request cap
  // on a long-running platform; its own route keeps a larger one so GET then PUT always round-trips.
  const stateImportCap = cap(stateImportLimitBytes(deps.bodyLimitBytes));
  app.use((c, next) =>
    (c.req.method === 'PUT' && c.req.path === '/api/state' ? stateImportCap : requestCap)(c, next),
  );
  // Which token the caller holds: the dashboard hides what a viewer may not do.
  app.get('/api/session', (c) =>
    c.json({ role: roleOf(c), tokenRequired: Boolean(deps.tokens?.admin ?? deps.tokens?.viewer) }),
  );
  app.route('/api/clock', clockRoutes(deps.clock));
  app.route('/api/faults', faultRoutes(deps.faults));
  app.route('/api/requests', requestRoutes(deps.journal));
  app.route('/api/deliveries', deliveryRoutes(deps.engine));
  app.route('/api/webhook-targets', webhookTargetRoutes(deps.engine));
  app.route('/api/chaos', chaosRoutes(deps.engine.chaos));
  app.route('/api', stateRoutes(deps.state));
  for (const [path, routes] of Object.entries(deps.extraApi ?? {})) app.route(`/api${path}`, routes);
  if (deps.site) app.route('/', deps.site);
  return app;
}
