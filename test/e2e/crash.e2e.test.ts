import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from './support/cli';
import { answer } from '../../control/client';
import { controlOf, stitcherDrained, until } from './support/control-client';

/**
 * A demo platform with `--state-file` and a stitcher database on disk, stopped in the middle of a
 * paced stitching run the hard way (`kill -9`) or by a closed terminal (SIGHUP), then started again
 * with the same files. Afterwards the vendors' state, the delivery log and the stitcher agree:
 * every transaction and order the vendors hold reached the stitcher exactly once, and the
 * interrupted run is not played again on top of what it already did.
 */

const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { identity: 'test-identity', authorization: 'test-authorization' };
const IDENTIFIER = 'crash-shopper';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'stitch-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, args: ['--state-file', join(dir, 'state.json'), '--stitcher-db', join(dir, 'stitcher.db')] };
}

async function cli(args: string[]): Promise<CliProcess> {
  const started = await startCli(args);
  cleanups.push(() => started.stop('SIGKILL'));
  return started;
}

const json = async <T>(url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
};

/** What the vendors hold for the user: Atelio transactions (id → state) and Amazon order ids. */
async function vendorView(urls: CliProcess['urls']) {
  const { transactions } = await json<{ transactions: { transaction_id: string; state: string }[] }>(
    `${urls.atelio}/api/v0.1/transactions?customer_id=${IDENTIFIER}&count=100&order_by=asc`,
    ATELIO,
  );
  const { accounts } = await json<{ accounts: { _id: string }[] }>(
    `${urls.atomic}/${IDENTIFIER}/pay-link/accounts`,
    ATOMIC,
  );
  const orders: string[] = [];
  for (const account of accounts) {
    const detail = await json<{ data: { orders?: { _id: string }[] } }>(
      `${urls.atomic}/pay-link/accounts/${account._id}`,
      ATOMIC,
    );
    orders.push(...(detail.data.orders ?? []).map((o) => o._id));
  }
  return {
    transactions: Object.fromEntries(transactions.map((t) => [t.transaction_id, t.state])),
    orders: orders.sort(),
  };
}

/** What the stitcher holds for the user, in the same shape; repeated ids would show as a length mismatch. */
async function stitcherView(stitcher: string) {
  const { transactions } = await json<{ transactions: { transactionId: string; state: string }[] }>(
    `${stitcher}/users/${IDENTIFIER}/transactions`,
  );
  const { orders } = await json<{ orders: { orderId: string }[] }>(`${stitcher}/users/${IDENTIFIER}/orders`);
  return {
    transactionRows: transactions.length,
    orderRows: orders.length,
    transactions: Object.fromEntries(transactions.map((t) => [t.transactionId, t.state])),
    orders: orders.map((o) => o.orderId).sort(),
  };
}

/**
 * The webhook bodies in the stitcher's inbox, straight from its database: every event it was sent
 * and kept (repeats are refused by its de-duplication key, so each appears once).
 */
function stitcherInbox(dir: string): string[] {
  const db = new Database(join(dir, 'stitcher.db'));
  try {
    const rows = db
      .prepare("SELECT body FROM inbox WHERE source IN ('atomic', 'atelio') ORDER BY id")
      .all() as { body: string }[];
    return rows.map((row) => row.body);
  } finally {
    db.close();
  }
}

interface LoggedDelivery {
  id: string;
  body: string;
  status: string;
  targets: { url: string }[];
}

/**
 * The delivery log after the restart holds every webhook the stitcher had taken before the crash,
 * once, as delivered (restored from the file, or sent again from it when its settling was not
 * saved yet); and the events it shows delivered to the stitcher are exactly the stitcher's inbox.
 */
async function expectDeliveryLogAgrees(second: CliProcess, dir: string, beforeCrash: string[]) {
  expect(beforeCrash.length).toBeGreaterThan(0);
  const { deliveries } = (await answer(
    controlOf(second.urls.control).api.deliveries.$get({ query: { limit: '100000' } }),
  )) as { deliveries: LoggedDelivery[] };
  expect(new Set(deliveries.map((d) => d.id)).size).toBe(deliveries.length);
  const toStitcher = deliveries.filter((d) =>
    d.targets.some((t) => /\/webhooks\/(atomic|atelio)$/.test(t.url)),
  );
  const copies = new Map<string, number>();
  for (const delivery of toStitcher) copies.set(delivery.body, (copies.get(delivery.body) ?? 0) + 1);
  const missing = beforeCrash.filter((body) => copies.get(body) !== 1);
  expect(missing, 'webhooks the stitcher had before the crash, not in the log exactly once').toEqual([]);
  expect(toStitcher.filter((d) => d.status !== 'delivered')).toEqual([]);
  expect(toStitcher.map((d) => d.body).sort()).toEqual(stitcherInbox(dir).sort());
}

/** Starts the paced run and waits until it is part-way: some webhooks out, many steps to go. */
async function interruptedRun(first: CliProcess): Promise<number> {
  const control = controlOf(first.urls.control);
  const { runId } = await answer(
    control.api.scenarios[':name'].runs.$post({
      param: { name: 'amazon-order-stitching' },
      json: { seed: 21, identifier: IDENTIFIER, speed: 400_000 },
    }),
  );
  return until('the run to be part-way', async () => {
    const run = await answer(control.api.runs[':runId'].$get({ param: { runId } }));
    expect(run.status).toBe('running');
    const done = run.timeline.filter((step) => step.status === 'completed').length;
    return done >= run.stepCount / 3 ? done : undefined;
  });
}

async function expectAgreement(second: CliProcess, dir: string) {
  await stitcherDrained(second.urls.stitcher!);
  await until('every resent webhook to settle', async () => {
    const { deliveries } = await answer(
      controlOf(second.urls.control).api.deliveries.$get({ query: { status: 'pending' } }),
    );
    return deliveries.length === 0 ? true : undefined;
  });
  await stitcherDrained(second.urls.stitcher!);
  const vendors = await vendorView(second.urls);
  const stitcher = await stitcherView(second.urls.stitcher!);
  expect(Object.keys(vendors.transactions).length).toBeGreaterThan(0);
  // Nothing lost, nothing doubled, and every transaction in the state the vendor holds now.
  expect(stitcher.transactions).toEqual(vendors.transactions);
  expect(stitcher.transactionRows).toBe(Object.keys(vendors.transactions).length);
  expect(stitcher.orders).toEqual(vendors.orders);
  expect(stitcher.orderRows).toBe(vendors.orders.length);
  // The delivery log of the new process: nothing failed on its way to the stitcher.
  const control = controlOf(second.urls.control);
  const failed = await answer(control.api.deliveries.$get({ query: { status: 'failed' } }));
  expect(failed.deliveries).toEqual([]);
  // The interrupted run is not played again, and cannot be stacked onto the same user.
  expect((await answer(control.api.runs.$get({ query: {} }))).runs).toEqual([]);
  const again = await fetch(`${second.urls.control}/api/scenarios/amazon-order-stitching/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seed: 21, identifier: IDENTIFIER }),
  });
  expect(again.status).toBe(400);
  expect(await again.text()).toContain('already has data');
  // No temporary file is left beside the state.
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
}

describe('--state-file survives a crash mid-run', () => {
  it('kill -9 during a paced stitching run, then a restart: vendors, delivery log and stitcher agree', async () => {
    const { dir, args } = workspace();
    const first = await cli(args);
    await interruptedRun(first);
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // The file on disk is a whole document with the part of the story that happened.
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { atelio: unknown };
    expect(JSON.stringify(saved.atelio)).toContain(IDENTIFIER);
    const beforeCrash = stitcherInbox(dir);

    const second = await cli(args);
    await expectAgreement(second, dir);
    await expectDeliveryLogAgrees(second, dir, beforeCrash);
  });

  it('SIGHUP during a paced stitching run saves and stops; the restart agrees too', async () => {
    const { dir, args } = workspace();
    const first = await cli(args);
    await interruptedRun(first);
    expect(await first.stop('SIGHUP')).toEqual({ code: 0, signal: null });
    expect(first.stderr()).toContain('State saved to');
    const beforeCrash = stitcherInbox(dir);

    const second = await cli(args);
    await expectAgreement(second, dir);
    await expectDeliveryLogAgrees(second, dir, beforeCrash);
  });

  it('fails at start when the state file cannot be written, naming it', async () => {
    const { dir } = workspace();
    const unwritable = join(dir, 'no-such-folder', 'state.json');
    await expect(startCli(['--state-file', unwritable])).rejects.toThrow(
      /stateFile: cannot write .*no-such-folder/,
    );
    expect(existsSync(unwritable)).toBe(false);
  });

  it('refuses an imported clockOffsetMs or transaction time of 1e20 with 400, and every route keeps answering', async () => {
    const platform = await cli([]);
    const state = (await answer(controlOf(platform.urls.control).api.state.$get())) as {
      clockOffsetMs: number;
      atelio: { transactions: { createdMs: number }[] };
    };
    for (const broken of [
      { ...state, clockOffsetMs: 1e20 },
      {
        ...state,
        atelio: { ...state.atelio, transactions: [{ ...state.atelio.transactions[0]!, createdMs: 1e20 }] },
      },
    ]) {
      const response = await fetch(`${platform.urls.control}/api/state`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(broken),
      });
      expect(response.status).toBe(400);
    }
    expect((await fetch(`${platform.urls.control}/api/clock`)).status).toBe(200);
    expect(
      (await fetch(`${platform.urls.atelio}/api/v0.1/transactions?count=10`, { headers: ATELIO })).status,
    ).toBe(200);
  });
});

describe('webhooks on their way when the state is taken', () => {
  it('are in the exported state and sent again, byte for byte with the same id, by the platform that imports it', async () => {
    const { startSandbox } = await import('../../control/platform');
    const http = await import('node:http');
    // The first platform's receiver never answers: its webhook stays on its way.
    const hanging = http.createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          hanging.closeAllConnections();
          hanging.close(() => resolve());
        }),
    );
    const received: { headers: Record<string, unknown>; body: string }[] = [];
    const capture = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => capture.close(() => resolve())));
    const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;

    const first = await startSandbox({
      ports: 0,
      env: {},
      stitcher: false,
      webhookUrl: `http://127.0.0.1:${port(hanging)}/hooks`,
    });
    cleanups.push(() => first.stop());
    const reached = new Promise<void>((resolve) => hanging.once('request', () => resolve()));
    const { card } = first.atelio.createCustomerWithCard({});
    first.atelio.authorizeCardPurchase({
      cardId: card.card_id,
      amount: '12.34',
      merchantName: 'AMZN Mktp US*PENDING',
    });
    await reached;
    const state = first.exportState();
    expect(state.pendingWebhooks?.length).toBeGreaterThan(0);
    const pending = state.pendingWebhooks![0]!;
    expect(pending.body).toContain('AMZN Mktp US*PENDING');

    const second = await startSandbox({
      ports: 0,
      env: {},
      stitcher: false,
      webhookUrl: `http://127.0.0.1:${port(capture)}/hooks`,
    });
    cleanups.push(() => second.stop());
    await second.importState(state);
    await until('the pending webhook to arrive', async () => (received.length > 0 ? true : undefined));
    expect(received[0]!.body).toBe(pending.body);
    expect(second.engine.log.get(pending.id)?.body).toBe(pending.body);
  });

  it('are on disk before any receiver hears of them: the state file holds the change a webhook announces when it arrives', async () => {
    const { startSandbox } = await import('../../control/platform');
    const http = await import('node:http');
    const { dir } = workspace();
    const file = join(dir, 'state.json');
    const seen: { transactionId: string; inFile: boolean }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const { transaction_id: transactionId } = JSON.parse(body) as { transaction_id: string };
        // Read the file the moment the webhook arrives, before answering.
        seen.push({ transactionId, inFile: readFileSync(file, 'utf8').includes(transactionId) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const sandbox = await startSandbox({
      ports: 0,
      env: {},
      stitcher: false,
      stateFile: file,
      webhookUrl: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hooks`,
    });
    cleanups.push(() => sandbox.stop());
    const { card } = sandbox.atelio.createCustomerWithCard({});
    // One at a time, each a few milliseconds from publish to arrival: far inside the 200 ms between
    // the periodic saves, so only the save made before sending can have put it in the file.
    for (let i = 0; i < 10; i++) {
      sandbox.atelio.authorizeCardPurchase({
        cardId: card.card_id,
        amount: `1${i}.00`,
        merchantName: `SHOP ${i}`,
      });
      await until(`webhook ${i + 1}`, async () => (seen.length > i ? true : undefined));
    }
    expect(seen.every((s) => s.inFile)).toBe(true);
  });
});
