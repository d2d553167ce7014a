import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../control/platform';
import type { Sandbox } from '../../control/platform';
import { STITCHER_THREAD_NICENESS } from '../../stitcher/worker-thread';

/**
 * The reference stitcher in its own worker thread (docs/decisions/016), as `stitch-sandbox start`
 * runs it: the same scenario must stitch exactly as in process, `idle()` must wait for the worker's
 * backlog, the dashboard's stitcher views must reach it, its clock must follow the platform's
 * virtual time, and a stop must end the thread.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const identifier = 'worker-e2e';

async function playAndRead(sandbox: Sandbox, startTime: string) {
  const view = await sandbox.scenarios.start('amazon-returns-and-shipments', {
    seed: 3,
    identifier,
    startTime,
  }).done;
  expect(view.status).toBe('completed');
  await sandbox.engine.idle();
  await sandbox.stitcher!.idle();
  const response = await fetch(`${sandbox.urls.stitcher}/users/${identifier}/orders`);
  expect(response.status).toBe(200);
  const { orders } = (await response.json()) as { orders: Array<Record<string, unknown>> };
  // When each was stitched differs between two runs; what was stitched must not.
  return JSON.parse(
    JSON.stringify(orders, (key, value: unknown) => (key === 'stitchedAt' ? undefined : value)),
  );
}

describe('the reference stitcher in its own worker thread', () => {
  it('stitches a scenario exactly as the in-process stitcher does, behind the same handle', async () => {
    const startTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const inProcess = await startSandbox({ ports: 0, env: {}, seed: 11 });
    const expected = await playAndRead(inProcess, startTime);
    await inProcess.stop();

    const sandbox = await startSandbox({ ports: 0, env: {}, seed: 11, stitcherThread: 'worker' });
    cleanups.push(() => sandbox.stop());
    const orders = await playAndRead(sandbox, startTime);
    expect(orders).toEqual(expected);
    expect(JSON.stringify(orders)).toContain('"charges"');
    expect(JSON.stringify(orders)).toContain('"refunds"');

    // The dashboard reads the stitcher through the handle's app, which forwards to the worker.
    const users = await sandbox.stitcher!.app.request('/users', { headers: { accept: 'application/json' } });
    expect(users.status).toBe(200);
    expect(JSON.stringify(await users.json())).toContain(identifier);
  });

  it("follows the platform's virtual time and ends its thread on stop", async () => {
    const sandbox = await startSandbox({ ports: 0, env: {}, seed: 11, stitcherThread: 'worker' });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await sandbox.stop();
    });
    const day = 86_400_000;
    sandbox.clock.advance(30 * day);
    const startTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const orders = (await playAndRead(sandbox, startTime)) as Array<{ stitch: unknown }>;
    expect(orders.length).toBeGreaterThan(0);
    // The user's summary says when it was last stitched: on the platform's clock, 30 days ahead.
    const response = await fetch(`${sandbox.urls.stitcher}/users/${identifier}`);
    const { stitchedAt } = (await response.json()) as { stitchedAt: string | null };
    expect(stitchedAt).not.toBeNull();
    expect(new Date(stitchedAt!).getTime()).toBeGreaterThan(Date.now() + 29 * day);

    await sandbox.stop();
    stopped = true;
    await expect(sandbox.stitcher!.idle()).resolves.toBeUndefined();
    await expect(fetch(`${sandbox.urls.stitcher}/users`)).rejects.toThrow();
  });

  // Linux keeps a nice value per thread; elsewhere the thread keeps the process's priority.
  it.runIf(process.platform === 'linux')(
    'runs at a lower CPU priority than the vendor mocks, and only its own thread does',
    async () => {
      const niceValues = () =>
        readdirSync('/proc/self/task').map((tid) => {
          const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
          // Fields after the command name: state is the 3rd field of the whole line, nice the 19th.
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        });
      const before = niceValues();
      expect(before).not.toContain(STITCHER_THREAD_NICENESS);
      const sandbox = await startSandbox({ ports: 0, env: {}, seed: 11, stitcherThread: 'worker' });
      cleanups.push(() => sandbox.stop());
      await sandbox.stitcher!.idle();
      const during = niceValues();
      expect(during.filter((nice) => nice === STITCHER_THREAD_NICENESS)).toHaveLength(1);
      // This thread, the mocks' thread, keeps its priority.
      expect(during.filter((nice) => nice === 0).length).toBeGreaterThan(1);
    },
  );
});
