import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '../../../control/platform';
import { createStitcherService, type StitcherService } from '../../../stitcher';
import type { StitcherLogger } from '../../../stitcher';
import { startReceiverFront, type ReceiverFront, type ReceiverFrontOptions } from './receiver-front';

/**
 * The real platform (mocks, delivery engine, scenario runner, control plane on real ports) with the
 * reference stitcher on a SQLite file in a temp folder, reached through a receiver front. The
 * stitcher is configured exactly as control/platform.ts configures its own; the front is what lets
 * a test restart it or make it fail without the vendors knowing.
 */
export interface StitchingPlatform {
  sandbox: Sandbox;
  front: ReceiverFront;
  /** The stitcher serving now (a new one after each restart). */
  readonly stitcher: StitcherService;
  readonly dbPath: string;
  /** Warnings and errors the stitcher logged, with their messages. */
  readonly logs: { level: string; message: string; fields: Record<string, unknown> }[];
  /**
   * Stops the stitcher (closing its database), opens a new service on the same file and points
   * the front at it. Deliveries arriving meanwhile wait at the front.
   */
  restartStitcher(): Promise<{ leftInInbox: number }>;
  /** GET on the current stitcher's API. */
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  /** Nothing queued at the delivery engine and nothing left in the stitcher's inbox. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface StitchingPlatformOptions {
  seed?: number;
  decide?: ReceiverFrontOptions['decide'];
  afterForward?: (
    platform: StitchingPlatform,
    ...args: Parameters<NonNullable<ReceiverFrontOptions['afterForward']>>
  ) => Promise<void> | void;
  /** Called for every log line of the stitcher (after it is recorded). */
  onLog?: StitcherLogger;
}

export async function startStitchingPlatform(
  options: StitchingPlatformOptions = {},
): Promise<StitchingPlatform> {
  const sandbox = await startSandbox({ ports: 0, env: {}, seed: options.seed ?? 3, stitcher: false });
  const dir = mkdtempSync(join(tmpdir(), 'stitch-e2e-'));
  const dbPath = join(dir, 'stitcher.sqlite');
  const logs: StitchingPlatform['logs'] = [];
  const { config } = sandbox;

  // The front's hook needs the platform object, which needs the front: fill it in below.
  const self: { platform?: StitchingPlatform } = {};
  const front = await startReceiverFront({
    target: 'http://127.0.0.1:9',
    ...(options.decide ? { decide: options.decide } : {}),
    afterForward: (delivery, status) => options.afterForward?.(self.platform!, delivery, status),
  });
  const atelioSubscription = sandbox.atelio.registerWebhookUrl(`${front.url}/webhooks/atelio`, {
    events: ['transactions'],
    description: 'Reference stitcher (through the test front)',
  });
  sandbox.atomic.registerWebhookUrl(`${front.url}/webhooks/atomic`);

  const open = async () => {
    const service = createStitcherService({
      atomic: {
        baseUrl: sandbox.urls.atomic,
        apiKey: config.atomic.apiKey,
        apiSecret: config.atomic.apiSecret,
      },
      atelio: {
        baseUrl: sandbox.urls.atelio,
        identity: config.atelio.identity,
        authorization: config.atelio.authorization,
        webhookSecrets: [atelioSubscription.secret],
        signatureClock: Date.now,
      },
      dbPath,
      now: () => sandbox.scopedClock.base.now(),
      // Short back-off: a vendor call that failed is retried within milliseconds, not seconds.
      retryDelaysMs: [20, 50, 100],
      log: (level, message, fields) => {
        logs.push({ level, message, fields: fields ?? {} });
        options.onLog?.(level, message, fields);
      },
    });
    const { url } = await service.start({ host: '127.0.0.1', port: 0 });
    front.setTarget(url);
    return service;
  };
  let stitcher = await open();

  const platform: StitchingPlatform = {
    sandbox,
    front,
    get stitcher() {
      return stitcher;
    },
    dbPath,
    logs,
    async restartStitcher() {
      const release = front.hold();
      try {
        await stitcher.stop();
        const leftInInbox = stitcher.store.unsettledCount();
        await stitcher.close();
        stitcher = await open();
        return { leftInInbox };
      } finally {
        release();
      }
    },
    async get<T>(path: string) {
      const response = await stitcher.app.request(path);
      return { status: response.status, body: (await response.json()) as T };
    },
    async settle() {
      await sandbox.engine.idle();
      await stitcher.idle();
    },
    async close() {
      await sandbox.stop();
      await front.close();
      await stitcher.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  self.platform = platform;
  return platform;
}
