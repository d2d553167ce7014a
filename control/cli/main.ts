import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../core/config-error';

type Register = (program: Command) => void;

/**
 * Each command lives in its own module and registers itself. Only the module of the command being
 * run is loaded: `stitch` needs the stitcher's batch code and nothing of the mocks, and loading
 * everything would add a good part of its run time on a small file. Help and unknown commands load
 * them all, in this order (the order help lists them in).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./start')).registerStartCommand,
  scenario: async () => (await import('./scenario')).registerScenarioCommands,
  replay: async () => (await import('./replay')).registerReplayCommand,
  stitch: async () => (await import('./stitch')).registerStitchCommand,
  'verify-pact': async () => (await import('./verify-pact')).registerVerifyPactCommand,
  init: async () => (await import('./init')).registerInitCommand,
};

/** `stitch-sandbox` command line, with every command, or only `command` when it is one of them. */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command()
    .name('stitch-sandbox')
    .description('Local mock platform and contract-test harness for Atomic and Atelio integrations')
    .showHelpAfterError()
    .exitOverride();
  const load = command !== undefined ? COMMANDS[command] : undefined;
  const registers = await Promise.all(load ? [load()] : Object.values(COMMANDS).map((l) => l()));
  for (const register of registers) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `stitch-sandbox scenario list | head`: the reader has what it wanted and went away; end quietly
  // as Unix tools do, instead of dying on the next write with an EPIPE stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`stitch-sandbox: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

await main(process.argv);
