/**
 * Runs the benchmark suites, each in its own process, one after another (they measure the machine,
 * so they never share it), and writes bench/results/latest.json and bench/results/latest.md.
 *
 *   npm run bench                     every suite
 *   npm run bench -- http startup     only these (the other suites' last results are kept)
 *   npm run bench -- --list           the suites and what each measures
 *   npm run bench -- --render         rewrite latest.md from latest.json
 *
 * Each suite prints one JSON document on stdout; its progress lines go to stderr and are shown as
 * they come. The summary at the end is the same text as latest.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstJsonObject } from './lib/json';
import { renderMarkdown, type ResultsDocument, type SuiteRecord } from './lib/report';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');

interface Suite {
  name: string;
  file: string;
  args: string[];
  what: string;
}

/** In run order. `load` and `memory` run only when their scripts exist. */
const SUITES: Suite[] = [
  {
    name: 'http',
    file: 'bench/http.ts',
    args: [],
    what: 'req/s and p99 of four endpoints vs WireMock serving the same bytes',
  },
  {
    name: 'startup',
    file: 'bench/startup.ts',
    args: ['--runs', '5'],
    what: 'spawn to all five servers healthy vs WireMock to healthy',
  },
  {
    name: 'webhooks',
    file: 'bench/webhooks.ts',
    args: [],
    what: 'signed deliveries per second, delivery-engine memory over 100,000 events',
  },
  {
    name: 'scenarios',
    file: 'bench/scenarios.ts',
    args: [],
    what: 'wall time of every shipped scenario in instant mode',
  },
  {
    name: 'hanging',
    file: 'bench/hanging-receiver.ts',
    args: [],
    what: 'instant amazon-order-stitching with one never-answering receiver vs healthy',
  },
  {
    name: 'clock-advance',
    file: 'bench/clock-advance.ts',
    args: [],
    what: 'POST /api/clock/advance with daily refreshes on vs off: 30 × 1 day, 1 × 30 days, 1 × 400 days',
  },
  {
    name: 'dead-targets',
    file: 'bench/dead-targets.ts',
    args: [],
    what: 'RSS with three dead receivers under 50 authorisations/s for 10 min, vs none (20 min)',
  },
  {
    name: 'stitching',
    file: 'bench/stitching-accuracy.ts',
    args: [],
    what: 'stitcher precision, recall and time on 100,000 labelled orders',
  },
  {
    name: 'load',
    file: 'bench/load-mixed.ts',
    args: [],
    what: 'concurrent clients against mixed endpoints with webhooks firing',
  },
  {
    name: 'security',
    file: 'bench/security.ts',
    args: [],
    what: 'fresh-client p99 under 20,000 idle sockets and a live-stream flood; 422 latency of hostile scenario files',
  },
  {
    name: 'memory',
    file: 'bench/memory.ts',
    args: [],
    what: 'RSS over 1,000,000 requests and 100,000 webhook deliveries',
  },
];

const available = (suite: Suite) => existsSync(join(ROOT, suite.file));

function chooseSuites(argv: string[]): Suite[] {
  const names = argv.filter((arg) => !arg.startsWith('--'));
  if (names.length === 0) return SUITES.filter(available);
  const known = new Map(SUITES.map((s) => [s.name, s]));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length)
    throw new Error(
      `unknown suite ${unknown.join(', ')}; the suites are ${SUITES.map((s) => s.name).join(', ')}`,
    );
  const chosen = names.map((name) => known.get(name)!);
  const missing = chosen.filter((suite) => !available(suite));
  if (missing.length)
    throw new Error(`no script for ${missing.map((s) => `${s.name} (${s.file})`).join(', ')}`);
  return chosen;
}

function runSuite(suite: Suite): Promise<SuiteRecord> {
  const ranAt = new Date().toISOString();
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', suite.file, ...suite.args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
      process.stderr.write(chunk);
    });
    child.once('close', (code) => {
      const base = {
        suite: suite.name,
        command: `npx tsx ${suite.file}${suite.args.length ? ` ${suite.args.join(' ')}` : ''}`,
        ranAt,
        durationSec: Math.round((performance.now() - started) / 100) / 10,
        loadAverage1m: {
          before: Math.round(loadBefore * 100) / 100,
          after: Math.round(loadavg()[0]! * 100) / 100,
        },
      };
      try {
        if (code !== 0) throw new Error(`exited with ${code}: ${stderr.slice(-2000)}`);
        resolve({ ...base, ok: true, result: firstJsonObject(stdout) });
      } catch (error) {
        resolve({ ...base, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
}

function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

function writeAtomically(file: string, contents: string) {
  writeFileSync(`${file}.tmp`, contents);
  renameSync(`${file}.tmp`, file);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--list')) {
    for (const suite of SUITES)
      process.stdout.write(
        `${suite.name.padEnd(10)} ${suite.what}${available(suite) ? '' : ' (no script yet)'}\n`,
      );
    return;
  }
  if (argv.includes('--render')) {
    // Only rewrite latest.md from latest.json (after a change to the report's layout).
    const latestJson = join(RESULTS_DIR, 'latest.json');
    const document = JSON.parse(readFileSync(latestJson, 'utf8')) as ResultsDocument;
    writeAtomically(join(RESULTS_DIR, 'latest.md'), renderMarkdown(document));
    process.stdout.write(renderMarkdown(document));
    return;
  }
  const suites = chooseSuites(argv);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const latestJson = join(RESULTS_DIR, 'latest.json');
  // A run of some suites keeps the other suites' last results, each with its own date.
  const previous = existsSync(latestJson)
    ? (JSON.parse(readFileSync(latestJson, 'utf8')) as { suites?: Record<string, SuiteRecord> })
    : {};
  const records: Record<string, SuiteRecord> = { ...(previous.suites ?? {}) };
  const began = performance.now();
  for (const suite of suites) {
    process.stderr.write(`\n=== ${suite.name}: ${suite.what}\n`);
    const record = await runSuite(suite);
    records[suite.name] = record;
    process.stderr.write(`=== ${suite.name}: ${record.ok ? 'done' : 'FAILED'} in ${record.durationSec} s\n`);
    // Written after every suite, so an interrupted run keeps what it measured.
    const ordered = Object.fromEntries(
      SUITES.filter((s) => records[s.name]).map((s) => [s.name, records[s.name]!]),
    );
    const document = { generatedAt: new Date().toISOString(), machine: machine(), suites: ordered };
    writeAtomically(latestJson, `${JSON.stringify(document, null, 2)}\n`);
    writeAtomically(join(RESULTS_DIR, 'latest.md'), renderMarkdown(document));
  }
  const document = JSON.parse(readFileSync(latestJson, 'utf8'));
  process.stdout.write(`\n${renderMarkdown(document)}`);
  process.stderr.write(
    `\nran ${suites.map((s) => s.name).join(', ')} in ${Math.round((performance.now() - began) / 1000)} s; results in bench/results/latest.json and latest.md\n`,
  );
  if (suites.some((suite) => !records[suite.name]!.ok)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
