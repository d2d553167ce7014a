import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { RealClock } from '../core/clock';
import {
  ATELIO_SIGNATURE_HEADER,
  ATOMIC_SIGNATURE_HEADER,
  atelioSignatureHeader,
  signAtomic,
  type DeliveryRecording,
} from '../core/webhooks';

/**
 * Recordings of a run's webhooks as NDJSON, and replaying them to any URL. One line per delivery
 * attempt carries the exact headers and body string sent at that virtual time; `target` lines
 * carry each receiver's signing secret so a replay can re-sign what the vendor signs with a time
 * (Atelio's `t`). Bodies are replayed byte for byte.
 */

export const RECORDING_FORMAT = 'stitch-sandbox-recording';
export const RECORDING_VERSION = 1;

const VendorSchema = z.enum(['atomic', 'atelio']);

const HeaderLineSchema = z.object({
  type: z.literal('run'),
  format: z.literal(RECORDING_FORMAT),
  version: z.literal(RECORDING_VERSION),
  scenario: z.string(),
  runId: z.string(),
  options: z.record(z.string(), z.unknown()),
});

const TargetLineSchema = z.object({
  type: z.literal('target'),
  vendor: VendorSchema,
  targetId: z.string(),
  kind: z.string(),
  url: z.string(),
  /** Absent when the target was gone by the time it was recorded. */
  secret: z.string().optional(),
});

const AttemptLineSchema = z.object({
  type: z.literal('attempt'),
  eventId: z.string(),
  vendor: VendorSchema,
  eventType: z.string(),
  targetId: z.string(),
  targetKind: z.string(),
  url: z.string(),
  attempt: z.number().int().min(1),
  kind: z.enum(['initial', 'retry', 'redelivery', 'duplicate']),
  time: z.string(),
  timeMs: z.number(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
});

const EndLineSchema = z.object({
  type: z.literal('end'),
  status: z.string(),
  events: z.number().int(),
  attempts: z.number().int(),
});

/** One line of a recording; the union every line is validated against. */
export const RecordingLineSchema = z.discriminatedUnion('type', [
  HeaderLineSchema,
  TargetLineSchema,
  AttemptLineSchema,
  EndLineSchema,
]);

export type RecordingLine = z.infer<typeof RecordingLineSchema>;
export type RecordedAttempt = z.infer<typeof AttemptLineSchema>;

/** A recording that cannot be read; says which line and why. */
export class RecordingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordingError';
  }
}

/** Writes one run's recording as it happens (synchronous appends keep the lines in order). */
export class RecordingWriter {
  private readonly fd: number;
  private readonly targets = new Set<string>();
  private readonly events = new Set<string>();
  private attempts = 0;
  private closed = false;

  constructor(
    readonly file: string,
    header: { scenario: string; runId: string; options: Record<string, unknown> },
    private readonly secretOf: (
      vendor: 'atomic' | 'atelio',
      targetId: string,
      eventType: string,
    ) => string | undefined,
  ) {
    try {
      this.fd = openSync(file, 'w', 0o600);
    } catch (error) {
      throw new RecordingError(`cannot write the recording ${file}: ${(error as Error).message}`);
    }
    this.line({ type: 'run', format: RECORDING_FORMAT, version: RECORDING_VERSION, ...header });
  }

  get attemptCount(): number {
    return this.attempts;
  }

  record(recording: DeliveryRecording): void {
    if (this.closed) return;
    const targetKey = `${recording.vendor}:${recording.targetId}`;
    if (!this.targets.has(targetKey)) {
      this.targets.add(targetKey);
      const secret = this.secretOf(recording.vendor, recording.targetId, recording.eventType);
      this.line({
        type: 'target',
        vendor: recording.vendor,
        targetId: recording.targetId,
        kind: recording.targetKind,
        url: recording.url,
        ...(secret === undefined ? {} : { secret }),
      });
    }
    this.attempts++;
    this.events.add(recording.eventId);
    this.line({
      type: 'attempt',
      eventId: recording.eventId,
      vendor: recording.vendor,
      eventType: recording.eventType,
      targetId: recording.targetId,
      targetKind: recording.targetKind,
      url: recording.url,
      attempt: recording.attempt,
      kind: recording.kind,
      time: recording.time,
      timeMs: recording.timeMs,
      headers: recording.headers,
      body: recording.body,
    });
  }

  close(status: string): void {
    if (this.closed) return;
    this.line({ type: 'end', status, events: this.events.size, attempts: this.attempts });
    this.closed = true;
    closeSync(this.fd);
  }

  private line(value: RecordingLine): void {
    writeSync(this.fd, `${JSON.stringify(value)}\n`);
  }
}

export interface Recording {
  header: z.infer<typeof HeaderLineSchema>;
  targets: Map<string, z.infer<typeof TargetLineSchema>>;
  attempts: RecordedAttempt[];
  /** Absent when the run was still going (or the process stopped) when the file was read. */
  end?: z.infer<typeof EndLineSchema>;
}

