import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_ROUTES } from './api';
import { createControlApp } from './app';
import { answer, ControlApiError, createControlClient, type ControlClient } from './client';
import { dashboardRoutes } from './dashboard';
import { startSandbox, type Sandbox } from './platform';
import { refreshRoutes } from './routes/refreshes';
import { scenarioRoutes } from './routes/scenarios';
import { transactRoutes } from './routes/transact';

/**
 * The route table against the app the platform builds, and the typed client against that app:
 * every route the control plane serves is in the table and every table row is served; the client
 * reaches the routes with the paths, bodies and answers the server knows.
 */
let sandbox: Sandbox;
let app: ReturnType<typeof createControlApp>;
let control: ControlClient;

beforeAll(async () => {
  sandbox = await startSandbox({ ports: 0, env: {}, stitcher: false, seed: 5 });
  const dashboard = dashboardRoutes({
    clock: sandbox.clock,
    engine: sandbox.engine,
    scenarios: sandbox.scenarios,
    atomic: sandbox.atomic,
    atelio: sandbox.atelio,
  });
  app = createControlApp({
    clock: sandbox.clock,
    journal: sandbox.journal,
    faults: sandbox.faults,
    engine: sandbox.engine,
    state: { reset: sandbox.reset, exportState: sandbox.exportState, importState: sandbox.importState },
    scenarios: scenarioRoutes(sandbox.scenarios, sandbox.recordings),
    transact: transactRoutes({
      sessions: sandbox.transactSessions,
      atomic: sandbox.atomic,
      transactUrl: sandbox.urls.transact,
    }),
    refreshes: refreshRoutes(sandbox.atomic),
    extraApi: dashboard.api,
    site: dashboard.site,
  });
  control = createControlClient('http://127.0.0.1', {
    fetch: async (input, init) => app.request(input instanceof Request ? input : String(input), init),
  });
});
afterAll(() => sandbox?.stop());

describe('the control route table', () => {
  it('lists exactly the /api routes the control app serves', () => {
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api'))
        .map((route) => `${route.method} ${route.path}`),
    );
    const listed = CONTROL_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(new Set(listed).size, 'a route listed twice').toBe(listed.length);
    expect([...served].sort()).toEqual([...listed].sort());
  });

  it('names the schema of every route that reads a body', () => {
    for (const route of CONTROL_ROUTES.filter((r) => r.body)) {
      expect(['POST', 'PUT'], `${route.method} ${route.path}`).toContain(route.method);
    }
    // Every POST/PUT that changes something from a body says what the body is.
    expect(CONTROL_ROUTES.filter((r) => r.method === 'PUT' && !r.body)).toEqual([]);
  });
});

describe('the typed control client', () => {
  it('reads and advances the platform clock', async () => {
    const before = await answer(control.api.clock.$get());
    const after = await answer(control.api.clock.advance.$post({ json: { ms: 60_000 } }));
    expect(after.nowMs - before.nowMs).toBeGreaterThanOrEqual(60_000);
    expect(after.offsetMs).toBe(before.offsetMs + 60_000);
  });

  it('starts a run with a typed body and reads it back by id', async () => {
    const started = await answer(
      control.api.scenarios[':name'].runs.$post({
        param: { name: 'multi-settlement' },
        json: { seed: 3, identifier: 'client-1' },
      }),
    );
    expect(started.status).toBe('running');
    await sandbox.scenarios.get(started.runId)!.done;
    const run = await answer(control.api.runs[':runId'].$get({ param: { runId: started.runId } }));
    expect(run).toMatchObject({ id: started.runId, status: 'completed' });
    const listed = await answer(control.api.runs.$get({ query: { limit: '5' } }));
    expect(listed.runs.map((r) => r.id)).toContain(started.runId);
  });

  it('turns a refusal into a ControlApiError with the status, code and message of the answer', async () => {
    const refused = await answer(control.api.faults[':id'].$delete({ param: { id: 'fault_404' } })).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ControlApiError);
    expect(refused).toMatchObject({ status: 404, code: 'fault_not_found', message: 'No fault fault_404.' });

    const invalid = await answer(
      control.api.deliveries.$get({ query: { status: 'lost' as 'failed' } }),
    ).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'invalid_request' });
  });
});
