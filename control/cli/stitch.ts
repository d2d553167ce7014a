import type { Command } from 'commander';
// The batch code alone (not the stitcher's index, which brings its HTTP service and database).
import { runStitchCommand } from '../../stitcher/batch-cli';

export function registerStitchCommand(program: Command): void {
  program
    .command('stitch <file>')
    .description(
      'Stitch a batch offline: reads {orders, transactions, cards} JSON (file or - for stdin), prints {matches, unmatched_orders, refunds}',
    )
    .action(async (file: string) => {
      await runStitchCommand(file, process.stdout);
    });
}
