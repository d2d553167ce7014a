/**
 * The reference stitcher in its own worker thread, behind the same surface the platform uses of the
 * in-process service (docs/decisions/016-stitcher-in-its-own-thread.md).
 *
 * The stitcher is an integrator's service: under `npm start` a heavy stitching backlog (a flood of
 * authorisations, each a webhook, a vendor call and a re-stitch) must never hold up the vendor mocks'
 * event loop. In a worker thread it has its own event loop, its own heap and its own HTTP server;
 * the platform keeps a handle whose calls become messages:
 *
 * - `start/stop/close/idle/reset/restitch` and the webhook-secret setters are sent in order and
 *   answered by id, so `await handle.idle()` means what it means in process;
 * - `app` is a small Hono app that forwards each request to the worker's HTTP server, so the
 *   dashboard's read-only views work unchanged;
 * - the stitcher's clock follows the platform's virtual time: the platform's offset from the wall
 *   clock sits in shared memory, refreshed before every command and every few milliseconds;
 * - `stop()` lets the worker finish the event in hand and close its database (which checkpoints the
 *   WAL), then ends the thread.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Hono } from 'hono';
import type { StitcherService } from './service';
import type { WorkerCommand, WorkerConfig, WorkerData, WorkerReply } from './worker-protocol';

/** What the platform needs of a stitcher, whether in this thread (StitcherService) or its own. */
export type StitcherHandle = Pick<
  StitcherService,
  | 'app'
  | 'start'
  | 'stop'
  | 'close'
  | 'idle'
  | 'setAtomicWebhookSecret'
  | 'setAtelioWebhookSecrets'
  | 'addAtelioWebhookSecret'
> & {
  reset(): void | Promise<void>;
};

/** `true` in the esbuild bundles (scripts/build.mjs `define`); undeclared when run from source. */
declare const __STITCH_BUNDLE__: boolean | undefined;

export interface StitcherWorkerOptions {
  /** The platform clock's current offset from the wall clock (ms); read before each command and every `syncEveryMs`. */
  clockOffsetMs: () => number;
  /** Default 5 ms. */
  syncEveryMs?: number;
}

/**
 * Starts the worker thread: from the bundle, dist/stitcher-worker.mjs; from a source checkout, the
 * TypeScript entry through tsx's loader (registered inside the thread: loaders are per thread).
 */
function spawnWorker(workerData: WorkerData): Worker {
  // In the bundle `import.meta.url` is this source file's place (scripts/build.mjs), so the build
  // says so itself: the thread's entry is then dist/stitcher-worker.mjs, and tsx (a development
  // dependency, absent from an installed package) is never asked for.
  const here = import.meta.url;
  if (typeof __STITCH_BUNDLE__ !== 'undefined' && __STITCH_BUNDLE__)
    return new Worker(new URL('../dist/stitcher-worker.mjs', here), { workerData });
  // tsx's ESM API (resolved from here; the thread's boot code is a data: URL with nothing to resolve from).
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./worker-thread.ts', here).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}

export function createStitcherWorker(config: WorkerConfig, options: StitcherWorkerOptions): StitcherHandle {
  const clockOffset = new SharedArrayBuffer(8);
  const offsetView = new BigInt64Array(clockOffset);
  const sync = () => Atomics.store(offsetView, 0, BigInt(Math.round(options.clockOffsetMs())));
  sync();
  const worker = spawnWorker({ role: 'stitch-sandbox-stitcher', config, clockOffset });
  const syncTimer = setInterval(sync, options.syncEveryMs ?? 5);
  syncTimer.unref();

  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited: Error | null = null;
  worker.on('message', (reply: WorkerReply) => {
    const waiter = waiting.get(reply.id);
    if (!waiter) return;
    waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(reply.error));
  });
  const failAll = (error: Error) => {
    exited = error;
    clearInterval(syncTimer);
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the stitcher's worker thread exited (code ${code})`)));

  const send = <T = void>(command: WorkerCommand): Promise<T> => {
    if (exited) return Promise.reject(exited);
    sync();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ ...command, id });
    });
  };
  /** Fire-and-forget commands (setters) still reach the worker in order; a failure is reported. */
  const tell = (command: WorkerCommand) => {
    send(command).catch((error: unknown) =>
      process.stderr.write(`stitcher worker: ${command.type} failed: ${(error as Error).message}\n`),
    );
  };

  let url: string | null = null;
  const app = new Hono();
  app.all('*', async (c) => {
    if (url === null) return c.json({ error: 'the stitcher is not listening' }, 503);
    const incoming = new URL(c.req.url);
    const init: RequestInit = { method: c.req.method, headers: c.req.raw.headers };
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') init.body = await c.req.arrayBuffer();
    return fetch(`${url}${incoming.pathname}${incoming.search}`, init);
  });

  let closing: Promise<void> | null = null;
  const shutdown = (how: 'stop' | 'close') => {
    closing ??= (async () => {
      try {
        await send(how === 'close' ? { type: 'close' } : { type: 'stop' });
        // stop() leaves the database open for a later start in process; a worker is not restarted,
        // so its database is closed (and its WAL checkpointed) either way.
        if (how === 'stop') await send({ type: 'close' });
      } finally {
        clearInterval(syncTimer);
        url = null;
        await worker.terminate();
      }
    })();
    return closing;
  };

  return {
    app,
    async start(startOptions = {}) {
      const started = await send<{ url: string; port: number }>({ type: 'start', ...startOptions });
      url = started.url;
      return started;
    },
    stop: () => shutdown('stop'),
    close: () => shutdown('close'),
    idle: () => (closing ? closing : send({ type: 'idle' })),
    reset: () => send({ type: 'reset' }),
    setAtomicWebhookSecret: (secret) => tell({ type: 'setAtomicWebhookSecret', secret }),
    setAtelioWebhookSecrets: (secrets) => tell({ type: 'setAtelioWebhookSecrets', secrets: [...secrets] }),
    addAtelioWebhookSecret: (secret) => tell({ type: 'addAtelioWebhookSecret', secret }),
  };
}
