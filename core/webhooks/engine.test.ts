import { describe, expect, it } from 'vitest';
import { ScopedClock, VirtualClock } from '../clock';
import {
  ATELIO_SECRET,
  ATOMIC_SECRET,
  HOUR,
  MINUTE,
  SECOND,
  START,
  atelioTransaction,
  atomicEnvelope,
  drain,
  engineOn,
  hmacHex,
  receiver,
  timed,
} from '../../test/support/webhook-fixtures';

const fail500 = () => ({ status: 500, body: '{"error":"boom"}' });
const ok200 = () => ({ status: 200 });

/** Splits `t=..,v1=..` without the engine's own parser. */
const bondParts = (header: unknown) => {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!match) throw new Error(`not a Bond-Signature: ${String(header)}`);
  return { t: Number(match[1]), v1: match[2]! };
};

describe('Atomic delivery', () => {
  it('POSTs the JSON body with CloudEvents headers and an X-HMAC-Signature-Sha-256 that verifies over the raw bytes', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const body = atomicEnvelope();

    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body,
      targets: [{ id: 'ep-1', url: `${hook.url}/hooks/atomic`, secret: ATOMIC_SECRET }],
    });
    // Logged at once, delivered later: the publisher never waits for the receiver.
    expect(engine.log.get(id!)).toMatchObject({ status: 'pending', targets: [{ attempts: [] }] });
    expect(hook.requests).toHaveLength(0);

    await drain(clock, engine);
    const [request] = hook.requests;
    expect(request).toBeDefined();
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/hooks/atomic');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['ce-specversion']).toBe('1.0');
    expect(request!.headers['ce-source']).toBe('com.atomicfi');
    expect(request!.headers['ce-type']).toBe('com.atomicfi.task-status-updated');
    expect(request!.headers['ce-time']).toBe(body.eventTime);
    expect(request!.headers['ce-id']).toBe(id);
    expect(request!.headers['x-hmac-signature-sha-256']).toBe(hmacHex(ATOMIC_SECRET, request!.raw));
    expect(request!.headers['bond-signature']).toBeUndefined();
    expect(JSON.parse(request!.raw.toString('utf8'))).toEqual(body);

    const logged = engine.log.get(id!)!;
    expect(logged.status).toBe('delivered');
    expect(logged.targets[0]!.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        kind: 'initial',
        time: new Date(START).toISOString(),
        ok: true,
        statusCode: 200,
        url: `${hook.url}/hooks/atomic`,
        signature: request!.headers['x-hmac-signature-sha-256'],
      }),
    ]);
    expect(logged.targets[0]!.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('takes ce-time from the publisher when given, else from the body, else from the clock', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const target = { id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET };
    engine.publish({
      vendor: 'atomic',
      eventType: 'x',
      body: atomicEnvelope(),
      targets: [target],
      time: START + 7,
    });
    await drain(clock, engine);
    engine.publish({ vendor: 'atomic', eventType: 'x', body: atomicEnvelope(), targets: [target] });
    await drain(clock, engine);
    engine.publish({ vendor: 'atomic', eventType: 'x', body: { no: 'time' }, targets: [target] });
    await drain(clock, engine);
    expect(hook.requests.map((r) => r.headers['ce-time'])).toEqual([
      new Date(START + 7).toISOString(),
      atomicEnvelope().eventTime,
      new Date(START).toISOString(),
    ]);
  });

  it('sends one event to several endpoints with one ce-id and one body, each signed with its own secret', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const first = await receiver();
    const second = await receiver();
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'pay-link-accounts-updated',
      body: atomicEnvelope({ eventType: 'pay-link-accounts-updated' }),
      targets: [
        { id: 'ep-1', url: first.url, secret: 'secret-one' },
        { id: 'ep-2', url: second.url, secret: 'secret-two' },
      ],
    });
    await drain(clock, engine);
    const [a, b] = [first.requests[0]!, second.requests[0]!];
    expect(a.headers['ce-id']).toBe(id);
    expect(b.headers['ce-id']).toBe(id);
    expect(a.raw.equals(b.raw)).toBe(true);
    expect(a.headers['x-hmac-signature-sha-256']).toBe(hmacHex('secret-one', a.raw));
    expect(b.headers['x-hmac-signature-sha-256']).toBe(hmacHex('secret-two', b.raw));
    expect(a.headers['x-hmac-signature-sha-256']).not.toBe(b.headers['x-hmac-signature-sha-256']);
  });

  it('retries 3 times, 30 s apart on the virtual clock, with the same ce-id and signature, then marks the event failed', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const seen: number[] = [];
    const hook = await receiver(timed(clock, seen, fail500));
    const settled: string[] = [];
    engine.events.on('settled', (e) => settled.push(`${e.eventId}:${e.status}`));

    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);

    expect(seen).toEqual([0, 30 * SECOND, 60 * SECOND, 90 * SECOND]);
    expect(new Set(hook.requests.map((r) => r.headers['ce-id']))).toEqual(new Set([id]));
    expect(new Set(hook.requests.map((r) => r.headers['x-hmac-signature-sha-256']))).toEqual(
      new Set([hmacHex(ATOMIC_SECRET, hook.requests[0]!.raw)]),
    );
    const logged = engine.log.get(id!)!;
    expect(logged.status).toBe('failed');
    expect(logged.targets[0]!.attempts.map((a) => [a.attempt, a.kind, a.statusCode, a.ok])).toEqual([
      [1, 'initial', 500, false],
      [2, 'retry', 500, false],
      [3, 'retry', 500, false],
      [4, 'retry', 500, false],
    ]);
    expect(logged.targets[0]!.attempts[0]!.responseSnippet).toBe('{"error":"boom"}');
    expect(settled).toEqual([`${id}:failed`]);
    expect(clock.pending).toBe(0);
  });

  it('treats any 2xx as delivered (204 No Content)', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver(() => ({ status: 204 }));
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);
    expect(engine.log.get(id!)!.status).toBe('delivered');
    expect(hook.requests).toHaveLength(1);
  });

  it('still delivers to a receiver that is down (connection refused) for the first attempt and 2 of 3 retries', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const seen: number[] = [];
    const hook = await receiver(timed(clock, seen, ok200));
    await hook.goDown();
    clock.setTimeout(() => void clock.track(hook.comeUp()), 75 * SECOND);

    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);

    const attempts = engine.log.get(id!)!.targets[0]!.attempts;
    expect(attempts.map((a) => a.time)).toEqual(
      [0, 30, 60, 90].map((s) => new Date(START + s * SECOND).toISOString()),
    );
    expect(attempts.slice(0, 3).every((a) => /connection refused/.test(a.error ?? ''))).toBe(true);
    expect(attempts[3]).toMatchObject({ ok: true, statusCode: 200, kind: 'retry' });
    expect(seen).toEqual([90 * SECOND]);
    expect(hook.requests[0]!.headers['ce-id']).toBe(id);
    expect(engine.log.get(id!)!.status).toBe('delivered');
  });

  it('counts a 429 as a failure and keeps to the fixed 30 s schedule whatever Retry-After says', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const seen: number[] = [];
    const hook = await receiver(
      timed(clock, seen, (r) =>
        r.index === 0
          ? { status: 429, headers: { 'retry-after': '1' }, body: '{"error":"slow down"}' }
          : { status: 200 },
      ),
    );
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);
    expect(seen).toEqual([0, 30 * SECOND]);
    expect(engine.log.get(id!)!.targets[0]!.attempts.map((a) => a.statusCode)).toEqual([429, 200]);
    expect(engine.log.get(id!)!.status).toBe('delivered');
  });

  it('gives up on an attempt that hangs past the timeout, records it as a timeout, and retries', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { timeoutMs: 150 });
    const hook = await receiver((r) => (r.index === 0 ? 'hang' : { status: 200 }));
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);
    const [first, second] = engine.log.get(id!)!.targets[0]!.attempts;
    expect(first).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^timeout: no complete answer within 150 ms/),
    });
    expect(first!.statusCode).toBeUndefined();
    expect(first!.latencyMs).toBeGreaterThanOrEqual(140);
    expect(second).toMatchObject({
      ok: true,
      statusCode: 200,
      time: new Date(START + 30 * SECOND).toISOString(),
    });
  });

  it('records a connection reset as a failed attempt and retries', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver((r) => (r.index === 0 ? 'reset' : { status: 200 }));
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);
    const [first, second] = engine.log.get(id!)!.targets[0]!.attempts;
    expect(first).toMatchObject({ ok: false, error: expect.stringMatching(/^connection reset/) });
    expect(second).toMatchObject({ ok: true, statusCode: 200 });
    expect(hook.requests).toHaveLength(2);
  });

  it('keeps an event whose endpoint never answers (closed port) as failed, and redelivers it once the endpoint is back', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    await hook.goDown();
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
    });
    await drain(clock, engine);
    expect(engine.log.list({ status: 'failed' }).map((e) => e.id)).toEqual([id]);
    const failedAttempts = engine.log.get(id!)!.targets[0]!.attempts;
    expect(failedAttempts).toHaveLength(4);
    expect(failedAttempts.every((a) => /^connection refused \(ECONNREFUSED/.test(a.error ?? ''))).toBe(true);

    await hook.comeUp();
    await clock.advance(10 * MINUTE);
    engine.redeliver(id!);
    await drain(clock, engine);

    const logged = engine.log.get(id!)!;
    expect(logged.status).toBe('delivered');
    expect(logged.targets[0]!.attempts[4]).toMatchObject({
      attempt: 5,
      kind: 'redelivery',
      ok: true,
      time: new Date(START + 90 * SECOND + 10 * MINUTE).toISOString(),
    });
    // Same event to the receiver: same ce-id and, with no timestamp signed, the same signature.
    const [request] = hook.requests;
    expect(request!.headers['ce-id']).toBe(id);
    expect(request!.headers['x-hmac-signature-sha-256']).toBe(failedAttempts[0]!.signature);
  });
});

