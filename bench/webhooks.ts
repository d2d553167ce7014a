/**
 * Webhook delivery benchmark: signed deliveries per second to a local receiver (both vendors), and
 * the delivery engine's memory after 100,000 events, which the bounded log must keep flat.
 *
 *   npx tsx bench/webhooks.ts [--seconds 4] [--events 100000] [--concurrency 16] [--memory-transport http]
 *
 * Throughput is measured over real HTTP (keep-alive) to a receiver in a worker thread, for a fixed
 * time per vendor. The memory run pushes 100,000 events through the engine; by default it answers
 * them in process (no sockets), so it measures the engine itself and stays well inside a minute on a
 * small machine; `--memory-transport http` sends them to the real receiver instead (slower).
 *
 * Prints one JSON document on stdout.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { RealClock } from '../core/clock';
import { createDeliveryEngine, type DeliveryEngine, type WebhookVendor } from '../core/webhooks';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
};
const positive = (name: string, fallback: number): number => {
  const raw = option(name);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const THROUGHPUT_SECONDS = positive('seconds', 4);
const MEMORY_EVENTS = Math.round(positive('events', 100_000));
const CONCURRENCY = Math.round(positive('concurrency', 16));
const MEMORY_TRANSPORT = option('memory-transport') ?? 'in-process';
if (MEMORY_TRANSPORT !== 'in-process' && MEMORY_TRANSPORT !== 'http') {
  throw new Error('--memory-transport must be in-process or http');
}
const LOG_CAPACITY = 1000;
const BATCH = 1_000;

// A real gc() makes the heap figures mean "what is still held", not "what was not yet collected".
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const settleHeap = () => {
  gc();
  gc();
  const usage = process.memoryUsage();
  return { heapUsedMB: mb(usage.heapUsed), rssMB: mb(usage.rss) };
};
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * The receiver runs in a worker thread, as a separate program would: it answers 200 as fast as
 * node:http can without taking CPU time from the sending side's event loop.
 */
