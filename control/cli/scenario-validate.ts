import type { Command } from 'commander';
import { ScenarioFileError, loadScenarioFile } from '../../scenarios';

interface Writer {
  write(text: string): unknown;
}

/**
 * Checks scenario files with the engine's own loader, so the answer is exactly what `scenario run`
 * (or the control plane) would say: every problem, with the step and field it is in. Editors check
 * as you type against scenarios/scenario.schema.json; this also checks what JSON Schema cannot
 * (offset syntax, `at`/`after` order, references to earlier steps). Returns the exit code.
 */
export function validateScenarioFiles(files: readonly string[], out: Writer, err: Writer): number {
  let invalid = 0;
  for (const file of files) {
    try {
      const scenario = loadScenarioFile(file);
      out.write(`${file}: valid (scenario "${scenario.name}", ${scenario.steps.length} steps)\n`);
    } catch (error) {
      if (!(error instanceof ScenarioFileError)) throw error;
      invalid += 1;
      err.write(`${error.message}\n`);
    }
  }
  return invalid === 0 ? 0 : 1;
}

export function registerScenarioValidateCommand(scenario: Command): void {
  scenario
    .command('validate <files...>')
    .description('Check scenario files as the engine reads them: every problem, with its step and field')
    .action((files: string[]) => {
      process.exitCode = validateScenarioFiles(files, process.stdout, process.stderr);
    });
}