describe('Atelio delivery', () => {
  it('signs with the real send time by default, whatever virtual time the attempt is made at', async () => {
    // A run's timeline years in the past: a receiver checks t against its own wall clock.
    const clock = new VirtualClock(START - 400 * 24 * HOUR);
    const engine = engineOn(clock);
    const hook = await receiver(() => ({ status: 200 }));
    const body = atelioTransaction();
    engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body,
      targets: [{ id: 'sub-1', url: hook.url, secret: ATELIO_SECRET }],
    });
    const before = Math.floor(Date.now() / 1000);
    await drain(clock, engine);
    const after = Math.floor(Date.now() / 1000);
    const { t, v1 } = bondParts(hook.requests[0]!.headers['bond-signature']);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    expect(v1).toBe(hmacHex(ATELIO_SECRET, `${t}.`, hook.requests[0]!.raw));
    // The body keeps the run's own time.
    expect(JSON.parse(hook.requests[0]!.raw.toString('utf8'))).toEqual(body);
  });

  it('signs each attempt with Bond-Signature t=<send time>,v1=HMAC("t.body") that verifies over the raw bytes', async () => {
    const clock = new VirtualClock(START + 1_750);
    // The signing clock follows the virtual clock here, so send times are known exactly.
    const engine = engineOn(clock, { signingClock: () => clock.now() });
    const hook = await receiver(() => ({ status: 201 }));
    const body = atelioTransaction();
    const id = engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body,
      targets: [{ id: 'sub-1', url: `${hook.url}/hooks/atelio`, secret: ATELIO_SECRET }],
    });
    await drain(clock, engine);

    const [request] = hook.requests;
    expect(request!.headers['content-type']).toBe('application/json');
    const { t, v1 } = bondParts(request!.headers['bond-signature']);
    expect(t).toBe(Math.floor((START + 1_750) / 1000));
    expect(v1).toBe(hmacHex(ATELIO_SECRET, `${t}.`, request!.raw));
    expect(request!.headers['x-hmac-signature-sha-256']).toBeUndefined();
    expect(request!.headers['ce-id']).toBeUndefined();
    expect(JSON.parse(request!.raw.toString('utf8'))).toEqual(body);
    expect(engine.log.get(id!)).toMatchObject({
      status: 'delivered',
      eventTime: new Date(body.occurred_at).toISOString(),
      targets: [
        {
          kind: 'subscription',
          attempts: [{ statusCode: 201, signature: request!.headers['bond-signature'] }],
        },
      ],
    });
  });

  it('retries 8 times on the documented backoff (5 s … 24 h), re-signing each attempt, all within 3 days', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { signingClock: () => clock.now() });
    const seen: number[] = [];
    const hook = await receiver(timed(clock, seen, fail500));
    const id = engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body: atelioTransaction(),
      targets: [{ id: 'sub-1', url: hook.url, secret: ATELIO_SECRET }],
    });
    await drain(clock, engine);

    const delays = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 24 * HOUR];
    const expected = delays.reduce((times, delay) => [...times, times[times.length - 1]! + delay], [0]);
    expect(seen).toEqual(expected);
    expect(seen).toHaveLength(9);
    expect(seen[8]).toBeLessThan(72 * HOUR);

    const headers = hook.requests.map((r) => bondParts(r.headers['bond-signature']));
    expect(headers.map((h) => h.t)).toEqual(expected.map((offset) => Math.floor((START + offset) / 1000)));
    hook.requests.forEach((r, i) =>
      expect(headers[i]!.v1).toBe(hmacHex(ATELIO_SECRET, `${headers[i]!.t}.`, r.raw)),
    );
    expect(new Set(headers.map((h) => h.v1)).size).toBe(9);
    expect(engine.log.get(id!)!.status).toBe('failed');
  });

  it('counts 202 Accepted as a failure (only 200 and 201 succeed)', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver(() => ({ status: 202 }));
    const id = engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body: atelioTransaction(),
      targets: [{ id: 'sub-1', url: hook.url, secret: ATELIO_SECRET }],
    });
    await drain(clock, engine);
    const logged = engine.log.get(id!)!;
    expect(logged.status).toBe('failed');
    expect(logged.targets[0]!.attempts.map((a) => a.statusCode)).toEqual(Array(9).fill(202));
  });

  it('re-signs a redelivery with the time it is sent, over the same bytes', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { signingClock: () => clock.now() });
    const hook = await receiver();
    const id = engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body: atelioTransaction(),
      targets: [{ id: 'sub-1', url: hook.url, secret: ATELIO_SECRET }],
    });
    await drain(clock, engine);
    await clock.advance(2 * HOUR);
    const queued = engine.redeliver(id!);
    expect(queued.status).toBe('delivered'); // already received once; a resend does not undo that
    await drain(clock, engine);

    const [first, second] = hook.requests;
    expect(second!.raw.equals(first!.raw)).toBe(true);
    const [a, b] = [
      bondParts(first!.headers['bond-signature']),
      bondParts(second!.headers['bond-signature']),
    ];
    expect(b.t - a.t).toBe(2 * 3600);
    expect(b.v1).toBe(hmacHex(ATELIO_SECRET, `${b.t}.`, second!.raw));
    expect(engine.log.get(id!)!.targets[0]!.attempts.map((x) => [x.attempt, x.kind])).toEqual([
      [1, 'initial'],
      [2, 'redelivery'],
    ]);
  });
});

