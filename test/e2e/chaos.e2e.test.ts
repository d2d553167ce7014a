import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosRuleInput } from '../../core/webhooks';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { startSandbox, type Sandbox } from '../../control/platform';
import { stitcherState, type StitcherState } from './support/stitcher-state';

/**
 * Delivery chaos against the reference stitcher: for each kind of misbehaviour a vendor's delivery
 * can have — the same event twice, events out of order, late events, a lost acknowledgement and its
 * retry, an event never sent (then recovered with a bulk redelivery) — `amazon-order-stitching`
 * must leave the stitcher in exactly the state of a clean run: nothing lost, nothing doubled, and
 * out-of-order settlements still end at the final settled amounts.
 */

const identifier = 'chaos-e2e';
const HOUR = 3_600_000;
/** One start time for every run, so every run creates the same ids and data. */
const startTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

let sandbox: Sandbox;
let watcher: CaptureReceiver;
let clean: StitcherState;

const get = async <T>(path: string) => {
  const response = await fetch(`${sandbox.urls.stitcher}${path}`);
  return { status: response.status, body: (await response.json()) as T };
};

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.urls.control}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function settle() {
  await sandbox.engine.idle();
  await sandbox.stitcher!.idle();
}

/** Resets the platform, plays the story (with these chaos rules for the run), waits for everything. */
async function play(chaos: ChaosRuleInput[] = []) {
  await sandbox.reset();
  const arrivedBefore = watcher.requests.length;
  const view = await sandbox.scenarios.start('amazon-order-stitching', {
    seed: 3,
    identifier,
    startTime,
    ...(chaos.length ? { chaos } : {}),
  }).done;
  expect(view.error).toBeUndefined();
  expect(view.status).toBe('completed');
  await settle();
  expect(sandbox.engine.chaos.list()).toEqual([]); // the run's rules ended with it
  return { view, arrived: watcher.requests.slice(arrivedBefore) };
}

const state = () => stitcherState(get, identifier);

/** The stitcher's own targets (its Atomic endpoint and Atelio subscription). */
const stitcherTargets = () =>
  sandbox.engine.targets().filter((t) => t.url.startsWith(sandbox.urls.stitcher!));

beforeAll(async () => {
  sandbox = await startSandbox({ ports: 0, env: {}, seed: 3 });
  watcher = await startCaptureReceiver();
  // A second receiver for Atelio, to see the order deliveries really arrive in.
  sandbox.atelio.registerWebhookUrl(`${watcher.url}/atelio`, { description: 'watcher' });
  await play();
  clean = await state();
  expect(clean.orders.filter((o) => o.stitch.status === 'matched').length).toBeGreaterThanOrEqual(8);
  expect(clean.inbox).toMatchObject({ pending: 0, retrying: 0, failed: 0 });
});

afterAll(async () => {
  await sandbox?.stop();
  await watcher?.close();
});

/** Every event of the run the rule touched, with the rule's marks on the stitcher's deliveries. */
function touchedBy(ruleKind: string) {
  return sandbox.engine.log
    .list({ limit: 1000 })
    .flatMap((event) => event.targets.map((target) => ({ event, target })))
    .filter(({ target }) => target.url.startsWith(sandbox.urls.stitcher!))
    .filter(({ target }) => target.chaos?.some((mark) => mark.kind === ruleKind));
}

