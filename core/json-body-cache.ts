import type { Context, TypedResponse } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JSONParsed, JSONValue } from 'hono/utils/types';

const encoder = new TextEncoder();

/** Bytes an entry holds: the encoded body plus its text, counted at two bytes a character (the worst case). */
const sizeOf = (entry: { json: string; bytes: Uint8Array }) => entry.bytes.byteLength + entry.json.length * 2;

/**
 * The encoded bytes of JSON bodies that clients read again and again — the same account, the same
 * task status while it runs, the same page of transactions — for `versionedJson`. An entry is
 * answered as it is only while the data's version is the one it was built at. When the version has
 * moved, the body is built and serialised again, and if its text is unchanged the bytes are still
 * reused: encoding a page of transactions to UTF-8 costs as much as serialising it.
 *
 * Memory is bounded: past `maxBytes` the oldest keys are dropped.
 */
export class JsonBodyCache {
  private readonly entries = new Map<
    string,
    { json: string; bytes: Uint8Array<ArrayBuffer>; version: number | undefined }
  >();
  private heldBytes = 0;

  constructor(readonly maxBytes = 2 * 1024 * 1024) {}

  /** The bytes held for `key` if they were built at `version` of the data (see `versionedJson`). */
  lookup(key: string, version: number): Uint8Array<ArrayBuffer> | undefined {
    const held = this.entries.get(key);
    return held && held.version === version ? held.bytes : undefined;
  }

  /**
   * UTF-8 bytes of `json`: those encoded last time for `key` when the text is the same. `version`,
   * when given, is recorded for `lookup`.
   */
  encode(key: string, json: string, version?: number): Uint8Array<ArrayBuffer> {
    const held = this.entries.get(key);
    if (held && held.json === json) {
      held.version = version;
      return held.bytes;
    }
    const bytes = encoder.encode(json);
    if (held) {
      this.entries.delete(key);
      this.heldBytes -= sizeOf(held);
    }
    const size = sizeOf({ json, bytes });
    if (size > this.maxBytes) return bytes;
    this.entries.set(key, { json, bytes, version });
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
 * `c.json(build(), status)` for data that carries a version moving on with every change (a store's
 * `revision`): while `version` is the one the held bytes for `key` were built at, they are answered
 * without building or serialising anything. Otherwise the value is built and serialised, and its
 * bytes encoded once more only if the text differs. Same bytes and headers as `c.json`, and typed
 * like it, so the route's response schema still applies.
 */
export function versionedJson<T extends JSONValue | object, U extends ContentfulStatusCode>(
  c: Context,
  cache: JsonBodyCache,
  key: string,
  version: number,
  build: () => T,
  status: U,
): Response & TypedResponse<JSONParsed<T>, U, 'json'> {
  const body = cache.lookup(key, version) ?? cache.encode(key, JSON.stringify(build()), version);
  return c.body(body, status, { 'content-type': 'application/json' }) as unknown as Response &
    TypedResponse<JSONParsed<T>, U, 'json'>;
}

/**
 * Makes every method of `prototype` not named in `readOnly` count as a change of the data behind a
 * `versionedJson` version: `changed(instance)` runs when the method returns or throws. A method
 * added later is counted by default, so a cached body can go stale only by a read being listed
 * wrongly — and a read missing from `readOnly` only costs cache hits (docs/decisions/018).
 */
export function countChanges<T extends object>(
  prototype: T,
  readOnly: ReadonlySet<string>,
  changed: (instance: T) => void,
): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    const method: unknown = descriptor.value;
    if (name === 'constructor' || readOnly.has(name) || typeof method !== 'function') continue;
    Object.defineProperty(prototype, name, {
      ...descriptor,
      value: function (this: T, ...args: unknown[]) {
        try {
          return (method as (...a: unknown[]) => unknown).apply(this, args);
        } finally {
          changed(this);
        }
      },
    });
  }
}
