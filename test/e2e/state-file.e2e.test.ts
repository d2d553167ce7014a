import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startCli, type CliProcess } from './support/cli';
import { answer } from '../../control/client';
import { controlOf, runScenario, stitcherDrained } from './support/control-client';

/**
 * `--state-file PATH` for demo environments: the platform's state (what `GET /api/state` exports)
 * is saved while it runs and when it stops, and restored when it starts, through the real command.
 * (Crashes mid-run: crash.e2e.test.ts.)
 */

const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { identity: 'test-identity', authorization: 'test-authorization' };
const DAY = 86_400_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-state-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'demo-state.json');
}

async function cli(args: string[]): Promise<CliProcess> {
  const started = await startCli(args);
  cleanups.push(() => void started.stop('SIGKILL'));
  return started;
}

interface StateDocument {
  version: number;
  clockOffsetMs: number;
  atomic: unknown;
  atelio: unknown;
  receivers?: string[];
}

const customerTransactions = async (atelio: string, customerId: string) => {
  const response = await fetch(
    `${atelio}/api/v0.1/transactions?customer_id=${customerId}&count=100&order_by=asc`,
    { headers: ATELIO },
  );
  expect(response.status).toBe(200);
  return (
    (await response.json()) as { transactions: { transaction_id: string; state: string; amount: string }[] }
  ).transactions;
};

describe('--state-file', () => {
  it('saves the state on SIGTERM and restores it on the next start', async () => {
    const file = stateFile();
    // No scheduled refresh may land between the export and the stop: this test compares the two.
    const first = await cli(['--state-file', file, '--refreshes', 'off']);
    // Written at start (an unwritable path fails there), then kept current.
    expect(existsSync(file)).toBe(true);

    // Change the state through the APIs, as a demo would.
    const token = await fetch(`${first.urls.atomic}/access-token`, {
      method: 'POST',
      headers: { ...ATOMIC, 'content-type': 'application/json' },
      body: '{"identifier":"kept-user"}',
    });
    expect(token.status).toBe(200);
    expect(
      (await runScenario(first.urls.control, 'multi-settlement', { seed: 4, identifier: 'kept-customer' }))
        .status,
    ).toBe('completed');
    await answer(controlOf(first.urls.control).api.clock.advance.$post({ json: { ms: DAY } }));
    // The day moved the seeded world on (settlements, a payday): let its webhooks arrive, so the
    // state saved at the stop has none still on their way that the export below would list.
    for (;;) {
      const pending = await answer(
        controlOf(first.urls.control).api.deliveries.$get({ query: { status: 'pending' } }),
      );
      if (pending.deliveries.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const transactions = await customerTransactions(first.urls.atelio, 'kept-customer');
    expect(transactions.length).toBeGreaterThan(0);
    const exported = (await answer(controlOf(first.urls.control).api.state.$get())) as StateDocument;

    expect(await first.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain(`State saved to ${file}`);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as StateDocument;
    // It holds webhook signing secrets: nobody but the owner may read it.
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(saved).toEqual(exported);

    const second = await cli(['--state-file', file, '--refreshes', 'off']);
    const restored = (await answer(controlOf(second.urls.control).api.state.$get())) as StateDocument;
    // Everything but the webhook registrations, which follow the new stitcher (checked below).
    const { webhookEndpoints: _oldEndpoints, ...atomicData } = exported.atomic as Record<string, unknown>;
    const { webhookEndpoints: _newEndpoints, ...restoredAtomic } = restored.atomic as Record<string, unknown>;
    expect(restoredAtomic).toEqual(atomicData);
    const { subscriptions: _oldSubscriptions, ...atelioData } = exported.atelio as Record<string, unknown>;
    const { subscriptions: _newSubscriptions, ...restoredAtelio } = restored.atelio as Record<
      string,
      unknown
    >;
    expect(restoredAtelio).toEqual(atelioData);
    expect(restored.clockOffsetMs).toBeGreaterThanOrEqual(DAY);
    expect(await customerTransactions(second.urls.atelio, 'kept-customer')).toEqual(transactions);
    const accounts = await fetch(`${second.urls.atomic}/kept-user/pay-link/accounts`, { headers: ATOMIC });
    expect(accounts.status).toBe(200);

    // The first platform's stitcher registrations (another port) are gone; the new one receives.
    const oldStitcher = first.urls.stitcher!;
    // (The delivery log still shows the deliveries made to it before the restart: that is history.)
    const { deliveryLog: history = [], ...registrations } = restored as typeof restored & {
      deliveryLog?: { targets: { url: string }[] }[];
    };
    expect(JSON.stringify(registrations)).not.toContain(oldStitcher);
    expect(history.some((event) => event.targets.some((t) => t.url.startsWith(oldStitcher)))).toBe(true);
    expect(restored.receivers).toEqual(
      expect.arrayContaining([
        `${second.urls.stitcher}/webhooks/atomic`,
        `${second.urls.stitcher}/webhooks/atelio`,
      ]),
    );
    expect(
      (await runScenario(second.urls.control, 'multi-settlement', { seed: 5, identifier: 'after-restore' }))
        .status,
    ).toBe('completed');
    await stitcherDrained(second.urls.stitcher!);
    const failed = await answer(
      controlOf(second.urls.control).api.deliveries.$get({ query: { status: 'failed' } }),
    );
    expect(failed.deliveries).toEqual([]);
    // Each delivery names its user (subject): the restored history keeps it, and the log filters on it.
    const deliveriesOf = (subject: string) =>
      answer(controlOf(second.urls.control).api.deliveries.$get({ query: { subject, limit: '1000' } }));
    const kept = await deliveriesOf('kept-customer');
    expect(kept.deliveries.length).toBeGreaterThan(0);
    expect(kept.deliveries.every((d) => d.subject === 'kept-customer')).toBe(true);
    const after = await deliveriesOf('after-restore');
    expect(after.deliveries.every((d) => d.subject === 'after-restore')).toBe(true);
    expect(new Set(after.deliveries.map((d) => d.vendor))).toEqual(new Set(['atelio']));
    const user = await fetch(`${second.urls.stitcher}/users/after-restore/transactions`);
    expect(user.status).toBe(200);

    // And it is saved again on the way down, with what happened since.
    expect(await second.stop('SIGINT')).toEqual({ code: 0, signal: null });
    expect(readFileSync(file, 'utf8')).toContain('after-restore');
  });

  it('refuses to start on a file that is not a state document, and leaves the file alone', async () => {
    const file = stateFile();
    writeFileSync(file, '{"version": 1, "atomic": ');
    const child = spawn(
      process.execPath,
      [join(PROJECT_ROOT, 'bin/stitch-sandbox.mjs'), 'start', '--port', '0', '--state-file', file],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, STITCH_FROM_SOURCE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain(file);
    expect(stdout).not.toContain('"ready"');
    expect(readFileSync(file, 'utf8')).toBe('{"version": 1, "atomic": ');
  });
});
