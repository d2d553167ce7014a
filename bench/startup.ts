/**
 * Start-up benchmark: milliseconds from spawning the process until every server answers its health
 * check, median of several cold starts (a new process each time), alternating with WireMock.
 *
 *   npx tsx bench/startup.ts [--runs 7]
 *
 * Measured, each in its own process:
 * - `node bin/stitch-sandbox.mjs start --port 0`: the command `npm start` runs (compiled dist/,
 *   checked fresh first), until control plane, Atomic, Atelio and stitcher all answer
 *   `GET /__sandbox/health`.
 * - `npm start -- --port 0`: the same through npm, which adds npm's own start-up.
 * - `STITCH_FROM_SOURCE=1 …`: the same command compiling TypeScript on the fly with tsx (no build
 *   step), to show what the build saves.
 * - WireMock: `java -jar wiremock-standalone.jar` (no stubs) until `GET /__admin/health` answers.
 *
 * dist/ is brought up to date before the first measurement, so no run includes a rebuild.
 * Prints one JSON document on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, spawnServer, type SpawnedServer } from './lib/process';
import { startWireMock, wiremockVersion } from './lib/wiremock';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 7;
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
const log = (line: string) => process.stderr.write(`[startup] ${line}\n`);

const healthOfAll = (announced: Record<string, unknown>) =>
  Object.values((announced['urls'] ?? {}) as Record<string, string>).map((url) => `${url}/__sandbox/health`);

interface Subject {
  name: string;
  command: string;
  start(): Promise<SpawnedServer>;
}

const sandbox = (
  name: string,
  command: string,
  file: string,
  argv: string[],
  env: Record<string, string> = {},
  group = false,
): Subject => ({
  name,
  command,
  start: async () => {
    const server = await spawnServer(file, argv, { healthFromAnnouncement: healthOfAll, env, group });
    const urls = Object.keys((server.announced?.['urls'] ?? {}) as object);
    if (urls.length !== 5) throw new Error(`${name}: expected five servers, got ${urls.join(', ')}`);
    return server;
  },
});

const rootDir = mkdtempSync(join(tmpdir(), 'stitch-bench-startup-'));
const subjects: Subject[] = [
  sandbox('stitch-sandbox (compiled)', 'node bin/stitch-sandbox.mjs start --port 0', process.execPath, [
    'bin/stitch-sandbox.mjs',
    'start',
    '--port',
    '0',
  ]),
  sandbox('npm start', 'npm start -- --port 0', 'npm', ['start', '--silent', '--', '--port', '0'], {}, true),
  sandbox(
    'stitch-sandbox (from source, tsx)',
    'STITCH_FROM_SOURCE=1 node bin/stitch-sandbox.mjs start --port 0',
    process.execPath,
    ['bin/stitch-sandbox.mjs', 'start', '--port', '0'],
    { STITCH_FROM_SOURCE: '1' },
  ),
  {
    name: 'wiremock',
    command: 'java -jar wiremock-standalone.jar --port <free> --bind-address 127.0.0.1 --disable-banner',
    start: () => startWireMock({ rootDir }),
  },
];

async function main() {
  const began = performance.now();
  // Bring dist/ up to date now, so that no measured start includes a rebuild.
  const warm = await subjects[0]!.start();
  await warm.stop();
  const samples = new Map<string, number[]>(subjects.map((s) => [s.name, []]));
  try {
    // One warm-up start of each (file-system cache, JIT of the JVM's class data), not measured.
    for (const subject of subjects) await (await subject.start()).stop();
    for (let run = 0; run < RUNS; run++) {
      for (const subject of subjects) {
        const server = await subject.start();
        samples.get(subject.name)!.push(server.startupMs);
        await server.stop();
      }
      log(
        `run ${run + 1}: ${subjects.map((s) => `${s.name} ${Math.round(samples.get(s.name)!.at(-1)!)} ms`).join(', ')}`,
      );
    }
  } finally {
    rmSync(rootDir, { recursive: true, force: true });
  }
  const round = (ms: number) => Math.round(ms);
  const results = subjects.map((subject) => {
    const ms = samples.get(subject.name)!;
    return {
      name: subject.name,
      command: subject.command,
      servers: subject.name === 'wiremock' ? 1 : 5,
      medianMs: round(median(ms)),
      minMs: round(Math.min(...ms)),
      maxMs: round(Math.max(...ms)),
      runsMs: ms.map(round),
    };
  });
  const byName = (name: string) => results.find((r) => r.name === name)!;
  const compiled = byName('stitch-sandbox (compiled)');
  const wiremock = byName('wiremock');
  const output = {
    benchmark: 'startup',
    node: process.version,
    wiremock: wiremockVersion(),
    runs: RUNS,
    measure: 'process spawn until every server answers its health check (new process each run)',
    goal: 'all five servers healthy in under 1 s',
    goalMet: compiled.medianMs < 1000,
    ratioToWiremock: Math.round((compiled.medianMs / wiremock.medianMs) * 100) / 100,
    results,
    durationSec: Math.round((performance.now() - began) / 100) / 10,
  };
  process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
