import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * `--state-file`: the platform state on disk, kept current while the platform runs, so a crash
 * (`kill -9`, power loss, a closed terminal's SIGHUP) loses at most the last moments.
 *
 * Each snapshot is written to a temporary file beside the target, fsynced, renamed over it and the
 * folder fsynced: a reader only ever sees a whole old document or a whole new one. Snapshots are
 * taken after changes, at most one per `debounceMs`; `flushSoon()` takes one before the event loop
 * does any more I/O (the platform calls it when a webhook is published, so a receiver never hears
 * of a change the file does not hold). Temporary files a crashed process left behind are removed
 * at start, and a path that cannot be written fails the start instead of the first save.
 */

export interface StateFileWriterOptions {
  file: string;
  /** The document to save. */
  snapshot: () => unknown;
  /** Something that changes whenever the state does (store revisions, clock offset). */
  version: () => string;
  /** Longest a change waits to be saved. Default 250 ms. */
  debounceMs?: number;
  /** Told when a background save fails (the platform keeps running; the next change tries again). */
  onError?: (error: Error) => void;
}

const tempPattern = (file: string) => new RegExp(`^${escape(basename(file))}\\.\\d+\\.tmp$`);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes `<file>.<pid>.tmp` files left by processes that died mid-write. */
export function removeStaleTemporaries(file: string): string[] {
  const folder = dirname(resolve(file));
  const pattern = tempPattern(file);
  const removed: string[] = [];
  if (!existsSync(folder)) return removed;
  for (const name of readdirSync(folder)) {
    if (!pattern.test(name)) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Writes `text` to `file` so that a crash at any point leaves either the old or the new content. */
export function writeDurably(file: string, text: string): void {
  const target = resolve(file);
  const temporary = `${target}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    // 0600: the state holds webhook signing secrets.
    fd = openSync(temporary, 'w', 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, target);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  // The rename itself is durable once the folder is.
  const folder = openSync(dirname(target), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/** Reads a saved state; a missing file is no state, an unreadable one is an error that names it. */
export function readStateDocument(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--state-file ${file} is not a state document: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export class StateFileWriter {
  private timer: NodeJS.Timeout | undefined;
  private soon = false;
  private savedVersion: string | undefined;
  private stopped = false;
  /** Snapshots written (for tests and the bench). */
  writes = 0;

  constructor(private readonly options: StateFileWriterOptions) {}

  /** Saves now (`document`, or a fresh snapshot), throwing what goes wrong (so an unwritable path fails at start). */
  save(document: unknown = this.options.snapshot()): void {
    const version = this.options.version();
    writeDurably(this.options.file, JSON.stringify(document));
    this.savedVersion = version;
    this.writes++;
  }

  /** A change happened: save within `debounceMs`. */
  changed(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.saveIfChanged();
    }, this.options.debounceMs ?? 250);
    this.timer.unref();
  }

  /** Save before any more I/O happens (coalesces every call made in the same turn). */
  flushSoon(): void {
    if (this.stopped || this.soon) return;
    this.soon = true;
    process.nextTick(() => {
      this.soon = false;
      this.saveIfChanged();
    });
  }

  /** Final save on the way down (`document`, or a fresh snapshot); nothing is saved after it. */
  close(document?: unknown): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.stopped) this.save(document ?? this.options.snapshot());
    this.stopped = true;
  }

  /** Saves when the version moved since the last save; failures go to onError. */
  saveIfChanged(): void {
    if (this.stopped || this.options.version() === this.savedVersion) return;
    try {
      this.save();
    } catch (error) {
      this.options.onError?.(error as Error);
    }
  }
}
