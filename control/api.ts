import { Hono } from 'hono';
import type { ZodType } from 'zod';
import { FaultRuleInputSchema, type FaultInjector } from '../core/faults';
import type { PlatformClock } from '../core/clock';
import type { RequestJournal } from '../core/journal';
import { ChaosRuleInputSchema, type DeliveryEngine } from '../core/webhooks';
import { roleOf, type AccessTokens } from './access';
import { chaosRoutes } from './routes/chaos';
import { AdvanceSchema, clockRoutes } from './routes/clock';
import {
  BulkRedeliverSchema,
  DeliveryQuerySchema,
  RedeliverSchema,
  deliveryRoutes,
  webhookTargetRoutes,
} from './routes/deliveries';
import { FaultClearQuerySchema, faultRoutes } from './routes/faults';
import { FailNextSchema, type refreshRoutes } from './routes/refreshes';
import { RequestQuerySchema, requestRoutes } from './routes/requests';
import { RunListQuerySchema, StartRunSchema, type scenarioRoutes } from './routes/scenarios';
import { ResetSchema, StateDocumentSchema, stateRoutes, type StateControl } from './routes/state';
import { LaunchSchema, type transactRoutes } from './routes/transact';

/**
 * The control API's route table: every route of DESIGN.md's `/api`, with its method, path, the
 * module whose handler answers it and the schema of what it takes. The app mounts exactly these
 * (`control/api.test.ts` compares the table with the routes the running platform serves), and the
 * typed client (`control/client.ts`) is derived from `controlApi` below, so the CLI, the tests
 * and the examples cannot call a path or send a body the server does not know.
 */
export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The module under control/ whose handler answers. */
  handler: string;
  /** The JSON body it takes (optional bodies say so). */
  body?: ZodType;
  bodyOptional?: true;
  /** The query string it takes. */
  query?: ZodType;
}

export const CONTROL_ROUTES: readonly ControlRoute[] = [
  { method: 'GET', path: '/api/session', handler: 'api.ts' },
  { method: 'GET', path: '/api/clock', handler: 'routes/clock.ts' },
  { method: 'POST', path: '/api/clock/advance', handler: 'routes/clock.ts', body: AdvanceSchema },
  { method: 'GET', path: '/api/faults', handler: 'routes/faults.ts' },
  { method: 'POST', path: '/api/faults', handler: 'routes/faults.ts', body: FaultRuleInputSchema },
  { method: 'DELETE', path: '/api/faults', handler: 'routes/faults.ts', query: FaultClearQuerySchema },
  { method: 'DELETE', path: '/api/faults/:id', handler: 'routes/faults.ts' },
  { method: 'GET', path: '/api/requests', handler: 'routes/requests.ts', query: RequestQuerySchema },
  { method: 'GET', path: '/api/deliveries', handler: 'routes/deliveries.ts', query: DeliveryQuerySchema },
  {
    method: 'POST',
    path: '/api/deliveries/redeliver',
    handler: 'routes/deliveries.ts',
    body: BulkRedeliverSchema,
  },
  { method: 'GET', path: '/api/deliveries/:id', handler: 'routes/deliveries.ts' },
  {
    method: 'POST',
    path: '/api/deliveries/:id/redeliver',
    handler: 'routes/deliveries.ts',
    body: RedeliverSchema,
    bodyOptional: true,
  },
  { method: 'GET', path: '/api/webhook-targets', handler: 'routes/deliveries.ts' },
  { method: 'POST', path: '/api/webhook-targets/:vendor/:targetId/resume', handler: 'routes/deliveries.ts' },
  { method: 'GET', path: '/api/chaos', handler: 'routes/chaos.ts' },
  { method: 'POST', path: '/api/chaos', handler: 'routes/chaos.ts', body: ChaosRuleInputSchema },
  { method: 'DELETE', path: '/api/chaos', handler: 'routes/chaos.ts' },
  { method: 'DELETE', path: '/api/chaos/:id', handler: 'routes/chaos.ts' },
  { method: 'POST', path: '/api/reset', handler: 'routes/state.ts', body: ResetSchema, bodyOptional: true },
  { method: 'GET', path: '/api/state', handler: 'routes/state.ts' },
  { method: 'PUT', path: '/api/state', handler: 'routes/state.ts', body: StateDocumentSchema },
  { method: 'GET', path: '/api/scenarios', handler: 'routes/scenarios.ts' },
  { method: 'GET', path: '/api/scenarios/schema.json', handler: 'routes/scenarios.ts' },
  {
    method: 'POST',
    path: '/api/scenarios/:name/runs',
    handler: 'routes/scenarios.ts',
    body: StartRunSchema,
    bodyOptional: true,
  },
  { method: 'GET', path: '/api/runs', handler: 'routes/scenarios.ts', query: RunListQuerySchema },
  { method: 'GET', path: '/api/runs/:runId', handler: 'routes/scenarios.ts' },
  { method: 'POST', path: '/api/runs/:runId/cancel', handler: 'routes/scenarios.ts' },
  { method: 'GET', path: '/api/runs/:runId/recording', handler: 'routes/scenarios.ts' },
  { method: 'GET', path: '/api/transact/sessions', handler: 'routes/transact.ts' },
  { method: 'GET', path: '/api/transact/sessions/:id', handler: 'routes/transact.ts' },
  { method: 'POST', path: '/api/transact/launch', handler: 'routes/transact.ts', body: LaunchSchema },
  { method: 'GET', path: '/api/refreshes', handler: 'routes/refreshes.ts' },
  { method: 'POST', path: '/api/refreshes/fail-next', handler: 'routes/refreshes.ts', body: FailNextSchema },
  // The dashboard's live feed and read models (control/dashboard/), for the page rather than scripts.
  { method: 'GET', path: '/api/events', handler: 'dashboard/events.ts' },
  { method: 'GET', path: '/api/users', handler: 'dashboard/views.ts' },
  { method: 'GET', path: '/api/users/:identifier', handler: 'dashboard/views.ts' },
  { method: 'GET', path: '/api/stitcher/*', handler: 'dashboard/views.ts' },
];