/** Reads and validates a recording file. */
export function readRecording(file: string): Recording {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RecordingError(`cannot read the recording ${file}: ${(error as Error).message}`);
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  let header: Recording['header'] | undefined;
  let end: Recording['end'];
  const targets = new Map<string, z.infer<typeof TargetLineSchema>>();
  const attempts: RecordedAttempt[] = [];
  lines.forEach((text, i) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RecordingError(`${file} line ${i + 1}: not JSON`);
    }
    const parsed = RecordingLineSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RecordingError(`${file} line ${i + 1}: ${issue.path.join('.') || 'line'}: ${issue.message}`);
    }
    const line = parsed.data;
    if (i === 0 && line.type !== 'run')
      throw new RecordingError(`${file} line 1: not a ${RECORDING_FORMAT} file (no run header)`);
    if (line.type === 'run') header = line;
    else if (line.type === 'target') targets.set(`${line.vendor}:${line.targetId}`, line);
    else if (line.type === 'attempt') attempts.push(line);
    else end = line;
  });
  if (!header) throw new RecordingError(`${file}: empty recording`);
  return { header, targets, attempts, ...(end ? { end } : {}) };
}

export interface ReplayOptions {
  /** Where to send: one URL for everything, or one per vendor (events of a vendor without one are skipped). */
  to: string | { atomic?: string; atelio?: string };
  /** Sign with these instead of the recorded receivers' secrets. */
  secrets?: { atomic?: string; atelio?: string };
  /** Only attempts to targets of this kind (e.g. `stitcher`); default every target's first. */
  targetKind?: string;
  /** `first` (default): each event once, as first sent; `all`: every recorded attempt, retries included. */
  attempts?: 'first' | 'all';
  /** Per-request timeout, real milliseconds; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Signing time source for Atelio's `t` (real time by default). */
  now?: () => number;
}

export interface ReplayResult {
  file: string;
  sent: number;
  ok: number;
  failed: number;
  skipped: number;
  results: {
    eventId: string;
    vendor: 'atomic' | 'atelio';
    eventType: string;
    url: string;
    status?: number;
    error?: string;
  }[];
}

function chooseAttempts(recording: Recording, options: ReplayOptions): RecordedAttempt[] {
  const candidates = recording.attempts.filter(
    (a) => options.targetKind === undefined || a.targetKind === options.targetKind,
  );
  if ((options.attempts ?? 'first') === 'all') return candidates;
  const seen = new Set<string>();
  return candidates.filter((a) => {
    if (seen.has(a.eventId)) return false;
    seen.add(a.eventId);
    return true;
  });
}

/**
 * Sends a recording's webhooks again, in recorded order, to `to`. Bodies go byte for byte; Atomic's
 * signature (over the body only) is kept unless `secrets.atomic` asks for another key; Atelio's is
 * re-made with `t` = now, as Atelio would sign a delivery made now.
 */
export async function replayRecording(file: string, options: ReplayOptions): Promise<ReplayResult> {
  const recording = readRecording(file);
  const urls = typeof options.to === 'string' ? { atomic: options.to, atelio: options.to } : options.to;
  for (const url of Object.values(urls))
    if (url !== undefined && !URL.canParse(url)) throw new RecordingError(`not a URL: ${url}`);
  const chosen = chooseAttempts(recording, options);
  const secretFor = (attempt: RecordedAttempt): string | undefined =>
    options.secrets?.[attempt.vendor] ??
    recording.targets.get(`${attempt.vendor}:${attempt.targetId}`)?.secret;
  // Fail before sending anything rather than half-way through.
  for (const attempt of chosen)
    if (attempt.vendor === 'atelio' && urls.atelio !== undefined && secretFor(attempt) === undefined)
      throw new RecordingError(
        `the recording has no signing secret for Atelio subscription ${attempt.targetId}; pass secrets.atelio`,
      );
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const clock = new RealClock();
  const now = options.now ?? (() => clock.now());
  const result: ReplayResult = { file, sent: 0, ok: 0, failed: 0, skipped: 0, results: [] };
  for (const attempt of chosen) {
    const url = urls[attempt.vendor];
    if (url === undefined) {
      result.skipped++;
      continue;
    }
    const headers = { ...attempt.headers };
    const secret = secretFor(attempt);
    if (attempt.vendor === 'atelio')
      headers[ATELIO_SIGNATURE_HEADER] = atelioSignatureHeader(
        attempt.body,
        secret!,
        Math.floor(now() / 1000),
      );
    else if (options.secrets?.atomic !== undefined)
      headers[ATOMIC_SIGNATURE_HEADER] = signAtomic(attempt.body, options.secrets.atomic);
    const entry: ReplayResult['results'][number] = {
      eventId: attempt.eventId,
      vendor: attempt.vendor,
      eventType: attempt.eventType,
      url,
    };
    result.sent++;
    try {
      const response = await fetchImpl(url, {
        method: 'POST',
        headers,
        body: attempt.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      entry.status = response.status;
      if (response.status >= 200 && response.status <= 299) result.ok++;
      else result.failed++;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      entry.error = cause?.code ?? (error instanceof Error ? error.message : String(error));
      result.failed++;
    }
    result.results.push(entry);
  }
  return result;
}
