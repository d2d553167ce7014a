import { afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_SCENARIO_DIR, listScenarioFiles } from '../scenarios';
import {
  ATELIO_HEADERS,
  ATOMIC_HEADERS,
  createScenarioPlatform,
  type ScenarioPlatform,
} from '../scenarios/testing';

/**
 * The hot GET routes answer from bytes cached per store revision (an account with its orders, a task's
 * status, a transaction, a page of transactions). Whatever a scenario does to the stores, every answer must be what the store
 * holds at that moment: the routes are polled while every shipped scenario runs and after it ends,
 * and each answer is compared byte for byte with a fresh serialisation of the store.
 */

const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

const IDENTIFIER = 'cache-check';
const SCENARIOS = [...listScenarioFiles([BUILTIN_SCENARIO_DIR]).keys()];

async function text(
  app: ScenarioPlatform['atomicApp'] | ScenarioPlatform['atelioApp'],
  path: string,
  headers: object,
) {
  const response = await app.request(path, { headers: headers as Record<string, string> });
  return { status: response.status, body: await response.text() };
}

/**
 * Compares every account and task status of the seeded user and the scenario's user, transactions
 * by id and three transaction pages, with the store. Only reads that leave the revision alone are used, so the caches the scenario must
 * invalidate are never invalidated by the check itself. A comparison is counted only when nothing
 * changed while the request was in flight.
 */
async function check(platform: ScenarioPlatform): Promise<number> {
  let compared = 0;
  const accountIds = ['demo-user', IDENTIFIER].flatMap((identifier) =>
    platform.atomic.findUser(identifier)
      ? platform.atomic.listPayLinkAccounts(identifier).map((a) => a._id)
      : [],
  );
  for (const id of accountIds) {
    const revision = platform.atomic.revision;
    const expected = JSON.stringify({ data: platform.atomic.getPayLinkAccount(id) });
    const served = await text(platform.atomicApp, `/pay-link/accounts/${id}`, ATOMIC_HEADERS);
    if (platform.atomic.revision !== revision) continue;
    expect(served).toEqual({ status: 200, body: expected });
    compared++;
  }
  const taskIds = ['demo-user', IDENTIFIER].flatMap((identifier) =>
    platform.atomic.findUser(identifier) ? platform.atomic.listUserTasks(identifier).map((t) => t._id) : [],
  );
  for (const id of taskIds) {
    const revision = platform.atomic.revision;
    const task = platform.atomic.getTask(id);
    const served = await text(platform.atomicApp, `/task/${id}/status`, ATOMIC_HEADERS);
    if (platform.atomic.revision !== revision) continue;
    expect(served.status).toBe(200);
    const body = JSON.parse(served.body) as { status: string; createdAt: string; failReason?: string };
    expect(body).toMatchObject({
      status: task.status,
      createdAt: task.createdAt,
      data: { task: { status: task.status, payrollDataAvailable: task.payrollDataAvailable } },
    });
    expect(body.failReason).toBe(task.status === 'failed' ? task.failReason : undefined);
    compared++;
  }
  const customer = platform.atelio.getCustomer(IDENTIFIER) ? IDENTIFIER : undefined;
  const transactionIds = [
    ...platform.atelio.listTransactions({ count: 10 }).items,
    ...(customer ? platform.atelio.listTransactions({ customerId: customer, count: 100 }).items : []),
  ].map((t) => t.transaction_id);
  for (const id of transactionIds) {
    const revision = platform.atelio.revision;
    const expected = JSON.stringify(platform.atelio.getTransaction(id));
    const served = await text(platform.atelioApp, `/api/v0.1/transactions/${id}`, ATELIO_HEADERS);
    if (platform.atelio.revision !== revision) continue;
    expect(served).toEqual({ status: 200, body: expected });
    compared++;
  }
  const queries = [
    { count: 50 },
    { count: 50, page: 2 },
    ...(customer ? [{ customerId: customer, count: 100 }] : []),
  ];
  for (const query of queries) {
    const revision = platform.atelio.revision;
    const page = platform.atelio.listTransactions(query);
    const expected = JSON.stringify({
      page: page.page,
      pages: page.pages,
      count: page.count,
      next_page: page.next_page,
      transactions: page.items,
    });
    const search = new URLSearchParams({
      count: String(query.count),
      ...(query.page ? { page: String(query.page) } : {}),
      ...(query.customerId ? { customer_id: query.customerId } : {}),
    });
    const served = await text(platform.atelioApp, `/api/v0.1/transactions?${search}`, ATELIO_HEADERS);
    if (platform.atelio.revision !== revision) continue;
    expect(served).toEqual({ status: 200, body: expected });
    compared++;
  }
  return compared;
}

describe('cached GET responses', () => {
  it.each(SCENARIOS)(
    '%s: every account, task status, transaction and page served during and after the run is current',
    async (name) => {
      const platform = await createScenarioPlatform({ receiver: false });
      platforms.push(platform);
      let compared = await check(platform); // fills the caches at the baseline
      compared += await check(platform); // answered from them
      const run = platform.runner.start(name, {
        seed: 5,
        identifier: IDENTIFIER,
        startTime: '2025-03-01T09:00:00Z',
      });
      let finished = false;
      void run.done.finally(() => (finished = true));
      while (!finished) {
        compared += await check(platform);
        // The run moves on in timers: let them in between checks.
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect((await run.done).status).toBe('completed');
      compared += await check(platform);
      compared += await check(platform);
      expect(compared).toBeGreaterThan(10);
    },
  );
});