describe('amazon-order-stitching under delivery chaos ends exactly as the clean run', () => {
  it('duplicate: every touched event arrives twice; the stitcher keeps one', async () => {
    await play([{ kind: 'duplicate', probability: 0.5, seed: 1, delayMs: 20 * 60_000 }]);
    const touched = touchedBy('duplicate');
    expect(touched.length).toBeGreaterThan(5);
    for (const { target } of touched) {
      expect(target.attempts.map((a) => a.kind)).toEqual(['initial', 'duplicate']);
      expect(target.attempts[1]!.chaos).toBe(target.chaos![0]!.ruleId);
    }
    expect(await state()).toEqual(clean);
  });

  it('reorder: events released out of order within a day still end at the final settled amounts', async () => {
    const { arrived } = await play([{ kind: 'reorder', vendor: 'atelio', windowMs: 24 * HOUR }]);
    expect(touchedBy('reorder').length).toBeGreaterThan(5);
    // They really arrived out of order: some event came after one that happened later.
    const times = arrived
      .filter((r) => r.path === '/atelio')
      .map((r) => Date.parse((JSON.parse(r.raw.toString('utf8')) as { occurred_at: string }).occurred_at));
    expect(times.some((t, i) => i > 0 && t < times[i - 1]!)).toBe(true);
    const actual = await state();
    expect(actual).toEqual(clean);
    expect(actual.transactions.some((t) => t.settlements.length > 1 && t.state === 'completed')).toBe(true);
  });

  it('delay: events held two hours on the run’s clock', async () => {
    await play([{ kind: 'delay', probability: 0.7, seed: 4, delayMs: 2 * HOUR }]);
    const touched = touchedBy('delay');
    expect(touched.length).toBeGreaterThan(5);
    for (const { event, target } of touched)
      expect(Date.parse(target.attempts[0]!.time) - Date.parse(event.createdAt)).toBe(2 * HOUR);
    expect(await state()).toEqual(clean);
  });

  it('lost-ack: the 2xx is treated as a timeout, the vendor retries, the stitcher recognises the repeat', async () => {
    await play([{ kind: 'lost-ack', probability: 0.5, seed: 2 }]);
    const touched = touchedBy('lost-ack');
    expect(touched.length).toBeGreaterThan(5);
    for (const { target } of touched) {
      const [first, second] = target.attempts;
      expect(first).toMatchObject({ ok: false, statusCode: 200, chaos: target.chaos![0]!.ruleId });
      expect(first!.error).toMatch(/lost-ack/);
      expect(second).toMatchObject({ kind: 'retry', ok: true });
      expect(second!.responseSnippet).toContain('duplicate');
    }
    expect(await state()).toEqual(clean);
  });

  it('drop: dropped events are logged with the rule, and one bulk redelivery per target recovers them', async () => {
    const { view } = await play([{ kind: 'drop', probability: 0.3, seed: 5 }]);
    const touched = touchedBy('drop');
    expect(touched.length).toBeGreaterThan(3);
    for (const { target } of touched) {
      expect(target.status).toBe('dropped');
      expect(target.dropReason).toBe(`chaos rule ${target.chaos![0]!.ruleId}: drop`);
      expect(target.attempts).toEqual([]);
    }
    expect(await state()).not.toEqual(clean); // something is missing until the operator steps in

    let redelivered = 0;
    for (const target of stitcherTargets()) {
      const answer = await control('POST', '/api/deliveries/redeliver', {
        vendor: target.vendor,
        targetId: target.targetId,
        since: view.options.startTime,
      });
      expect(answer.status).toBe(202);
      redelivered += answer.body['count'] as number;
    }
    expect(redelivered).toBe(touched.length);
    await settle();
    expect(await state()).toEqual(clean);
  });

  it('is available through the control API beside /api/faults, matching vendor, event type and user', async () => {
    const added = await control('POST', '/api/chaos', {
      kind: 'duplicate',
      vendor: 'atelio',
      eventType: 'transactions',
      user: identifier,
      count: 3,
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: expect.stringMatching(/^chaos_/), remaining: 3, source: 'api' });
    expect((await control('GET', '/api/chaos')).body['rules']).toHaveLength(1);
    const bad = await control('POST', '/api/chaos', { kind: 'delay' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('delayMs is required');
    expect((await control('DELETE', `/api/chaos/${String(added.body['id'])}`)).status).toBe(200);
    expect((await control('DELETE', '/api/chaos/chaos_999')).status).toBe(404);
  });
});
