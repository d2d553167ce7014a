import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock';
import {
  DeliveryNotFoundError,
  createDeliveryEngine,
  type DeliveryRecording,
  type PublishInput,
} from './engine';
import type { DeliveryEngineEvents } from './engine';
import {
  ATELIO_SECRET,
  ATOMIC_SECRET,
  SECOND,
  START,
  atelioTransaction,
  atomicEnvelope,
  drain,
  engineOn,
  receiver,
} from '../../test/support/webhook-fixtures';

const atomicTo = (url: string, overrides: Partial<PublishInput> = {}): PublishInput => ({
  vendor: 'atomic',
  eventType: 'task-status-updated',
  body: atomicEnvelope(),
  targets: [{ id: 'ep-1', url, secret: ATOMIC_SECRET }],
  ...overrides,
});

describe('the delivery log', () => {
  it('keeps at most `capacity` events, newest first, and forgets the oldest delivered ones', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { log: { capacity: 3 } });
    const hook = await receiver();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(engine.publish(atomicTo(hook.url))!);
      await drain(clock, engine);
    }
    expect(engine.log.size).toBe(3);
    expect(engine.log.capacity).toBe(3);
    expect(engine.log.list().map((e) => e.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(engine.log.get(ids[0]!)).toBeUndefined();
    expect(() => engine.redeliver(ids[0]!)).toThrow(DeliveryNotFoundError);
    expect(hook.requests).toHaveLength(5);
  });

  it('drops settled events before ones still being delivered', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { log: { capacity: 2 } });
    const down = await receiver();
    await down.goDown();
    const up = await receiver();
    const stillTrying = engine.publish(atomicTo(down.url))!;
    await clock.advance(SECOND); // first attempt refused, retry scheduled
    const delivered = engine.publish(atomicTo(up.url))!;
    await clock.advance(SECOND);
    const newest = engine.publish(atomicTo(up.url))!;
    expect(engine.log.list().map((e) => e.id)).toEqual([newest, stillTrying]);
    expect(engine.log.get(delivered)).toBeUndefined();
    expect(engine.log.evictedWhilePending).toBe(0);
  });

  it('when full of undelivered events, drops the oldest from view but still delivers it, and counts it', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { log: { capacity: 1 } });
    const hook = await receiver();
    await hook.goDown();
    const first = engine.publish(atomicTo(hook.url))!;
    await clock.advance(SECOND);
    const second = engine.publish(atomicTo(hook.url))!;
    expect(engine.log.get(first)).toBeUndefined();
    expect(engine.log.evictedWhilePending).toBe(1);

    await hook.comeUp();
    await drain(clock, engine);
    expect(hook.requests.map((r) => r.headers['ce-id']).sort()).toEqual([first, second].sort());
    expect(engine.log.get(second)!.status).toBe('delivered');
  });

  it('filters by vendor and status, and limits', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const up = await receiver();
    const down = await receiver();
    await down.goDown();
    const atomicOk = engine.publish(atomicTo(up.url))!;
    const atomicFailed = engine.publish(atomicTo(down.url))!;
    const atelioOk = engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body: atelioTransaction(),
      targets: [{ id: 'sub-1', url: up.url, secret: ATELIO_SECRET }],
    })!;
    await drain(clock, engine);
    expect(engine.log.list({ vendor: 'atomic' }).map((e) => e.id)).toEqual([atomicFailed, atomicOk]);
    expect(engine.log.list({ status: 'delivered' }).map((e) => e.id)).toEqual([atelioOk, atomicOk]);
    expect(engine.log.list({ vendor: 'atomic', status: 'failed' }).map((e) => e.id)).toEqual([atomicFailed]);
    expect(engine.log.list({ limit: 1 }).map((e) => e.id)).toEqual([atelioOk]);
    expect(engine.log.list({ limit: 0 })).toEqual([]);
  });

  it('never exposes the signing secret', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const id = engine.publish(atomicTo(hook.url))!;
    await drain(clock, engine);
    expect(JSON.stringify(engine.log.list())).not.toContain(ATOMIC_SECRET);
    expect(JSON.stringify(engine.log.get(id))).not.toContain(ATOMIC_SECRET);
  });

  it('returns copies: changing a listed event does not change the log', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const id = engine.publish(atomicTo(hook.url))!;
    await drain(clock, engine);
    const copy = engine.log.get(id)!;
    copy.targets[0]!.attempts.pop();
    copy.status = 'failed';
    expect(engine.log.get(id)).toMatchObject({
      status: 'delivered',
      targets: [{ attempts: [{ ok: true }] }],
    });
  });
});

