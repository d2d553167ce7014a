import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../control/platform';
import { createStitcherService } from '../../stitcher';
import { healthOf, startCli, type CliProcess } from './support/cli';
import { answer } from '../../control/client';
import { api, controlOf, runScenario, stitcherDrained } from './support/control-client';

/**
 * `stitch-sandbox start` stopped by SIGTERM or SIGINT: it stops accepting, records what it could
 * not deliver, lets the stitcher close its SQLite database cleanly (WAL checkpointed into the main
 * file), and exits 0. The database then opens with everything the stitcher had stored.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-shutdown-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function cli(args: string[]): Promise<CliProcess> {
  const started = await startCli(args);
  cleanups.push(() => void started.stop('SIGKILL'));
  return started;
}

/** What the stitcher's API says about a user: orders with their stitch, newest first. */
const ordersOf = (stitcher: string, identifier: string) =>
  api<{ orders: { orderId: string; stitch: { status: string; transactionId?: string } }[] }>(
    stitcher,
    `/users/${identifier}/orders`,
  );

describe('graceful shutdown of stitch-sandbox start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'on %s: exit code 0, and the stitcher database opens cleanly with its data',
    async (signal) => {
      const dbPath = join(tempDir(), 'stitcher.sqlite');
      const running = await cli(['--stitcher-db', dbPath]);
      const { control, stitcher } = running.urls;
      const run = await runScenario(control, 'amazon-order-stitching', {
        seed: 1,
        identifier: 'shutdown-user',
      });
      expect(run.status).toBe('completed');
      const inbox = await stitcherDrained(stitcher!);
      const before = await ordersOf(stitcher!, 'shutdown-user');
      expect(before.orders.filter((o) => o.stitch.status === 'matched').length).toBeGreaterThanOrEqual(8);

      const exit = await running.stop(signal);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(running.stderr()).toContain(`${signal}: stopping`);
      // The last connection closed the WAL into the database file.
      expect(!existsSync(`${dbPath}-wal`) || statSync(`${dbPath}-wal`).size === 0).toBe(true);

      const db = new Database(dbPath, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        const done = db.prepare(`SELECT count(*) FROM inbox WHERE status = 'done'`).pluck().get() as number;
        expect(done).toBe(inbox['done']);
      } finally {
        db.close();
      }

      // A new stitcher on the same file serves the same stitching, before any new event arrives.
      const reopened = createStitcherService({
        atomic: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k', apiSecret: 's' },
        atelio: { baseUrl: 'http://127.0.0.1:9', identity: 'i', authorization: 'a', webhookSecrets: [] },
        dbPath,
        backfillTransactions: false,
      });
      cleanups.push(() => reopened.close());
      const answer = await reopened.app.request('/users/shutdown-user/orders');
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual(before);
    },
  );

  it('stops promptly while a paced run is still delivering webhooks, with the database consistent', async () => {
    const dbPath = join(tempDir(), 'stitcher.sqlite');
    const running = await cli(['--stitcher-db', dbPath]);
    const { control } = running.urls;
    // One virtual day per second: deliveries keep arriving until the signal.
    await answer(
      controlOf(control).api.scenarios[':name'].runs.$post({
        param: { name: 'amazon-order-stitching' },
        json: { seed: 2, identifier: 'paced-user', speed: 86_400 },
      }),
    );
    await stitcherDeliveriesStarted(control);
    const stopping = Date.now();
    const exit = await running.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - stopping).toBeLessThan(5000);
    expect(await healthOf(running.urls.control)).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT count(*) FROM inbox').pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});

async function stitcherDeliveriesStarted(control: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { deliveries } = await answer(controlOf(control).api.deliveries.$get({ query: { limit: '5' } }));
    if (deliveries.length >= 3) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no deliveries started');
}

describe('stop() of the in-process platform', () => {
  it('records a delivery still in flight as aborted, cancels runs still playing, and stops answering', async () => {
    // A receiver that never answers: the delivery is in flight when the platform stops.
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections();
          hanging.close(() => resolve());
        }),
    );
    const port = (hanging.address() as AddressInfo).port;
    const sandbox = await startSandbox({
      ports: 0,
      env: {},
      stitcher: false,
      webhookUrl: `http://127.0.0.1:${port}/hooks`,
    });
    cleanups.push(() => sandbox.stop());
    const attempted = new Promise<void>((resolve) => hanging.once('request', () => resolve()));
    const { card } = sandbox.atelio.createCustomerWithCard({});
    sandbox.atelio.authorizeCardPurchase({
      cardId: card.card_id,
      amount: '12.34',
      merchantName: 'AMZN Mktp US*SHUTDOWN',
    });
    await attempted;
    // A run in real time would otherwise go on for days.
    const paced = sandbox.scenarios.start('multi-settlement', { speed: 1, identifier: 'paced-in-process' });

    await sandbox.stop();
    expect(paced.status).toBe('cancelled');
    const events = sandbox.engine.log.list();
    expect(events.length).toBeGreaterThan(0);
    const attempts = events.flatMap((e) => e.targets.flatMap((t) => t.attempts));
    expect(attempts.some((a) => !a.ok && /aborted/.test(a.error ?? ''))).toBe(true);
    expect(events.every((e) => e.status !== 'pending')).toBe(true);
    for (const url of Object.values(sandbox.urls)) expect(await healthOf(url), url).toBe(0);
  });
});
