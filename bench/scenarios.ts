/**
 * Scenario benchmark: wall time and webhook events per second of every shipped scenario in instant
 * mode, against the real mocks with a real HTTP receiver registered with both (so every webhook is
 * signed, sent and answered), median of several runs on fresh platforms.
 *
 *   npx tsx bench/scenarios.ts [--runs 7] [--no-receiver]
 *
 * Prints one JSON document on stdout; `highlight` is continuous-access (30 days), which must finish
 * in well under a second.
 */
import { createScenarioPlatform } from '../scenarios/testing';

const args = process.argv.slice(2);
const runsArg = args.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 7;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const RECEIVER = !args.includes('--no-receiver');

const SCENARIOS = [
  'order-monitoring',
  'account-disconnection',
  'missing-payment-method',
  'multi-settlement',
  'continuous-access',
  'amazon-order-stitching',
  'amazon-returns-and-shipments',
] as const;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

interface Sample {
  wallMs: number;
  webhooks: number;
  steps: number;
  virtualDays: number;
}

async function once(name: string, i: number): Promise<Sample> {
  const platform = await createScenarioPlatform({ receiver: RECEIVER });
  try {
    const started = performance.now();
    const view = await platform.runner.start(name, {
      seed: i + 1,
      identifier: `bench-${name}-${i}`,
      startTime: '2025-03-01T09:00:00Z',
    }).done;
    const wallMs = performance.now() - started;
    if (view.status !== 'completed') throw new Error(`${name} ${view.status}: ${view.error?.message ?? ''}`);
    return {
      wallMs,
      webhooks: view.webhookCount,
      steps: view.timeline.length,
      virtualDays: (Date.parse(view.virtualNow) - Date.parse(view.options.startTime)) / 86_400_000,
    };
  } finally {
    await platform.close();
  }
}

const results: Record<string, unknown>[] = [];
for (const name of SCENARIOS) {
  await once(name, 999); // warm-up: JIT, sockets
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once(name, i));
  const wall = median(samples.map((s) => s.wallMs));
  const webhooks = samples[0]!.webhooks;
  results.push({
    scenario: name,
    runs: RUNS,
    steps: samples[0]!.steps,
    webhooks,
    virtualDays: round(samples[0]!.virtualDays, 2),
    medianWallMs: round(wall),
    minWallMs: round(Math.min(...samples.map((s) => s.wallMs))),
    maxWallMs: round(Math.max(...samples.map((s) => s.wallMs))),
    eventsPerSecond: Math.round(webhooks / (wall / 1000)),
    virtualDaysPerSecond: round(samples[0]!.virtualDays / (wall / 1000)),
  });
}

const highlight = results.find((r) => r['scenario'] === 'continuous-access')!;
console.log(
  JSON.stringify(
    {
      benchmark: 'scenarios',
      mode: 'instant',
      receiver: RECEIVER
        ? 'real HTTP receiver registered with both mocks'
        : 'none (webhooks built, not sent)',
      node: process.version,
      highlight: {
        scenario: 'continuous-access',
        medianWallMs: highlight['medianWallMs'],
        eventsPerSecond: highlight['eventsPerSecond'],
        underOneSecond: (highlight['medianWallMs'] as number) < 1000,
      },
      results,
    },
    null,
    2,
  ),
);
