import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestBodyLimit } from './body-limit';

function appWithLimit(maxSize: number) {
  const app = new Hono();
  app.use('*', requestBodyLimit({ maxSize, onError: (c) => c.json({ error: 'too large' }, 413) }));
  app.all('/echo', async (c) => c.json({ method: c.req.method, length: (await c.req.text()).length }));
  return app;
}

/** A request whose body accessor throws: reading it is exactly the work the limit must skip. */
function bodyless(method: string): Request {
  const request = new Request('http://localhost/echo', { method });
  Object.defineProperty(request, 'body', {
    get() {
      throw new Error(`the body of a ${method} was read`);
    },
  });
  return request;
}

describe('requestBodyLimit', () => {
  it('rejects a POST body over the limit with the onError response', async () => {
    const response = await appWithLimit(16).request('/echo', { method: 'POST', body: 'x'.repeat(17) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'too large' });
  });

  it('passes a POST body within the limit through to the handler', async () => {
    const response = await appWithLimit(16).request('/echo', { method: 'POST', body: 'x'.repeat(16) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ method: 'POST', length: 16 });
  });

  it('limits bodies sent without a content-length (streamed)', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const request = new Request('http://localhost/echo', {
      method: 'PUT',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const response = await appWithLimit(16).fetch(request);
    expect(response.status).toBe(413);
  });

  it('lets GET and HEAD through without touching the request body', async () => {
    const app = appWithLimit(16);
    for (const method of ['GET', 'HEAD']) {
      const response = await app.fetch(bodyless(method));
      expect(response.status).toBe(200);
    }
  });
});