describe('the bytes on the wire', () => {
  it('are exactly the signed string, for a pre-serialised body with unusual spacing, key order and non-ASCII text', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock);
    const hook = await receiver();
    const atomicText =
      '{ "z":1,  "eventType" : "task-status-updated", "note":"Crème brûlée ☕ \\u00e9", "a":[ ] }';
    const atelioText =
      '{"event":"transactions","occurred_at":"2024-10-20T18:00:00+00:00","merchant":"Café Zoë"}\n';
    const atomicId = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicText,
      targets: [{ id: 'ep-1', url: `${hook.url}/a`, secret: ATOMIC_SECRET }],
    });
    engine.publish({
      vendor: 'atelio',
      eventType: 'transactions',
      body: atelioText,
      targets: [{ id: 'sub-1', url: `${hook.url}/b`, secret: ATELIO_SECRET }],
    });
    await drain(clock, engine);

    const atomic = hook.requests.find((r) => r.path === '/a')!;
    const atelio = hook.requests.find((r) => r.path === '/b')!;
    expect(atomic.raw.equals(Buffer.from(atomicText, 'utf8'))).toBe(true);
    expect(atelio.raw.equals(Buffer.from(atelioText, 'utf8'))).toBe(true);
    expect(atomic.headers['content-length']).toBe(String(Buffer.byteLength(atomicText)));
    expect(atomic.headers['x-hmac-signature-sha-256']).toBe(hmacHex(ATOMIC_SECRET, atomic.raw));
    const { t, v1 } = bondParts(atelio.headers['bond-signature']);
    expect(v1).toBe(hmacHex(ATELIO_SECRET, `${t}.`, atelio.raw));
    expect(engine.log.get(atomicId!)!.body).toBe(atomicText);
  });
});

