import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../core/config';
import { parseChaosShorthand } from '../../core/webhooks';
import type { RunView, ScenarioSummary } from '../../scenarios';
import { answer, createControlClient, type StartRunBody } from '../client';
import { startSandbox } from '../platform';
import { registerScenarioValidateCommand } from './scenario-validate';
import { TimelinePrinter } from './timeline-printer';

interface RunFlags {
  seed?: string;
  speed?: string;
  identifier?: string;
  startTime?: string;
  record?: string;
  controlUrl?: string;
  webhookUrl?: string;
  controlToken?: string;
  chaos?: string[];
  json?: boolean;
}

/** The control token for a running platform: the flag, else STITCH_CONTROL_TOKEN. */
const controlToken = (flags: RunFlags): string | undefined => flags.controlToken ?? loadConfig().controlToken;

/** The delivery engine's per-attempt timeout (10 s for both vendors). */
const ATTEMPT_TIMEOUT_MS = 10_000;

const defaultControlUrl = () => {
  const config = loadConfig();
  return `http://${config.host}:${config.ports.control}`;
};

/** A running platform's control plane, or undefined when nothing answers there. */
async function reachControlPlane(url: string): Promise<string | undefined> {
  try {
    // Nothing listening is refused at once; the timeout only covers a platform that is busy (its
    // first answer on a loaded machine can take over half a second).
    const response = await fetch(`${url}/__sandbox/health`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? url : undefined;
  } catch {
    return undefined;
  }
}

function runOptions(flags: RunFlags): Omit<StartRunBody, 'record'> {
  const options: Omit<StartRunBody, 'record'> = {};
  if (flags.seed !== undefined) {
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new Error(`--seed must be a whole number >= 0, got ${flags.seed}`);
    options.seed = seed;
  }
  if (flags.speed !== undefined) {
    if (flags.speed === 'instant') options.speed = 'instant';
    else {
      const speed = Number(flags.speed);
      if (!(speed > 0)) throw new Error(`--speed must be "instant" or a number > 0, got ${flags.speed}`);
      options.speed = speed;
    }
  }
  if (flags.identifier !== undefined) options.identifier = flags.identifier;
  if (flags.startTime !== undefined) options.startTime = flags.startTime;
  if (flags.chaos?.length) options.chaos = flags.chaos.map(parseChaosShorthand);
  return options;
}

function printList(scenarios: ScenarioSummary[]): void {
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) {
    const firstSentence = s.description.split(/(?<=\.)\s/)[0] ?? '';
    process.stdout.write(`${s.name.padEnd(width)}  ${s.error ? `(invalid: ${s.error})` : firstSentence}\n`);
  }
}

export function registerScenarioCommands(program: Command): void {
  const scenario = program
    .command('scenario')
    .description('List and run scenarios (real-world stories on a virtual clock)');

  registerScenarioValidateCommand(scenario);

  scenario
    .command('list')
    .description('List the scenarios you can run')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const sandbox = await startSandbox({ ports: 0, stitcher: false });
      try {
        const scenarios = sandbox.scenarios.list();
        if (flags.json) process.stdout.write(`${JSON.stringify(scenarios, null, 2)}\n`);
        else printList(scenarios);
      } finally {
        await sandbox.stop();
      }
    });

  scenario
    .command('run <name>')
    .description(
      'Run a scenario on the platform at --control-url (default: the running one), or in a private in-process platform when none is running',
    )
    .option('--seed <n>', 'seed for the run (same seed, identifier and start time: same bytes)')
    .option('--speed <speed>', '"instant" (default) or N times real time (1 = real time)')
    .option('--identifier <id>', 'the user: Atomic identifier and Atelio customer_id')
    .option('--start-time <iso>', 'virtual start of the run (ISO 8601); default now')
    .option('--record <file>', 'write every webhook of the run to this NDJSON file (for `replay`)')
    .option(
      '--chaos <kind[:probability[:ms]]>',
      "delivery chaos for this run's webhooks: duplicate, reorder, delay, lost-ack or drop, e.g. duplicate:0.2 (repeatable; ms = delay or reorder window)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--control-url <url>', 'control plane of a running platform')
    .option('--control-token <token>', 'its control token (default STITCH_CONTROL_TOKEN)')
    .option('--webhook-url <url>', 'in-process platform only: also send the webhooks to this URL')
    .option('--json', 'print the final run as JSON instead of the timeline')
    .action(async (name: string, flags: RunFlags) => {
      const options = runOptions(flags);
      const printer = new TimelinePrinter(process.stdout);
      const controlUrl = await reachControlPlane(flags.controlUrl ?? defaultControlUrl());
      let final: RunView;
      if (controlUrl) {
        if (!flags.json) process.stdout.write(`Running ${name} on the platform at ${controlUrl}\n`);
        const control = createControlClient(controlUrl, { token: controlToken(flags) });
        const started = await answer(
          control.api.scenarios[':name'].runs.$post({
            param: { name },
            json: { ...options, ...(flags.record ? { record: true } : {}) },
          }),
        );
        const runId = { param: { runId: started.runId } };
        for (;;) {
          final = (await answer(control.api.runs[':runId'].$get(runId))) as RunView;
          if (!flags.json) printer.update(final);
          if (final.status !== 'running') break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        if (flags.record) {
          const response = await control.api.runs[':runId'].recording.$get(runId);
          if (!response.ok) throw new Error(`could not download the recording (${response.status})`);
          writeFileSync(flags.record, await response.text());
        }
      } else {
        if (flags.controlUrl) throw new Error(`no platform answers at ${flags.controlUrl}`);
        if (!flags.json)
          process.stdout.write(
            `No platform running; running ${name} in a private in-process platform (with the reference stitcher as receiver)\n`,
          );
        const sandbox = await startSandbox({
          ports: 0,
          ...(flags.webhookUrl ? { webhookUrl: flags.webhookUrl } : {}),
        });
        try {
          const run = sandbox.scenarios.start(name, {
            ...options,
            ...(flags.record ? { record: flags.record } : {}),
          });
          const off = flags.json
            ? () => undefined
            : sandbox.scenarios.events.on('step-completed', () => printer.update(run.toJSON()));
          final = await run.done;
          off();
          // Let deliveries in flight finish, but give a receiver that hangs only one attempt's
          // timeout: its retries wait on the platform clock and would keep the command alive for days.
          await Promise.race([
            sandbox.engine.idle(),
            new Promise((resolve) => setTimeout(resolve, ATTEMPT_TIMEOUT_MS).unref()),
          ]);
        } finally {
          await sandbox.stop();
        }
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
      else {
        printer.finish(final);
        if (flags.record) process.stdout.write(`Recorded to ${flags.record}\n`);
      }
      if (final.status !== 'completed') process.exitCode = 1;
    });
}
