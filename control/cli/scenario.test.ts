import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseChaosShorthand } from '../../core/webhooks';
import type { RunView } from '../../scenarios';
import { startSandbox, type Sandbox } from '../platform';
import { registerScenarioCommands } from './scenario';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await sandbox?.stop();
  sandbox = undefined;
});

describe('scenario run --chaos', () => {
  it('reads kind[:probability[:ms]]', () => {
    expect(parseChaosShorthand('duplicate:0.2')).toEqual({ kind: 'duplicate', probability: 0.2 });
    expect(parseChaosShorthand('drop')).toEqual({ kind: 'drop' });
    expect(parseChaosShorthand('reorder:1:3600000')).toEqual({
      kind: 'reorder',
      probability: 1,
      windowMs: 3_600_000,
    });
    expect(parseChaosShorthand('delay')).toEqual({ kind: 'delay', delayMs: 60_000 });
    expect(() => parseChaosShorthand('explode:0.5')).toThrow(
      /kind must be one of duplicate, reorder, delay, lost-ack, drop/,
    );
    expect(() => parseChaosShorthand('drop:2')).toThrow(/probability must be between 0 and 1/);
  });

  it('runs a scenario on a running platform with the chaos rules for that run', async () => {
    sandbox = await startSandbox({ ports: 0, env: {}, seed: 2 });
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerScenarioCommands(program);
    await program.parseAsync(
      [
        'scenario',
        'run',
        'multi-settlement',
        '--identifier',
        'cli-chaos',
        '--chaos',
        'duplicate:1',
        '--chaos',
        'lost-ack:0.5',
        '--control-url',
        sandbox.urls.control,
        '--json',
      ],
      { from: 'user' },
    );
    const view = JSON.parse(printed.join('')) as RunView;
    expect(view.status).toBe('completed');
    expect(view.options.chaos?.map((r) => r.kind)).toEqual(['duplicate', 'lost-ack']);
    await sandbox.engine.idle();
    const atelio = sandbox.engine.log.list({ vendor: 'atelio' });
    expect(atelio.length).toBeGreaterThan(0);
    for (const event of atelio)
      for (const target of event.targets)
        expect(target.attempts.some((a) => a.kind === 'duplicate')).toBe(true);
  });
});
