/**
 * Against the sandbox the global setup started, over HTTP only — as a test in any language would:
 * play a scenario through the control plane (with the package's typed client), then read the
 * result from the Atelio API.
 */
import { answer, createControlClient, type StartRunBody } from 'stitch-sandbox';
import { expect, inject, it } from 'vitest';

const urls = inject('sandbox');
const ATELIO = { Identity: 'test-identity', Authorization: 'test-authorization' };
// The control API's typed client: paths, bodies and answers are checked by the compiler.
const control = createControlClient(urls.control);

async function runScenario(name: string, json: StartRunBody) {
  const started = await control.api.scenarios[':name'].runs.$post({ param: { name }, json });
  expect(started.status).toBe(202);
  const { runId } = await answer(started);
  // `instant` runs finish in milliseconds; poll until this one has.
  for (;;) {
    const run = await answer(control.api.runs[':runId'].$get({ param: { runId } }));
    if (run.status !== 'running') return run;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('multi-settlement: the purchase authorised at 35.93 ends completed, settled as 30.49 + 5.44', async () => {
  const run = await runScenario('multi-settlement', { seed: 7, identifier: 'shared-1' });
  expect(run.status).toBe('completed');

  const response = await fetch(`${urls.atelio}/api/v0.1/transactions?customer_id=shared-1&count=10`, {
    headers: ATELIO,
  });
  const page = (await response.json()) as {
    transactions: { state: string; amount: string; details: { settlements?: { amount: string }[] } }[];
  };
  expect(page.transactions).toHaveLength(1);
  const [purchase] = page.transactions;
  expect(purchase).toMatchObject({ state: 'completed', amount: '-35.93' });
  expect(purchase!.details.settlements?.map((s) => s.amount)).toEqual(['-30.49', '-5.44']);
});
