import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock';
import {
  ATELIO_SECRET,
  START,
  atelioTransaction,
  drain,
  engineOn,
  receiver,
} from '../../test/support/webhook-fixtures';
import type { PublishInput } from './engine';
import { savedDeliveryLogSchema } from './log-records';

/** A delivery's subject: the user an event is about, as its publisher (the wiring) names it. */

const atelioTo = (url: string, id: string, subject?: string): PublishInput => ({
  vendor: 'atelio',
  eventType: 'transactions',
  body: atelioTransaction({ customer_id: 'from-the-body' }),
  targets: [{ id: 'sub-1', url, secret: ATELIO_SECRET }],
  id,
  ...(subject === undefined ? {} : { subject }),
});

describe('a delivery subject', () => {
  it('is kept on the record, filters the log and reaches every listener; it is never sent', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const heard: Record<string, (string | undefined)[]> = { published: [], attempt: [], settled: [] };
    engine.events.on('published', (e) => heard['published']!.push(e.subject));
    engine.events.on('attempt', (e) => heard['attempt']!.push(e.subject));
    engine.events.on('settled', (e) => heard['settled']!.push(e.subject));

    engine.publish(atelioTo(hook.url, 'evt-alice', 'alice'));
    engine.publish(atelioTo(hook.url, 'evt-none'));
    await drain(clock, engine);

    expect(engine.log.get('evt-alice')!.subject).toBe('alice');
    expect(engine.log.get('evt-none')).not.toHaveProperty('subject');
    expect(engine.log.list({ subject: 'alice' }).map((e) => e.id)).toEqual(['evt-alice']);
    expect(engine.log.list({ subject: 'from-the-body' })).toEqual([]);
    for (const name of ['published', 'attempt', 'settled']) expect(heard[name]).toEqual(['alice', undefined]);
    // Nothing on the wire changes: no header or body field carries it.
    for (const request of hook.requests) {
      expect(JSON.stringify(request.headers)).not.toContain('alice');
      expect(request.raw.toString('utf8')).not.toContain('alice');
    }
  });

  it('must be a non-empty string of at most 200 characters', () => {
    const engine = engineOn();
    for (const subject of ['', 'x'.repeat(201), 42 as unknown as string])
      expect(() => engine.publish(atelioTo('http://127.0.0.1:9/', 'evt-bad', subject))).toThrow(
        /subject must be a string of 1 to 200 characters/,
      );
    expect(engine.log.size).toBe(0);
  });

  it("is what a chaos rule's user matches, ahead of the body's own user field", async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    engine.chaos.add({ kind: 'drop', user: 'alice' });
    engine.publish(atelioTo(hook.url, 'evt-alice', 'alice'));
    engine.publish(atelioTo(hook.url, 'evt-bob', 'bob'));
    await drain(clock, engine);
    expect(engine.log.get('evt-alice')!.status).toBe('dropped');
    expect(engine.log.get('evt-bob')!.status).toBe('delivered');
  });

  it('travels through a saved state, and a state saved before subjects existed still loads', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    engine.publish(atelioTo(hook.url, 'evt-alice', 'alice'));
    await drain(clock, engine);
    const saved = JSON.parse(JSON.stringify(engine.exportSettled())) as Record<string, unknown>[];
    expect(saved[0]).toMatchObject({ id: 'evt-alice', subject: 'alice' });

    const withoutSubject = saved.map(({ subject: _subject, ...rest }) => ({ ...rest, id: 'evt-old' }));
    const records = savedDeliveryLogSchema(10).parse([...withoutSubject, ...saved]);
    const restored = engineOn(new VirtualClock(START));
    restored.restoreSettled(records, () => ATELIO_SECRET);
    expect(restored.log.get('evt-alice')!.subject).toBe('alice');
    expect(restored.log.get('evt-old')).not.toHaveProperty('subject');
    expect(restored.log.list({ subject: 'alice' }).map((e) => e.id)).toEqual(['evt-alice']);
    expect(savedDeliveryLogSchema(10).safeParse([{ ...saved[0], subject: 'x'.repeat(201) }]).success).toBe(
      false,
    );
  });
});
