import { describe, expect, it } from 'vitest';
import { ScopedClock, VirtualClock } from './clock';
import { createRandom } from './random';
import {
  currentRunContext,
  publishWebhook,
  recordAttemptInRunContext,
  runInContext,
  type RunContext,
  type RunWebhook,
} from './run-context';
import { createDeliveryEngine, type DeliveryRecording } from './webhooks';

function context(runId: string, ids: string[]) {
  const heard: RunWebhook[] = [];
  const recorded: DeliveryRecording[] = [];
  const run: RunContext = {
    runId,
    random: createRandom(runId),
    nextEventId: () => ids.shift() ?? 'exhausted',
    onWebhook: (w) => heard.push(w),
    onDeliveryAttempt: (r) => recorded.push(r),
  };
  return { run, heard, recorded };
}

const target = { id: 'ep-1', url: 'http://127.0.0.1:9/hook', secret: 'key' };
const body = { eventType: 'task-status-updated', eventTime: '2025-01-01T00:00:00.000Z' };

describe('run context', () => {
  it('is seen by code running inside it, across awaits, and nowhere else', async () => {
    const { run } = context('run-a', []);
    expect(currentRunContext()).toBeUndefined();
    await runInContext(run, async () => {
      await Promise.resolve();
      expect(currentRunContext()?.runId).toBe('run-a');
    });
    expect(currentRunContext()).toBeUndefined();
  });

  it('gives published events the run’s ids and tells the run; outside a run the engine picks', async () => {
    const engine = createDeliveryEngine({
      clock: new VirtualClock(0),
      fetch: async () => new Response(null),
    });
    const { run, heard } = context('run-a', ['evt-1']);
    const inside = runInContext(run, () =>
      publishWebhook(engine, { vendor: 'atomic', eventType: 'task-status-updated', body, targets: [target] }),
    );
    const outside = publishWebhook(engine, {
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body,
      targets: [target],
    });
    expect(inside).toBe('evt-1');
    expect(outside).not.toBe('evt-1');
    expect(heard).toEqual([
      { eventId: 'evt-1', vendor: 'atomic', eventType: 'task-status-updated', targets: 1 },
    ]);
    await engine.stop();
  });

  it('falls back to a fresh id when the run’s id is already in the delivery log', async () => {
    const engine = createDeliveryEngine({
      clock: new VirtualClock(0),
      fetch: async () => new Response(null),
    });
    const first = context('run-a', ['evt-same']);
    const again = context('run-b', ['evt-same']);
    runInContext(first.run, () =>
      publishWebhook(engine, { vendor: 'atomic', eventType: 'x', body, targets: [target] }),
    );
    const id = runInContext(again.run, () =>
      publishWebhook(engine, { vendor: 'atomic', eventType: 'x', body, targets: [target] }),
    );
    expect(id).not.toBe('evt-same');
    expect(engine.log.size).toBe(2);
    await engine.stop();
  });

  it('reports an event nobody subscribes to with a null id', () => {
    const engine = createDeliveryEngine({ clock: new VirtualClock(0) });
    const { run, heard } = context('run-a', ['evt-1']);
    runInContext(run, () =>
      publishWebhook(engine, { vendor: 'atelio', eventType: 'transactions', body, targets: [] }),
    );
    expect(heard).toEqual([{ eventId: null, vendor: 'atelio', eventType: 'transactions', targets: 0 }]);
  });

  it('routes each delivery attempt, retries included, to the run that published the event', async () => {
    // As the scenario runner does it: each run moves its own clock, inside its own context.
    const scoped = new ScopedClock(new VirtualClock(0));
    let calls = 0;
    const engine = createDeliveryEngine({
      clock: scoped,
      recorder: recordAttemptInRunContext,
      fetch: async () => new Response(null, { status: ++calls === 1 ? 500 : 200 }),
    });
    const a = context('run-a', ['evt-a']);
    const b = context('run-b', ['evt-b']);
    const play = (run: RunContext) => {
      const own = new VirtualClock(1_000);
      return scoped.runWith(own, () =>
        runInContext(run, async () => {
          publishWebhook(engine, { vendor: 'atomic', eventType: 'x', body, targets: [target] });
          await own.runUntilIdle();
        }),
      );
    };
    await Promise.all([play(a.run), play(b.run)]);
    publishWebhook(engine, { vendor: 'atomic', eventType: 'x', body, targets: [target] });
    await engine.idle();
    expect(a.recorded.map((r) => [r.eventId, r.attempt, r.timeMs])).toEqual([
      ['evt-a', 1, 1_000],
      ['evt-a', 2, 31_000],
    ]);
    expect(b.recorded.map((r) => [r.eventId, r.attempt, r.timeMs])).toEqual([['evt-b', 1, 1_000]]);
  });
});
