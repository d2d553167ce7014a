import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock';
import { DeliveryNotFoundError, type PublishInput } from './engine';
import { savedDeliveryLogSchema } from './log-records';
import { ATOMIC_SECRET, START, atomicEnvelope, drain, engineOn, receiver } from '../../test/support/webhook-fixtures';

const atomicTo = (url: string, id: string): PublishInput => ({
  vendor: 'atomic',
  eventType: 'task-status-updated',
  body: atomicEnvelope(),
  targets: [{ id: 'ep-1', url, secret: ATOMIC_SECRET }],
  id,
});

/** A log with one delivered and one failed event, saved the way a state file saves it (JSON). */
async function savedLog() {
  const clock = new VirtualClock(START);
  const engine = engineOn(clock, { circuitBreaker: false });
  const ok = await receiver();
  const refusing = await receiver(() => ({ status: 503, body: 'down for maintenance' }));
  engine.publish(atomicTo(ok.url, 'evt-delivered'));
  engine.publish(atomicTo(refusing.url, 'evt-failed'));
  await drain(clock, engine);
  const saved: unknown = JSON.parse(JSON.stringify(engine.exportSettled()));
  return { engine, ok, saved, before: engine.log.list() };
}

describe('the delivery log in a saved state', () => {
  it('comes back whole in a new engine: same events, statuses, attempts and order, ahead of anything new', async () => {
    const { saved, before, ok } = await savedLog();
    const records = savedDeliveryLogSchema(1000).parse(saved);
    expect(records.map((r) => [r.id, r.status])).toEqual([
      ['evt-delivered', 'delivered'],
      ['evt-failed', 'failed'],
    ]);

    const clock = new VirtualClock(START);
    const restored = engineOn(clock);
    restored.restoreSettled(records, () => ATOMIC_SECRET);
    expect(restored.log.list()).toEqual(before);
    // A new event lists above the restored ones and the restored ones can be redelivered, signed again.
    restored.publish(atomicTo(ok.url, 'evt-new'));
    await drain(clock, restored);
    expect(restored.log.list().map((e) => e.id)).toEqual(['evt-new', 'evt-failed', 'evt-delivered']);
    restored.redeliver('evt-delivered');
    await drain(clock, restored);
    const attempts = restored.log.get('evt-delivered')!.targets[0]!.attempts;
    expect(attempts.at(-1)).toMatchObject({ kind: 'redelivery', ok: true, attempt: 2 });
    expect(ok.requests.at(-1)!.raw.toString('utf8')).toBe(before.find((e) => e.id === 'evt-delivered')!.body);
  });

  it('keeps the log within its capacity, and refuses to redeliver to a target that is no longer registered', async () => {
    const { saved } = await savedLog();
    const records = savedDeliveryLogSchema(1000).parse(saved);
    const restored = engineOn(new VirtualClock(START), { log: { capacity: 1 } });
    restored.restoreSettled(records, () => undefined);
    expect(restored.log.list().map((e) => e.id)).toEqual(['evt-failed']);
    expect(() => restored.redeliver('evt-failed')).toThrow(DeliveryNotFoundError);
    expect(() => restored.redeliver('evt-failed')).toThrow(/no longer registered/);
  });

  it('refuses out-of-bounds numbers, oversized lists, duplicate ids and pending events, naming the field', async () => {
    const { saved } = await savedLog();
    const [delivered] = saved as [Record<string, unknown> & { targets: Record<string, unknown>[] }];
    const attempt = (delivered.targets[0]!.attempts as Record<string, unknown>[])[0]!;
    const withAttempt = (patch: Record<string, unknown>) => [
      { ...delivered, targets: [{ ...delivered.targets[0], attempts: [{ ...attempt, ...patch }] }] },
    ];
    const schema = savedDeliveryLogSchema(2);
    const refusals: [unknown, RegExp][] = [
      [withAttempt({ latencyMs: 1e20 }), /latencyMs/],
      [withAttempt({ latencyMs: Infinity }), /latencyMs/],
      [withAttempt({ attempt: -1 }), /attempt/],
      [withAttempt({ statusCode: 1e308 }), /statusCode/],
      [[{ ...delivered, targets: [{ ...delivered.targets[0], droppedAttempts: 1e20 }] }], /droppedAttempts/],
      [[delivered, delivered], /duplicate event id/],
      [[delivered, { ...delivered, id: 'b' }, { ...delivered, id: 'c' }], /too_big|2/],
      [[{ ...delivered, status: 'pending' }], /status/],
    ];
    for (const [input, message] of refusals) {
      const result = schema.safeParse(input);
      expect(result.success, JSON.stringify(message.source)).toBe(false);
      expect(JSON.stringify(result.error?.issues)).toMatch(message);
    }
  });
});
