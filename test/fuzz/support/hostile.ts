import fc from 'fast-check';

/**
 * Hostile pieces of HTTP requests: ids that try to climb out of their path segment, query strings
 * that are huge or repeat a parameter, bodies that are oversized, deeply nested, not UTF-8, or sent
 * under the wrong content type. Each generator yields something a careless server would answer
 * with a 500 (or die on).
 */

const encoder = new TextEncoder();

/** Path segments (already percent-encoded as they go on the wire) aimed at id parameters. */
export const TRAVERSAL_SEGMENTS = [
  '..',
  '.',
  '..%2f',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fopenapi.json',
  '%252e%252e%252f',
  '..%5c..%5cwindows',
  '%c0%ae%c0%ae%2f',
  '....%2f%2f',
  '%00',
  'id%00.json',
  '%2500',
  'a%0d%0aSet-Cookie:%20x=1',
  '%ff%fe',
  '%E0%A4%A',
  '%',
  '%zz',
  '%u002e',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  '%20',
  '-1',
  '0',
  '1e309',
  'NaN',
  'null',
  '%7B%7D',
  '%5B%5D',
  '%F0%9F%92%A9',
  'x'.repeat(300),
  'x'.repeat(5000),
] as const;

/** A path segment: a known-good id, a traversal attempt, or arbitrary text, percent-encoded. */
export function segmentArbitrary(knownIds: readonly string[]): fc.Arbitrary<string> {
  const known = knownIds.length > 0 ? [fc.constantFrom(...knownIds)] : [];
  return fc.oneof(
    ...known.map((arbitrary) => ({ weight: 8, arbitrary })),
    { weight: 3, arbitrary: fc.constantFrom(...TRAVERSAL_SEGMENTS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }).map(encodeURIComponent) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{24}$/) },
    { weight: 1, arbitrary: fc.uuid() },
  );
}

/** Query strings: repeated parameters, huge values, broken escapes, arrays-as-brackets, junk. */
export function hostileQuery(names: readonly string[], maxHugeLength: number): fc.Arbitrary<string> {
  const name =
    names.length > 0
      ? fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 }))
      : fc.string({ maxLength: 8 });
  const value = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom(...TRAVERSAL_SEGMENTS),
    fc.constantFrom(
      '',
      '0',
      '-1',
      '1',
      '2',
      '10',
      '20',
      '100',
      '10000',
      '99999999999999999999',
      'true',
      'asc',
      'desc',
      'card',
    ),
  );
  const pair = fc
    .tuple(name, value)
    .map(([n, v]) => `${encodeURIComponent(n)}=${/%/.test(v) ? v : encodeURIComponent(v)}`);
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(pair, { maxLength: 6 }).map((pairs) => (pairs.length ? `?${pairs.join('&')}` : '')),
    },
    // The same parameter twice with different values.
    {
      weight: 2,
      arbitrary: fc
        .tuple(name, value, value)
        .map(
          ([n, a, b]) =>
            `?${encodeURIComponent(n)}=${encodeURIComponent(a)}&${encodeURIComponent(n)}=${encodeURIComponent(b)}`,
        ),
    },
    { weight: 1, arbitrary: name.map((n) => `?${encodeURIComponent(n)}[]=1&${encodeURIComponent(n)}[x]=2`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('?', '?&&&', '?=', '?a', '?%', '?a=%zz', '?a=%ff', '?%00=%00', '?a=1;b=2'),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(name, fc.integer({ min: 1000, max: maxHugeLength }))
        .map(([n, length]) => `?${encodeURIComponent(n)}=${'q'.repeat(length)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 50, max: 400 })
        .map((n) => `?${Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&')}`),
    },
  );
}

/** `[[[…1…]]]` nested `depth` times: JSON.parse copes, recursive code that walks it may not. */
export const deeplyNestedArray = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
export const deeplyNestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Byte sequences that are not valid UTF-8 (stray continuation, overlong, surrogate, truncated). */
export const INVALID_UTF8: readonly Uint8Array[] = [
  Uint8Array.from([0xff, 0xfe, 0xfd]),
  Uint8Array.from([0x80]),
  Uint8Array.from([0xc0, 0xaf]),
  Uint8Array.from([0xed, 0xa0, 0x80]),
  Uint8Array.from([0xf4, 0x90, 0x80, 0x80]),
  Uint8Array.from([0xe2, 0x82]),
];

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

/** A JSON document with invalid UTF-8 bytes inside a string value (and, sometimes, outside it). */
export const invalidUtf8Json = fc
  .tuple(fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 10 }), fc.boolean())
  .map(([bad, key, insideString]) =>
    insideString
      ? concat(encoder.encode(`{"${key.replace(/["\\]/g, '')}":"`), bad, encoder.encode('"}'))
      : concat(encoder.encode('{"a":'), bad, encoder.encode('}')),
  );

