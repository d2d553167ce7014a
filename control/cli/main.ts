import { Command, CommanderError } from 'commander';
import { ConfigError } from '../../core/config';
import { registerInitCommand } from './init';
import { registerReplayCommand } from './replay';
import { registerScenarioCommands } from './scenario';
import { registerStartCommand } from './start';
import { registerStitchCommand } from './stitch';
import { registerVerifyPactCommand } from './verify-pact';

/** `stitch-sandbox` command line. Each command lives in its own module and registers itself here. */
export function buildProgram(): Command {
  const program = new Command()
    .name('stitch-sandbox')
    .description('Local mock platform and contract-test harness for Atomic and Atelio integrations')
    .showHelpAfterError()
    .exitOverride();
  registerStartCommand(program);
  registerScenarioCommands(program);
  registerReplayCommand(program);
  registerStitchCommand(program);
  registerVerifyPactCommand(program);
  registerInitCommand(program);
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
    await buildProgram().parseAsync(argv);
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
