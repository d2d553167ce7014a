import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { PlatformClock } from '../core/clock';
import type { FaultInjector } from '../core/faults';
import type { RequestJournal } from '../core/journal';
import type { DeliveryEngine } from '../core/webhooks';
import { controlError, handleControlError } from './errors';
import { controlAccess, type AccessTokens } from './access';
import { controlApi, type RefreshRoutes, type ScenarioRoutes, type TransactRoutes } from './api';
import { allowedHostsOnly, sameOriginOnly } from './origin-guard';
import type { StateControl } from './routes/state';

export interface ControlDeps {
  clock: PlatformClock;
  journal: RequestJournal;
  faults: FaultInjector;
  engine: DeliveryEngine;
  state: StateControl;
  /** `/api/scenarios`, `/api/runs` (`scenarioRoutes`); absent, those paths answer 404. */
  scenarios?: ScenarioRoutes;
  /** `/api/transact/...` (`transactRoutes`); absent, those paths answer 404. */
  transact?: TransactRoutes;
  /** `/api/refreshes/...` (`refreshRoutes`); absent, those paths answer 404. */
  refreshes?: RefreshRoutes;
  /** The dashboard's route groups mounted under /api (live events, read models): `dashboardRoutes().api`. */
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

/**
 * A route group this control app does not serve (an app built for a test without a scenario
 * runner or Transact): no routes, so its paths answer the 404 of every unknown path. Typed as the
 * group it stands in for only so that the route table keeps one signature.
 */
const notServed = <G extends Hono>(): G => new Hono() as unknown as G;

/** The state document's own cap: at least 16 MiB, or the request cap when that is larger. */
export const stateImportLimitBytes = (bodyLimitBytes = 1024 * 1024): number =>
  Math.max(bodyLimitBytes, 16 * 1024 * 1024);

/**
 * The control plane: the `/api` routes of DESIGN.md (listed in `control/api.ts`). Every request passes the Host allow-list and
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
  app.route(
    '/',
    controlApi({
      ...deps,
      tokens: deps.tokens ?? {},
      scenarios: deps.scenarios ?? notServed<ScenarioRoutes>(),
      transact: deps.transact ?? notServed<TransactRoutes>(),
      refreshes: deps.refreshes ?? notServed<RefreshRoutes>(),
    }),
  );
  for (const [path, routes] of Object.entries(deps.extraApi ?? {})) app.route(`/api${path}`, routes);
  if (deps.site) app.route('/', deps.site);
  return app;
}
