import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { startSandbox, type Sandbox } from '../../control/platform';
import type { RunView } from '../../scenarios';

/**
 * Deterministic CI runs pin a `startTime` in the past. Their Atelio deliveries must still pass a
 * standard `t=,v1=` verifier with a 300 s tolerance (the signature carries the real send time) while
 * the bodies keep the run's virtual times, byte for byte the same on every run; and the reference
 * stitcher, listening on the same platform, must accept and stitch them.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const START_TIME = '2024-06-03T09:00:00Z'; // far enough back that a virtual-time signature is months old
const ATELIO = { Identity: 'test-identity', Authorization: 'test-authorization' };

/**
 * A verifier written the way a receiver's documentation tells one to: parse `t` and every `v1`,
 * HMAC-SHA256 `"<t>.<raw body>"` with the whole `whsec_` secret, compare in constant time, and
 * refuse a `t` more than 300 s from the receiver's own wall clock.
 */
function standardVerify(raw: Buffer, header: string, secret: string, nowMs = Date.now()): string | null {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) t = Number(value);
    if (key === 'v1' && value) v1.push(value);
  }
  if (t === undefined || v1.length === 0) return 'malformed header';
  const expected = createHmac('sha256', secret).update(`${t}.`).update(raw).digest();
  const matched = v1.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matched) return 'signature mismatch';
  if (Math.abs(Math.floor(nowMs / 1000) - t) > 300)
    return `timestamp outside tolerance (${Math.floor(nowMs / 1000) - t} s)`;
  return null;
}

interface Played {
  sandbox: Sandbox;
  hook: CaptureReceiver;
  secret: string;
  view: RunView;
}

async function play(): Promise<Played> {
  const sandbox = await startSandbox({ ports: 0, env: {}, seed: 21 });
  cleanups.push(() => sandbox.stop());
  const hook = await startCaptureReceiver();
  cleanups.push(() => hook.close());
  const response = await fetch(`${sandbox.urls.atelio}/api/v0.1/webhooks`, {
    method: 'POST',
    headers: { ...ATELIO, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${hook.url}/atelio`, events: ['transactions'] }),
  });
  expect(response.status).toBe(201);
  const { webhook_subscription: subscription } = (await response.json()) as {
    webhook_subscription: { secret: string };
  };
  const view = await sandbox.scenarios.start('amazon-order-stitching', {
    seed: 8,
    identifier: 'ci-past',
    startTime: START_TIME,
  }).done;
  expect(view.status).toBe('completed');
  await sandbox.engine.idle();
  await sandbox.stitcher!.idle();
  return { sandbox, hook, secret: subscription.secret, view };
}

describe('Atelio signatures on a run that starts in the past', () => {
  it('pass a standard 300 s verifier, keep byte-identical bodies, and the reference stitcher stitches them', async () => {
    const first = await play();
    const second = await play();

    for (const run of [first, second]) {
      const atelio = run.hook.requests.filter((r) => r.path === '/atelio');
      expect(atelio.length).toBeGreaterThan(10);
      for (const request of atelio) {
        expect(standardVerify(request.raw, String(request.headers['bond-signature']), run.secret)).toBeNull();
        // The body keeps the run's virtual time, months before the signature's.
        const body = JSON.parse(request.raw.toString('utf8')) as { occurred_at: string };
        expect(Date.parse(body.occurred_at)).toBeLessThan(Date.parse('2024-08-01T00:00:00Z'));
      }
      // The stitcher accepted every Atelio delivery on its first attempt.
      const toStitcher = run.sandbox.engine.log
        .list({ vendor: 'atelio' })
        .flatMap((event) => event.targets.filter((t) => t.url.endsWith('/webhooks/atelio')));
      expect(toStitcher.length).toBe(atelio.length);
      for (const target of toStitcher) expect(target.attempts.map((a) => a.statusCode)).toEqual([200]);
    }

    // Same seed, identifier and start time: the same bodies, byte for byte.
    const bodies = (run: Played) =>
      run.hook.requests
        .filter((r) => r.path === '/atelio')
        .map((r) => r.raw.toString('utf8'))
        .sort();
    expect(bodies(second)).toEqual(bodies(first));

    // And the stitcher stitched them: every order the ground truth matches is matched to its transaction.
    const truth = first.view.groundTruth!;
    expect(truth.matches.length).toBeGreaterThanOrEqual(8);
    const response = await fetch(`${first.sandbox.urls.stitcher}/users/ci-past/orders`);
    const { orders } = (await response.json()) as {
      orders: { orderId: string; stitch: { status: string; transactionId?: string } }[];
    };
    for (const match of truth.matches)
      expect(orders.find((o) => o.orderId === match.orderId)?.stitch, match.orderId).toMatchObject({
        status: 'matched',
        transactionId: match.transactionId,
      });
  });
});
