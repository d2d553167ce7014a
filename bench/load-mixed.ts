/**
 * Mixed load with webhooks firing: 200 clients for 60 s against both mocks of a platform started
 * the way users start it (`stitch-sandbox start`, in its own process, the stitcher in its worker
 * thread), while scenario runs play back to back and a sustained flood of card authorisations
 * creates transactions, so signed webhooks flow to the reference stitcher the whole time and its
 * inbox never empties. It reports requests per second, latency, errors and the status codes seen
 * (the goal is zero errors and zero 5xx) and what happened to the webhooks.
 *
 *   npx tsx bench/load-mixed.ts             paced pass, then the saturation pass (about 2.5 min)
 *   npx tsx bench/load-mixed.ts --quick     20 clients, 5 s each pass (smoke run)
 *   npx tsx bench/load-mixed.ts --connections 100 --duration 30 --rate 5 --flood 150 --scenario-every 2000 --no-saturate
 *   npx tsx bench/load-mixed.ts --stitcher-in-process   the same against a platform whose stitcher shares the mocks' thread
 *
 * Two passes, because they answer two different questions:
 * - **Paced** (the latency targets): each client sends `--rate` requests a second (default 5, so
 *   200 clients offer 1,000 requests/s) over its keep-alive connection, in a short run once a
 *   second, the clients' runs spread evenly over the second (see PHASES), while the flood posts
 *   `--flood` authorisations a second (default 150) on connections of its own and an
 *   `amazon-order-stitching` run starts every `--scenario-every` ms (default 2000). Targets on
 *   established connections: p99 < 50 ms and max < 250 ms.
 * - **Saturated** (capacity): every client sends its next request the moment the last one is
 *   answered, and scenario runs play back to back. That measures how many requests a second the platform can take, not latency under
 *   a given load: with a fixed number of clients always waiting, the latency is the number of
 *   clients divided by the throughput (Little's law), whatever the server does. Its latencies are
 *   reported for completeness, with no target.
 *
 * Every answer's latency is recorded per client: a client's first answer includes opening its
 * connection (reported as ramp-up), every later one rides an established connection (reported as
 * the vendor mocks' latency). The stitcher's inbox backlog is sampled during each pass, to show how
 * busy stitching was meanwhile.
 *
 * Prints one JSON document on stdout (progress on stderr); exits 1 when any request failed, any
 * answer was a 5xx, or a webhook could not be delivered.
 */
