/**
 * The messages between the platform and a stitcher running in its own worker thread (worker.ts is
 * the platform's side, worker-thread.ts the worker's). Only data crosses: the configuration without
 * its functions, commands, and their answers matched by id.
 */
import type { StitcherServiceConfig } from './service';

/** What the worker needs to build its service: the configuration minus what cannot be sent. */
export type WorkerConfig = Omit<
  StitcherServiceConfig,
  'now' | 'timers' | 'log' | 'fetch' | 'atomic' | 'atelio'
> & {
  atomic: Omit<StitcherServiceConfig['atomic'], 'webhookSecret'> & { webhookSecret?: string };
  atelio: Omit<StitcherServiceConfig['atelio'], 'webhookSecrets' | 'signatureClock'> & {
    webhookSecrets: string[];
    /** Judge Bond-Signature ages by the wall clock rather than the platform's (docs/decisions/008). */
    signatureByWallClock?: boolean;
  };
};

export interface WorkerData {
  role: 'stitch-sandbox-stitcher';
  config: WorkerConfig;
  /**
   * One BigInt64 slot: the platform clock's offset from the wall clock, in ms. The platform writes
   * it, the worker's `now()` reads it, so the stitcher follows the platform's virtual time.
   */
  clockOffset: SharedArrayBuffer;
}

export type WorkerCommand =
  | { type: 'start'; host?: string; port?: number; maxConnections?: number }
  | { type: 'stop' }
  | { type: 'close' }
  | { type: 'idle' }
  | { type: 'reset' }
  | { type: 'restitch'; identifier: string }
  | { type: 'setAtomicWebhookSecret'; secret: string }
  | { type: 'setAtelioWebhookSecrets'; secrets: string[] }
  | { type: 'addAtelioWebhookSecret'; secret: string };

export type WorkerRequest = WorkerCommand & { id: number };

export type WorkerReply =
  { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };
