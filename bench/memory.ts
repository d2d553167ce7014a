/**
 * Does memory stay flat? The platform runs in its own process (`stitch-sandbox start --port 0`)
 * and its resident set size is read from /proc/<pid>/status: once after the first 10,000 requests
 * (warmed up), and again after 1,000,000 requests and 100,000 webhook deliveries more. The goal is a
 * difference within 50 MB: the request journal and the delivery log are bounded, so traffic alone
 * must not grow the process.
 *
 * The requests are reads and refusals (good and bad credentials, unknown ids, bad queries) over
 * both mocks: everything the journal records, nothing that adds data to the stores, so growth
 * cannot hide behind legitimately stored data. The deliveries are real signed webhooks to the
 * reference stitcher: a few thousand new card transactions, then redeliveries of those events
 * (each a full attempt: signing, HTTP, the stitcher's check and de-duplication, the delivery log).
 *
 *   npx tsx bench/memory.ts            1,000,000 requests, 100,000 deliveries (a few minutes)
 *   npx tsx bench/memory.ts --quick    100,000 requests, 5,000 deliveries (smoke run)
 *
 * Both readings are taken at rest. V8 sizes its heap to the allocation rate: under load it keeps
 * several times the live data committed, and gives it back only when the process goes quiet and
 * its memory reducer runs (a "Mark-Compact (reduce)" in `--trace-gc`, which the child runs with).
 * So after each phase the benchmark waits for that collection, then reads RSS. It also reports RSS
 * straight after each phase and the live heap after the last full collection.
 *
 * Prints one JSON document on stdout (progress on stderr); exits 1 when the growth is over 50 MB.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { median, spawnServer } from './lib/process';
import { webhooksSettled } from './lib/webhooks-settled';

const QUICK = process.argv.includes('--quick');
/**
 * The first phase is the same workload in miniature (10,000 requests, 1,000 deliveries), so the
 * baseline is a process that has already handled both kinds of traffic: the comparison then shows
 * growth, not the V8 heap reaching its working size the first time webhooks flow.
 */
const WARM = { requests: 10_000, deliveries: 1_000, newEvents: 100 };
const MAIN = QUICK
  ? { requests: 100_000, deliveries: 5_000, newEvents: 500 }
  : { requests: 1_000_000, deliveries: 100_000, newEvents: 3_000 };
const BUDGET_MB = 50;
const CONNECTIONS = 50;

const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { identity: 'test-identity', authorization: 'test-authorization' };
const JSON_BODY = { 'content-type': 'application/json' };

