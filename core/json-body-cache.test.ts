import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { JsonBodyCache, countChanges, versionedJson } from './json-body-cache';

const big = (marker: string) => ({
  marker,
  items: Array.from({ length: 200 }, (_, i) => ({ i, text: 'déjà vu – 50 kB' })),
});

describe('JsonBodyCache', () => {
  it('answers a lookup only at the version the bytes were built at', () => {
    const cache = new JsonBodyCache();
    const bytes = cache.encode('/a', JSON.stringify(big('one')), 7);
    expect(cache.lookup('/a', 7)).toBe(bytes);
    expect(cache.lookup('/a', 8)).toBeUndefined();
    expect(cache.lookup('/b', 7)).toBeUndefined();
  });

  it('reuses the bytes of an unchanged text under a new version, and encodes a changed one', () => {
    const cache = new JsonBodyCache();
    const first = cache.encode('/a', JSON.stringify(big('one')), 1);
    expect(cache.encode('/a', JSON.stringify(big('one')), 2)).toBe(first);
    expect(cache.lookup('/a', 2)).toBe(first);
    const changed = cache.encode('/a', JSON.stringify(big('two')), 3);
    expect(changed).not.toBe(first);
    expect(new TextDecoder().decode(changed)).toBe(JSON.stringify(big('two')));
  });

  it('keeps its memory under maxBytes by dropping the oldest keys', () => {
    const one = JSON.stringify(big('x'));
    const entrySize = Buffer.byteLength(one) + one.length * 2;
    const cache = new JsonBodyCache(entrySize * 2 + 10);
    cache.encode('/a', one, 1);
    cache.encode('/b', one, 1);
    cache.encode('/c', one, 1);
    expect(cache.size).toBeLessThanOrEqual(cache.maxBytes);
    expect(cache.lookup('/a', 1)).toBeUndefined();
    expect(cache.lookup('/c', 1)).toBeDefined();
  });

  it('does not hold a body larger than the whole cache', () => {
    const cache = new JsonBodyCache(1000);
    cache.encode('/huge', JSON.stringify(big('h')), 1);
    expect(cache.size).toBe(0);
  });
});

describe('versionedJson', () => {
  function appOver(data: { version: number; value: unknown; builds: number }) {
    const cache = new JsonBodyCache();
    return new Hono().get('/x', (c) =>
      versionedJson(
        c,
        cache,
        c.req.url,
        data.version,
        () => {
          data.builds++;
          return data.value as object;
        },
        200,
      ),
    );
  }

  it('answers the same bytes and content type as c.json, large or small', async () => {
    for (const value of [big('large'), { small: true }]) {
      const expected = await new Hono().get('/x', (c) => c.json(value, 200)).request('/x');
      const actual = await appOver({ version: 1, value, builds: 0 }).request('/x');
      expect(actual.status).toBe(200);
      expect(actual.headers.get('content-type')).toBe(expected.headers.get('content-type'));
      expect(await actual.text()).toBe(await expected.text());
    }
  });

  it('does not build the value again while the version stays, and shows a change once it moves', async () => {
    const data = { version: 1, value: big('before') as unknown, builds: 0 };
    const app = appOver(data);
    await app.request('/x');
    await app.request('/x');
    expect(data.builds).toBe(1);
    data.value = big('after');
    data.version = 2;
    expect(((await (await app.request('/x')).json()) as { marker: string }).marker).toBe('after');
    expect(data.builds).toBe(2);
  });
});

describe('countChanges', () => {
  class Counter {
    revision = 0;
    value = 0;
    read(): number {
      return this.value;
    }
    write(value: number): void {
      this.value = value;
    }
    fail(): void {
      throw new Error('refused');
    }
    static {
      countChanges(Counter.prototype, new Set(['read']), (counter) => counter.revision++);
    }
  }

  it('moves the revision on every method not listed as a read, also when it throws', () => {
    const counter = new Counter();
    counter.write(3);
    expect(counter.revision).toBe(1);
    expect(() => counter.fail()).toThrow('refused');
    expect(counter.revision).toBe(2);
    expect(counter.read()).toBe(3);
    expect(counter.revision).toBe(2);
  });
});
