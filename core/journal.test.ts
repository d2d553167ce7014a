import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';
import { RequestJournal, journalMiddleware, maskSecret } from './journal';

describe('RequestJournal', () => {
  it('keeps only the newest entries once full, newest first', () => {
    const journal = new RequestJournal(3);
    for (let i = 1; i <= 5; i++) {
      journal.record({ time: 't', vendor: 'atomic', method: 'GET', path: `/${i}`, query: '', status: 200, durationMs: 0, headers: {} });
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
    expect(entry).toMatchObject({ vendor: 'atomic', method: 'GET', path: '/x', query: '?a=1', status: 201, time: '2024-05-01T00:00:00.000Z' });
    expect(entry!.headers['x-api-secret']).toBe(maskSecret('test-api-secret'));
    expect(JSON.stringify(entry)).not.toContain('test-api-secret');
    expect(entry!.headers['user-agent']).toBe('curl');
  });
});
