import type { RunView, TimelineEntry } from '../../scenarios';

/**
 * Prints a run's timeline as it grows: one line per finished step with its virtual time and the
 * webhooks it caused, and (on a terminal, for paced runs) a progress line that rewrites itself.
 */
export class TimelinePrinter {
  private printed = 0;
  private progressShown = false;

  constructor(private readonly out: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean }) {}

  update(run: RunView): void {
    const finished = run.timeline.filter((entry) => entry.status !== 'running');
    for (const entry of finished.slice(this.printed)) this.line(this.format(entry));
    this.printed = Math.max(this.printed, finished.length);
    if (run.status === 'running' && run.options.speed !== 'instant' && this.out.isTTY) {
      const running = run.timeline.find((entry) => entry.status === 'running');
      const done = finished.length;
      const width = 24;
      const filled = Math.round((done / Math.max(1, run.stepCount)) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      this.out.write(
        `\r\x1b[2K${bar} ${done}/${run.stepCount} steps · virtual ${run.virtualNow}${running ? ` · ${running.step}` : ''}`,
      );
      this.progressShown = true;
    }
  }

  private line(text: string): void {
    if (this.progressShown) this.out.write('\r\x1b[2K');
    this.progressShown = false;
    this.out.write(`${text}\n`);
  }

  private format(entry: TimelineEntry): string {
    const mark = entry.status === 'failed' ? '✗' : '✓';
    const hooks = entry.webhooks.length
      ? `  → ${entry.webhooks.map((w) => `${w.vendor}:${w.eventType}`).join(', ')}`
      : '';
    const error = entry.error ? `  (${entry.error})` : '';
    return `${mark} ${entry.at}  ${entry.offset.padEnd(9)} ${entry.step} [${entry.type}]${hooks}${error}`;
  }

  finish(run: RunView): void {
    this.update(run);
    if (this.progressShown) this.out.write('\r\x1b[2K');
    const summary =
      run.status === 'completed'
        ? `Run ${run.id} completed: ${run.timeline.length} steps, ${run.webhookCount} webhooks, virtual time ${run.options.startTime} → ${run.virtualNow}`
        : `Run ${run.id} ${run.status}${run.error ? `: ${run.error.step ? `step ${run.error.step}: ` : ''}${run.error.message}` : ''}`;
    this.out.write(`${summary}\n`);
  }
}