import autocannon from 'autocannon';
import { spawnServer } from './lib/process';
import { webhooksSettled } from './lib/webhooks-settled';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const option = (name: string, fallback: number) => {
  const index = argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const CONNECTIONS = option('connections', QUICK ? 20 : 200);
const DURATION_SEC = option('duration', QUICK ? 5 : 60);
/** Requests per second each client sends in the paced pass. */
const RATE_PER_CLIENT = option('rate', 5);
/** Card authorisations per second, on connections of their own, in both passes. */
const FLOOD_PER_SEC = option('flood', QUICK ? 30 : 150);
const FLOOD_CONNECTIONS = 10;
const SATURATE = !argv.includes('--no-saturate');
/** The peer: the stitcher on the mocks' own thread, as before it had a thread of its own. */
const STITCHER_IN_PROCESS = argv.includes('--stitcher-in-process');
/** In the paced pass, a scenario run starts every this many ms (the saturated pass plays them back to back). */
const SCENARIO_EVERY_MS = option('scenario-every', 2000);

const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { identity: 'test-identity', authorization: 'test-authorization' };
const JSON_BODY = { 'content-type': 'application/json' };

const log = (line: string) => process.stderr.write(`[load] ${line}\n`);

interface Urls {
  control: string;
  atomic: string;
  atelio: string;
  stitcher: string;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...JSON_BODY },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Real ids from the seeded baseline, so the mix exercises lookups that succeed. */
async function discover(urls: Urls) {
  const accounts = await getJson<{ data?: unknown; accounts?: { _id: string }[] }>(
    `${urls.atomic}/demo-user/pay-link/accounts`,
    ATOMIC,
  );
  const accountIds = (
    accounts.accounts ??
    (accounts.data as { accounts?: { _id: string }[] } | undefined)?.accounts ??
    []
  ).map((a) => a._id);
  const transactions = await getJson<{ transactions: { transaction_id: string; customer_id: string }[] }>(
    `${urls.atelio}/api/v0.1/transactions?count=10`,
    ATELIO,
  );
  const cards = await getJson<{ cards: { card_id: string; status: string }[] }>(
    `${urls.atelio}/api/v0.1/cards?count=10`,
    ATELIO,
  );
  const card = cards.cards.find((c) => c.status === 'active') ?? cards.cards[0];
  if (!accountIds[0] || !transactions.transactions[0] || !card)
    throw new Error('the baseline has no account, transaction or card to load');
  return {
    accountId: accountIds[0],
    transactionId: transactions.transactions[0].transaction_id,
    customerId: transactions.transactions[0].customer_id,
    cardId: card.card_id,
  };
}

/** Scenario runs one after another for as long as the load lasts: every step sends webhooks. */
/**
 * Scenario runs until stopped: one every `everyMs` (the next waits for the last to end), or back to
 * back when `everyMs` is 0.
 */
function playScenariosUntil(urls: Urls, stop: { done: boolean }, identifierPrefix: string, everyMs: number) {
  const tally = { started: 0, completed: 0, failed: 0, webhooks: 0 };
  const loop = (async () => {
    for (let n = 1; !stop.done; n++) {
      const startedAt = performance.now();
      const { runId } = await postJson<{ runId: string }>(
        `${urls.control}/api/scenarios/amazon-order-stitching/runs`,
        {
          seed: n,
          identifier: `${identifierPrefix}-${n}`,
        },
      );
      tally.started++;
      for (;;) {
        const run = await getJson<{ status: string; webhookCount: number }>(
          `${urls.control}/api/runs/${runId}`,
        );
        if (run.status !== 'running') {
          if (run.status === 'completed') tally.completed++;
          else tally.failed++;
          tally.webhooks += run.webhookCount;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const wait = everyMs - (performance.now() - startedAt);
      if (wait > 0 && !stop.done) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();
  return { tally, loop };
}

interface Latencies {
  /** Each client's first answer: connection set-up included. */
  rampUp: number[];
  /** Every later answer, on an established keep-alive connection. */
  established: number[];
}

interface LoadSpec {
  label: string;
  url: string;
  requests: autocannon.Request[];
  connections: number;
  /** Requests per second per connection; absent: as fast as answers come. */
  connectionRate?: number;
  /** Requests per second over all connections. */
  overallRate?: number;
}

interface LoadOutcome {
  label: string;
  connections: number;
  requests: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  latencies: Latencies;
}

/**
 * autocannon limits a rate per one-second window: each connection sends its quota back to back when
 * the window opens, then waits for the next one, and every connection of one instance opens its
 * window at the same instant. 200 paced clients in one instance would be one burst of 1,000
 * requests at the top of every second, which is the saturated pass in disguise. So paced clients run
 * as PHASES instances started evenly across the first second: each client still sends its requests
 * in a short run once a second (as a page load does), and the clients' runs are spread over the second.
 */
const PHASES = 20;

async function load(spec: LoadSpec): Promise<LoadOutcome> {
  const phases = spec.connectionRate ? Math.min(PHASES, spec.connections) : 1;
  const outcomes = await Promise.all(
    Array.from({ length: phases }, async (_, phase) => {
      const connections = Math.floor(spec.connections / phases) + (phase < spec.connections % phases ? 1 : 0);
      await new Promise((resolve) => setTimeout(resolve, (phase * 1000) / phases));
      return loadOnce({ ...spec, connections });
    }),
  );
  const statusCodes: Record<string, number> = {};
  for (const outcome of outcomes)
    for (const [code, count] of Object.entries(outcome.statusCodes))
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
  return {
    label: spec.label,
    connections: spec.connections,
    requests: outcomes.reduce((n, o) => n + o.requests, 0),
    errors: outcomes.reduce((n, o) => n + o.errors, 0),
    timeouts: outcomes.reduce((n, o) => n + o.timeouts, 0),
    statusCodes,
    latencies: {
      rampUp: outcomes.flatMap((o) => o.latencies.rampUp),
      established: outcomes.flatMap((o) => o.latencies.established),
    },
  };
}

function loadOnce({ label, url, requests, connections, connectionRate, overallRate }: LoadSpec) {
  const latencies: Latencies = { rampUp: [], established: [] };
  const seen = new WeakSet<object>();
  return new Promise<LoadOutcome>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections,
        duration: DURATION_SEC,
        requests,
        timeout: 10,
        ...(connectionRate ? { connectionRate } : {}),
        ...(overallRate ? { overallRate } : {}),
      },
      (error, result) => {
        if (error) reject(error);
        else
          resolve({
            label,
            connections,
            requests: result.requests.total,
            errors: result.errors,
            timeouts: result.timeouts,
            statusCodes: statusCounts(result),
            latencies,
          });
      },
    );
    instance.on('response', (client: object, _status: number, _bytes: number, responseTime: number) => {
      if (seen.has(client)) latencies.established.push(responseTime);
      else {
        seen.add(client);
        latencies.rampUp.push(responseTime);
      }
    });
  });
}

function percentiles(values: number[]) {
  if (values.length === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return {
    count: sorted.length,
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(sorted[sorted.length - 1]! * 10) / 10,
  };
}

/** Samples the stitcher's inbox backlog (pending + retrying) every 250 ms until stopped. */
function sampleStitcherBacklog(stitcherUrl: string, stop: { done: boolean }) {
  const seen = { samples: 0, max: 0, sum: 0 };
  const loop = (async () => {
    while (!stop.done) {
      try {
        const inbox = await getJson<{ counts: Record<string, number> }>(`${stitcherUrl}/inbox?limit=1`);
        const backlog = (inbox.counts['pending'] ?? 0) + (inbox.counts['retrying'] ?? 0);
        seen.samples++;
        seen.sum += backlog;
        seen.max = Math.max(seen.max, backlog);
      } catch {
        // A sample lost under load is not a result.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return { seen, loop };
}

const statusCounts = (result: autocannon.Result) =>
  Object.fromEntries(
    Object.entries(
      (result as unknown as { statusCodeStats?: Record<string, { count: number | string }> })
        .statusCodeStats ?? {},
    ).map(([code, { count }]) => [code, Number(count)]),
  );

type Pass = 'paced' | 'saturated';

/** One pass: the clients, the flood, scenario runs and backlog sampling together, then the webhooks settle. */
async function runPass(
  pass: Pass,
  urls: Urls,
  atomicRequests: autocannon.Request[],
  atelioRequests: autocannon.Request[],
  flood: autocannon.Request,
) {
  log(
    `${pass} pass: ${CONNECTIONS} clients ${pass === 'paced' ? `at ${RATE_PER_CLIENT} requests/s each` : 'as fast as answers come'}, ${FLOOD_PER_SEC} authorisations/s, ${DURATION_SEC} s`,
  );
  const stop = { done: false };
  const scenarios = playScenariosUntil(
    urls,
    stop,
    `load-${pass}-shopper`,
    pass === 'paced' ? SCENARIO_EVERY_MS : 0,
  );
  const backlog = sampleStitcherBacklog(urls.stitcher, stop);
  const began = performance.now();
  const half = Math.max(1, Math.floor(CONNECTIONS / 2));
  const rate = pass === 'paced' ? { connectionRate: RATE_PER_CLIENT } : {};
  const [atomicResult, atelioResult, floodResult] = await Promise.all([
    load({ label: 'atomic', url: urls.atomic, requests: atomicRequests, connections: half, ...rate }),
    load({
      label: 'atelio',
      url: urls.atelio,
      requests: atelioRequests,
      connections: CONNECTIONS - half,
      ...rate,
    }),
    load({
      label: 'flood',
      url: urls.atelio,
      requests: [flood],
      connections: FLOOD_CONNECTIONS,
      overallRate: FLOOD_PER_SEC,
    }),
  ]);
  const elapsedSec = (performance.now() - began) / 1000;
  stop.done = true;
  await scenarios.loop;
  await backlog.loop;

  log('load done; waiting for the last webhooks to be delivered');
  const settled = await webhooksSettled(urls);
  const failedDeliveries = await getJson<{ deliveries: unknown[] }>(
    `${urls.control}/api/deliveries?status=failed&limit=100000`,
  );
  const deliveryLog = await getJson<{ size: number; capacity: number }>(
    `${urls.control}/api/deliveries?limit=1`,
  );
  const inbox = await getJson<{ counts: Record<string, number> }>(`${urls.stitcher}/inbox?limit=1`);

  const figures = (r: LoadOutcome) => {
    const all = percentiles([...r.latencies.rampUp, ...r.latencies.established]);
    return {
      vendor: r.label,
      connections: r.connections,
      requests: r.requests,
      requestsPerSec: Math.round(r.requests / elapsedSec),
      latencyMs: { p50: all.p50, p99: all.p99, max: all.max },
      establishedConnectionsMs: percentiles(r.latencies.established),
      connectionRampUpMs: percentiles(r.latencies.rampUp),
      errors: r.errors,
      timeouts: r.timeouts,
      statusCodes: r.statusCodes,
      server5xx: Object.entries(r.statusCodes).reduce(
        (n, [code, count]) => (Number(code) >= 500 ? n + count : n),
        0,
      ),
    };
  };
  const perVendor = [atomicResult, atelioResult].map(figures);
  const floodFigures = figures(floodResult);
  const totalRequests = perVendor.reduce((n, v) => n + v.requests, 0);
  return {
    pass,
    connections: CONNECTIONS,
    durationSec: Math.round(elapsedSec * 10) / 10,
    requests: totalRequests,
    requestsPerSec: Math.round(totalRequests / elapsedSec),
    errors: [...perVendor, floodFigures].reduce((n, v) => n + v.errors + v.timeouts, 0),
    server5xx: [...perVendor, floodFigures].reduce((n, v) => n + v.server5xx, 0),
    perVendor,
    flood: floodFigures,
    webhooks: {
      scenarioRuns: scenarios.tally,
      authorizationsSimulated: (atelioResult.statusCodes['201'] ?? 0) + (floodResult.statusCodes['201'] ?? 0),
      failedDeliveries: failedDeliveries.deliveries.length,
      deliveryLog: { size: deliveryLog.size, capacity: deliveryLog.capacity },
      stitcherInbox: inbox.counts,
      settledAfterSec: Math.round(settled.ms / 100) / 10,
    },
    stitcherBacklog: {
      samples: backlog.seen.samples,
      max: backlog.seen.max,
      mean: backlog.seen.samples === 0 ? 0 : Math.round(backlog.seen.sum / backlog.seen.samples),
    },
  };
}

async function main() {
  const startArgs = ['bin/stitch-sandbox.mjs', 'start', '--port', '0'];
  if (STITCHER_IN_PROCESS) startArgs.push('--stitcher-in-process');
  log(`starting the platform (stitch-sandbox ${startArgs.slice(1).join(' ')})`);
  const platform = await spawnServer(process.execPath, startArgs, {
    healthFromAnnouncement: (announced) =>
      Object.values((announced['urls'] ?? {}) as Record<string, string>).map((u) => `${u}/__sandbox/health`),
  });
  const urls = platform.announced!['urls'] as Urls;
  try {
    const ids = await discover(urls);
    const today = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const authorization = JSON.stringify({
      card_id: ids.cardId,
      amount: '0.01',
      transaction_datetime: today,
      currency: 'USD',
      merchant_name: 'AMZN Mktp US*LOAD',
      merchant_city: 'Amzn.com/bill',
      merchant_state: 'WA',
      merchant_zip_code: '98109',
      mcc: '5942',
      mid: '784959000762203',
    });
    const atomicRequests: autocannon.Request[] = [
      { method: 'GET', path: '/demo-user/pay-link/accounts', headers: ATOMIC },
      { method: 'GET', path: `/pay-link/accounts/${ids.accountId}`, headers: ATOMIC },
      { method: 'GET', path: '/demo-user/pay-link/accounts?connected=true', headers: ATOMIC },
      {
        method: 'POST',
        path: '/access-token',
        headers: { ...ATOMIC, ...JSON_BODY },
        body: '{"identifier":"load-user"}',
      },
      { method: 'GET', path: '/user/demo-user/tasks', headers: ATOMIC },
    ];
    const atelioRequests: autocannon.Request[] = [
      { method: 'GET', path: '/api/v0.1/transactions?count=20&payment_type=card', headers: ATELIO },
      { method: 'GET', path: `/api/v0.1/transactions/${ids.transactionId}`, headers: ATELIO },
      { method: 'GET', path: `/api/v0.1/customers/${ids.customerId}`, headers: ATELIO },
      {
        method: 'POST',
        path: '/api/v0.1/simulate/authorization',
        headers: { ...ATELIO, ...JSON_BODY },
        body: authorization,
      },
      { method: 'GET', path: `/api/v0/transactions?customer_id=${ids.customerId}&count=5`, headers: ATELIO },
    ];

    const flood: autocannon.Request = {
      method: 'POST',
      path: '/api/v0.1/simulate/authorization',
      headers: { ...ATELIO, ...JSON_BODY },
      body: authorization,
    };

    const paced = await runPass('paced', urls, atomicRequests, atelioRequests, flood);
    const saturated = SATURATE
      ? await runPass('saturated', urls, atomicRequests, atelioRequests, flood)
      : undefined;
    const healthy = (
      await Promise.all(
        Object.values(urls).map(async (u) => (await fetch(`${u}/__sandbox/health`)).status === 200),
      )
    ).every(Boolean);

    const summary = {
      ...paced,
      quick: QUICK,
      stitcher: STITCHER_IN_PROCESS ? 'in-process' : 'worker-thread',
      ratePerClient: RATE_PER_CLIENT,
      floodPerSec: FLOOD_PER_SEC,
      ...(saturated ? { saturated } : {}),
      platformHealthyAfter: healthy,
      targets: {
        p99Under50msEstablished: paced.perVendor.every((v) => v.establishedConnectionsMs.p99 < 50),
        maxUnder250msEstablished: paced.perVendor.every((v) => v.establishedConnectionsMs.max < 250),
      },
    };
    const passes = saturated ? [paced, saturated] : [paced];
    const ok =
      healthy &&
      passes.every(
        (pass) =>
          pass.errors === 0 &&
          pass.server5xx === 0 &&
          pass.webhooks.failedDeliveries === 0 &&
          pass.webhooks.scenarioRuns.failed === 0,
      );
    process.stdout.write(`${JSON.stringify({ ok, ...summary }, null, 2)}\n`);
    for (const pass of passes) {
      log(
        `${pass.pass}: ${pass.requestsPerSec} req/s from the clients (+ ${pass.flood.requestsPerSec} authorisations/s), ${pass.errors} errors, ${pass.server5xx} 5xx, ${pass.webhooks.failedDeliveries} failed deliveries`,
      );
      for (const v of pass.perVendor)
        log(
          `  ${v.vendor}: established p50 ${v.establishedConnectionsMs.p50} ms, p99 ${v.establishedConnectionsMs.p99} ms, max ${v.establishedConnectionsMs.max} ms; ramp-up p99 ${v.connectionRampUpMs.p99} ms, max ${v.connectionRampUpMs.max} ms`,
        );
      log(`  stitcher inbox backlog: max ${pass.stitcherBacklog.max}, mean ${pass.stitcherBacklog.mean}`);
    }
    if (!ok) process.exitCode = 1;
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `load-mixed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
