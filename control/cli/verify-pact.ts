import type { Command } from 'commander';
import { formatReport, PactFileError, providerOf, readPact, verifyPact } from '../../contracts';

export interface VerifyPactFlags {
  seed?: string;
  replaceCredentials?: boolean;
}

interface Output {
  write(text: string): unknown;
}

/**
 * Verifies a consumer pact of the user's own against the mock its provider names (atomic or atelio)
 * and prints a readable report. Returns the exit code: 0 when every interaction is verified, else 1.
 * The Pact verifier prints its own detailed report while it runs; the summary comes after it.
 */
export async function runVerifyPact(
  file: string,
  flags: VerifyPactFlags,
  out: Output,
  err: Output,
): Promise<0 | 1> {
  let seed: number | undefined;
  if (flags.seed !== undefined) {
    seed = Number(flags.seed);
    if (!Number.isInteger(seed) || seed < 0) {
      err.write(`verify-pact: --seed must be a whole number >= 0, got ${flags.seed}\n`);
      return 1;
    }
  }
  try {
    const pact = readPact(file);
    out.write(
      `Verifying ${file} (consumer "${pact.consumer}", ${pact.interactions.length} interactions) ` +
        `against the ${providerOf(pact)} mock...\n`,
    );
    const report = await verifyPact({
      pactFile: file,
      ...(seed === undefined ? {} : { seed }),
      ...(flags.replaceCredentials ? { replaceCredentials: true } : {}),
    });
    out.write(`\n${formatReport(report)}`);
    return report.passed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof PactFileError)) throw error;
    err.write(`verify-pact: ${error.message}\n`);
    return 1;
  }
}

export function registerVerifyPactCommand(program: Command): void {
  program
    .command('verify-pact <file>')
    .description(
      'Verify your own consumer pact against the mock it names as provider (atomic or atelio): HTTP interactions and messages; exit code 0 when every interaction holds',
    )
    .option('--seed <n>', 'seed of the mock data (default 1)')
    .option('--replace-credentials', "send the sandbox's credentials instead of those recorded in the pact")
    .action(async (file: string, flags: VerifyPactFlags) => {
      process.exitCode = await runVerifyPact(file, flags, process.stdout, process.stderr);
    });
}
