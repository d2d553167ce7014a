import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { JsonBodyCache, cachedJson } from './json-body-cache';

const big = (marker: string) => ({
  marker,
  items: Array.from({ length: 200 }, (_, i) => ({ i, text: 'déjà vu – 50 kB' })),
});

describe('JsonBodyCache', () => {
  it('returns the same bytes for an unchanged body and fresh bytes as soon as it changes', () => {
    const cache = new JsonBodyCache();
    const first = cache.encode('/a', JSON.stringify(big('one')));
    expect(cache.encode('/a', JSON.stringify(big('one')))).toBe(first);
    const changed = cache.encode('/a', JSON.stringify(big('two')));
    expect(changed).not.toBe(first);
    expect(new TextDecoder().decode(changed)).toBe(JSON.stringify(big('two')));
  });

  it('keeps its memory under maxBytes by dropping the oldest keys', () => {
    const one = JSON.stringify(big('x'));
    const entrySize = Buffer.byteLength(one) + one.length * 2;
    const cache = new JsonBodyCache(entrySize * 2 + 10);
    const a = cache.encode('/a', one);
    cache.encode('/b', one);
    cache.encode('/c', one);
    expect(cache.size).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.encode('/a', one)).not.toBe(a);
  });

  it('does not hold a body larger than the whole cache', () => {
    const cache = new JsonBodyCache(1000);
    cache.encode('/huge', JSON.stringify(big('h')));
    expect(cache.size).toBe(0);
  });
});

describe('cachedJson', () => {
  const app = (value: () => unknown) => {
    const cache = new JsonBodyCache();
    const hono = new Hono();
    hono.get('/x', (c) => cachedJson(c, cache, c.req.url, value() as object, 200));
    return hono;
  };

  it('answers the same bytes and content type as c.json, large or small', async () => {
    for (const value of [big('large'), { small: true }]) {
      const plain = new Hono().get('/x', (c) => c.json(value, 200));
      const expected = await plain.request('/x');
      const actual = await app(() => value).request('/x');
      expect(actual.status).toBe(200);
      expect(actual.headers.get('content-type')).toBe(expected.headers.get('content-type'));
      expect(await actual.text()).toBe(await expected.text());
    }
  });

  it('shows a change in the data on the very next request', async () => {
    let marker = 'before';
    const hono = app(() => big(marker));
    expect(((await (await hono.request('/x')).json()) as { marker: string }).marker).toBe('before');
    marker = 'after';
    expect(((await (await hono.request('/x')).json()) as { marker: string }).marker).toBe('after');
  });
});