const RECEIVER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let received = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    received++;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 60000;
parentPort.on('message', (m) => {
  if (m === 'count') parentPort.postMessage({ received });
  if (m === 'close') { server.close(); server.closeAllConnections(); parentPort.close(); }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

async function startReceiver(): Promise<{
  url: string;
  received: () => Promise<number>;
  close: () => Promise<void>;
}> {
  const worker = new Worker(RECEIVER_SOURCE, { eval: true });
  const next = () => new Promise<Record<string, number>>((resolve) => worker.once('message', resolve));
  const { port } = await next();
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received: async () => {
      worker.postMessage('count');
      return (await next()).received!;
    },
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

const bodies: Record<WebhookVendor, (i: number) => object> = {
  atomic: (i) => ({
    eventType: 'task-status-updated',
    eventTime: new Date(1_729_447_254_761 + i).toISOString(),
    user: { _id: '65b15fd99b3f03aa9edff9de', identifier: `user-${i % 500}` },
    task: '65cd12a0fee167d71e442b1b',
    product: 'order-monitoring',
    company: { _id: '65272c415d8a530008e972df', name: 'Amazon', branding: { color: '#FF9900' } },
    data: { previousStatus: 'processing', status: 'completed' },
  }),
  atelio: (i) => ({
    transaction_id: `0f5e3b9c-2a51-4ab6-9d64-${String(i).padStart(12, '0')}`,
    account_id: 'a1b2c3d4-0000-4000-8000-000000000001',
    customer_id: `user-${i % 500}`,
    amount: '-35.93',
    currency: 'USD',
    state: 'pending',
    payment_type: 'card',
    merchant_name: 'AMAZON MKTPL*2K4',
    event: 'transactions',
    occurred_at: new Date(1_729_447_254_000 + i * 1000).toISOString(),
  }),
};

const secrets: Record<WebhookVendor, string> = {
  atomic: '03e87171-cadc-43a7-8c31-a9459d94eb10',
  atelio: 'whsec_4f1c2a9e8b7d6c5f',
};

function publishMany(
  engine: DeliveryEngine,
  vendor: WebhookVendor,
  url: string,
  from: number,
  count: number,
) {
  for (let i = from; i < from + count; i++) {
    engine.publish({
      vendor,
      eventType: vendor === 'atomic' ? 'task-status-updated' : 'transactions',
      body: bodies[vendor](i),
      targets: [{ id: `${vendor}-endpoint`, url, secret: secrets[vendor] }],
    });
  }
}

function undeliveredInLog(engine: DeliveryEngine): number {
  return engine.log.list({ status: 'failed' }).length + engine.log.list({ status: 'pending' }).length;
}

async function throughput(vendor: WebhookVendor, url: string) {
  const engine = createDeliveryEngine({
    clock: new RealClock(),
    concurrencyPerTarget: CONCURRENCY,
    log: { capacity: LOG_CAPACITY },
  });
  publishMany(engine, vendor, url, 0, BATCH); // warm-up: JIT, keep-alive sockets
  await engine.idle();
  let sent = 0;
  const started = performance.now();
  while (performance.now() - started < THROUGHPUT_SECONDS * 1000) {
    publishMany(engine, vendor, url, BATCH + sent, BATCH);
    sent += BATCH;
    await engine.idle();
  }
  const seconds = (performance.now() - started) / 1000;
  const undelivered = undeliveredInLog(engine);
  await engine.stop();
  return {
    vendor,
    deliveries: sent,
    seconds: Math.round(seconds * 100) / 100,
    deliveriesPerSec: Math.round(sent / seconds),
    undeliveredInLog: undelivered,
  };
}

/** Answers every attempt 200 in process: the engine does all its work (sign, queue, log) but no socket I/O. */
const inProcessFetch: typeof fetch = async () => new Response('{}', { status: 200 });

async function memory(url: string) {
  const engine = createDeliveryEngine({
    clock: new RealClock(),
    concurrencyPerTarget: CONCURRENCY,
    log: { capacity: LOG_CAPACITY },
    ...(MEMORY_TRANSPORT === 'in-process' ? { fetch: inProcessFetch } : {}),
  });
  const before = settleHeap();
  const started = performance.now();
  const checkpoints: { events: number; heapUsedMB: number; rssMB: number }[] = [];
  const every = Math.max(BATCH, Math.round(MEMORY_EVENTS / 4 / BATCH) * BATCH);
  for (let done = 0; done < MEMORY_EVENTS;) {
    const count = Math.min(BATCH * 5, MEMORY_EVENTS - done);
    const vendor: WebhookVendor = Math.floor(done / (BATCH * 5)) % 2 === 0 ? 'atomic' : 'atelio';
    publishMany(engine, vendor, url, done, count);
    await engine.idle();
    const previous = done;
    done += count;
    if (Math.floor(done / every) > Math.floor(previous / every))
      checkpoints.push({ events: done, ...settleHeap() });
  }
  const seconds = (performance.now() - started) / 1000;
  const after = settleHeap();
  const result = {
    events: MEMORY_EVENTS,
    transport: MEMORY_TRANSPORT,
    seconds: Math.round(seconds * 100) / 100,
    logCapacity: LOG_CAPACITY,
    logSize: engine.log.size,
    undeliveredInLog: undeliveredInLog(engine),
    before,
    after,
    heapGrowthMB: Math.round((after.heapUsedMB - before.heapUsedMB) * 10) / 10,
    checkpoints,
  };
  await engine.stop();
  return result;
}

async function main() {
  const began = performance.now();
  const receiver = await startReceiver();
  try {
    const results = {
      benchmark: 'webhooks',
      node: process.version,
      concurrencyPerTarget: CONCURRENCY,
      throughputSecondsPerVendor: THROUGHPUT_SECONDS,
      throughput: [await throughput('atomic', receiver.url), await throughput('atelio', receiver.url)],
      memory: await memory(receiver.url),
      receivedByReceiver: await receiver.received(),
      durationSec: 0,
    };
    results.durationSec = Math.round((performance.now() - began) / 100) / 10;
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
