/**
 * Mixed load with webhooks firing: 200 concurrent clients for 60 s against both mocks of a platform
 * started the way users start it (`stitch-sandbox start`, in its own process), while scenario runs
 * play back to back and card authorisations create transactions, so signed webhooks flow to the
 * reference stitcher the whole time. It reports requests per second, latency, errors and the
 * status codes seen — the goal is zero errors and zero 5xx — and what happened to the webhooks.
 *
 *   npx tsx bench/load-mixed.ts             200 clients, 60 s
 *   npx tsx bench/load-mixed.ts --quick     20 clients, 5 s (smoke run)
 *   npx tsx bench/load-mixed.ts --connections 100 --duration 30
 *
 * Every answer's latency is recorded per client: a client's first answer includes opening its
 * connection (reported as ramp-up), every later one rides an established connection (reported as
 * the vendor mocks' latency: targets p99 < 50 ms and max < 250 ms). The stitcher's inbox backlog is
 * sampled during the run, to show how busy stitching was meanwhile.
 *
 * Prints one JSON document on stdout (progress on stderr); exits 1 when any request failed, any
 * answer was a 5xx, or a webhook could not be delivered.
 */
import autocannon from 'autocannon';
import { spawnServer } from './lib/process';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const option = (name: string, fallback: number) => {
  const index = argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(argv[index + 1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const CONNECTIONS = option('connections', QUICK ? 20 : 200);
const DURATION_SEC = option('duration', QUICK ? 5 : 60);

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
function playScenariosUntil(urls: Urls, stop: { done: boolean }) {
  const tally = { started: 0, completed: 0, failed: 0, webhooks: 0 };
  const loop = (async () => {
    for (let n = 1; !stop.done; n++) {
      const { runId } = await postJson<{ runId: string }>(
        `${urls.control}/api/scenarios/amazon-order-stitching/runs`,
        {
          seed: n,
          identifier: `load-shopper-${n}`,
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

function load(label: string, url: string, requests: autocannon.Request[], connections: number) {
  const latencies: Latencies = { rampUp: [], established: [] };
  const seen = new WeakSet<object>();
  return new Promise<autocannon.Result & { label: string; latencies: Latencies }>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: DURATION_SEC, requests, timeout: 10 },
      (error, result) => {
        if (error) reject(error);
        else resolve({ ...result, label, latencies });
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

async function main() {
  log(`starting the platform (stitch-sandbox start --port 0); ${CONNECTIONS} clients for ${DURATION_SEC} s`);
  const platform = await spawnServer(process.execPath, ['bin/stitch-sandbox.mjs', 'start', '--port', '0'], {
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

    const stop = { done: false };
    const scenarios = playScenariosUntil(urls, stop);
    const backlog = sampleStitcherBacklog(urls.stitcher, stop);
    const began = performance.now();
    const half = Math.max(1, Math.floor(CONNECTIONS / 2));
    const [atomicResult, atelioResult] = await Promise.all([
      load('atomic', urls.atomic, atomicRequests, half),
      load('atelio', urls.atelio, atelioRequests, CONNECTIONS - half),
    ]);
    const elapsedSec = (performance.now() - began) / 1000;
    stop.done = true;
    await scenarios.loop;
    await backlog.loop;

    log('load done; waiting for the last webhooks to be delivered');
    const settleBegan = performance.now();
    for (;;) {
      const pending = await getJson<{ deliveries: unknown[] }>(
        `${urls.control}/api/deliveries?status=pending&limit=1`,
      );
      const inbox = await getJson<{ counts: Record<string, number> }>(`${urls.stitcher}/inbox?limit=1`);
      if (
        pending.deliveries.length === 0 &&
        (inbox.counts['pending'] ?? 0) + (inbox.counts['retrying'] ?? 0) === 0
      )
        break;
      if (performance.now() - settleBegan > 120_000)
        throw new Error('webhooks still pending two minutes after the load');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const failedDeliveries = await getJson<{ deliveries: unknown[] }>(
      `${urls.control}/api/deliveries?status=failed&limit=100000`,
    );
    const deliveryLog = await getJson<{ size: number; capacity: number }>(
      `${urls.control}/api/deliveries?limit=1`,
    );
    const inbox = await getJson<{ counts: Record<string, number> }>(`${urls.stitcher}/inbox?limit=1`);
    const healthy = (
      await Promise.all(
        Object.values(urls).map(async (u) => (await fetch(`${u}/__sandbox/health`)).status === 200),
      )
    ).every(Boolean);

    const perVendor = [atomicResult, atelioResult].map((r) => {
      const statuses = statusCounts(r);
      return {
        vendor: r.label,
        connections: r.connections,
        requests: r.requests.total,
        requestsPerSec: Math.round(r.requests.average),
        latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
        establishedConnectionsMs: percentiles(r.latencies.established),
        connectionRampUpMs: percentiles(r.latencies.rampUp),
        errors: r.errors,
        timeouts: r.timeouts,
        statusCodes: statuses,
        server5xx: Object.entries(statuses).reduce(
          (n, [code, count]) => (Number(code) >= 500 ? n + count : n),
          0,
        ),
      };
    });
    const totalRequests = perVendor.reduce((n, v) => n + v.requests, 0);
    const summary = {
      connections: CONNECTIONS,
      durationSec: Math.round(elapsedSec * 10) / 10,
      quick: QUICK,
      requests: totalRequests,
      requestsPerSec: Math.round(totalRequests / elapsedSec),
      errors: perVendor.reduce((n, v) => n + v.errors + v.timeouts, 0),
      server5xx: perVendor.reduce((n, v) => n + v.server5xx, 0),
      perVendor,
      webhooks: {
        scenarioRuns: scenarios.tally,
        authorizationsSimulated: statusCounts(atelioResult)['201'] ?? 0,
        failedDeliveries: failedDeliveries.deliveries.length,
        deliveryLog: { size: deliveryLog.size, capacity: deliveryLog.capacity },
        stitcherInbox: inbox.counts,
      },
      stitcherBacklog: {
        samples: backlog.seen.samples,
        max: backlog.seen.max,
        mean: backlog.seen.samples === 0 ? 0 : Math.round(backlog.seen.sum / backlog.seen.samples),
      },
      platformHealthyAfter: healthy,
      targets: {
        p99Under50msEstablished: perVendor.every((v) => v.establishedConnectionsMs.p99 < 50),
        maxUnder250msEstablished: perVendor.every((v) => v.establishedConnectionsMs.max < 250),
      },
    };
    const ok =
      summary.errors === 0 &&
      summary.server5xx === 0 &&
      summary.webhooks.failedDeliveries === 0 &&
      healthy &&
      scenarios.tally.failed === 0;
    process.stdout.write(`${JSON.stringify({ ok, ...summary }, null, 2)}\n`);
    log(
      `${summary.requestsPerSec} req/s, ${summary.errors} errors, ${summary.server5xx} 5xx, ${scenarios.tally.webhooks} scenario webhooks, ${summary.webhooks.failedDeliveries} failed deliveries`,
    );
    for (const v of perVendor)
      log(
        `${v.vendor}: established p99 ${v.establishedConnectionsMs.p99} ms, max ${v.establishedConnectionsMs.max} ms; ramp-up p99 ${v.connectionRampUpMs.p99} ms, max ${v.connectionRampUpMs.max} ms`,
      );
    log(
      `stitcher inbox backlog during the run: max ${summary.stitcherBacklog.max}, mean ${summary.stitcherBacklog.mean}`,
    );
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
