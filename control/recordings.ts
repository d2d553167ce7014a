import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/**
 * Where recordings of runs started over HTTP go. Recordings hold every webhook body the run sent
 * (user data, signatures), so the folder is private: 0700, files 0600 (the recorder creates them
 * so). By default a fresh folder is made under the OS temp dir at the first recording (mkdtemp: a
 * name nobody could have planted beforehand) and removed when the platform stops; a configured
 * folder (`STITCH_RECORDINGS_DIR`) is created 0700 or must already be a folder owned by this user
 * that nobody else can read. Recordings are deleted on reset and once older than the retention.
 */
export class RecordingStore {
  private dir: string | undefined;
  private readonly files = new Map<string, { file: string; createdMs: number }>();

  constructor(
    private readonly options: { dir?: string | undefined; retentionMs: number; now: () => number },
  ) {}

  /** The folder, created on first use. */
  folder(): string {
    if (this.dir) return this.dir;
    const configured = this.options.dir;
    if (configured === undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'stitch-sandbox-recordings-'));
      return this.dir;
    }
    mkdirSync(configured, { recursive: true, mode: 0o700 });
    const stats = lstatSync(configured);
    if (!stats.isDirectory()) throw new Error(`recordings folder ${configured} is not a folder`);
    if (typeof process.getuid === 'function' && stats.uid !== process.getuid())
      throw new Error(`recordings folder ${configured} belongs to another user`);
    chmodSync(configured, 0o700);
    this.dir = configured;
    return configured;
  }

  /** A new file name for run `runId`'s recording. */
  allocate(): string {
    this.expire();
    return join(this.folder(), `${randomUUID()}.ndjson`);
  }

  remember(runId: string, file: string): void {
    this.files.set(runId, { file, createdMs: this.options.now() });
  }

  fileOf(runId: string): string | undefined {
    this.expire();
    const entry = this.files.get(runId);
    return entry && existsSync(entry.file) ? entry.file : undefined;
  }

  /** Deletes recordings older than the retention. */
  expire(): void {
    const cutoff = this.options.now() - this.options.retentionMs;
    for (const [runId, entry] of this.files) {
      if (entry.createdMs > cutoff) continue;
      rmSync(entry.file, { force: true });
      this.files.delete(runId);
    }
  }

  /** Every recording, on reset. */
  clear(): void {
    for (const entry of this.files.values()) rmSync(entry.file, { force: true });
    this.files.clear();
  }

  /** On stop: the files, and the folder when it was ours to make. */
  dispose(): void {
    this.clear();
    if (this.dir && this.options.dir === undefined) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** The folder's mode and its files' modes (for tests and the README's claim). */
  modes(): { dir: number; files: number[] } | undefined {
    if (!this.dir) return undefined;
    return {
      dir: statSync(this.dir).mode & 0o777,
      files: readdirSync(this.dir).map((name) => statSync(join(this.dir!, name)).mode & 0o777),
    };
  }
}
