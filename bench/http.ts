/**
 * HTTP benchmark: requests per second and p99 latency of representative Atomic and Atelio endpoints,
 * against WireMock serving the very same bytes, on the same machine with the same load settings.
 *
 *   npx tsx bench/http.ts [--seconds 5] [--rounds 3] [--warmup 3] [--connections 50]
 *
 * - Ours: `node bin/stitch-sandbox.mjs start --port 0 --no-stitcher` in its own process, with
 *   authentication, request validation, fault middleware and the request journal all on (defaults).
 * - WireMock: the JAR bundled by the `wiremock` npm package, `java -jar` on 127.0.0.1, request
 *   journal on (bounded to 1000 entries like ours), one stub per endpoint that matches the same URL
 *   and the same credential headers and answers the response body captured from our server.
 * - autocannon runs here, in a third process: 50 connections, keep-alive, fixed duration.
 * - After a warm-up of both, runs alternate ours, WireMock, ours, WireMock… per endpoint, so drift in
 *   the machine's state hits both alike; the median of the rounds is reported.
 *
 * Prints one JSON document on stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, type LoadResult } from './lib/load';
import { median, spawnServer } from './lib/process';
import { startWireMock, wiremockVersion, writeMappings, type WireMockStub } from './lib/wiremock';

const args = process.argv.slice(2);
const numberOption = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const SECONDS = numberOption('seconds', 5);
const ROUNDS = Math.round(numberOption('rounds', 3));
const WARMUP_SECONDS = numberOption('warmup', 3);
const CONNECTIONS = Math.round(numberOption('connections', 50));

const ATOMIC_AUTH = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO_AUTH = { Identity: 'test-identity', Authorization: 'test-authorization' };
const log = (line: string) => process.stderr.write(`[http] ${line}\n`);

interface Endpoint {
  name: string;
  vendor: 'atomic' | 'atelio';
  path: string;
  headers: Record<string, string>;
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Finds real ids in the seeded data through the public API: the Amazon account with the most orders, a task, a transaction. */
async function discoverEndpoints(atomicUrl: string, atelioUrl: string): Promise<Endpoint[]> {
  const { accounts } = (await getJson(`${atomicUrl}/demo-user/pay-link/accounts`, ATOMIC_AUTH)) as {
    accounts: { _id: string; orders?: unknown[] }[];
  };
  const account = [...accounts].sort((a, b) => (b.orders?.length ?? 0) - (a.orders?.length ?? 0))[0];
  if (!account) throw new Error('no PayLink account in the seeded data');
  const { data } = (await getJson(`${atomicUrl}/user/demo-user/tasks`, ATOMIC_AUTH)) as {
    data: { tasks: { _id: string }[] };
  };
  const task = data.tasks[0];
  if (!task) throw new Error('no task in the seeded data');
  const page = (await getJson(`${atelioUrl}/api/v0.1/transactions?count=50`, ATELIO_AUTH)) as {
    transactions: { transaction_id: string }[];
  };
  const transaction = page.transactions[0];
  if (!transaction) throw new Error('no transaction in the seeded data');
  return [
    {
      name: 'atomic GET /pay-link/accounts/:id',
      vendor: 'atomic',
      path: `/pay-link/accounts/${account._id}`,
      headers: ATOMIC_AUTH,
    },
    {
      name: 'atomic GET /task/:id/status',
      vendor: 'atomic',
      path: `/task/${task._id}/status`,
      headers: ATOMIC_AUTH,
    },
    {
      name: 'atelio GET /api/v0.1/transactions?count=50',
      vendor: 'atelio',
      path: '/api/v0.1/transactions?count=50',
      headers: ATELIO_AUTH,
    },
    {
      name: 'atelio GET /api/v0.1/transactions/:id',
      vendor: 'atelio',
      path: `/api/v0.1/transactions/${transaction.transaction_id}`,
      headers: ATELIO_AUTH,
    },
  ];
}

async function capture(url: string, headers: Record<string, string>) {
  const response = await fetch(url, { headers });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function summarise(runs: LoadResult[]) {
  return {
    medianRequestsPerSec: median(runs.map((r) => r.requestsPerSec)),
    medianP99Ms: median(runs.map((r) => r.latencyP99Ms)),
    medianP50Ms: median(runs.map((r) => r.latencyP50Ms)),
    errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    bytesPerRequest: runs[0]?.bytesPerRequest ?? 0,
    runs: runs.map(({ requestsPerSec, latencyP50Ms, latencyP99Ms, requests, errors, non2xx }) => ({
      requestsPerSec,
      latencyP50Ms,
      latencyP99Ms,
      requests,
      errors,
      non2xx,
    })),
  };
}

function javaVersion(): string {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return /version "([^"]+)"/.exec(result.stderr)?.[1] ?? 'unknown';
}

