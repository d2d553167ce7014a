import { describe, expect, it } from 'vitest';
import { ScopedClock, VirtualClock } from '../clock';
import type { DeliveryEngine, DeliveryEngineEvents, PublishInput } from './engine';
import {
  ATOMIC_SECRET,
  SECOND,
  START,
  atomicEnvelope,
  drain,
  engineOn,
  receiver,
} from '../../test/support/webhook-fixtures';

/**
 * What keeps one bad receiver from hurting anyone else: slow targets stop holding a run's clock,
 * each target's backlog is bounded, a target that keeps failing is paused by a circuit breaker,
 * and everything that failed or was dropped can be redelivered in bulk.
 */

const atomicTo = (url: string, targetId = 'ep-1', overrides: Partial<PublishInput> = {}): PublishInput => ({
  vendor: 'atomic',
  eventType: 'task-status-updated',
  body: atomicEnvelope(),
  targets: [{ id: targetId, url, secret: ATOMIC_SECRET }],
  ...overrides,
});

/** Resolves with the next `attempt` event that satisfies `match`. */
function nextAttempt(
  engine: DeliveryEngine,
  match: (e: DeliveryEngineEvents['attempt']) => boolean,
): Promise<DeliveryEngineEvents['attempt']> {
  return new Promise((resolve) => {
    const off = engine.events.on('attempt', (e) => {
      if (!match(e)) return;
      off();
      resolve(e);
    });
  });
}

describe('a target that never answers', () => {
  it('does not hold a run’s clock: the run plays on, the attempt times out in real time and retries on the platform clock', async () => {
    const base = new VirtualClock(START + 1000 * SECOND);
    const run = new VirtualClock(START);
    const scoped = new ScopedClock(base);
    const engine = engineOn(scoped, { timeoutMs: 400, slowTargetAfterMs: 50 });
    const hung = await receiver(() => 'hang');
    const healthy = await receiver();

    const ids = scoped.runWith(run, () => [
      engine.publish(atomicTo(hung.url, 'hung')),
      engine.publish(atomicTo(healthy.url, 'healthy')),
    ]);
    const timedOut = nextAttempt(engine, (e) => e.targetId === 'hung');
    // The run's clock gets to the end of a 3-day horizon while the hung attempt is still in flight.
    await scoped.runWith(run, () => run.runUntilIdle());
    expect(engine.log.get(ids[1]!)!.status).toBe('delivered');
    expect(engine.log.get(ids[0]!)!.targets[0]!.attempts).toHaveLength(0);
    expect(engine.targets().find((t) => t.targetId === 'hung')).toMatchObject({ slow: true, backlog: 1 });

    // It still times out (real time), is recorded, and its retry waits on the platform clock.
    const first = await timedOut;
    expect(first.attempt).toMatchObject({
      ok: false,
      detached: true,
      time: new Date(START).toISOString(),
      error: expect.stringMatching(/^timeout/),
    });
    const pending = engine.log.get(ids[0]!)!.targets[0]!;
    expect(pending.status).toBe('pending');
    expect(pending.nextAttemptAt).toBe(new Date(base.now() + 30 * SECOND).toISOString());
    expect(run.pending).toBe(0);

    const retried = nextAttempt(engine, (e) => e.targetId === 'hung');
    await base.advance(30 * SECOND);
    const second = await retried;
    expect(second.attempt).toMatchObject({ attempt: 2, kind: 'retry', ok: false, detached: true });
    expect(second.attempt.time).toBe(new Date(START + 1030 * SECOND).toISOString());
    expect(hung.requests).toHaveLength(2);
  });

  it('holds the run’s clock again once the target answers promptly', async () => {
    const base = new VirtualClock(0);
    const run = new VirtualClock(START);
    const scoped = new ScopedClock(base);
    const engine = engineOn(scoped, { timeoutMs: 300, slowTargetAfterMs: 50 });
    const hook = await receiver((r) => (r.index === 0 ? 'hang' : { status: 500 }));
    scoped.runWith(run, () => engine.publish(atomicTo(hook.url)));
    await nextAttempt(engine, () => true);
    expect(engine.targets()[0]!.slow).toBe(true);
    const retried = nextAttempt(engine, (e) => e.attempt.attempt === 2);
    await base.advance(30 * SECOND); // the detached retry: answered at once (500)
    await retried;
    expect(engine.targets()[0]!.slow).toBe(false);

    // A new event in the run: its attempts and retries land on the run's timeline again.
    const id = scoped.runWith(run, () => engine.publish(atomicTo(hook.url)));
    await scoped.runWith(run, () => run.runUntilIdle());
    await base.advance(60 * SECOND);
    await engine.idle();
    expect(engine.log.get(id!)!.targets[0]!.attempts.map((a) => a.time)).toEqual(
      [0, 30, 60, 90].map((s) => new Date(START + s * SECOND).toISOString()),
    );
  });
});

