import { afterAll, describe, expect, it } from 'vitest';
import type { DeliveryEventRecord } from '../../core/webhooks';
import { createControlClient } from '../../control/client';
import { fateOf, type FrontAction } from './support/receiver-front';
import { stitcherState, type StitcherState } from './support/stitcher-state';
import { startStitchingPlatform, type StitchingPlatform } from './support/stitching-platform';

/**
 * `amazon-order-stitching` with a receiver that fails 30% of deliveries at random (refusing them,
 * dropping the connection, or losing the acknowledgement of one the stitcher already stored) and
 * is down altogether for several virtual hours mid-run. The vendors' own retry schedules, played on
 * the run's virtual clock, must carry every event through; what the schedule gave up on is sent
 * again by hand only where the vendor lets an operator do that (Atomic: "replayable by hand";
 * Atelio documents no manual resend, and its three-day schedule outlasts the outage). At the end
 * the stitcher must be in exactly the state of a run without faults: nothing lost, nothing doubled.
 */

const identifier = 'faults-e2e';
const startTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const FAILURE_RATE = 0.3;
/**
 * The front is down from the start of the first of these steps until the start of the second: six
 * virtual hours. Every Atomic event of that day's refresh exhausts its four attempts inside the
 * outage; an Atelio event caught in it still has at least four attempts left afterwards.
 */
const OUTAGE = { from: 'refresh-d2', to: 'settle-o1' } as const;
/** Failures are transient: an event's first two arrivals may fail, its third always gets through. */
const FAILING_ARRIVALS = 2;

const platforms: StitchingPlatform[] = [];
afterAll(async () => {
  for (const p of platforms) await p.close();
});

async function play(platform: StitchingPlatform) {
  const view = await platform.sandbox.scenarios.start('amazon-order-stitching', {
    seed: 3,
    identifier,
    startTime,
  }).done;
  expect(view.error).toBeUndefined();
  expect(view.status).toBe('completed');
  return view;
}

/** Fails 30% of arrivals at random (a hash of the event and its arrival number), in three ways. */
function randomFailures(delivery: { eventKey: string; arrival: number }): FrontAction {
  if (delivery.arrival > FAILING_ARRIVALS) return 'forward';
  const roll = fateOf('faults-e2e', delivery.eventKey, delivery.arrival);
  if (roll >= FAILURE_RATE) return 'forward';
  return roll < FAILURE_RATE / 3 ? 'refuse' : roll < (2 * FAILURE_RATE) / 3 ? 'drop' : 'lose-ack';
}

const targetOf = (event: DeliveryEventRecord) => event.targets[0]!;

/** The same run without faults: the state the faulty run must end in. */
async function referenceState(): Promise<StitcherState> {
  const steady = await startStitchingPlatform();
  platforms.push(steady);
  await play(steady);
  await steady.settle();
  expect(steady.sandbox.engine.log.list({ status: 'failed' })).toEqual([]);
  const state = await stitcherState((path) => steady.get(path), identifier);
  expect(state.orders.filter((o) => o.stitch.status === 'matched').length).toBeGreaterThanOrEqual(8);
  expect(state.inbox).toMatchObject({ pending: 0, retrying: 0, failed: 0 });
  return state;
}

