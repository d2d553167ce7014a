/**
 * A sandbox of this file's own, in-process: nothing is shared with other files running in parallel,
 * and the test can reach into the platform — its stores, clock and delivery log — as well as its URLs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from 'stitch-sandbox';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, ports: 0, stitcher: false, env: {} });
});
afterAll(() => sandbox.stop());

it('runs multi-settlement in-process and signs one Atelio webhook per step', async () => {
  const view = await sandbox.scenarios.start('multi-settlement', { seed: 1, identifier: 'own-1' }).done;
  expect(view.status).toBe('completed');
  expect(view.webhookCount).toBe(3);

  const transactions = sandbox.atelio.listTransactions({ customerId: 'own-1' }).items;
  expect(transactions.map((t) => [t.state, t.amount])).toEqual([['completed', '-35.93']]);

  // The same data through the vendor API, as the integration under test would read it.
  const response = await fetch(
    `${sandbox.urls.atelio}/api/v0.1/transactions/${transactions[0]!.transaction_id}`,
    {
      headers: { Identity: 'test-identity', Authorization: 'test-authorization' },
    },
  );
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual(transactions[0]);
});

it('starts from the seeded baseline again after reset()', async () => {
  await sandbox.reset();
  expect(sandbox.atelio.listTransactions({ count: 10 }).items.some((t) => t.customer_id === 'own-1')).toBe(
    false,
  );
});
