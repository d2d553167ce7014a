import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { Emitter } from '../../core/emitter';
import type { DeliveryEngineEvents } from '../../core/webhooks';
import type { AtelioStoreEvents } from '../../mock-atelio';
import type { AtomicStoreEvents } from '../../mock-atomic';
import type { ScenarioRunnerEvents } from '../../scenarios';
import {
  MAX_QUEUED_MESSAGES,
  RECONNECT_MS,
  createLiveFeed,
  eventRoutes,
  type LiveFeedSources,
  type LiveMessage,
} from './events';

const T0 = '2025-03-10T15:00:00.000Z';
const STITCHER_URL = 'http://127.0.0.1:4030';

interface Harness {
  clock: VirtualClock;
  engine: Emitter<DeliveryEngineEvents>;
  scenarios: Emitter<ScenarioRunnerEvents>;
  atomic: Emitter<AtomicStoreEvents>;
  atelio: Emitter<AtelioStoreEvents>;
  sources: LiveFeedSources;
  /** Resolves the stitcher's pending `idle()` calls. */
  stitcherIdle(): void;
  idleCalls(): number;
}

function harness(overrides: Partial<LiveFeedSources> = {}): Harness {
  const clock = new VirtualClock(T0);
  const engine = new Emitter<DeliveryEngineEvents>();
  const scenarios = new Emitter<ScenarioRunnerEvents>();
  const atomic = new Emitter<AtomicStoreEvents>();
  const atelio = new Emitter<AtelioStoreEvents>();
  let waiters: (() => void)[] = [];
  let calls = 0;
  const sources: LiveFeedSources = {
    clock,
    engine: { events: engine },
    scenarios: { events: scenarios },
    atomic: { events: atomic },
    atelio: { events: atelio },
    stitcher: {
      url: STITCHER_URL,
      idle: () => {
        calls++;
        return new Promise<void>((resolve) => waiters.push(resolve));
      },
    },
    heartbeatMs: 15_000,
    batchMs: 100,
    stitcherPollMs: 2_000,
    ...overrides,
  };
  return {
    clock,
    engine,
    scenarios,
    atomic,
    atelio,
    sources,
    stitcherIdle: () => {
      const pending = waiters;
      waiters = [];
      for (const resolve of pending) resolve();
    },
    idleCalls: () => calls,
  };
}

function collect(h: Harness) {
  const feed = createLiveFeed(h.sources);
  const messages: LiveMessage[] = [];
  const unsubscribe = feed.subscribe((m) => messages.push(m));
  return { feed, messages, unsubscribe, of: (event: string) => messages.filter((m) => m.event === event) };
}

const attempt = (url: string, ok = true) => ({
  attempt: 1,
  kind: 'initial' as const,
  time: T0,
  targetId: 't1',
  url,
  ok,
  latencyMs: 12,
  signature: 'sig',
  ...(ok ? { statusCode: 200 } : { statusCode: 500 }),
});

const taskView = (identifier: string) => ({ user: { _id: 'u1', identifier } }) as never;
const transaction = (customerId: string) => ({ customer_id: customerId }) as never;
const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('live feed', () => {
  it('gathers a burst of store changes into one users message per batch window', async () => {
    const h = harness();
    const { of } = collect(h);
    h.atomic.emit('user-created', { user: { _id: 'u1', identifier: 'alice' }, eventTime: T0 });
    h.atomic.emit('task-status-updated', {
      task: taskView('alice'),
      previousStatus: 'queued',
      eventTime: T0,
    });
    h.atelio.emit('transaction-created', { transaction: transaction('alice') });
    h.atelio.emit('transaction-updated', {
      transaction: transaction('bob'),
      previousState: 'pending',
      change: 'settled' as never,
    });
    expect(of('users')).toHaveLength(0);
    await h.clock.advance(99);
    expect(of('users')).toHaveLength(0);
    await h.clock.advance(1);
    expect(of('users')).toEqual([
      {
        event: 'users',
        data: { identifiers: ['alice', 'bob'], atomic: ['alice'], atelio: ['alice', 'bob'] },
      },
    ]);
    h.atelio.emit('card-created', { card: { customer_id: 'carol' } as never });
    await h.clock.advance(100);
    expect(of('users').map((m) => m.data['identifiers'])).toEqual([['alice', 'bob'], ['carol']]);
  });

  it('passes delivery events on with the attempt but without its signature', () => {
    const h = harness();
    const { of } = collect(h);
    h.engine.emit('published', {
      eventId: 'e1',
      vendor: 'atomic',
      eventType: 'task-status-updated',
      targets: 2,
    });
    h.engine.emit('attempt', {
      eventId: 'e1',
      vendor: 'atomic',
      eventType: 'task-status-updated',
      targetId: 't1',
      attempt: attempt('http://elsewhere.test/hook', false),
      targetStatus: 'pending',
      eventStatus: 'pending',
    });
    h.engine.emit('settled', {
      eventId: 'e1',
      vendor: 'atomic',
      eventType: 'task-status-updated',
      status: 'failed',
    });
    const deliveries = of('delivery').map((m) => m.data);
    expect(deliveries.map((d) => d['phase'])).toEqual(['published', 'attempt', 'settled']);
    expect(deliveries[1]).toEqual({
      phase: 'attempt',
      eventId: 'e1',
      vendor: 'atomic',
      eventType: 'task-status-updated',
      targetId: 't1',
      attempt: { attempt: 1, kind: 'initial', time: T0, ok: false, latencyMs: 12, statusCode: 500 },
      targetStatus: 'pending',
      eventStatus: 'pending',
    });
    expect(deliveries[2]).toMatchObject({ status: 'failed' });
  });

  it('passes scenario progress on, naming the run user, without the full run view', () => {
    const h = harness();
    const { of } = collect(h);
    const options = { seed: 7, speed: 'instant' as const, identifier: 'ms-7', startTime: T0 };
    h.scenarios.emit('run-started', { runId: 'run-1', name: 'multi-settlement', options });
    h.scenarios.emit('step-started', { runId: 'run-1', step: 'purchase', type: 'authorize', at: T0 });
    h.scenarios.emit('step-completed', {
      runId: 'run-1',
      step: 'purchase',
      type: 'authorize',
      at: T0,
      result: { transactionId: 'x' },
    });
    h.scenarios.emit('run-completed', {
      runId: 'run-1',
      run: { name: 'multi-settlement', status: 'completed', options, timeline: [{ big: true }] } as never,
    });
    expect(of('run').map((m) => m.data)).toEqual([
      {
        phase: 'run-started',
        runId: 'run-1',
        name: 'multi-settlement',
        identifier: 'ms-7',
        seed: 7,
        speed: 'instant',
        startTime: T0,
      },
      { phase: 'step-started', runId: 'run-1', step: 'purchase', type: 'authorize', at: T0 },
      { phase: 'step-completed', runId: 'run-1', step: 'purchase', type: 'authorize', at: T0 },
      {
        phase: 'run-completed',
        runId: 'run-1',
        name: 'multi-settlement',
        identifier: 'ms-7',
        status: 'completed',
      },
    ]);
  });

  it('turns the two stores resetting into one reset message and drops changes made before it', async () => {
    const h = harness();
    const { of } = collect(h);
    h.atelio.emit('transaction-created', { transaction: transaction('alice') });
    h.atomic.emit('state-replaced', { reason: 'reset', eventTime: T0 });
    h.atelio.emit('reset', { reason: 'reset' });
    await h.clock.advance(100);
    expect(of('reset')).toEqual([
      { event: 'reset', data: { reason: 'reset', now: '2025-03-10T15:00:00.100Z' } },
    ]);
    expect(of('users')).toEqual([]);
  });

  it('sends a heartbeat with the platform time every heartbeatMs', async () => {
    const h = harness();
    const { of } = collect(h);
    await h.clock.advance(14_999);
    expect(of('heartbeat')).toHaveLength(0);
    await h.clock.advance(1);
    await h.clock.advance(15_000);
    expect(of('heartbeat').map((m) => m.data['now'])).toEqual([
      '2025-03-10T15:00:15.000Z',
      '2025-03-10T15:00:30.000Z',
    ]);
  });

  it('listens to its sources only while someone is subscribed', async () => {
    const h = harness();
    const feed = createLiveFeed(h.sources);
    expect(h.clock.nextTimerAt()).toBeUndefined();
    const first: LiveMessage[] = [];
    const second: LiveMessage[] = [];
    const offFirst = feed.subscribe((m) => first.push(m));
    const offSecond = feed.subscribe((m) => second.push(m));
    expect(feed.subscriberCount).toBe(2);
    h.engine.emit('published', { eventId: 'e1', vendor: 'atelio', eventType: 'transactions', targets: 1 });
    expect([first.length, second.length]).toEqual([1, 1]);
    offFirst();
    offFirst(); // twice is harmless
    h.engine.emit('published', { eventId: 'e2', vendor: 'atelio', eventType: 'transactions', targets: 1 });
    expect([first.length, second.length]).toEqual([1, 2]);
    offSecond();
    expect(feed.subscriberCount).toBe(0);
    // Heartbeat and batch timers are gone with the last subscriber; nothing is heard any more.
    expect(h.clock.nextTimerAt()).toBeUndefined();
    h.engine.emit('published', { eventId: 'e3', vendor: 'atelio', eventType: 'transactions', targets: 1 });
    h.atomic.emit('user-created', { user: { _id: 'u', identifier: 'x' }, eventTime: T0 });
    await h.clock.advance(60_000);
    expect([first.length, second.length]).toEqual([1, 2]);
  });

  it('announces a stitched user once the stitcher has processed what was delivered to it', async () => {
    const h = harness();
    const { of } = collect(h);
    const subjects: Record<string, string> = { e1: 'alice', e2: 'bob' };
    const delivered = (eventId: string, url: string, ok = true) =>
      h.engine.emit('attempt', {
        eventId,
        vendor: 'atelio',
        eventType: 'transactions',
        subject: subjects[eventId]!,
        targetId: 't1',
        attempt: attempt(url, ok),
        targetStatus: ok ? 'delivered' : 'pending',
        eventStatus: ok ? 'delivered' : 'pending',
      });

    delivered('e1', 'http://elsewhere.test/webhooks/atelio');
    delivered('e1', `${STITCHER_URL}/webhooks/atelio`, false);
    expect(h.idleCalls()).toBe(0);

    delivered('e1', `${STITCHER_URL}/webhooks/atelio`);
    expect(h.idleCalls()).toBe(1);
    // A second delivery while the stitcher is busy does not start a second wait at once...
    delivered('e2', `${STITCHER_URL}/webhooks/atomic`);
    expect(h.idleCalls()).toBe(1);
    h.stitcherIdle();
    await flushMicrotasks();
    // ...but is followed by another wait, so its own processing is announced too.
    expect(of('stitcher')).toEqual([
      { event: 'stitcher', data: { identifiers: ['alice', 'bob'], settled: true } },
    ]);
    expect(h.idleCalls()).toBe(2);
    h.stitcherIdle();
    await flushMicrotasks();
    expect(of('stitcher').map((m) => m.data)).toEqual([
      { identifiers: ['alice', 'bob'], settled: true },
      { identifiers: [], settled: true },
    ]);
    expect(h.idleCalls()).toBe(2);
  });

  it('keeps announcing what a stitcher stuck retrying has touched, every poll interval', async () => {
    const h = harness();
    const { of } = collect(h);
    h.engine.emit('attempt', {
      eventId: 'e1',
      vendor: 'atelio',
      eventType: 'transactions',
      subject: 'alice',
      targetId: 't1',
      attempt: attempt(`${STITCHER_URL}/webhooks/atelio`),
      targetStatus: 'delivered',
      eventStatus: 'delivered',
    });
    await h.clock.advance(2_000);
    await h.clock.advance(2_000);
    expect(of('stitcher').map((m) => m.data)).toEqual([
      { identifiers: ['alice'], settled: false },
      { identifiers: ['alice'], settled: false },
    ]);
    h.stitcherIdle();
    await flushMicrotasks();
    expect(of('stitcher').at(-1)?.data).toEqual({ identifiers: ['alice'], settled: true });
    await h.clock.advance(10_000);
    expect(of('stitcher')).toHaveLength(3);
  });

  it('says nothing about the stitcher when there is none', async () => {
    const h = harness({ stitcher: undefined });
    const { of } = collect(h);
    h.engine.emit('attempt', {
      eventId: 'e1',
      vendor: 'atelio',
      eventType: 'transactions',
      subject: 'alice',
      targetId: 't1',
      attempt: attempt(`${STITCHER_URL}/webhooks/atelio`),
      targetStatus: 'delivered',
      eventStatus: 'delivered',
    });
    await h.clock.advance(5_000);
    expect(of('stitcher')).toEqual([]);
    expect(of('delivery')).toHaveLength(1);
  });

  it('takes the user from the delivery subject, never from the body: a delivery without one touches nobody', async () => {
    const h = harness();
    const { of } = collect(h);
    const delivered = (eventId: string, subject?: string) =>
      h.engine.emit('attempt', {
        eventId,
        vendor: 'atomic',
        eventType: 'pay-link-accounts-updated',
        ...(subject === undefined ? {} : { subject }),
        targetId: 't1',
        attempt: attempt(`${STITCHER_URL}/webhooks/atomic`),
        targetStatus: 'delivered',
        eventStatus: 'delivered',
      });
    delivered('e1');
    delivered('e2', 'dave');
    h.stitcherIdle();
    await flushMicrotasks();
    expect(of('stitcher').map((m) => m.data)).toEqual([{ identifiers: ['dave'], settled: true }]);
  });
});

