import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../core/faults';
import { RequestJournal } from '../core/journal';
import { startServer, type RunningServer } from '../core/server';
import { createAtelioApp } from './app';
import { AUTH, envelope, harness, JSON_AUTH } from './testing';

describe('authentication', () => {
  it.each([
    [{ Authorization: AUTH.Authorization }, 'Identity header is missing'],
    [{ Identity: AUTH.Identity }, 'Authorization header is missing'],
    [{}, 'Identity and Authorization headers are missing'],
    [{ ...AUTH, Identity: 'wrong' }, 'do not match'],
    [{ ...AUTH, Authorization: 'wrong' }, 'do not match'],
    [{ ...AUTH, Authorization: `Bearer ${AUTH.Authorization}` }, 'do not match'],
    [{ ...AUTH, Identity: '' }, 'do not match'],
  ])('answers 403 auth_err for headers %j', async (headers, message) => {
    const res = await harness({ baseline: false }).app.request('/api/v0.1/customers', { headers });
    expect(res.status).toBe(403);
    const body = envelope(await res.json());
    expect(body).toMatchObject({ Status: 403, Code: 'auth_err', Type: 'Request Error' });
    expect(body.Message).toContain(message);
  });

  it('accepts header names in any case and the configured credentials', async () => {
    const h = harness({ baseline: false });
    const lower = await h.app.request('/api/v0.1/customers', {
      headers: { identity: AUTH.Identity, authorization: AUTH.Authorization },
    });
    expect(lower.status).toBe(200);
    const custom = createAtelioApp({
      store: h.store,
      clock: h.clock,
      credentials: { identity: 'id-1', authorization: 'auth-1' },
    });
    expect((await custom.request('/api/v0.1/customers', { headers: AUTH })).status).toBe(403);
    expect(
      (
        await custom.request('/api/v0.1/customers', {
          headers: { Identity: 'id-1', Authorization: 'auth-1' },
        })
      ).status,
    ).toBe(200);
  });
});

describe('unknown routes and bad requests', () => {
  it.each([
    ['GET', '/api/v0.1/nothing-here'],
    ['GET', '/api/v2/transactions'],
    ['PUT', '/api/v0.1/transactions'],
    ['DELETE', '/api/v0.1/customers'],
    ['GET', '/'],
  ])('answers %s %s with 404 route_dne in the envelope', async (method, path) => {
    const res = await harness({ baseline: false }).app.request(path, { method, headers: AUTH });
    expect(res.status).toBe(404);
    expect(envelope(await res.json())).toMatchObject({ Status: 404, Code: 'route_dne' });
  });

  it('answers an oversized body with 413 in the envelope', async () => {
    const h = harness({ baseline: false, bodyLimitBytes: 2048 });
    const res = await h.app.request('/api/v0.1/webhooks', {
      method: 'POST',
      headers: JSON_AUTH,
      body: JSON.stringify({
        url: 'https://x.test/h',
        events: ['transactions'],
        description: 'x'.repeat(4096),
      }),
    });
    expect(res.status).toBe(413);
    expect(envelope(await res.json())).toMatchObject({ Status: 413, Code: 'request_too_large' });
  });

  it('answers a body without a content type with 400, not 415', async () => {
    const h = harness({ baseline: false });
    const res = await h.app.request('/api/v0.1/webhooks', {
      method: 'POST',
      headers: AUTH,
      body: '{"url":"x"}',
    });
    expect(res.status).toBe(400);
    expect(envelope(await res.json()).Code).toBe('invalid_request');
  });
});