describe('redelivery', () => {
  it('of an event still in its retry schedule, when it succeeds, cancels the remaining retries', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver(() => ({ status: 503 }));
    const id = engine.publish(atomicTo(hook.url))!;
    await clock.advance(SECOND);
    expect(engine.log.get(id)!.targets[0]!.nextAttemptAt).toBe(new Date(START + 30 * SECOND).toISOString());

    hook.setReply(() => ({ status: 200 }));
    engine.redeliver(id);
    await clock.advance(SECOND);
    const logged = engine.log.get(id)!;
    expect(logged.status).toBe('delivered');
    expect(logged.targets[0]!.nextAttemptAt).toBeUndefined();
    expect(clock.pending).toBe(0);
    await drain(clock, engine);
    expect(hook.requests).toHaveLength(2);
  });

  it('of a failed event that fails again leaves it failed with one more attempt and no new schedule', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver(() => ({ status: 500 }));
    const id = engine.publish(atomicTo(hook.url))!;
    await drain(clock, engine);
    engine.redeliver(id);
    expect(engine.log.get(id)!.status).toBe('pending');
    await drain(clock, engine);
    const logged = engine.log.get(id)!;
    expect(logged.status).toBe('failed');
    expect(logged.targets[0]!.attempts.map((a) => a.kind)).toEqual([
      'initial',
      'retry',
      'retry',
      'retry',
      'redelivery',
    ]);
  });

  it('can target one endpoint of a multi-endpoint event, and refuses an unknown one', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const a = await receiver();
    const b = await receiver();
    const id = engine.publish(
      atomicTo(a.url, {
        targets: [
          { id: 'ep-a', url: a.url, secret: ATOMIC_SECRET },
          { id: 'ep-b', url: b.url, secret: ATOMIC_SECRET },
        ],
      }),
    )!;
    await drain(clock, engine);
    engine.redeliver(id, { targetId: 'ep-b' });
    await drain(clock, engine);
    expect([a.requests.length, b.requests.length]).toEqual([1, 2]);
    expect(() => engine.redeliver(id, { targetId: 'ep-z' })).toThrow(/has no target ep-z/);
  });
});

describe('listeners and the recorder', () => {
  it('hands the recorder every attempt with the exact headers, raw body and virtual time', async () => {
    const clock = new VirtualClock(START);
    const recordings: DeliveryRecording[] = [];
    const engine = engineOn(clock, { recorder: (r) => recordings.push(r) });
    const hook = await receiver((r) => (r.index === 0 ? { status: 500 } : { status: 200 }));
    const id = engine.publish(
      atomicTo(hook.url, {
        targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET, kind: 'stitcher' }],
      }),
    )!;
    await drain(clock, engine);

    expect(recordings.map((r) => [r.eventId, r.attempt, r.kind, r.targetKind, r.time])).toEqual([
      [id, 1, 'initial', 'stitcher', new Date(START).toISOString()],
      [id, 2, 'retry', 'stitcher', new Date(START + 30 * SECOND).toISOString()],
    ]);
    recordings.forEach((recording, i) => {
      const received = hook.requests[i]!;
      expect(Buffer.from(recording.body, 'utf8').equals(received.raw)).toBe(true);
      for (const [name, value] of Object.entries(recording.headers)) {
        expect(received.headers[name.toLowerCase()]).toBe(value);
      }
    });
  });

  it('emits published, every attempt, and settled once', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver((r) => (r.index === 0 ? { status: 500 } : { status: 200 }));
    const seen: string[] = [];
    const on = <K extends keyof DeliveryEngineEvents>(
      name: K,
      describe: (e: DeliveryEngineEvents[K]) => string,
    ) => engine.events.on(name, (e) => seen.push(describe(e)));
    on('published', (e) => `published ${e.eventType} to ${e.targets}`);
    on(
      'attempt',
      (e) => `attempt ${e.attempt.attempt} ${e.attempt.statusCode} ${e.targetStatus}/${e.eventStatus}`,
    );
    on('settled', (e) => `settled ${e.status}`);
    engine.publish(atomicTo(hook.url));
    await drain(clock, engine);
    expect(seen).toEqual([
      'published task-status-updated to 1',
      'attempt 1 500 pending/pending',
      'attempt 2 200 delivered/delivered',
      'settled delivered',
    ]);
  });

  it('keeps delivering when a listener or the recorder throws, and reports it on `error`', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, {
      recorder: () => {
        throw new Error('disk full');
      },
    });
    const hook = await receiver();
    const errors: string[] = [];
    engine.events.on('error', (e) => errors.push(e.message));
    engine.events.on('attempt', () => {
      throw new Error('listener bug');
    });
    const id = engine.publish(atomicTo(hook.url))!;
    await drain(clock, engine);
    expect(engine.log.get(id)!.status).toBe('delivered');
    expect(errors).toEqual([
      'webhook recorder failed: disk full',
      "a 'attempt' listener threw: listener bug",
    ]);
  });
});

