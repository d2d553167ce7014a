import { createHmac } from 'node:crypto';
import { afterEach } from 'vitest';
import { VirtualClock, type Clock } from '../../core/clock';
import { startCaptureReceiver, type CaptureReceiver, type ReplyScript } from './capture-receiver';
import {
  createDeliveryEngine,
  type DeliveryEngine,
  type DeliveryEngineOptions,
} from '../../core/webhooks/engine';

/** Shared set-up for the delivery engine's tests: valid defaults, cleaned up after every test. */

export const START = Date.parse('2024-10-20T18:00:00.000Z');
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export const ATOMIC_SECRET = '03e87171-cadc-43a7-8c31-a9459d94eb10';
export const ATELIO_SECRET = 'whsec_4f1c2a9e8b7d6c5f';

/** A valid Atomic `task-status-updated` envelope (vendor-docs 002 shape). */
export const atomicEnvelope = (overrides: Record<string, unknown> = {}) => ({
  eventType: 'task-status-updated',
  eventTime: '2024-10-20T17:59:58.250Z',
  user: { _id: '65b15fd99b3f03aa9edff9de', identifier: 'user-123' },
  task: '65cd12a0fee167d71e442b1b',
  product: 'order-monitoring',
  company: { _id: '65272c415d8a530008e972df', name: 'Amazon', branding: { color: '#FF9900' } },
  data: { previousStatus: 'processing', status: 'completed' },
  ...overrides,
});

/** A valid Atelio `transactions` event body. */
export const atelioTransaction = (overrides: Record<string, unknown> = {}) => ({
  transaction_id: '0f5e3b9c-2a51-4ab6-9d64-2c0bb1f3ad11',
  customer_id: 'user-123',
  amount: '-35.93',
  currency: 'USD',
  state: 'pending',
  payment_type: 'card',
  merchant_name: 'AMAZON MKTPL*2K4',
  event: 'transactions',
  occurred_at: '2024-10-20T17:59:59.000+00:00',
  ...overrides,
});

/** Independent HMAC-SHA256 (hex), for checking what the engine sent. */
export const hmacHex = (key: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};

const receivers: CaptureReceiver[] = [];
const engines: DeliveryEngine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.stop()));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

export async function receiver(script?: ReplyScript): Promise<CaptureReceiver> {
  const started = await startCaptureReceiver(script);
  receivers.push(started);
  return started;
}

export function engineOn(
  clock: Clock = new VirtualClock(START),
  options: Partial<Omit<DeliveryEngineOptions, 'clock'>> = {},
): DeliveryEngine {
  const engine = createDeliveryEngine({ clock, timeoutMs: 5_000, ...options });
  engines.push(engine);
  return engine;
}

/** Plays every scheduled retry on the virtual clock, then waits until the engine has nothing left. */
export async function drain(clock: VirtualClock, engine: DeliveryEngine): Promise<void> {
  await clock.runUntilIdle();
  await engine.idle();
}

/** Wraps a reply script so it also notes the virtual time (ms after START) of every request it sees. */
export function timed(clock: Clock, seen: number[], script: ReplyScript): ReplyScript {
  return (request) => {
    seen.push(clock.now() - START);
    return script(request);
  };
}
