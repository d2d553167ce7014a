/**
 * One receiver that never answers must not slow a run down. Times an instant `amazon-order-stitching`
 * on the real platform (mocks, delivery engine, reference stitcher, all over HTTP) with only the
 * stitcher listening ("healthy"), and with one more receiver, registered with both vendors, that
 * reads every request and never answers ("hanging"). Fresh platform per run, runs alternate, medians
 * compared. Goal: hanging within 2 s of healthy (the per-attempt timeout is 10 s, so a run that
 * waited for even one hung attempt would miss it).
 *
 *   npx tsx bench/hanging-receiver.ts [--runs 5] [--quick]
 *
 * Prints one JSON document on stdout; progress on stderr.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '../control/platform';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : QUICK ? 1 : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const SCENARIO = 'amazon-order-stitching';
const GOAL_MS = 2000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number) => Math.round(value * 10) / 10;

/** Reads each request and never answers; close() drops the open connections. */
async function startHangingReceiver() {
  const open = new Set<ServerResponse>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    open.add(res);
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: async () => {
      for (const res of open) res.socket?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Sample {
  wallMs: number;
  webhooks: number;
  /** Attempts to the hanging receiver that were in flight or timed out when the run ended. */
  hungRequests?: number;
  stitcherAttemptsOk: boolean;
}

async function once(hanging: boolean, n: number): Promise<Sample> {
  const sandbox = await startSandbox({ ports: 0, env: {}, seed: 11 });
  const hang = hanging ? await startHangingReceiver() : undefined;
  try {
    if (hang) {
      sandbox.atomic.registerWebhookUrl(`${hang.url}/atomic`);
      sandbox.atelio.registerWebhookUrl(`${hang.url}/atelio`, { description: 'never answers' });
    }
    const started = performance.now();
    const view = await sandbox.scenarios.start(SCENARIO, { seed: 11, identifier: `bench-${n}` }).done;
    const wallMs = performance.now() - started;
    if (view.status !== 'completed') throw new Error(`run ${view.status}: ${view.error?.message ?? ''}`);
    // The stitcher (the healthy target) got every event on its first attempt either way.
    const stitcherAttemptsOk = sandbox.engine.log
      .list()
      .flatMap((e) => e.targets.filter((t) => t.url.startsWith(sandbox.urls.stitcher!)))
      .every((t) => t.status !== 'failed' && t.attempts.every((a) => a.ok));
    return {
      wallMs: round(wallMs),
      webhooks: view.webhookCount,
      ...(hang ? { hungRequests: hang.requests } : {}),
      stitcherAttemptsOk,
    };
  } finally {
    await sandbox.stop();
    await hang?.close();
  }
}

async function main() {
  const healthy: Sample[] = [];
  const hanging: Sample[] = [];
  await once(false, 0); // warm-up: JIT, module loading
  for (let i = 0; i < RUNS; i++) {
    healthy.push(await once(false, 2 * i + 1));
    hanging.push(await once(true, 2 * i + 2));
    process.stderr.write(
      `run ${i + 1}/${RUNS}: healthy ${healthy.at(-1)!.wallMs} ms, hanging ${hanging.at(-1)!.wallMs} ms\n`,
    );
  }
  const healthyMs = median(healthy.map((s) => s.wallMs));
  const hangingMs = median(hanging.map((s) => s.wallMs));
  process.stdout.write(
    `${JSON.stringify(
      {
        scenario: SCENARIO,
        speed: 'instant',
        runs: RUNS,
        healthyMedianMs: healthyMs,
        hangingMedianMs: hangingMs,
        differenceMs: round(hangingMs - healthyMs),
        goal: `hanging within ${GOAL_MS} ms of healthy`,
        goalMet: hangingMs - healthyMs <= GOAL_MS,
        attemptTimeoutMs: 10_000,
        samples: { healthy, hanging },
      },
      null,
      2,
    )}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