describe('isolation between receivers', () => {
  it('a hanging receiver does not delay delivery to another endpoint', async () => {
    const clock = new VirtualClock(START);
    const engine = engineOn(clock, { timeoutMs: 20_000, concurrencyPerTarget: 1 });
    const stuck = await receiver(() => 'hang');
    const healthy = await receiver();
    let healthyAttempts = 0;
    const healthyDone = new Promise<void>((resolve) =>
      engine.events.on('attempt', (e) => {
        if (e.targetId === 'healthy' && ++healthyAttempts === 2) resolve();
      }),
    );
    const id = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [
        { id: 'stuck', url: stuck.url, secret: ATOMIC_SECRET },
        { id: 'healthy', url: healthy.url, secret: ATOMIC_SECRET },
      ],
    });
    // Published second, to the healthy endpoint only: it must not queue behind the stuck one either.
    const second = engine.publish({
      vendor: 'atomic',
      eventType: 'task-status-updated',
      body: atomicEnvelope(),
      targets: [{ id: 'healthy', url: healthy.url, secret: ATOMIC_SECRET }],
    });
    await stuck.waitForRequests(1);
    await healthyDone; // both events reached the healthy endpoint while the stuck one still hangs
    const whileStuck = engine.log.get(id!)!;
    expect(whileStuck.targets.find((t) => t.id === 'healthy')!.status).toBe('delivered');
    expect(whileStuck.targets.find((t) => t.id === 'stuck')).toMatchObject({
      status: 'pending',
      attempts: [],
    });
    expect(whileStuck.status).toBe('pending');

    stuck.releaseHanging();
    await drain(clock, engine);
    expect(engine.log.get(id!)!.status).toBe('delivered');
    expect(engine.log.get(second!)!.status).toBe('delivered');
  });

  it('bounds attempts in flight per endpoint and queues the rest', async () => {
    const clock = new VirtualClock(START);
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: (() => void)[] = [];
    const fetchStub: typeof fetch = (_url, init) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise<Response>((resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
        releases.push(() => {
          inFlight--;
          resolve(new Response('ok', { status: 200 }));
        });
      });
    };
    const engine = engineOn(clock, { concurrencyPerTarget: 2, fetch: fetchStub });
    const ids = Array.from({ length: 5 }, () =>
      engine.publish({
        vendor: 'atomic',
        eventType: 'task-status-updated',
        body: atomicEnvelope(),
        targets: [{ id: 'ep-1', url: 'http://127.0.0.1:9/unused', secret: ATOMIC_SECRET }],
      }),
    );
    let released = 0;
    while (released < 5) {
      await new Promise((resolve) => setImmediate(resolve));
      const next = releases.shift();
      if (next) {
        expect(inFlight).toBeLessThanOrEqual(2);
        next();
        released++;
      }
    }
    await drain(clock, engine);
    expect(maxInFlight).toBe(2);
    expect(ids.map((id) => engine.log.get(id!)!.status)).toEqual(Array(5).fill('delivered'));
  });
});

