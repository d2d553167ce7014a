/**
 * How soon a bare platform shows the seeded world stitched (docs/decisions/029): milliseconds from
 * calling `startSandbox()` until it resolves, and until the reference stitcher's
 * `GET /users/demo-user/transactions` shows every card order matched, polled every 5 ms. A fresh
 * platform in this process for each run (source through tsx); median and worst of the runs.
 *
 *   npx tsx bench/seeded-world.ts [--runs 5]
 *
 * Prints one JSON document on stdout.
 */
import { loadavg } from 'node:os';
import { startSandbox } from '../control/platform';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');

interface Stitched {
  transactions: { match: unknown }[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function once(): Promise<{ startMs: number; stitchedMs: number; matched: number }> {
  const began = performance.now();
  const sandbox = await startSandbox({ ports: 0, env: {} });
  const started = performance.now();
  try {
    const base = sandbox.urls.stitcher!;
    const cardOrders = sandbox.atomic
      .listPayLinkAccounts('demo-user')
      .flatMap((a) => a.orders ?? [])
      .filter((o) => o.paymentMethod?.type === 'card').length;
    for (;;) {
      const response = await fetch(`${base}/users/demo-user/transactions`);
      if (response.status === 200) {
        const matched = ((await response.json()) as Stitched).transactions.filter(
          (t) => t.match !== null,
        ).length;
        if (matched >= cardOrders)
          return { startMs: started - began, stitchedMs: performance.now() - began, matched };
      } else await response.arrayBuffer();
      if (performance.now() - began > 30_000) throw new Error('nothing stitched within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await sandbox.stop();
  }
}

const load = loadavg()[0]!;
const runs = [];
for (let i = 0; i < RUNS; i++) {
  runs.push(await once());
  process.stderr.write(`[seeded-world] run ${i + 1}: ${JSON.stringify(runs.at(-1))}\n`);
}
const round = (n: number) => Math.round(n);
process.stdout.write(
  `${JSON.stringify(
    {
      runs: RUNS,
      loadAverageAtStart: Number(load.toFixed(2)),
      startSandboxMs: {
        median: round(median(runs.map((r) => r.startMs))),
        max: round(Math.max(...runs.map((r) => r.startMs))),
      },
      everyCardOrderStitchedMs: {
        median: round(median(runs.map((r) => r.stitchedMs))),
        max: round(Math.max(...runs.map((r) => r.stitchedMs))),
      },
      afterStartMs: {
        median: round(median(runs.map((r) => r.stitchedMs - r.startMs))),
        max: round(Math.max(...runs.map((r) => r.stitchedMs - r.startMs))),
      },
      matched: runs[0]!.matched,
    },
    null,
    2,
  )}\n`,
);
