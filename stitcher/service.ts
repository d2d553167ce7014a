/**
 * The reference stitching service: webhook receivers, persisted inbox, vendor clients, matcher and
 * read API wired together. See README.md for configuration and behaviour.
 */
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type Database from 'better-sqlite3';
import type { Hono } from 'hono';
import { z } from 'zod';
import { createAtelioClient } from './clients/atelio';
import { createAtomicClient } from './clients/atomic';
import type { FetchLike } from './clients/http';
import { openDatabase } from './db/open';
import { createHttpApi } from './http-api';
import { InboxWorker, realTimers } from './inbox-worker';
import type { Timers } from './inbox-worker';
import { stderrLogger } from './log';
import type { StitcherLogger } from './log';
import { resolveMatchingOptions } from './matcher';
import type { MatchingOptions, PendingTolerance } from './matcher';
import { createEventProcessor } from './processor';
import { verifyAtelioSignature, verifyAtomicSignature } from './signatures';
import { restitchUser } from './stitching';
import { StitcherStore } from './store';
import type { StitchScope } from './store';

export const DEFAULT_STITCHER_PORT = 4030;
/** Atelio retries a delivery for about two days; a week covers that with room to spare. */
export const DEFAULT_INBOX_RETENTION_MS = 7 * 86_400_000;

export interface StitcherServiceConfig {
  atomic: {
    /** e.g. https://sandbox-api.atomicfi.com, or the mock at http://127.0.0.1:4010 */
    baseUrl: string;
    apiKey: string;
    apiSecret: string;
    /** The secret token Atomic signs webhooks with; defaults to apiSecret. A function is read on every delivery. */
    webhookSecret?: string | (() => string) | undefined;
  };
  atelio: {
    /** e.g. https://sandbox.atelio.com, or the mock at http://127.0.0.1:4020 (the client adds /api/v0.1) */
    baseUrl: string;
    identity: string;
    authorization: string;
    /** whsec_ secrets of the webhook subscriptions; a function is read on every delivery. */
    webhookSecrets: string[] | (() => string[]);
    /** Oldest accepted Bond-Signature `t`, in seconds before now(). Default 300 (5 minutes). */
    signatureToleranceSeconds?: number | undefined;
    /**
     * The clock a Bond-Signature's age is judged by; default `now`. Signatures carry the real send
     * time, so where `now` is not the wall clock (a sandbox platform clock pushed ahead) pass the
     * wall clock here.
     */
    signatureClock?: (() => number) | undefined;
  };
  /** SQLite file path; ':memory:' for a throw-away database. */
  dbPath: string;
  matching?: Partial<Omit<MatchingOptions, 'asOfMs' | 'pendingTolerance'>> & {
    pendingTolerance?: Partial<PendingTolerance>;
  };
  /** Wall clock (ms). Used for the Atelio signature age check and timestamps. */
  now?: () => number;
  /** Timers for retry back-off; a platform Clock fits. */
  timers?: Timers;
  log?: StitcherLogger;
  /** Back-off table in ms: delay after the 1st, 2nd, ... failure; the last entry repeats. */
  retryDelaysMs?: number[];
  /** Per-request timeout for vendor API calls (ms). Default 10 000. */
  requestTimeoutMs?: number;
  /** Largest accepted webhook body. Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Pull a customer's existing card transactions when their Atomic account first appears. Default true. */
  backfillTransactions?: boolean;
  /** How long processed inbox events are kept as the de-duplication record (ms). Default 7 days. */
  inboxRetentionMs?: number;
  /** Replaces global fetch for vendor calls (tests route them to in-process apps). */
  fetch?: FetchLike;
}

export interface StitcherService {
  app: Hono;
  db: Database.Database;
  store: StitcherStore;
  /**
   * Listens on host:port (default 127.0.0.1:4030; port 0 picks a free one), holding at most
   * `maxConnections` connections (default 1024; more are refused) so a flood of idle sockets cannot
   * exhaust the process's file descriptors.
   */
  start(options?: {
    host?: string;
    port?: number;
    maxConnections?: number;
  }): Promise<{ url: string; port: number }>;
  /** Stops listening and processing; pending events stay in the database for the next start. */
  stop(): Promise<void>;
  /** stop() and close the database. */
  close(): Promise<void>;
  /** Resolves when every accepted event has been processed (or failed for good), retries included. */
  idle(): Promise<void>;
  setAtomicWebhookSecret(secret: string): void;
  /** Atelio reveals a subscription's secret only when it is created, so secrets can be set at run time. */
  setAtelioWebhookSecrets(secrets: string[]): void;
  addAtelioWebhookSecret(secret: string): void;
  /**
   * Forgets everything it stored (a sandbox reset). An event being processed at that moment may still
   * land; the platform calls this after the mocks were reset, when no new events are coming in.
   */
  reset(): void;
  /** Recomputes one user's stitching now (normally done after each change). */
  restitch(identifier: string): 'stitched' | 'paused';
}

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const nonEmpty = z.string().min(1, 'must not be empty');
const ConfigSchema = z.object({
  atomic: z.object({
    baseUrl: httpUrl,
    apiKey: nonEmpty,
    apiSecret: nonEmpty,
    webhookSecret: z.union([nonEmpty, z.custom<() => string>((v) => typeof v === 'function')]).optional(),
  }),
  atelio: z.object({
    baseUrl: httpUrl,
    identity: nonEmpty,
    authorization: nonEmpty,
    webhookSecrets: z.union([z.array(z.string()), z.custom<() => string[]>((v) => typeof v === 'function')]),
    signatureToleranceSeconds: z.number().min(0).optional(),
    signatureClock: z.custom<() => number>((v) => typeof v === 'function').optional(),
  }),
  dbPath: nonEmpty,
  retryDelaysMs: z.array(z.number().int().min(0)).min(1).optional(),
  requestTimeoutMs: z.number().int().min(1).optional(),
  bodyLimitBytes: z.number().int().min(1024).optional(),
  inboxRetentionMs: z.number().int().min(0).optional(),
});