describe('the per-target backlog', () => {
  it('drops events beyond the cap with the reason in the delivery log, and other targets are unaffected', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { maxBacklogPerTarget: 3, circuitBreaker: false });
    const down = await receiver();
    await down.goDown();
    const up = await receiver();
    const ids = Array.from({ length: 5 }, () => engine.publish(atomicTo(down.url, 'down')));
    const other = engine.publish(atomicTo(up.url, 'up'));
    await clock.advance(SECOND);

    const statuses = ids.map((id) => engine.log.get(id!)!.status);
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'dropped', 'dropped']);
    expect(engine.log.get(ids[4]!)!.targets[0]!.dropReason).toBe(
      'backlog full: 3 deliveries already pending for this target (limit 3)',
    );
    expect(engine.log.get(ids[4]!)!.targets[0]!.attempts).toEqual([]);
    expect(engine.log.get(other!)!.status).toBe('delivered');
    expect(engine.targets().find((t) => t.targetId === 'down')).toMatchObject({ backlog: 3, dropped: 2 });
    expect(engine.log.list({ status: 'dropped' }).map((e) => e.id)).toEqual([ids[4], ids[3]]);

    // Once the backlog drains (the schedule gives up), new events are admitted again.
    await drain(clock, engine);
    expect(engine.targets().find((t) => t.targetId === 'down')!.backlog).toBe(0);
    const later = engine.publish(atomicTo(down.url, 'down'));
    expect(engine.log.get(later!)!.status).toBe('pending');
  });
});

describe('the circuit breaker', () => {
  it('pauses a target after N failed attempts in a row, drops its retries and new events, and half-opens after the cool-down', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { circuitBreaker: { failureThreshold: 3, coolDownMs: 60 * SECOND } });
    let healthy = false;
    const hook = await receiver(() => ({ status: healthy ? 200 : 500 }));
    const changes: string[] = [];
    engine.events.on('target', (t) => changes.push(t.breaker));

    const failing = [0, 1, 2].map(() => engine.publish(atomicTo(hook.url)));
    await clock.advance(SECOND);
    const health = engine.targets()[0]!;
    expect(health).toMatchObject({
      breaker: 'open',
      consecutiveFailures: 3,
      pauseReason: '3 failed attempts in a row',
      resumesAt: new Date(START + 60 * SECOND).toISOString(),
      backlog: 0,
    });
    expect(changes).toEqual(['open']);
    for (const id of failing) {
      const target = engine.log.get(id!)!.targets[0]!;
      expect(target.status).toBe('dropped');
      expect(target.dropReason).toMatch(
        /^circuit open: target paused \(3 failed attempts in a row\); resumes at /,
      );
    }
    const whilePaused = engine.publish(atomicTo(hook.url));
    expect(engine.log.get(whilePaused!)!.status).toBe('dropped');
    await clock.advance(10 * 60 * SECOND);
    expect(hook.requests).toHaveLength(3); // nothing retried while paused

    // After the cool-down, one probe goes through; it succeeds and closes the breaker.
    healthy = true;
    expect(engine.targets()[0]!.breaker).toBe('half-open');
    const probe = engine.publish(atomicTo(hook.url));
    await drain(clock, engine);
    expect(engine.log.get(probe!)!.status).toBe('delivered');
    expect(engine.targets()[0]).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(changes).toEqual(['open', 'half-open', 'closed']);

    // Everything dropped meanwhile comes back with one bulk redelivery.
    const { redelivered } = engine.redeliverFailed({ vendor: 'atomic', targetId: 'ep-1' });
    expect(redelivered.sort()).toEqual([...failing, whilePaused].map(String).sort());
    await drain(clock, engine);
    for (const id of redelivered) expect(engine.log.get(id)!.status).toBe('delivered');
  });

  it('re-opens when the probe fails, and can be resumed by hand', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { circuitBreaker: { failureThreshold: 2, coolDownMs: 60 * SECOND } });
    const hook = await receiver(() => ({ status: 503 }));
    engine.publish(atomicTo(hook.url));
    engine.publish(atomicTo(hook.url));
    await clock.advance(61 * SECOND);
    expect(engine.targets()[0]!.breaker).toBe('half-open');
    engine.publish(atomicTo(hook.url));
    await clock.advance(SECOND);
    expect(engine.targets()[0]).toMatchObject({
      breaker: 'open',
      pauseReason: 'the first attempt after the cool-down failed too',
    });

    expect(engine.resumeTarget('atomic', 'ep-1')).toMatchObject({
      breaker: 'closed',
      consecutiveFailures: 0,
    });
    const after = engine.publish(atomicTo(hook.url));
    await clock.advance(SECOND);
    expect(engine.log.get(after!)!.targets[0]!.attempts).toHaveLength(1);
    expect(() => engine.resumeTarget('atelio', 'ep-1')).toThrow(/no atelio webhook target ep-1/);
  });
});

describe('bulk redelivery', () => {
  it('redelivers only this target’s failed or dropped events published since the given time', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { circuitBreaker: false });
    let up = false;
    const hook = await receiver(() => ({ status: up ? 200 : 500 }));
    const other = await receiver(() => ({ status: 500 }));
    const early = engine.publish(atomicTo(hook.url));
    await clock.advance(3600 * SECOND);
    const late = engine.publish(atomicTo(hook.url));
    const elsewhere = engine.publish(atomicTo(other.url, 'ep-2'));
    await drain(clock, engine);
    expect([early, late, elsewhere].map((id) => engine.log.get(id!)!.status)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);

    up = true;
    const since = new Date(START + 1800 * SECOND).toISOString();
    expect(engine.redeliverFailed({ vendor: 'atomic', targetId: 'ep-1', since })).toEqual({
      redelivered: [late],
    });
    await drain(clock, engine);
    expect(engine.log.get(late!)!.status).toBe('delivered');
    expect(engine.log.get(early!)!.status).toBe('failed');
    expect(engine.log.get(elsewhere!)!.status).toBe('failed');
    expect(() => engine.redeliverFailed({ vendor: 'atomic', targetId: 'ep-1', since: 'yesterday' })).toThrow(
      /invalid time/,
    );
  });
});
