import type { Command } from 'commander';
import { replayRecording } from '../../scenarios';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay <file>')
    .description(
      'Re-send a recorded run (NDJSON from `scenario run --record`) to any URL, re-signing Atelio deliveries',
    )
    .option('--to <url>', 'where to send every recorded webhook')
    .option('--atomic-to <url>', 'where to send the Atomic webhooks (overrides --to for them)')
    .option('--atelio-to <url>', 'where to send the Atelio webhooks (overrides --to for them)')
    .option('--atomic-secret <secret>', 'sign Atomic webhooks with this key instead of the recorded one')
    .option(
      '--atelio-secret <secret>',
      'sign Atelio webhooks with this whsec_ secret instead of the recorded one',
    )
    .option('--all-attempts', 'send every recorded attempt, retries included (default: each event once)')
    .action(
      async (
        file: string,
        flags: {
          to?: string;
          atomicTo?: string;
          atelioTo?: string;
          atomicSecret?: string;
          atelioSecret?: string;
          allAttempts?: boolean;
        },
      ) => {
        const atomicTo = flags.atomicTo ?? flags.to;
        const atelioTo = flags.atelioTo ?? flags.to;
        if (!atomicTo && !atelioTo)
          throw new Error('say where to send: --to URL, or --atomic-to / --atelio-to');
        const secrets = {
          ...(flags.atomicSecret ? { atomic: flags.atomicSecret } : {}),
          ...(flags.atelioSecret ? { atelio: flags.atelioSecret } : {}),
        };
        const result = await replayRecording(file, {
          to: { ...(atomicTo ? { atomic: atomicTo } : {}), ...(atelioTo ? { atelio: atelioTo } : {}) },
          secrets,
          attempts: flags.allAttempts ? 'all' : 'first',
        });
        for (const r of result.results) {
          process.stdout.write(
            `${r.status !== undefined && r.status < 300 ? '✓' : '✗'} ${r.vendor}:${r.eventType} → ${r.url} ${r.status ?? r.error ?? ''}\n`,
          );
        }
        process.stdout.write(
          `Sent ${result.sent}: ${result.ok} ok, ${result.failed} failed, ${result.skipped} skipped\n`,
        );
        if (result.failed > 0) process.exitCode = 1;
      },
    );
}
