import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { createRandom } from '../../core/random';
import { runInContext, type RunContext, type RunWebhook } from '../../core/run-context';
import { createDeliveryEngine, verifyAtomic, type DeliveryEngine } from '../../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../../test/support/capture-receiver';
import { createAtomicStore, type AtomicStore } from '../store/store';
import { AtomicWebhookEventSchema } from './events';
import { wireAtomicWebhooks } from './wire';

const START = '2025-03-10T15:00:00.000Z';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(): Promise<{
  clock: VirtualClock;
  store: AtomicStore;
  engine: DeliveryEngine;
  hook: CaptureReceiver;
}> {
  const clock = new VirtualClock(START);
  const store = createAtomicStore({ seed: 7, clock, baseline: false });
  const engine = createDeliveryEngine({ clock });
  const hook = await startCaptureReceiver();
  cleanup.push(
    () => hook.close(),
    () => engine.stop(),
    () => store.dispose(),
  );
  return { clock, store, engine, hook };
}

const parse = (raw: Buffer) => AtomicWebhookEventSchema.parse(JSON.parse(raw.toString('utf8')));

/** Requests in the order their events were published (several go out at once, so arrival order varies). */
const inPublishOrder = (engine: DeliveryEngine, hook: CaptureReceiver) => {
  const order = engine.log
    .list()
    .reverse()
    .map((e) => e.id);
  return [...hook.requests].sort(
    (a, b) => order.indexOf(String(a.headers['ce-id'])) - order.indexOf(String(b.headers['ce-id'])),
  );
};

describe('wireAtomicWebhooks', () => {
  it('delivers a connection as signed task and account webhooks to a subscribed endpoint', async () => {
    const { clock, store, engine, hook } = await setup();
    wireAtomicWebhooks(store, engine);
    const secret = store.createSecret('qa', 'qa-secret-token');
    store.createWebhookEndpoint({
      url: `${hook.url}/atomic`,
      secretId: secret._id,
      eventTypes: ['task-status-updated', 'task-authentication-status-updated', 'pay-link-accounts-updated'],
    });

    const { task, account } = store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 3 } });
    await clock.runUntilIdle();

    const requests = inPublishOrder(engine, hook);
    const bodies = requests.map((r) => parse(r.raw));
    expect(bodies.map((b) => b.eventType)).toEqual([
      'task-status-updated',
      'task-authentication-status-updated',
      'pay-link-accounts-updated',
      'pay-link-accounts-updated',
      'task-status-updated',
    ]);
    expect(bodies[2]).toMatchObject({ data: { accounts: [{ _id: account!._id, updateType: 'created' }] } });
    expect(bodies[4]).toMatchObject({
      task: task._id,
      data: { previousStatus: 'processing', status: 'completed' },
    });
    for (const request of requests) {
      expect(request.path).toBe('/atomic');
      expect(
        verifyAtomic(request.raw, 'qa-secret-token', String(request.headers['x-hmac-signature-sha-256'])),
      ).toBe(true);
      expect(request.headers['ce-type']).toBe(`com.atomicfi.${parse(request.raw).eventType}`);
      expect(request.headers['ce-time']).toBe(START);
    }
  });

  it('names the user each event concerns as its subject, on the delivery record and to listeners', async () => {
    const { clock, store, engine } = await setup();
    wireAtomicWebhooks(store, engine);
    const secret = store.createSecret('qa', 'qa-secret-token');
    store.createWebhookEndpoint({
      url: 'http://127.0.0.1:9/atomic',
      secretId: secret._id,
      eventTypes: ['task-status-updated', 'task-authentication-status-updated', 'pay-link-accounts-updated'],
    });
    const published: { eventType: string; subject?: string }[] = [];
    engine.events.on('published', (e) => published.push({ eventType: e.eventType, subject: e.subject! }));

    store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 1 } });
    store.connectMerchant({ identifier: 'user-2', connection: { orderCount: 1 } });
    await clock.runUntilIdle();

    // Task events name the task's user, account events the account's user: five events per connection.
    const records = engine.log.list();
    expect(records).toHaveLength(10);
    expect(new Set(records.map((r) => r.eventType))).toEqual(
      new Set(['task-status-updated', 'task-authentication-status-updated', 'pay-link-accounts-updated']),
    );
    for (const record of records)
      expect(record.subject).toBe(
        (JSON.parse(record.body) as { user: { identifier: string } }).user.identifier,
      );
    expect(engine.log.list({ subject: 'user-1' })).toHaveLength(5);
    expect(engine.log.list({ subject: 'user-2' }).map((r) => r.subject)).toEqual(Array(5).fill('user-2'));
    expect(published.filter((e) => e.subject === 'user-1')).toHaveLength(5);
    expect(published.every((e) => e.subject === 'user-1' || e.subject === 'user-2')).toBe(true);
  });

  it('sends an event type only to endpoints that subscribe to it', async () => {
    const { clock, store, engine, hook } = await setup();
    wireAtomicWebhooks(store, engine);
    const secret = store.createSecret('qa', 'qa-secret-token');
    store.createWebhookEndpoint({
      url: `${hook.url}/accounts-only`,
      secretId: secret._id,
      eventTypes: ['pay-link-accounts-updated'],
    });

    store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 1 } });
    await clock.runUntilIdle();

    expect(inPublishOrder(engine, hook).map((r) => parse(r.raw).eventType)).toEqual([
      'pay-link-accounts-updated',
      'pay-link-accounts-updated',
    ]);
  });

  it('stops sending once unsubscribed', async () => {
    const { clock, store, engine, hook } = await setup();
    const unwire = wireAtomicWebhooks(store, engine);
    store.registerWebhookUrl(`${hook.url}/all`);
    unwire();

    store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 1 } });
    await clock.runUntilIdle();

    expect(hook.requests).toHaveLength(0);
    expect(engine.log.size).toBe(0);
  });

  it('takes ce-id from the run in context and tells the run about each event', async () => {
    const { clock, store, engine, hook } = await setup();
    wireAtomicWebhooks(store, engine);
    store.registerWebhookUrl(`${hook.url}/all`);
    const heard: RunWebhook[] = [];
    let n = 0;
    const run: RunContext = {
      runId: 'run-test',
      random: createRandom(1),
      nextEventId: () => `evt-${++n}`,
      onWebhook: (w) => heard.push(w),
    };

    runInContext(run, () => store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 1 } }));
    await clock.runUntilIdle();

    expect(heard.map((w) => w.eventId)).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4', 'evt-5']);
    expect(heard.every((w) => w.vendor === 'atomic' && w.targets === 1)).toBe(true);
    expect(inPublishOrder(engine, hook).map((r) => r.headers['ce-id'])).toEqual([
      'evt-1',
      'evt-2',
      'evt-3',
      'evt-4',
      'evt-5',
    ]);
  });

  it('never breaks the store call when publishing fails, and reports it on the engine', async () => {
    const { store, engine, hook } = await setup();
    wireAtomicWebhooks(store, engine);
    store.registerWebhookUrl(`${hook.url}/all`);
    const errors: string[] = [];
    engine.events.on('error', (e) => errors.push(e.message));
    await engine.stop();

    const { account } = store.connectMerchant({ identifier: 'user-1', connection: { orderCount: 1 } });

    expect(account?.connectionStatus).toBe('connected');
    expect(errors[0]).toMatch(/could not publish the atomic task-status-updated webhook: .*stopped/);
  });
});
