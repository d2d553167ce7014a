import type { Hono } from 'hono';
import { startSandbox, type Sandbox } from '../../../control/platform';
import { describeApi, type ApiDescription } from './openapi';
import type { InProcessApp } from './transport';

/**
 * A real platform (its stores, engine, scenario runner, stitcher) and the very apps its servers
 * serve, so the fuzzer can throw thousands of requests at them in-process.
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
  const { atomic, atelio, control } = sandbox.apps;

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