describe('API documentation', () => {
  it('serves an OpenAPI 3.1 document of every operation, under /api/v0.1 and the legacy /api/v0, without credentials', async () => {
    const res = await harness({ baseline: false }).app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    const current = [
      'get /api/v0.1/transactions',
      'get /api/v0.1/transactions/{transaction_id}',
      'get /api/v0.1/customers',
      'get /api/v0.1/customers/{customer_id}',
      'get /api/v0.1/accounts',
      'get /api/v0.1/accounts/{account_id}',
      'get /api/v0.1/cards',
      'get /api/v0.1/cards/{card_id}',
      'get /api/v0.1/balances',
      'post /api/v0.1/simulate/authorization',
      'post /api/v0.1/simulate/settlement',
      'post /api/v0.1/simulate/settle',
      'post /api/v0.1/webhooks',
      'get /api/v0.1/webhooks',
      'get /api/v0.1/webhooks/{id}',
      'patch /api/v0.1/webhooks/{id}',
      'delete /api/v0.1/webhooks/{id}',
    ];
    const legacy = current.map((op) => op.replace(' /api/v0.1/', ' /api/v0/'));
    expect(operations.sort()).toEqual([...current, ...legacy].sort());
    expect(doc.paths['/api/v0/transactions']?.['get']).toMatchObject({ tags: ['Legacy /api/v0'] });
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['Authorization', 'Identity']);
  });

  it('serves a readable HTML reference at /docs', async () => {
    const res = await harness({ baseline: false }).app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Atelio API');
    expect(html).toContain('/api/v0.1/simulate/settlement');
    expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/cdn/);
  });
});

describe('faults and journal', () => {
  it('answers an injected 429 in the envelope with Retry-After', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atelio', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const h = harness({ baseline: false, faults });
    const res = await h.app.request('/api/v0.1/transactions', { headers: AUTH });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(envelope(await res.json())).toMatchObject({
      Status: 429,
      Code: 'rate_limited',
      Type: 'Request Error',
    });
    expect((await h.app.request('/api/v0.1/transactions', { headers: AUTH })).status).toBe(200);
  });

  it('answers an injected 503 as a Server Error and ignores faults for the other vendor', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atomic', kind: 'status', status: 500 });
    faults.add({ vendor: 'atelio', kind: 'status', status: 503, path: '/api/v0.1/cards', count: 1 });
    const h = harness({ baseline: false, faults });
    expect((await h.app.request('/api/v0.1/customers', { headers: AUTH })).status).toBe(200);
    const res = await h.app.request('/api/v0.1/cards', { headers: AUTH });
    expect(res.status).toBe(503);
    expect(envelope(await res.json())).toMatchObject({
      Status: 503,
      Code: 'server_error',
      Type: 'Server Error',
    });
  });

  it('never turns an injected dropped connection into an HTTP answer in-process', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atelio', kind: 'drop', count: 1 });
    const h = harness({ baseline: false, faults });
    // In-process there is no socket to destroy: the caller sees a network error, as fetch would.
    const outcome = await Promise.resolve(h.app.request('/api/v0.1/customers', { headers: AUTH })).then(
      (res: Response) => res.type,
      () => 'rejected',
    );
    expect(['error', 'rejected']).toContain(outcome);
    expect((await h.app.request('/api/v0.1/customers', { headers: AUTH })).status).toBe(200);
  });

  it('records each request in the journal with credentials masked', async () => {
    const journal = new RequestJournal(10);
    const h = harness({ baseline: false, journal });
    await h.app.request('/api/v0.1/transactions?count=5', { headers: AUTH });
    await h.app.request('/api/v0.1/transactions?count=3', { headers: AUTH });
    const [latest, first] = journal.list();
    expect(first).toMatchObject({
      vendor: 'atelio',
      method: 'GET',
      path: '/api/v0.1/transactions',
      query: '?count=5',
      status: 200,
    });
    expect(latest).toMatchObject({ status: 400 });
    expect(first?.headers['identity']).not.toBe(AUTH.Identity);
    expect(first?.time).toBe('2024-06-15T12:00:00.000Z');
  });
});

describe('as a real server', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('starts with startServer, answers health and the API over HTTP', async () => {
    const h = harness();
    server = await startServer(h.app, { name: 'atelio', port: 0 });
    expect(await (await fetch(`${server.url}/__sandbox/health`)).json()).toEqual({ status: 'ok' });
    const res = await fetch(`${server.url}/api/v0.1/transactions?count=5`, { headers: AUTH });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { count: number }).count).toBe(5);
  });
});