describe('the stitcher behind a failing receiver', () => {
  it('with 30% random failures and an outage, ends in the state of a run without faults: nothing lost, nothing doubled', async () => {
    const expected = await referenceState();
    const faulty = await startStitchingPlatform({ decide: randomFailures });
    platforms.push(faulty);
    const { sandbox, front } = faulty;
    const outage: { downAt?: string; upAt?: string } = {};
    sandbox.scenarios.events.on('step-started', ({ step, at }) => {
      if (step === OUTAGE.from) {
        front.down();
        outage.downAt = at;
      }
      if (step === OUTAGE.to) {
        outage.upAt = at;
        void front.up();
      }
    });
    await play(faulty);
    await faulty.settle();
    expect(outage.downAt).toBeDefined();
    expect(outage.upAt).toBeDefined();
    expect(front.isDown).toBe(false);

    // The faults happened: every kind of failure, on a real share of the attempts.
    const actions = front.records.map((r) => r.action);
    const failed = actions.filter((a) => a !== 'forward').length;
    expect(failed / actions.length).toBeGreaterThan(0.1);
    for (const kind of ['refuse', 'drop', 'lose-ack'] as const) expect(actions).toContain(kind);
    // The stitcher saw lost acknowledgements come back as retries and recognised them.
    expect(front.records.some((r) => r.stitcherAnswer?.includes('"duplicate"'))).toBe(true);

    // The delivery log tells the story: retries on the vendor schedule for both vendors …
    const log = sandbox.engine.log.list({ limit: 1000 });
    const retried = log.filter((e) => targetOf(e).attempts.some((a) => a.kind === 'retry' && a.ok));
    expect(retried.some((e) => e.vendor === 'atomic')).toBe(true);
    expect(retried.some((e) => e.vendor === 'atelio')).toBe(true);
    // … connections refused while the receiver was down …
    const refused = log.flatMap((e) => targetOf(e).attempts).filter((a) => /refused/i.test(a.error ?? ''));
    expect(refused.length).toBeGreaterThan(0);
    for (const attempt of refused) {
      expect(attempt.time >= outage.downAt!).toBe(true);
      expect(attempt.time < outage.upAt!).toBe(true);
    }
    // … Atelio's schedule outlasted the outage: every Atelio event got through on its own …
    expect(log.filter((e) => e.vendor === 'atelio' && e.status !== 'delivered')).toEqual([]);
    // … while Atomic's (four attempts, 30 s apart) gave up on what fell in the outage.
    const gaveUp = sandbox.engine.log.list({ vendor: 'atomic', status: 'failed', limit: 1000 });
    expect(gaveUp.length).toBeGreaterThan(0);
    for (const event of gaveUp) {
      expect(targetOf(event).attempts.map((a) => a.kind)).toEqual(['initial', 'retry', 'retry', 'retry']);
      expect(targetOf(event).attempts.every((a) => !a.ok)).toBe(true);
    }

    // Before the operator steps in, the stitcher is behind: something is missing.
    const before = await stitcherState((path) => faulty.get(path), identifier);
    expect(before).not.toEqual(expected);

    // Atomic lets an operator replay a failed event by hand: the control plane's redeliver. The
    // receiver still fails 30% of attempts, so the operator tries again until one is accepted.
    for (const event of gaveUp) {
      for (let tries = 1; sandbox.engine.log.get(event.id)!.status !== 'delivered'; tries++) {
        expect(tries, `redeliveries of ${event.id}`).toBeLessThanOrEqual(8);
        const response = await createControlClient(sandbox.urls.control).api.deliveries[
          ':id'
        ].redeliver.$post({
          param: { id: event.id },
        });
        expect(response.status).toBeLessThan(300);
        await faulty.settle();
      }
      const attempts = targetOf(sandbox.engine.log.get(event.id)!).attempts;
      expect(attempts.at(-1)).toMatchObject({ kind: 'redelivery', ok: true });
      // A redelivery is one attempt, never a new retry schedule.
      expect(attempts.filter((a) => a.kind === 'retry')).toHaveLength(3);
    }
    expect(sandbox.engine.log.list({ status: 'failed', limit: 1000 })).toEqual([]);

    const actual = await stitcherState((path) => faulty.get(path), identifier);
    expect(actual).toEqual(expected);
    // Nothing doubled: every transaction and every order once, each transaction matched at most once.
    expect(new Set(actual.transactions.map((t) => t.transactionId)).size).toBe(actual.transactions.length);
    expect(new Set(actual.orders.map((o) => o.orderId)).size).toBe(actual.orders.length);
    const matched = actual.orders.flatMap((o) =>
      o.stitch.status === 'matched' ? [o.stitch.transactionId] : [],
    );
    expect(new Set(matched).size).toBe(matched.length);
  });
});
