import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RealClock } from '../core/clock';
import { UnknownScenarioError } from './loader';
import { RunOptionsError, type ScenarioRunnerEvents } from './runner';
import { createScenarioPlatform, type ScenarioPlatform } from './testing';

const dir = mkdtempSync(join(tmpdir(), 'scenario-runner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, steps: string): void {
  writeFileSync(
    join(dir, `${name}.yaml`),
    `version: 1\nname: ${name}\ndescription: ${name}\nsteps:\n${steps}`,
  );
}

scenario(
  'purchase',
  `
  - name: customer
    type: create-customer
    lastFour: "4242"
  - name: buy
    type: authorize
    after: +1h
    card: \${customer.cardId}
    amount: "12.34"
    merchant: starbucks
  - name: settle
    type: settle
    after: +1d
    transaction: \${buy.transactionId}
`,
);
scenario(
  'broken-expectation',
  `
  - name: customer
    type: create-customer
  - name: check
    type: expect
    value: \${customer.customerId}
    equals: someone-else
`,
);
scenario(
  'bad-reference-value',
  `
  - name: customer
    type: create-customer
  - name: buy
    type: authorize
    card: \${customer.cardId}
    amount: \${customer.lastName}
    merchant: starbucks
`,
);
scenario(
  'slow',
  `
  - name: token
    type: access-token
    cards: [{ lastFour: "4242" }]
  - name: connect
    type: connect-account
    generateOrders: { count: 2, days: 10 }
  - name: later
    type: wait
    after: +2s
`,
);
scenario(
  'hour-long',
  `
  - name: start
    type: wait
  - name: an-hour-later
    type: wait
    at: +1h
`,
);
scenario(
  'chaotic-purchase',
  `
  - name: customer
    type: create-customer
    lastFour: "4242"
  - name: first
    type: authorize
    after: +1h
    card: \${customer.cardId}
    amount: "10.00"
    merchant: starbucks
  - name: from-here
    type: chaos
    rules:
      - kind: drop
        vendor: atelio
  - name: second
    type: authorize
    after: +1h
    card: \${customer.cardId}
    amount: "20.00"
    merchant: starbucks
  - name: stop-it
    type: chaos
    clear: true
  - name: third
    type: authorize
    after: +1h
    card: \${customer.cardId}
    amount: "30.00"
    merchant: starbucks
`,
);

const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

async function platform(
  options: Parameters<typeof createScenarioPlatform>[0] = {},
): Promise<ScenarioPlatform> {
  const created = await createScenarioPlatform({ scenarioDirs: [dir], ...options });
  platforms.push(created);
  return created;
}

describe('start', () => {
  it('refuses an unknown scenario, listing the valid names', async () => {
    const p = await platform({ receiver: false });
    expect(() => p.runner.start('multi-setlement')).toThrow(UnknownScenarioError);
    expect(() => p.runner.start('multi-setlement')).toThrow(
      /unknown scenario "multi-setlement"; valid scenarios: .*amazon-order-stitching.*multi-settlement.*order-monitoring/,
    );
  });

  it('refuses bad options, naming each', async () => {
    const p = await platform({ receiver: false });
    expect(() => p.runner.start('purchase', { speed: 0 })).toThrow(RunOptionsError);
    expect(() => p.runner.start('purchase', { identifier: 'has space' })).toThrow(
      /identifier: identifier must be 1-200 visible ASCII/,
    );
    expect(() => p.runner.start('purchase', { startTime: 'yesterday' })).toThrow(/startTime/);
    expect(() => p.runner.start('purchase', { colour: 'red' } as never)).toThrow(/colour/);
  });

  it('refuses an identifier that already has data, and picks a fresh default one', async () => {
    const p = await platform({ receiver: false });
    const first = await p.runner.start('purchase', { seed: 5 }).done;
    expect(first.options.identifier).toBe('purchase-5');
    const second = await p.runner.start('purchase', { seed: 5 }).done;
    expect(second.options.identifier).toBe('purchase-5-2');
    expect(second.status).toBe('completed');
    expect(() => p.runner.start('purchase', { identifier: 'purchase-5' })).toThrow(
      /identifier purchase-5 already has data on this platform/,
    );
  });

  it('returns at once and reports progress as events, in order', async () => {
    const p = await platform();
    const seen: string[] = [];
    const names: (keyof ScenarioRunnerEvents)[] = [
      'run-started',
      'step-started',
      'step-completed',
      'webhook',
      'run-completed',
      'run-failed',
    ];
    for (const name of names)
      p.runner.events.on(name, (e) => seen.push('step' in e && e.step ? `${name}:${e.step}` : name));
    const run = p.runner.start('purchase', { identifier: 'u-events' });
    expect(run.status).toBe('running');
    const view = await run.done;
    expect(seen).toEqual([
      'run-started',
      'step-started:customer',
      'step-completed:customer',
      'step-started:buy',
      'webhook:buy',
      'step-completed:buy',
      'step-started:settle',
      'webhook:settle',
      'step-completed:settle',
      'run-completed',
    ]);
    expect(p.runner.get(run.id)?.toJSON()).toEqual(view);
    expect(p.runner.runs().map((r) => r.id)).toEqual([run.id]);
    expect(JSON.parse(JSON.stringify(run))).toEqual(view);
  });
});

describe('a run', () => {
  it('keeps a timeline of steps at virtual times with their results and webhooks', async () => {
    const p = await platform();
    const view = await p.runner.start('purchase', {
      identifier: 'u-timeline',
      startTime: '2024-05-01T08:00:00Z',
    }).done;
    expect(view.timeline.map((e) => [e.step, e.at, e.offset, e.status, e.webhooks.length])).toEqual([
      ['customer', '2024-05-01T08:00:00.000Z', '+0s', 'completed', 0],
      ['buy', '2024-05-01T09:00:00.000Z', '+1h', 'completed', 1],
      ['settle', '2024-05-02T09:00:00.000Z', '+1d1h', 'completed', 1],
    ]);
    expect(view.timeline[1]!.result).toMatchObject({ state: 'pending', amount: '-12.34' });
    expect(view.timeline[1]!.webhooks[0]).toMatchObject({
      vendor: 'atelio',
      eventType: 'transactions',
      targets: 1,
    });
    expect(view.virtualNow).toBe('2024-05-02T09:00:00.000Z');
    expect(p.engine.log.get(view.timeline[2]!.webhooks[0]!.eventId!)?.status).toBe('delivered');
  });

  it('fails at a failed expectation, naming the step and what differed', async () => {
    const p = await platform({ receiver: false });
    const failures: ScenarioRunnerEvents['run-failed'][] = [];
    p.runner.events.on('run-failed', (e) => failures.push(e));
    const view = await p.runner.start('broken-expectation', { identifier: 'u-check' }).done;
    expect(view.status).toBe('failed');
    expect(view.error).toEqual({
      step: 'check',
      message:
        'step "check" (steps[1]) failed: expectation failed: value: expected "someone-else", got "u-check"',
    });
    expect(view.timeline[1]).toMatchObject({ step: 'check', status: 'failed', error: view.error!.message });
    expect(failures).toHaveLength(1);
  });

  it('checks a referenced value against the step schema when the step runs', async () => {
    const p = await platform({ receiver: false });
    const view = await p.runner.start('bad-reference-value', { identifier: 'u-ref' }).done;
    expect(view.status).toBe('failed');
    expect(view.error?.message).toMatch(/^step "buy" \(steps\[1\]\) field "amount": /);
  });

  it('plays out webhook retries on its own clock before it ends', async () => {
    const p = await platform();
    p.receiver!.setReply(() => ({ status: 503 }));
    const view = await p.runner.start('purchase', {
      identifier: 'u-retry',
      startTime: '2024-05-01T08:00:00Z',
    }).done;
    expect(view.status).toBe('completed');
    const event = p.engine.log.get(view.timeline[1]!.webhooks[0]!.eventId!)!;
    expect(event.status).toBe('failed');
    // Atelio's nine attempts, the last 55 h 35 min 5 s after the first, all on the run's timeline.
    const times = event.targets[0]!.attempts.map(
      (a) => Date.parse(a.time) - Date.parse('2024-05-01T09:00:00Z'),
    );
    expect(times).toEqual([
      0, 5_000, 305_000, 2_105_000, 9_305_000, 27_305_000, 63_305_000, 113_705_000, 200_105_000,
    ]);
    expect(Date.parse(view.virtualNow)).toBeGreaterThanOrEqual(
      Date.parse('2024-05-01T09:00:00Z') + 200_105_000,
    );
    await p.engine.idle();
  });
});

describe('delivery chaos', () => {
  it('applies a chaos step to the run’s own deliveries from that step on, until cleared, and removes it at the end', async () => {
    const p = await platform();
    const view = await p.runner.start('chaotic-purchase', { identifier: 'u-chaos' }).done;
    expect(view.status).toBe('completed');
    const statusOf = (step: string) =>
      p.engine.log.get(view.timeline.find((e) => e.step === step)!.webhooks[0]!.eventId!)!;
    expect(statusOf('first').status).toBe('delivered');
    expect(statusOf('second').status).toBe('dropped');
    expect(statusOf('second').targets[0]!.dropReason).toMatch(/^chaos rule chaos_\d+: drop$/);
    expect(statusOf('third').status).toBe('delivered');
    expect(view.timeline.find((e) => e.step === 'stop-it')!.result).toEqual({ rules: [], cleared: 1 });
    expect(p.engine.chaos.list()).toEqual([]);
  });

  it('takes chaos rules as a run option, touching only the run’s user, for the whole run', async () => {
    const p = await platform();
    const other = p.engine.chaos.add({ kind: 'delay', delayMs: 1000, user: 'someone-else' });
    const view = await p.runner.start('purchase', {
      identifier: 'u-chaos-option',
      chaos: [{ kind: 'duplicate', vendor: 'atelio', delayMs: 60_000 }],
    }).done;
    expect(view.options.chaos).toEqual([
      { kind: 'duplicate', vendor: 'atelio', delayMs: 60_000, probability: 1, seed: 0 },
    ]);
    const event = p.engine.log.get(view.timeline[1]!.webhooks[0]!.eventId!)!;
    expect(event.targets[0]!.attempts.map((a) => a.kind)).toEqual(['initial', 'duplicate']);
    expect(event.targets[0]!.chaos).toEqual([
      { ruleId: expect.stringMatching(/^chaos_/), kind: 'duplicate' },
    ]);
    // The run's rule is gone; a rule added by someone else stays.
    expect(p.engine.chaos.list().map((r) => r.id)).toEqual([other.id]);
    expect(() => p.runner.start('purchase', { chaos: [{ kind: 'explode' }] } as never)).toThrow(
      RunOptionsError,
    );
  });
});

describe('speed', () => {
  it('paces a run at N times real time, tasks included', async () => {
    const p = await platform({ base: new RealClock(), receiver: false });
    const started = performance.now();
    // 5.2 s of connect task (login at 3 s, a 2.2 s fetch of 2 orders) and 2 s of waiting at 80x: about 90 ms.
    const view = await p.runner.start('slow', { identifier: 'u-slow', speed: 80 }).done;
    const elapsed = performance.now() - started;
    expect(view.status).toBe('completed');
    expect(Date.parse(view.virtualNow) - Date.parse(view.options.startTime)).toBe(7_200);
    // Paced, not instant (7.2 s / 80 = 90 ms at least) and not real time (7.2 s): the bounds tell the modes apart.
    expect(elapsed).toBeGreaterThanOrEqual(85);
    expect(elapsed).toBeLessThan(6_000);
  });

  it('stops a paced run when cancelled', async () => {
    const p = await platform({ base: new RealClock(), receiver: false });
    const run = p.runner.start('hour-long', { identifier: 'u-cancel', speed: 1 });
    const started = performance.now();
    const view = await run.cancel();
    // Far less than the hour the run would take: cancelling does not wait for the next step.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(view.status).toBe('cancelled');
    expect(view.timeline.map((e) => e.step)).not.toContain('an-hour-later');
  });

  it('runs instantly by default', async () => {
    const p = await platform({ base: new RealClock(), receiver: false });
    const started = performance.now();
    const view = await p.runner.start('hour-long', { identifier: 'u-instant' }).done;
    expect(view.options.speed).toBe('instant');
    expect(Date.parse(view.virtualNow) - Date.parse(view.options.startTime)).toBe(3_600_000);
    // A virtual hour without waiting for it (the bound only separates instant from real time).
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