async function main() {
  const began = performance.now();
  const rootDir = mkdtempSync(join(tmpdir(), 'stitch-bench-wiremock-'));
  const ours = await spawnServer(
    process.execPath,
    ['bin/stitch-sandbox.mjs', 'start', '--port', '0', '--no-stitcher'],
    {
      healthFromAnnouncement: (announced) =>
        Object.values((announced['urls'] ?? {}) as Record<string, string>).map(
          (u) => `${u}/__sandbox/health`,
        ),
    },
  );
  let wiremock: Awaited<ReturnType<typeof startWireMock>> | undefined;
  try {
    const urls = ours.announced!['urls'] as { atomic: string; atelio: string };
    const baseOf = (endpoint: Endpoint) => (endpoint.vendor === 'atomic' ? urls.atomic : urls.atelio);
    const endpoints = await discoverEndpoints(urls.atomic, urls.atelio);

    // The same bytes on both sides: WireMock answers exactly what our server answered.
    const stubs: WireMockStub[] = [];
    for (const endpoint of endpoints) {
      const captured = await capture(`${baseOf(endpoint)}${endpoint.path}`, endpoint.headers);
      if (captured.status !== 200) throw new Error(`${endpoint.name}: ${captured.status} ${captured.body}`);
      stubs.push({ method: 'GET', url: endpoint.path, headers: endpoint.headers, ...captured });
    }
    writeMappings(rootDir, stubs);
    wiremock = await startWireMock({ rootDir });
    for (const [i, endpoint] of endpoints.entries()) {
      const replayed = await capture(`${wiremock.url}${endpoint.path}`, endpoint.headers);
      if (replayed.status !== 200 || replayed.body !== stubs[i]!.body)
        throw new Error(`WireMock does not serve the same body for ${endpoint.name}`);
      // Without the credentials WireMock must not match: it checks them as we do.
      const anonymous = await fetch(`${wiremock.url}${endpoint.path}`);
      await anonymous.arrayBuffer();
      if (anonymous.status === 200)
        throw new Error(`WireMock stub for ${endpoint.name} ignores the credentials`);
    }

    const load = (label: string, base: string, endpoint: Endpoint, durationSec: number) =>
      runLoad({
        label,
        url: `${base}${endpoint.path}`,
        headers: endpoint.headers,
        connections: CONNECTIONS,
        durationSec,
      });

    // Warm-up of both servers on every endpoint before anything is measured: the JVM's JIT and
    // V8's optimiser both see every code path first.
    for (const endpoint of endpoints) {
      log(`${endpoint.name}: warm-up`);
      await load('warm-up', baseOf(endpoint), endpoint, WARMUP_SECONDS);
      await load('warm-up', wiremock.url, endpoint, WARMUP_SECONDS);
    }

    const results = [];
    for (const endpoint of endpoints) {
      const oursRuns: LoadResult[] = [];
      const theirRuns: LoadResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        oursRuns.push(await load('stitch-sandbox', baseOf(endpoint), endpoint, SECONDS));
        theirRuns.push(await load('wiremock', wiremock.url, endpoint, SECONDS));
        log(
          `${endpoint.name}: round ${r + 1}: ours ${oursRuns.at(-1)!.requestsPerSec} req/s p99 ${oursRuns.at(-1)!.latencyP99Ms} ms, ` +
            `wiremock ${theirRuns.at(-1)!.requestsPerSec} req/s p99 ${theirRuns.at(-1)!.latencyP99Ms} ms`,
        );
      }
      const a = summarise(oursRuns);
      const b = summarise(theirRuns);
      results.push({
        endpoint: endpoint.name,
        path: endpoint.path.replace(/[0-9a-f]{24}|[0-9a-f-]{36}/, ':id'),
        bodyBytes: Buffer.byteLength(stubs[endpoints.indexOf(endpoint)]!.body),
        stitchSandbox: a,
        wiremock: b,
        throughputRatio: round(a.medianRequestsPerSec / b.medianRequestsPerSec),
        p99Ratio: round(a.medianP99Ms / b.medianP99Ms),
        goalMet: a.medianRequestsPerSec >= 1.5 * b.medianRequestsPerSec && a.medianP99Ms < b.medianP99Ms,
      });
    }

    const output = {
      benchmark: 'http',
      node: process.version,
      java: javaVersion(),
      wiremock: wiremockVersion(),
      settings: {
        connections: CONNECTIONS,
        secondsPerRun: SECONDS,
        rounds: ROUNDS,
        warmupSecondsEach: WARMUP_SECONDS,
        order: 'alternating per endpoint: stitch-sandbox, wiremock, stitch-sandbox, wiremock…',
        ours: 'node bin/stitch-sandbox.mjs start --port 0 --no-stitcher (auth, validation, faults, journal on)',
        peer: 'java -jar wiremock-standalone.jar --bind-address 127.0.0.1 --max-request-journal-entries 1000',
      },
      goal: 'at least 1.5x WireMock requests/s with lower p99, on every endpoint',
      goalMet: results.every((r) => r.goalMet),
      results,
      durationSec: round((performance.now() - began) / 1000, 1),
    };
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
  } finally {
    await wiremock?.stop();
    await ours.stop();
    rmSync(rootDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