function validate(config: StitcherServiceConfig): void {
  const result = ConfigSchema.safeParse(config);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid stitcher configuration:\n${lines.join('\n')}`);
  }
}

export function createStitcherService(config: StitcherServiceConfig): StitcherService {
  validate(config);
  const matching = resolveMatchingOptions(config.matching as Partial<MatchingOptions> | undefined);
  const now = config.now ?? (() => Date.now());
  const log = config.log ?? stderrLogger;
  const timers = config.timers ?? realTimers;

  let atomicSecret: () => string =
    typeof config.atomic.webhookSecret === 'function'
      ? config.atomic.webhookSecret
      : (
          (s) => () =>
            s
        )(config.atomic.webhookSecret ?? config.atomic.apiSecret);
  let atelioSecrets: () => string[] =
    typeof config.atelio.webhookSecrets === 'function'
      ? config.atelio.webhookSecrets
      : (
          (list) => () =>
            list
        )([...config.atelio.webhookSecrets]);

  const db = openDatabase(config.dbPath, now());
  const store = new StitcherStore(db);
  const clientOptions = { fetch: config.fetch, timeoutMs: config.requestTimeoutMs, now };
  const atomic = createAtomicClient({
    ...clientOptions,
    baseUrl: config.atomic.baseUrl,
    apiKey: config.atomic.apiKey,
    apiSecret: config.atomic.apiSecret,
  });
  const atelio = createAtelioClient({
    ...clientOptions,
    baseUrl: config.atelio.baseUrl,
    identity: config.atelio.identity,
    authorization: config.atelio.authorization,
  });

  const restitch = (scope: string | StitchScope) => restitchUser(store, scope, matching, now());
  const worker = new InboxWorker({
    store,
    handle: createEventProcessor({
      store,
      atomic,
      atelio,
      now,
      log,
      backfill: config.backfillTransactions ?? true,
    }),
    restitch,
    timers,
    now,
    log,
    retryDelaysMs: config.retryDelaysMs,
    inboxRetentionMs: config.inboxRetentionMs ?? DEFAULT_INBOX_RETENTION_MS,
  });

  const app = createHttpApi({
    store,
    worker,
    now,
    log,
    bodyLimitBytes: config.bodyLimitBytes ?? 1024 * 1024,
    verifyAtomic: (raw, header) => verifyAtomicSignature(raw, header, atomicSecret()),
    verifyAtelio: (raw, header) =>
      verifyAtelioSignature(
        raw,
        header,
        atelioSecrets(),
        (config.atelio.signatureClock ?? now)(),
        config.atelio.signatureToleranceSeconds,
      ),
  });

  worker.start();

  let server: ServerType | null = null;
  let stopped = false;
  let closed = false;

  const service: StitcherService = {
    app,
    db,
    store,
    start(options = {}) {
      if (server) return Promise.reject(new Error('stitcher is already listening'));
      if (stopped)
        return Promise.reject(new Error('stitcher was stopped; create a new service to start again'));
      const host = options.host ?? '127.0.0.1';
      const port = options.port ?? DEFAULT_STITCHER_PORT;
      return new Promise((resolve, reject) => {
        const listening = serve({ fetch: app.fetch, hostname: host, port }) as ReturnType<typeof serve> & {
          maxConnections: number;
          headersTimeout: number;
          requestTimeout: number;
          keepAliveTimeout: number;
        };
        // A webhook receiver answers quickly or not at all: bound what an idle peer can hold.
        listening.maxConnections = options.maxConnections ?? 1024;
        listening.headersTimeout = 10_000;
        listening.requestTimeout = 30_000;
        listening.keepAliveTimeout = 5_000;
        const onError = (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'EADDRINUSE' ? new Error(`stitcher: ${host}:${port} is already in use`) : error,
          );
        listening.once('error', onError);
        listening.once('listening', () => {
          listening.off('error', onError);
          server = listening;
          const actual = (listening.address() as AddressInfo).port;
          resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`, port: actual });
        });
      });
    },
    async stop() {
      stopped = true;
      const listening = server;
      server = null;
      if (listening) {
        await new Promise<void>((resolve) => {
          listening.close(() => resolve());
          (listening as { closeAllConnections?: () => void }).closeAllConnections?.();
        });
      }
      await worker.stop();
    },
    async close() {
      await service.stop();
      if (!closed) {
        closed = true;
        db.close();
      }
    },
    idle: () => worker.idle(),
    reset() {
      store.clearAll();
    },
    setAtomicWebhookSecret(secret) {
      atomicSecret = () => secret;
    },
    setAtelioWebhookSecrets(secrets) {
      const copy = [...secrets];
      atelioSecrets = () => copy;
    },
    addAtelioWebhookSecret(secret) {
      const current = atelioSecrets();
      const copy = current.includes(secret) ? [...current] : [...current, secret];
      atelioSecrets = () => copy;
    },
    restitch: (identifier) => restitch(identifier),
  };
  return service;
}
