import type { Hono } from 'hono';
import { createControlApp } from '../../../control/app';
import { dashboardRoutes } from '../../../control/dashboard';
import { startSandbox, type Sandbox } from '../../../control/platform';
import { scenarioRoutes } from '../../../control/routes/scenarios';
import { createAtelioApp } from '../../../mock-atelio';
import { createAtomicApp } from '../../../mock-atomic';
import { describeApi, type ApiDescription } from './openapi';
import type { InProcessApp } from './transport';

/**
 * A real platform (its stores, engine, scenario runner, stitcher) and, beside its servers, the same
 * three apps built over the same parts, so the fuzzer can throw thousands of requests at them
 * in-process. The apps are composed exactly as control/platform.ts composes them.
 */
export interface FuzzPlatform {
  sandbox: Sandbox;
  atomic: InProcessApp;
  atelio: InProcessApp;
  control: InProcessApp & { routes: Hono['routes'] };
  atomicApi: ApiDescription;
  atelioApi: ApiDescription;
  /** Ids that exist in each store. */
  knownIds: { atomic: string[]; atelio: string[] };
  bodyLimit: number;
  stop(): Promise<void>;
}

export async function startFuzzPlatform(
  options: { bodyLimitBytes?: number; seed?: number } = {},
): Promise<FuzzPlatform> {
  const sandbox = await startSandbox({
    ports: 0,
    env: {},
    seed: options.seed ?? 11,
    // The fuzz jumps the clock by up to 400 days and compares states around its requests: no
    // scheduled refreshes (test/continuous-access.test.ts covers them).
    refreshes: { enabled: false },
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
  });
  const { config } = sandbox;
  const common = {
    clock: sandbox.scopedClock,
    journal: sandbox.journal,
    faults: sandbox.faults,
    bodyLimitBytes: config.bodyLimitBytes,
  };
  const atomic = createAtomicApp({ ...common, store: sandbox.atomic, credentials: config.atomic });
  const atelio = createAtelioApp({ ...common, store: sandbox.atelio, credentials: config.atelio });
  const dashboard = dashboardRoutes({
    clock: sandbox.clock,
    engine: sandbox.engine,
    scenarios: sandbox.scenarios,
    atomic: sandbox.atomic,
    atelio: sandbox.atelio,
    stitcher:
      sandbox.stitcher && sandbox.urls.stitcher
        ? { service: sandbox.stitcher, url: sandbox.urls.stitcher }
        : undefined,
  });
  const control = createControlApp({
    clock: sandbox.clock,
    journal: sandbox.journal,
    faults: sandbox.faults,
    engine: sandbox.engine,
    state: { reset: sandbox.reset, exportState: sandbox.exportState, importState: sandbox.importState },
    extraApi: { '': scenarioRoutes(sandbox.scenarios, sandbox.recordings), ...dashboard.api },
    site: dashboard.site,
    bodyLimitBytes: config.bodyLimitBytes,
    bindHost: config.host,
  });

  const docOf = async (app: InProcessApp) => describeApi(await (await app.request('/openapi.json')).json());
  const baseline = sandbox.atomic.baselineInfo();
  const atelioIds = [
    ...sandbox.atelio.listCustomers({ count: 5 }).items.map((c) => c.customer_id),
    ...sandbox.atelio.listAccounts({ count: 5 }).items.map((a) => a.account_id),
    ...sandbox.atelio.listTransactions({ count: 5 }).items.map((t) => t.transaction_id),
    ...sandbox.atelio.listWebhookSubscriptions().map((s) => s.id),
  ];
  return {
    sandbox,
    atomic,
    atelio,
    control,
    atomicApi: await docOf(atomic),
    atelioApi: await docOf(atelio),
    knownIds: {
      atomic: [
        ...baseline.identifiers,
        ...[
          baseline.amazonAccountId,
          baseline.taskId,
          baseline.linkedAccountId,
          baseline.publicToken,
          baseline.defaultSecretId,
        ].filter((id): id is string => id !== undefined),
      ],
      atelio: atelioIds,
    },
    bodyLimit: config.bodyLimitBytes,
    stop: () => sandbox.stop(),
  };
}
