import { request as httpRequest } from 'node:http';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import { RequestJournal, journalMiddleware, maskSecret } from './journal';
import { startServer } from './server';

describe('RequestJournal', () => {
  it('keeps only the newest entries once full, newest first', () => {
    const journal = new RequestJournal(3);
    for (let i = 1; i <= 5; i++) {
      journal.record({
        time: 't',
        vendor: 'atomic',
        method: 'GET',
        path: `/${i}`,
        query: '',
        status: 200,
        durationMs: 0,
        headers: {},
      });
    }
    expect(journal.list().map((e) => e.path)).toEqual(['/5', '/4', '/3']);
    expect(journal.recorded).toBe(5);
    expect(journal.size).toBe(3);
  });

  it('records requests through the middleware with credentials masked', async () => {
    const journal = new RequestJournal(10);
    const app = new Hono();
    app.use(journalMiddleware(journal, 'atomic', new VirtualClock('2024-05-01T00:00:00Z')));
    app.get('/x', (c) => c.json({ ok: true }, 201));
    await app.request('/x?a=1', { headers: { 'x-api-secret': 'test-api-secret', 'user-agent': 'curl' } });
    const [entry] = journal.list();
    expect(entry).toMatchObject({
      vendor: 'atomic',
      method: 'GET',
      path: '/x',
      query: '?a=1',
      status: 201,
      time: '2024-05-01T00:00:00.000Z',
    });
    expect(entry!.headers['x-api-secret']).toBe(maskSecret('test-api-secret'));
    expect(JSON.stringify(entry)).not.toContain('test-api-secret');
    expect(entry!.headers['user-agent']).toBe('curl');
  });

  it('behind a real server, records path, query and headers with credentials masked and repeats joined', async () => {
    const journal = new RequestJournal(10);
    const app = new Hono();
    app.use(journalMiddleware(journal, 'atelio', new VirtualClock('2024-05-01T00:00:00Z')));
    app.get('/api/v0.1/transactions', (c) => c.json({ ok: true }));
    const server = await startServer(app, { name: 'journal test' });
    try {
      // node:http sends an array value as repeated header lines, as a real client may.
      await new Promise<void>((resolve, reject) => {
        const request = httpRequest(`${server.url}/api/v0.1/transactions?count=50&page=2`, {
          headers: { Identity: 'test-identity', Authorization: 'test-authorization', 'x-trace': ['a', 'b'] },
        });
        request.on('response', (response) => response.resume().on('end', resolve));
        request.on('error', reject);
        request.end();
      });
    } finally {
      await server.close();
    }
    const [entry] = journal.list();
    expect(entry).toMatchObject({ path: '/api/v0.1/transactions', query: '?count=50&page=2', status: 200 });
    expect(entry!.headers['identity']).toBe(maskSecret('test-identity'));
    expect(entry!.headers['authorization']).toBe(maskSecret('test-authorization'));
    expect(entry!.headers['x-trace']).toBe('a, b');
    expect(JSON.stringify(entry)).not.toMatch(/test-identity|test-authorization/);
  });
});
