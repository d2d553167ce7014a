/**
 * What scheduled refreshes cost a clock jump: the time `POST /api/clock/advance` takes on a bare
 * platform (mocks, delivery engine, reference stitcher, over HTTP) whose seeded connected Amazon
 * account is refreshed daily — each refresh's steps at their own instants, and each card order it
 * brings becoming an Atelio card charge that settles later (the seeded world, decision 030).
 * Refresh tasks counted include the one catch-up refresh a start after 06:00 UTC plays. Measured: 30 one-day advances, one 30-day advance and one 400-day
 * advance (the largest allowed), each on a fresh platform, against the same advance with refreshes
 * off. The request answers once every refresh has run; their webhooks are delivered after it.
 *
 *   npx tsx bench/clock-advance.ts [--quick]     (--quick: no 400-day jump)
 *
 * Prints one JSON document on stdout; progress on stderr.
 */
import { startSandbox } from '../control/platform';

const DAY = 86_400_000;
const QUICK = process.argv.includes('--quick');
const round = (value: number) => Math.round(value * 10) / 10;

async function measure(label: string, days: number[], refreshes: boolean) {
  const sandbox = await startSandbox({ ports: 0, env: {}, refreshes: { enabled: refreshes } });
  try {
    const tasks = () => sandbox.atomic.exportState().tasks.length;
    const charges = () => sandbox.atelio.listTransactions({ paymentType: 'card', count: 10000 }).items.length;
    const before = tasks();
    const chargesBefore = charges();
    const started = performance.now();
    for (const day of days) {
      const response = await fetch(`${sandbox.urls.control}/api/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: day * DAY }),
      });
      if (response.status !== 200) throw new Error(`advance answered ${response.status}`);
    }
    const ms = performance.now() - started;
    const refreshTasks = tasks() - before;
    const atelioCharges = charges() - chargesBefore;
    process.stderr.write(
      `${label} (refreshes ${refreshes ? 'on' : 'off'}): ${round(ms)} ms, ${refreshTasks} refresh tasks, ${atelioCharges} new Atelio charges\n`,
    );
    return { ms: round(ms), refreshTasks, atelioCharges };
  } finally {
    await sandbox.stop();
  }
}

const cases: [string, number[]][] = [
  ['30 × 1 day', Array.from({ length: 30 }, () => 1)],
  ['1 × 30 days', [30]],
  ...(QUICK ? [] : [['1 × 400 days', [400]] as [string, number[]]]),
];
const results: Record<
  string,
  {
    on: { ms: number; refreshTasks: number; atelioCharges: number };
    off: { ms: number; refreshTasks: number; atelioCharges: number };
  }
> = {};
for (const [label, days] of cases)
  results[label] = { on: await measure(label, days, true), off: await measure(label, days, false) };
process.stdout.write(`${JSON.stringify({ suite: 'clock-advance', quick: QUICK, results }, null, 2)}\n`);
