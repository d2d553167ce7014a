import type { PlatformClock } from '../core/clock';
import { ConfigError } from '../core/config';
import type { PendingWebhook, Platform } from '../scenarios';
import { readStateDocument, removeStaleTemporaries, StateFileWriter } from './state-file';

/** How often `--state-file` looks for changes to save (the longest a change waits for the disk). */
const STATE_SAVE_INTERVAL_MS = 200;

/** A state file kept current while the platform runs. */
export interface StatePersistence {
  /** A saved state was restored: the platform is not at its baseline. */
  restored: boolean;
  /** The last save, with `pending` as the webhooks on their way; nothing is saved after it. */
  close(pending: PendingWebhook[]): void;
}

/**
 * `--state-file`: restores the saved state (when there is one), saves at once (so a path that
 * cannot be written fails the start), then saves every change: a webhook is on disk, with the
 * change it announces, before any receiver can hear it.
 */
export async function persistState(
  file: string,
  platform: Platform<PlatformClock>,
): Promise<StatePersistence> {
  const { atomic, atelio, clock, engine } = platform;
  removeStaleTemporaries(file);
  const saved = readStateDocument(file);
  if (saved !== undefined) await platform.importState(saved);
  // Anything that moves a store, the clock or a delivery moves this.
  let deliveryChanges = 0;
  const writer = new StateFileWriter({
    file,
    snapshot: () => platform.exportState(),
    version: () => `${atomic.store.revision}:${atelio.store.revision}:${clock.offsetMs}:${deliveryChanges}`,
    onError: (error) => process.stderr.write(`stitch-sandbox: could not save ${file}: ${error.message}\n`),
  });
  try {
    writer.save();
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  stateFile: cannot write ${file}: ${(error as Error).message}`,
    );
  }
  const offPublished = engine.events.on('published', () => {
    deliveryChanges++;
    writer.flushSoon();
  });
  const offSettled = engine.events.on('settled', () => {
    deliveryChanges++;
    writer.changed();
  });
  // Store changes and clock moves are many and have no one event: look at their versions.
  const tick = setInterval(() => writer.saveIfChanged(), STATE_SAVE_INTERVAL_MS);
  tick.unref();
  return {
    restored: saved !== undefined,
    close(pending) {
      offPublished();
      offSettled();
      clearInterval(tick);
      writer.close(platform.exportState(pending));
    },
  };
}