export type ScenarioRoutes = ReturnType<typeof scenarioRoutes>;
export type TransactRoutes = ReturnType<typeof transactRoutes>;
export type RefreshRoutes = ReturnType<typeof refreshRoutes>;

export interface ControlApiDeps {
  clock: PlatformClock;
  journal: RequestJournal;
  faults: FaultInjector;
  engine: DeliveryEngine;
  state: StateControl;
  tokens: AccessTokens;
  /** `/api/scenarios`, `/api/runs`. */
  scenarios: ScenarioRoutes;
  /** `/api/transact/...`. */
  transact: TransactRoutes;
  /** `/api/refreshes/...`: the Atomic mock's refresh schedule. */
  refreshes: RefreshRoutes;
}

/**
 * Mounts every route group of the table, in one chain so that its type carries every path, input
 * and answer (the dashboard's groups are mounted beside it by `createControlApp`).
 */
export function controlApi(deps: ControlApiDeps) {
  // Which token the caller holds: the dashboard hides what a viewer may not do.
  const session = new Hono().get('/', (c) =>
    c.json({ role: roleOf(c), tokenRequired: Boolean(deps.tokens.admin ?? deps.tokens.viewer) }),
  );
  return new Hono()
    .route('/api/session', session)
    .route('/api/clock', clockRoutes(deps.clock))
    .route('/api/faults', faultRoutes(deps.faults))
    .route('/api/requests', requestRoutes(deps.journal))
    .route('/api/deliveries', deliveryRoutes(deps.engine))
    .route('/api/webhook-targets', webhookTargetRoutes(deps.engine))
    .route('/api/chaos', chaosRoutes(deps.engine.chaos))
    .route('/api', stateRoutes(deps.state))
    .route('/api', deps.scenarios)
    .route('/api/transact', deps.transact)
    .route('/api/refreshes', deps.refreshes);
}

/** The whole control API as the typed client sees it. */
export type ControlApi = ReturnType<typeof controlApi>;