export type Body = string | Uint8Array | undefined;

/** Ways to break a body: sizes, nesting, encodings, syntax. `limit` is the server's body cap. */
export function hostileBody(limit: number): fc.Arbitrary<{ body: Body; label: string }> {
  return fc.oneof(
    fc.constant({ body: undefined, label: 'no body' }),
    fc.constant({ body: '', label: 'empty body' }),
    fc
      .constantFrom(
        '{',
        '{"a":',
        '[1,2',
        'nul',
        'undefined',
        "{'a':1}",
        '{"a":1,}',
        '\u0000',
        '\ufeff{}',
        '{"a":1}{"b":2}',
        'NaN',
        '1e999',
        '"\\ud800"',
      )
      .map((body) => ({ body, label: `malformed JSON ${JSON.stringify(body).slice(0, 20)}` })),
    fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v), label: 'arbitrary JSON' })),
    fc
      .constantFrom(
        '{"__proto__":{"polluted":"yes"}}',
        '{"constructor":{"prototype":{"polluted":"yes"}}}',
        '{"a":1,"a":{"b":2}}',
      )
      .map((body) => ({ body, label: 'prototype keys / duplicate keys' })),
    fc
      .integer({ min: 1_000, max: 120_000 })
      .map((depth) => ({ body: deeplyNestedArray(depth), label: `nested arrays ×${depth}` })),
    fc
      .integer({ min: 1_000, max: 100_000 })
      .map((depth) => ({ body: deeplyNestedObject(depth), label: `nested objects ×${depth}` })),
    invalidUtf8Json.map((body) => ({ body, label: 'invalid UTF-8 in JSON' })),
    fc
      .integer({ min: limit + 1, max: limit * 2 })
      .map((size) => ({ body: `{"a":"${'x'.repeat(size)}"}`, label: `oversized ${size} B` })),
    fc.constant({
      body: `[${Array.from({ length: Math.floor(limit / 8) }, () => '{}').join(',')}]`,
      label: 'many elements under the cap',
    }),
  );
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/vnd.api+json',
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  '',
  'json',
  '*/*',
] as const;

/** Turns one top-level field of an object into something of the wrong kind, or removes it. */
export function breakOneField(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fc.jsonValue({ maxDepth: 2 });
  const keys = Object.keys(value);
  if (keys.length === 0) return fc.constant({ unexpected: true });
  return fc
    .tuple(
      fc.constantFrom(...keys),
      fc.oneof(
        fc.constant<unknown>(undefined),
        fc.constant<unknown>(null),
        fc.jsonValue({ maxDepth: 2 }),
        fc.constantFrom<unknown>('', -1, 1e308, [], {}, 'x'.repeat(10_000), true, '2024-13-45', '../../etc'),
      ),
    )
    .map(([key, replacement]) => {
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      if (replacement === undefined) delete copy[key];
      else copy[key] = replacement;
      return copy;
    });
}
