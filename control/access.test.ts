import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { controlAccess, permits, roleOf, sameSecret } from './access';

const ADMIN = 'admin-token-0123456789abcdef';
const VIEWER = 'viewer-token-0123456789abcdef';

function app(tokens: { admin?: string; viewer?: string }) {
  return new Hono()
    .use(controlAccess(tokens))
    .get('/', (c) => c.text(`page for ${roleOf(c)}`))
    .get('/api/state', (c) => c.json({ role: roleOf(c) }))
    .post('/api/reset', (c) => c.json({ role: roleOf(c) }));
}

describe('controlAccess', () => {
  it('is open (everyone admin) when no token is configured: a laptop on loopback', async () => {
    const response = await app({}).request('/api/reset', { method: 'POST' });
    expect(await response.json()).toEqual({ role: 'admin' });
  });

  it('enforces a token given on loopback too', async () => {
    expect((await app({ admin: ADMIN }).request('/api/state')).status).toBe(401);
    const ok = await app({ admin: ADMIN }).request('/api/state', {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(await ok.json()).toEqual({ role: 'admin' });
  });

  it('refuses every near miss of the token: prefixes, one character off, longer, other case', async () => {
    const a = app({ admin: ADMIN, viewer: VIEWER });
    for (const guess of [
      ADMIN.slice(0, -1),
      `${ADMIN}x`,
      ADMIN.toUpperCase(),
      `x${ADMIN.slice(1)}`,
      '',
      'Bearer',
    ]) {
      const response = await a.request('/api/state', { headers: { authorization: `Bearer ${guess}` } });
      expect(response.status, guess).toBe(401);
    }
  });

  it('does not take ?token= on API routes (only a page trades it for the cookie)', async () => {
    const response = await app({ admin: ADMIN }).request(`/api/state?token=${ADMIN}`);
    expect(response.status).toBe(401);
  });

  it('a cookie from one token does not pass for the other', async () => {
    const a = app({ admin: ADMIN, viewer: VIEWER });
    const opened = await a.request(`http://127.0.0.1:4000/?token=${VIEWER}`);
    const cookie = opened.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie.startsWith('stitch_session_4000=')).toBe(true);
    expect(await (await a.request('http://127.0.0.1:4000/', { headers: { cookie } })).text()).toBe(
      'page for viewer',
    );
    expect(
      (await a.request('http://127.0.0.1:4000/api/reset', { method: 'POST', headers: { cookie } })).status,
    ).toBe(403);
    // Another platform's port: the cookie is not its.
    const other = cookie.replace('stitch_session_4000', 'stitch_session_4001');
    expect((await a.request('http://127.0.0.1:4001/', { headers: { cookie: other } })).status).toBe(200);
    expect((await a.request('http://127.0.0.1:4001/', { headers: { cookie } })).status).toBe(401);
  });
});

describe('permits', () => {
  it('lets the viewer read everything but the state export, and change nothing', () => {
    expect(permits('viewer', 'GET', '/api/deliveries')).toBe(true);
    expect(permits('viewer', 'HEAD', '/')).toBe(true);
    expect(permits('viewer', 'GET', '/api/state')).toBe(false);
    expect(permits('viewer', 'GET', '/api/state/')).toBe(false);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'])
      expect(permits('viewer', method, '/api/faults')).toBe(false);
    expect(permits('admin', 'PUT', '/api/state')).toBe(true);
  });
});

describe('sameSecret', () => {
  it('compares strings of any lengths without throwing', () => {
    expect(sameSecret('a', 'a')).toBe(true);
    expect(sameSecret('a', 'ab')).toBe(false);
    expect(sameSecret('', 'x'.repeat(1000))).toBe(false);
  });
});
