/**
 * Memory with dead webhook receivers. The real platform (no stitcher) takes 50 card authorisations a
 * second through Atelio's `POST /api/v0.1/simulate/authorization`, each a `transactions` webhook to
 * three subscriptions that are dead in the three ways a receiver dies: the port refuses connections,
 * the server accepts and never answers, the server answers 503. The same load then runs with no
 * subscription at all, so the difference is what delivery costs (the Atelio store itself grows by one
 * transaction per authorisation either way). RSS and heap are sampled every 10 s.
 *
 *   npx tsx bench/dead-targets.ts                 10 minutes with dead targets, then 10 without
 *   npx tsx bench/dead-targets.ts --quick         1 minute each
 *   npx tsx bench/dead-targets.ts --minutes 3 [--no-baseline]
 *
 * Bound (the claim this checks): with the dead targets, RSS stays under BOUND_MB and ends within
 * EXTRA_BOUND_MB of the no-target run. Without the backlog cap and the circuit breaker, every event
 * stayed queued or scheduled for Atelio's 55-hour retry schedule and the hanging target's queue grew
 * by 50 events a second for as long as the load lasted.
 *
 * Prints one JSON document on stdout; progress on stderr. Run it while nothing else heavy runs.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSandbox } from '../control/platform';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const minutesArg = args.indexOf('--minutes');
const MINUTES = minutesArg >= 0 ? Number(args[minutesArg + 1]) : QUICK ? 1 : 10;
if (!(MINUTES > 0)) throw new Error('--minutes must be a number > 0');
const BASELINE = !args.includes('--no-baseline');
const RATE_PER_SECOND = 50;
const SAMPLE_EVERY_MS = 10_000;
const BOUND_MB = 400;
const EXTRA_BOUND_MB = 100;

const ATELIO = {
  Identity: 'test-identity',
  Authorization: 'test-authorization',
  'content-type': 'application/json',
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Three dead receivers: refusing (a port nobody listens on), hanging, answering 503. */
async function deadReceivers() {
  const refusing = createServer();
  const refusingUrl = await listen(refusing);
  await new Promise<void>((resolve) => refusing.close(() => resolve()));
  const open = new Set<ServerResponse>();
  const hanging = createServer((req, res) => {
    open.add(res);
    req.resume();
  });
  const failing = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(503).end('{"error":"unavailable"}'));
  });
  const urls = { refusing: refusingUrl, hanging: await listen(hanging), failing: await listen(failing) };
  return {
    urls,
    close: async () => {
      for (const res of open) res.socket?.destroy();
      await Promise.all(
        [hanging, failing].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

interface Sample {
  second: number;
  rssMB: number;
  heapUsedMB: number;
  logSize: number;
  backlog: number;
  dropped: number;
}

async function phase(withTargets: boolean) {
  const sandbox = await startSandbox({ ports: 0, env: {}, seed: 1, stitcher: false });
  const receivers = withTargets ? await deadReceivers() : undefined;
  try {
    if (receivers)
      for (const [name, url] of Object.entries(receivers.urls))
        sandbox.atelio.registerWebhookUrl(`${url}/hooks`, {
          description: `dead: ${name}`,
          events: ['transactions'],
        });
    const { card } = sandbox.atelio.createCustomerWithCard({});
    const body = JSON.stringify({
      card_id: card.card_id,
      amount: '12.34',
      transaction_datetime: '2025-06-14 19:42',
      currency: 'USD',
      merchant_name: 'AMZN Mktp US*2K4L71',
      merchant_city: 'Amzn.com/bill',
      merchant_state: 'WA',
      merchant_zip_code: '98109',
      mcc: '5942',
      mid: '7922',
    });
    const url = `${sandbox.urls.atelio}/api/v0.1/simulate/authorization`;
    const samples: Sample[] = [];
    const started = performance.now();
    const endAt = started + MINUTES * 60_000;
    let sent = 0;
    let errors = 0;
    let nextSample = started;
    const sample = () => {
      global.gc?.();
      const memory = process.memoryUsage();
      const targets = sandbox.engine.targets();
      samples.push({
        second: Math.round((performance.now() - started) / 1000),
        rssMB: mb(memory.rss),
        heapUsedMB: mb(memory.heapUsed),
        logSize: sandbox.engine.log.size,
        backlog: targets.reduce((sum, t) => sum + t.backlog, 0),
        dropped: targets.reduce((sum, t) => sum + t.dropped, 0),
      });
      const last = samples.at(-1)!;
      process.stderr.write(
        `${withTargets ? 'dead targets' : 'no targets  '} ${last.second}s: ${sent} authorisations, RSS ${last.rssMB} MB, heap ${last.heapUsedMB} MB, backlog ${last.backlog}, dropped ${last.dropped}\n`,
      );
    };
    // 50 a second, paced against the start so a slow request does not lower the rate.
    while (performance.now() < endAt) {
      const due = started + (sent * 1000) / RATE_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sent++;
      void fetch(url, { method: 'POST', headers: ATELIO, body }).then(
        (response) => {
          if (response.status !== 201) errors++;
          return response.arrayBuffer();
        },
        () => errors++,
      );
      if (performance.now() >= nextSample) {
        sample();
        nextSample += SAMPLE_EVERY_MS;
      }
    }
    sample();
    const seconds = (performance.now() - started) / 1000;
    const targets = sandbox.engine.targets().map((t) => ({
      url: t.url,
      breaker: t.breaker,
      backlog: t.backlog,
      dropped: t.dropped,
      slow: t.slow,
    }));
    return {
      withTargets,
      minutes: MINUTES,
      authorisations: sent,
      ratePerSecond: Math.round(sent / seconds),
      errors,
      peakRssMB: Math.max(...samples.map((s) => s.rssMB)),
      finalRssMB: samples.at(-1)!.rssMB,
      peakHeapUsedMB: Math.max(...samples.map((s) => s.heapUsedMB)),
      finalHeapUsedMB: samples.at(-1)!.heapUsedMB,
      targets,
      samples,
    };
  } finally {
    await sandbox.stop();
    await receivers?.close();
  }
}

async function main() {
  const dead = await phase(true);
  const baseline = BASELINE ? await phase(false) : undefined;
  const extra = baseline ? Math.round((dead.finalRssMB - baseline.finalRssMB) * 10) / 10 : undefined;
  process.stdout.write(
    `${JSON.stringify(
      {
        load: `${RATE_PER_SECOND} Atelio authorisations/s for ${MINUTES} min, three dead subscriptions (refusing, hanging, 503)`,
        deadTargets: { ...dead, samples: undefined },
        noTargets: baseline ? { ...baseline, samples: undefined } : undefined,
        extraRssForDeliveryMB: extra,
        bound: `RSS under ${BOUND_MB} MB with the dead targets${BASELINE ? ` and within ${EXTRA_BOUND_MB} MB of the run without them` : ''}`,
        boundMet: dead.peakRssMB < BOUND_MB && (extra === undefined || extra < EXTRA_BOUND_MB),
        samples: { deadTargets: dead.samples, noTargets: baseline?.samples },
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
