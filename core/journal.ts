import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from './clock';

/** One request a mock received, as the control plane's `GET /api/requests` shows it. */
export interface JournalEntry {
  id: number;
  time: string;
  vendor: string;
  method: string;
  path: string;
  query: string;
  status: number;
  durationMs: number;
  /** Request headers with credentials masked. */
  headers: Record<string, string>;
}

/** Headers that carry credentials; their values never reach the journal in clear. */
const SECRET_HEADERS = new Set([
  'x-api-key',
  'x-api-secret',
  'x-public-token',
  'identity',
  'authorization',
  'cookie',
  'proxy-authorization',
]);

/** Keeps the first and last two characters so a developer can still tell credentials apart. */
export function maskSecret(value: string): string {
  if (value.length <= 6) return '***';
  return `${value.slice(0, 2)}***${value.slice(-2)}`;
}

export function maskHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    out[key] = SECRET_HEADERS.has(key) ? maskSecret(value) : value;
  }
  return out;
}

/**
 * A fixed-size ring buffer of recent requests. Memory stays flat however long the platform runs:
 * once full, each new entry overwrites the oldest.
 */
export class RequestJournal {
  private entries: (JournalEntry | undefined)[];
  private next = 0;
  private total = 0;

  constructor(readonly capacity = 1000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`journal capacity must be >= 1, got ${capacity}`);
    this.entries = new Array<JournalEntry | undefined>(capacity);
  }

  record(entry: Omit<JournalEntry, 'id'>): JournalEntry {
    const full: JournalEntry = { id: ++this.total, ...entry };
    this.entries[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    return full;
  }

  /** Newest first, optionally filtered by vendor, at most `limit` entries. */
  list(options: { vendor?: string; limit?: number } = {}): JournalEntry[] {
    const out: JournalEntry[] = [];
    const limit = options.limit ?? this.capacity;
    for (let i = 1; i <= this.capacity && out.length < limit; i++) {
      const entry = this.entries[(this.next - i + this.capacity) % this.capacity];
      if (!entry) break;
      if (options.vendor && entry.vendor !== options.vendor) continue;
      out.push(entry);
    }
    return out;
  }

  /** How many requests were ever recorded (not only those still held). */
  get recorded(): number {
    return this.total;
  }

  get size(): number {
    return Math.min(this.total, this.capacity);
  }

  clear(): void {
    this.entries = new Array<JournalEntry | undefined>(this.capacity);
    this.next = 0;
    this.total = 0;
  }
}

export interface JournalOptions {
  /**
   * Masks credentials that travel in the path rather than a header (Atomic's
   * `PUT /access-token/{publicToken}/revoke`), before the path is recorded.
   */
  redactPath?: (path: string) => string;
}

/** Node's raw request header list ([name, value, name, value…]) when the app runs behind @hono/node-server. */
const rawHeadersOf = (c: Context): string[] | undefined =>
  (c.env as { incoming?: { rawHeaders?: unknown } } | undefined)?.incoming?.rawHeaders as
    string[] | undefined;

/**
 * The request's headers, credentials masked. Behind a Node server they come from the raw header
 * list, which costs a fraction of building and iterating a fetch `Headers` object on every request.
 * Repeated names are joined with ", " as `Headers` does.
 */
function journalHeaders(c: Context): Record<string, string> {
  const raw = rawHeadersOf(c);
  if (!Array.isArray(raw)) return maskHeaders(c.req.raw.headers);
  // No prototype: a header called __proto__ is kept as data.
  const out = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!.toLowerCase();
    const value = SECRET_HEADERS.has(key) ? maskSecret(raw[i + 1]!) : raw[i + 1]!;
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Hono middleware that records every request (including failed ones) in the journal. */
export function journalMiddleware(
  journal: RequestJournal,
  vendor: string,
  clock: Clock,
  options: JournalOptions = {},
): MiddlewareHandler {
  const redact = options.redactPath;
  return async (c, next) => {
    const started = performance.now();
    const time = new Date(clock.now()).toISOString();
    try {
      await next();
    } finally {
      // The path Hono already parsed, and the query cut from the URL: no second URL parse.
      const url = c.req.url;
      const queryAt = url.indexOf('?');
      journal.record({
        time,
        vendor,
        method: c.req.method,
        path: redact ? redact(c.req.path) : c.req.path,
        query: queryAt < 0 ? '' : url.slice(queryAt),
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
        headers: journalHeaders(c),
      });
    }
  };
}
