import type { Command } from 'commander';
import { runStitchCommand } from '../../stitcher';

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