describe('clock scoping', () => {
  it('runs retries on the clock in scope when the event was published (a scenario run’s own timeline)', async () => {
    const base = new VirtualClock(0);
    const run = new VirtualClock(START);
    const scoped = new ScopedClock(base);
    const engine = engineOn(scoped);
    const seen: number[] = [];
    const hook = await receiver(timed(run, seen, fail500));
    const id = scoped.runWith(run, () =>
      engine.publish({
        vendor: 'atomic',
        eventType: 'task-status-updated',
        body: atomicEnvelope(),
        targets: [{ id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET }],
      }),
    );
    await run.runUntilIdle();
    await engine.idle();
    expect(seen).toEqual([0, 30 * SECOND, 60 * SECOND, 90 * SECOND]);
    expect(base.pending).toBe(0);
    expect(base.now()).toBe(0);
    expect(engine.log.get(id!)!.createdAt).toBe(new Date(START).toISOString());
  });

  it('keeps a queued attempt on its own run’s clock even when another scope’s attempt frees the slot', async () => {
    const base = new VirtualClock(0);
    const run = new VirtualClock(START);
    const scoped = new ScopedClock(base);
    const engine = engineOn(scoped, { concurrencyPerTarget: 1, timeoutMs: 20_000 });
    const hook = await receiver((r) => (r.index === 0 ? 'hang' : { status: 500 }));
    const target = { id: 'ep-1', url: hook.url, secret: ATOMIC_SECRET };
    const publish = () =>
      engine.publish({
        vendor: 'atomic',
        eventType: 'task-status-updated',
        body: atomicEnvelope(),
        targets: [target],
      });

    const outside = publish(); // base scope; its attempt hangs and holds the only slot
    await hook.waitForRequests(1);
    const inRun = scoped.runWith(run, publish); // queued behind it
    hook.releaseHanging();
    await run.runUntilIdle();

    expect(engine.log.get(outside!)!.status).toBe('delivered');
    expect(base.pending).toBe(0);
    expect(engine.log.get(inRun!)!.targets[0]!.attempts.map((a) => a.time)).toEqual(
      [0, 30, 60, 90].map((s) => new Date(START + s * SECOND).toISOString()),
    );
  });
});
