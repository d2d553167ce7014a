/**
 * How much delivery work is outstanding (attempts queued or in flight, chaos holds, scheduled
 * retries), so `idle()` can resolve once there is none. Ending one piece does not wake the waiters
 * by itself: the engine says when a state is settled (`wakeIfIdle`), so a hold or a retry that hands
 * its work on to a new attempt never lets `idle()` slip in between.
 */
export class PendingWork {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  start(): void {
    this.count++;
  }

  end(): void {
    this.count--;
  }

  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  wakeIfIdle(): void {
    if (this.count !== 0 || this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