const log = (line: string) => process.stderr.write(`[memory] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

interface Urls {
  control: string;
  atomic: string;
  atelio: string;
  stitcher: string;
}

/** VmRSS of a process in kB, from the kernel. */
function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

/** Full collections the child reported with --trace-gc: live heap after, committed heap after. */
interface GcTrace {
  markCompacts: { reduce: boolean; liveMb: number; committedMb: number }[];
}

function traceGc(child: ChildProcess): GcTrace {
  const trace: GcTrace = { markCompacts: [] };
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const match = /Mark-Compact( \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(([\d.]+)\) MB/.exec(line);
      if (match)
        trace.markCompacts.push({
          reduce: match[1] !== undefined,
          liveMb: Number(match[2]),
          committedMb: Number(match[3]),
        });
    }
  });
  return trace;
}

/** Waits (at most 2 minutes) for V8's memory reducer to run on the now idle process. */
async function memoryReducerRan(trace: GcTrace): Promise<boolean> {
  const before = trace.markCompacts.filter((m) => m.reduce).length;
  for (let waited = 0; waited < 120_000; waited += 250) {
    if (trace.markCompacts.filter((m) => m.reduce).length > before) return true;
    await sleep(250);
  }
  return false;
}

/** After a quiet moment, the median of several readings (RSS moves with each collection). */
async function steadyRss(pid: number): Promise<{ medianKb: number; samplesKb: number[] }> {
  await sleep(2000);
  const samplesKb: number[] = [];
  for (let i = 0; i < 7; i++) {
    samplesKb.push(rssKb(pid));
    await sleep(200);
  }
  return { medianKb: median(samplesKb), samplesKb };
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(url, init);
  if (response.status >= 300)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function discover(urls: Urls) {
  const accounts = await json<{ accounts?: { _id: string }[]; data?: { accounts?: { _id: string }[] } }>(
    `${urls.atomic}/demo-user/pay-link/accounts`,
    { headers: ATOMIC },
  );
  const accountId = (accounts.accounts ?? accounts.data?.accounts ?? [])[0]?._id;
  const { transactions } = await json<{ transactions: { transaction_id: string; customer_id: string }[] }>(
    `${urls.atelio}/api/v0.1/transactions?count=5`,
    { headers: ATELIO },
  );
  const { cards } = await json<{ cards: { card_id: string; status: string }[] }>(
    `${urls.atelio}/api/v0.1/cards?count=10`,
    { headers: ATELIO },
  );
  const card = cards.find((c) => c.status === 'active');
  if (!accountId || !transactions[0] || !card)
    throw new Error('the baseline has no account, transaction or active card');
  return {
    accountId,
    transactionId: transactions[0].transaction_id,
    customerId: transactions[0].customer_id,
    cardId: card.card_id,
  };
}

/** Reads and refusals over both mocks, in equal measure. Nothing here stores anything. */
function requestMix(ids: Awaited<ReturnType<typeof discover>>) {
  const atomic: autocannon.Request[] = [
    { method: 'GET', path: '/demo-user/pay-link/accounts', headers: ATOMIC },
    { method: 'GET', path: `/pay-link/accounts/${ids.accountId}`, headers: ATOMIC },
    { method: 'GET', path: '/user/demo-user/tasks', headers: ATOMIC },
    { method: 'GET', path: '/demo-user/pay-link/accounts', headers: { ...ATOMIC, 'x-api-secret': 'wrong' } },
    { method: 'GET', path: '/pay-link/accounts/0123456789abcdef01234567', headers: ATOMIC },
  ];
  const atelio: autocannon.Request[] = [
    { method: 'GET', path: '/api/v0.1/transactions?count=20', headers: ATELIO },
    { method: 'GET', path: `/api/v0.1/transactions/${ids.transactionId}`, headers: ATELIO },
    { method: 'GET', path: `/api/v0.1/customers/${ids.customerId}`, headers: ATELIO },
    { method: 'GET', path: '/api/v0.1/transactions?count=3', headers: ATELIO },
    { method: 'GET', path: '/api/v0.1/cards/nope', headers: { identity: 'x', authorization: 'y' } },
  ];
  return { atomic, atelio };
}

/** `amount` requests split over both mocks, `CONNECTIONS` clients in all. */
async function traffic(urls: Urls, mix: ReturnType<typeof requestMix>, amount: number) {
  const run = (url: string, requests: autocannon.Request[]) =>
    new Promise<autocannon.Result>((resolve, reject) =>
      autocannon(
        { url, connections: CONNECTIONS / 2, amount: Math.floor(amount / 2), requests, timeout: 10 },
        (error, result) => (error ? reject(error) : resolve(result)),
      ),
    );
  const results = await Promise.all([run(urls.atomic, mix.atomic), run(urls.atelio, mix.atelio)]);
  return {
    requests: results.reduce((n, r) => n + r.requests.total, 0),
    errors: results.reduce((n, r) => n + r.errors + r.timeouts, 0),
    server5xx: results.reduce(
      (n, r) =>
        n +
        Object.entries(
          (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {},
        ).reduce((m, [code, { count }]) => (Number(code) >= 500 ? m + Number(count) : m), 0),
      0,
    ),
  };
}

/** New card transactions (one webhook each), then redeliveries of them, until `total` deliveries. */
async function deliveries(urls: Urls, cardId: string, total: number, newEvents: number) {
  const today = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const body = JSON.stringify({
    card_id: cardId,
    amount: '0.01',
    transaction_datetime: today,
    currency: 'USD',
    merchant_name: 'AMZN Mktp US*MEMORY',
    merchant_city: 'Amzn.com/bill',
    merchant_state: 'WA',
    merchant_zip_code: '98109',
    mcc: '5942',
    mid: '784959000762203',
  });
  let made = 0;
  for (let i = 0; i < newEvents; i++) {
    await json(`${urls.atelio}/api/v0.1/simulate/authorization`, {
      method: 'POST',
      headers: { ...ATELIO, ...JSON_BODY },
      body,
    });
    made++;
  }
  const { deliveries: events } = await json<{ deliveries: { id: string; targets: unknown[] }[] }>(
    `${urls.control}/api/deliveries?vendor=atelio&limit=${newEvents}`,
  );
  if (events.length === 0) throw new Error('no webhook events to redeliver');
  let next = 0;
  const worker = async () => {
    while (made < total) {
      const event = events[next++ % events.length]!;
      const record = await json<{ targets: unknown[] }>(
        `${urls.control}/api/deliveries/${event.id}/redeliver`,
        { method: 'POST' },
      );
      made += record.targets.length;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // Every attempt finished, and the stitcher has dealt with what it accepted.
  await webhooksSettled(urls);
  const failed = await json<{ deliveries: unknown[] }>(
    `${urls.control}/api/deliveries?status=failed&limit=100000`,
  );
  return {
    made,
    failedEvents: failed.deliveries.length,
    inbox: (await json<{ counts: Record<string, number> }>(`${urls.stitcher}/inbox?limit=1`)).counts,
  };
}

/** Requests and deliveries at once, as the platform sees them in use. */
async function workload(urls: Urls, ids: Awaited<ReturnType<typeof discover>>, phase: typeof MAIN) {
  const [load, webhooks] = await Promise.all([
    traffic(urls, requestMix(ids), phase.requests),
    deliveries(urls, ids.cardId, phase.deliveries, phase.newEvents),
  ]);
  return { load, webhooks };
}

const startPlatform = () =>
  spawnServer(process.execPath, ['--trace-gc', 'bin/stitch-sandbox.mjs', 'start', '--port', '0'], {
    healthFromAnnouncement: (announced) =>
      Object.values((announced['urls'] ?? {}) as Record<string, string>).map((u) => `${u}/__sandbox/health`),
  });

async function main() {
  if (!existsSync('/proc/self/status')) throw new Error('this benchmark reads /proc/<pid>/status (Linux)');
  const began = performance.now();
  // A first start brings dist/ up to date, so the measured process is not the one that rebuilt it.
  await (await startPlatform()).stop();
  const platform = await startPlatform();
  const pid = platform.child.pid!;
  const urls = platform.announced!['urls'] as Urls;
  const trace = traceGc(platform.child);
  try {
    const ids = await discover(urls);
    const rssAtStartKb = rssKb(pid);

    log(
      `first phase: ${WARM.requests.toLocaleString('en')} requests, ${WARM.deliveries.toLocaleString('en')} webhook deliveries`,
    );
    const warm = await workload(urls, ids, WARM);
    const afterWarmBusy = rssKb(pid);
    const warmReduced = await memoryReducerRan(trace);
    const afterWarm = await steadyRss(pid);
    const liveAfterWarm = trace.markCompacts.at(-1);
    log(
      `RSS after the first ${WARM.requests.toLocaleString('en')} requests: ${mb(afterWarm.medianKb)} MB at rest (${mb(afterWarmBusy)} MB right after)`,
    );

    log(
      `measured phase: ${MAIN.requests.toLocaleString('en')} requests, ${MAIN.deliveries.toLocaleString('en')} webhook deliveries`,
    );
    const mainBegan = performance.now();
    const { load, webhooks } = await workload(urls, ids, MAIN);
    const mainSec = (performance.now() - mainBegan) / 1000;
    const afterAllBusy = rssKb(pid);
    const mainReduced = await memoryReducerRan(trace);
    const afterAll = await steadyRss(pid);
    const liveAfterAll = trace.markCompacts.at(-1);
    const growthMb = mb(afterAll.medianKb - afterWarm.medianKb);
    log(
      `RSS after all of it: ${mb(afterAll.medianKb)} MB at rest (${growthMb >= 0 ? '+' : ''}${growthMb} MB; ${mb(afterAllBusy)} MB right after)`,
    );

    const journal = await json<{ recorded: number; capacity: number; requests: unknown[] }>(
      `${urls.control}/api/requests?limit=1`,
    );
    const deliveryLog = await json<{ size: number; capacity: number }>(
      `${urls.control}/api/deliveries?limit=1`,
    );
    const withinBudget = growthMb <= BUDGET_MB;
    const result = {
      ok:
        withinBudget &&
        load.errors + warm.load.errors === 0 &&
        load.server5xx + warm.load.server5xx === 0 &&
        webhooks.failedEvents === 0,
      quick: QUICK,
      rssMB: {
        atStart: mb(rssAtStartKb),
        afterFirst10kRequests: mb(afterWarm.medianKb),
        afterAll: mb(afterAll.medianKb),
        growth: growthMb,
        budget: BUDGET_MB,
        rightAfterFirstPhase: mb(afterWarmBusy),
        rightAfterMeasuredPhase: mb(afterAllBusy),
        samplesAfterFirst10k: afterWarm.samplesKb.map(mb),
        samplesAfterAll: afterAll.samplesKb.map(mb),
        memoryReducerRan: { afterFirstPhase: warmReduced, afterMeasuredPhase: mainReduced },
      },
      liveHeapMB: {
        afterFirstPhase: liveAfterWarm?.liveMb ?? null,
        afterMeasuredPhase: liveAfterAll?.liveMb ?? null,
        fullCollections: trace.markCompacts.length,
      },
      withinBudget,
      requests: {
        firstPhase: warm.load.requests,
        measuredPhase: load.requests,
        errors: load.errors + warm.load.errors,
        server5xx: load.server5xx + warm.load.server5xx,
      },
      webhookDeliveries: {
        firstPhase: warm.webhooks.made,
        measuredPhase: webhooks.made,
        newEvents: WARM.newEvents + MAIN.newEvents,
        failedEvents: webhooks.failedEvents,
        stitcherInbox: webhooks.inbox,
      },
      bounded: {
        journal: { recorded: journal.recorded, capacity: journal.capacity },
        deliveryLog: { size: deliveryLog.size, capacity: deliveryLog.capacity },
      },
      seconds: { measuredPhase: Math.round(mainSec), total: Math.round((performance.now() - began) / 1000) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (!result.ok) process.exitCode = 1;
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `memory: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
