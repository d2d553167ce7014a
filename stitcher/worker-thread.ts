/**
 * The worker-thread side of a stitcher in its own thread (see worker.ts): builds the ordinary
 * in-process service from the data it was given and answers the platform's commands in the order
 * they come. The service's HTTP server listens from this thread, so webhooks are received, stored
 * and stitched on this thread's event loop and never on the vendor mocks'.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createStitcherService } from './service';
import type { StitcherService } from './service';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * How much lower than the vendor mocks' thread this thread runs (a nice value, 0-19). When both want
 * the CPU, a stitching backlog then waits and the mocks answer; when the mocks are idle the stitcher
 * still gets all it wants, so no work is lost, only reordered.
 */
export const STITCHER_THREAD_NICENESS = 10;

/**
 * On Linux a nice value is a thread's own (setpriority on thread id 0 is the calling thread), so
 * this lowers the stitcher's thread alone. Elsewhere it would lower the whole process, mocks
 * included, so it is left alone there.
 */
function yieldToTheMocks(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(0, STITCHER_THREAD_NICENESS);
  } catch {
    // A container that forbids it: the thread keeps the process's priority.
  }
}

export function runStitcherThread(data: WorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('runStitcherThread must run in a worker thread');
  yieldToTheMocks();
  const offset = new BigInt64Array(data.clockOffset);
  const now = () => Date.now() + Number(Atomics.load(offset, 0));
  const { config } = data;
  const { signatureByWallClock, ...atelio } = config.atelio;
  const service: StitcherService = createStitcherService({
    ...config,
    atelio: { ...atelio, ...(signatureByWallClock ? { signatureClock: Date.now } : {}) },
    now,
  });

  const handle = async (request: WorkerRequest): Promise<unknown> => {
    switch (request.type) {
      case 'start': {
        const { type: _t, id: _i, ...options } = request;
        return service.start(options);
      }
      case 'stop':
        return service.stop();
      case 'close':
        return service.close();
      case 'idle':
        return service.idle();
      case 'reset':
        return service.reset();
      case 'restitch':
        return service.restitch(request.identifier);
      case 'setAtomicWebhookSecret':
        return service.setAtomicWebhookSecret(request.secret);
      case 'setAtelioWebhookSecrets':
        return service.setAtelioWebhookSecrets(request.secrets);
      case 'addAtelioWebhookSecret':
        return service.addAtelioWebhookSecret(request.secret);
    }
  };
  port.on('message', (request: WorkerRequest) => {
    handle(request).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies WorkerReply),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          ok: false,
          error: error instanceof Error ? error.message : String(error),
        } satisfies WorkerReply),
    );
  });
}

// Run when loaded as the worker's entry (the source file under tsx, or dist/stitcher-worker.mjs).
if (parentPort && (workerData as Partial<WorkerData> | undefined)?.role === 'stitch-sandbox-stitcher')
  runStitcherThread(workerData as WorkerData);