describe('idle, stop and reset', () => {
  it('idle() waits for scheduled retries, which only the clock can play', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    await hook.goDown();
    engine.publish(atomicTo(hook.url));
    let idle = false;
    void engine.idle().then(() => (idle = true));
    await clock.advance(SECOND);
    expect(idle).toBe(false);
    await hook.comeUp();
    await clock.runUntilIdle();
    await Promise.resolve();
    expect(idle).toBe(true);
  });

  it('stop() cancels retries, records the attempt in flight as aborted, never sends queued ones, and refuses new work', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { concurrencyPerTarget: 1, timeoutMs: 30_000 });
    const stuck = await receiver(() => 'hang');
    const down = await receiver();
    await down.goDown();
    const retrying = engine.publish(
      atomicTo(down.url, { targets: [{ id: 'ep-down', url: down.url, secret: 'x' }] }),
    )!;
    await clock.advance(SECOND);
    expect(clock.pending).toBe(1);
    const inFlight = engine.publish(atomicTo(stuck.url))!;
    const queued = engine.publish(atomicTo(stuck.url))!;
    await stuck.waitForRequests(1);

    await engine.stop();
    expect(clock.pending).toBe(0);
    expect(engine.log.get(retrying)!.status).toBe('failed');
    expect(engine.log.get(inFlight)).toMatchObject({
      status: 'failed',
      targets: [{ attempts: [{ ok: false, error: 'aborted: delivery engine stopped' }] }],
    });
    expect(engine.log.get(queued)).toMatchObject({ status: 'failed', targets: [{ attempts: [] }] });
    expect(stuck.requests).toHaveLength(1);
    expect(() => engine.publish(atomicTo(stuck.url))).toThrow(/stopped/);
    expect(() => engine.redeliver(retrying)).toThrow(/stopped/);
  });

  it('reset() empties the log and cancels work, and the engine keeps working', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    await hook.goDown();
    engine.publish(atomicTo(hook.url));
    await clock.advance(SECOND);
    await engine.reset();
    expect(engine.log.size).toBe(0);
    expect(clock.pending).toBe(0);

    await hook.comeUp();
    const id = engine.publish(atomicTo(hook.url))!;
    await drain(clock, engine);
    expect(engine.log.list().map((e) => [e.id, e.status])).toEqual([[id, 'delivered']]);
    expect(hook.requests).toHaveLength(1);
  });
});

describe('publish input', () => {
  it('returns null and logs nothing when there is no target', () => {
    const engine = engineOn();
    expect(engine.publish(atomicTo('http://127.0.0.1:9', { targets: [] }))).toBeNull();
    expect(engine.log.size).toBe(0);
  });

  it('rejects a string body that is not JSON, a repeated target, an unknown vendor, an empty event type and a reused id', () => {
    const engine = engineOn();
    const url = 'http://127.0.0.1:9';
    expect(() => engine.publish(atomicTo(url, { body: '{"eventType":' }))).toThrow(/valid JSON/);
    const target = { id: 'ep-1', url, secret: 's' };
    expect(() => engine.publish(atomicTo(url, { targets: [target, target] }))).toThrow(/listed twice/);
    expect(() => engine.publish(atomicTo(url, { vendor: 'stripe' as never }))).toThrow(
      /unknown webhook vendor/,
    );
    expect(() => engine.publish(atomicTo(url, { vendor: 'toString' as never }))).toThrow(
      /unknown webhook vendor/,
    );
    expect(() => engine.publish(atomicTo(url, { eventType: '' }))).toThrow(/eventType/);
    expect(() => engine.publish(atomicTo(url, { targets: [{ id: 'ep-1', url, secret: '' }] }))).toThrow(
      /secret/,
    );
    engine.publish(atomicTo(url, { id: 'evt-1' }));
    expect(() => engine.publish(atomicTo(url, { id: 'evt-1' }))).toThrow(/already/);
  });

  it('uses the injected id generator for event ids (deterministic recordings)', async () => {
    let n = 0;
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { createId: () => `evt-${++n}` });
    const hook = await receiver();
    expect(engine.publish(atomicTo(hook.url))).toBe('evt-1');
    expect(engine.publish(atomicTo(hook.url))).toBe('evt-2');
    await drain(clock, engine);
    expect(hook.requests.map((r) => r.headers['ce-id']).sort()).toEqual(['evt-1', 'evt-2']);
  });

  it('refuses nonsensical engine options', () => {
    const clock = new VirtualClock(START);
    expect(() => createDeliveryEngine({ clock, concurrencyPerTarget: 0 })).toThrow(RangeError);
    expect(() => createDeliveryEngine({ clock, timeoutMs: 0 })).toThrow(RangeError);
    expect(() => createDeliveryEngine({ clock, log: { capacity: 0 } })).toThrow(RangeError);
  });
});