/** Reads Server-Sent Events off a response body. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    reader,
    async next(): Promise<{ event: string; data: unknown; retry?: number }> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          return {
            event: fields.get('event') ?? 'message',
            data: JSON.parse(fields.get('data') ?? 'null'),
            ...(fields.has('retry') ? { retry: Number(fields.get('retry')) } : {}),
          };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
    },
  };
}

describe('GET /api/events', () => {
  it('answers an event stream that opens with hello (reconnect delay, heartbeat interval) and then live messages', async () => {
    const h = harness();
    const feed = createLiveFeed(h.sources);
    const app = eventRoutes(feed, { clock: h.clock });
    const response = await app.request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const sse = sseReader(response);
    expect(await sse.next()).toEqual({
      event: 'hello',
      data: { now: T0, heartbeatMs: 15_000 },
      retry: RECONNECT_MS,
    });
    h.engine.emit('published', {
      eventId: 'e1',
      vendor: 'atomic',
      eventType: 'task-status-updated',
      targets: 1,
    });
    expect(await sse.next()).toEqual({
      event: 'delivery',
      data: {
        phase: 'published',
        eventId: 'e1',
        vendor: 'atomic',
        eventType: 'task-status-updated',
        targets: 1,
      },
    });
    await sse.reader.cancel();
  });

  it('unsubscribes when the client goes away', async () => {
    const h = harness();
    const feed = createLiveFeed(h.sources);
    const response = await eventRoutes(feed, { clock: h.clock }).request('/');
    const sse = sseReader(response);
    await sse.next();
    expect(feed.subscriberCount).toBe(1);
    await sse.reader.cancel();
    await expect.poll(() => feed.subscriberCount).toBe(0);
    expect(h.clock.nextTimerAt()).toBeUndefined();
  });

  it('drops a client that fell too far behind instead of queueing for it without bound', async () => {
    const h = harness();
    const feed = createLiveFeed(h.sources);
    const response = await eventRoutes(feed, { clock: h.clock }).request('/');
    const sse = sseReader(response);
    await sse.next();
    // Nothing is read while the burst happens.
    const burst = MAX_QUEUED_MESSAGES * 3;
    for (let i = 0; i < burst; i++)
      h.engine.emit('published', {
        eventId: `e${i}`,
        vendor: 'atelio',
        eventType: 'transactions',
        targets: 1,
      });
    expect(feed.subscriberCount).toBe(0);
    let received = 0;
    await expect(
      (async () => {
        for (;;) {
          await sse.next();
          received++;
        }
      })(),
    ).rejects.toThrow('stream ended');
    expect(received).toBeLessThanOrEqual(MAX_QUEUED_MESSAGES);
  });

  it('refuses streams past the cap with 503 and takes new ones once one closes', async () => {
    const h = harness();
    const feed = createLiveFeed(h.sources);
    const app = eventRoutes(feed, { clock: h.clock, maxSubscribers: 2 });
    const first = sseReader(await app.request('/'));
    const second = sseReader(await app.request('/'));
    await first.next();
    await second.next();
    const third = await app.request('/');
    expect(third.status).toBe(503);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    await first.reader.cancel();
    await expect.poll(() => feed.subscriberCount).toBe(1);
    await expect
      .poll(async () => {
        const again = await app.request('/');
        await again.body?.cancel();
        return again.status;
      })
      .toBe(200);
    await second.reader.cancel();
  });
});
