import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed, JSONValue } from 'hono/utils/types';

/** Bodies shorter than this are answered as they are: encoding them costs less than the lookup. */
const MIN_CACHED_LENGTH = 4096;

const encoder = new TextEncoder();

/** Bytes an entry holds: the encoded body plus its text, counted at two bytes a character (the worst case). */
const sizeOf = (entry: { json: string; bytes: Uint8Array }) => entry.bytes.byteLength + entry.json.length * 2;

/**
 * The encoded bytes of large JSON bodies that repeat byte for byte — a client polling the same
 * account or the same page of transactions. The body is still serialised from the store on every
 * request and compared with the last one under its key, so a change shows at once and nothing can be
 * stale; what is saved is turning tens of kilobytes of string into UTF-8 and measuring them, which
 * for a page of transactions costs as much as serialising it.
 *
 * Memory is bounded: past `maxBytes` the oldest keys are dropped.
 */
export class JsonBodyCache {
  private readonly entries = new Map<string, { json: string; bytes: Uint8Array<ArrayBuffer> }>();
  private heldBytes = 0;

  constructor(readonly maxBytes = 4 * 1024 * 1024) {}

  /** UTF-8 bytes of `json`: those encoded last time for `key` when the text is the same. */
  encode(key: string, json: string): Uint8Array<ArrayBuffer> {
    const held = this.entries.get(key);
    if (held && held.json === json) return held.bytes;
    const bytes = encoder.encode(json);
    if (held) {
      this.entries.delete(key);
      this.heldBytes -= sizeOf(held);
    }
    const size = sizeOf({ json, bytes });
    if (size > this.maxBytes) return bytes;
    this.entries.set(key, { json, bytes });
    this.heldBytes += size;
    for (const [oldest, entry] of this.entries) {
      if (this.heldBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.heldBytes -= sizeOf(entry);
    }
    return bytes;
  }

  /** Memory held by the entries, as `sizeOf` counts it. */
  get size(): number {
    return this.heldBytes;
  }
}

/**
 * `c.json(value, status)` with the body's bytes taken from `cache` under `key` when unchanged. Same
 * bytes and headers as `c.json`, and typed like it so the route's response schema still applies.
 */
export function cachedJson<T extends JSONValue | object, U extends ContentfulStatusCode>(
  c: Context,
  cache: JsonBodyCache,
  key: string,
  value: T,
  status: U,
): Response & TypedResponse<JSONParsed<T>, U, 'json'> {
  const json = JSON.stringify(value);
  const body = json.length < MIN_CACHED_LENGTH ? json : cache.encode(key, json);
  return c.body(body, status, { 'content-type': 'application/json' }) as unknown as Response &
    TypedResponse<JSONParsed<T>, U, 'json'>;
}
