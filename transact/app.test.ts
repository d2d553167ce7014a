import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock';
import { AMAZON_COMPANY_ID, createAtomicStore } from '../mock-atomic';
import { createTransactApp } from './app';
import { encodeLaunch } from './launch-config';
import { transactSdkPath } from './sdk';
import { TransactSessions } from './sessions';

function setup() {
  const clock = new VirtualClock('2025-03-10T15:00:00Z');
  const store = createAtomicStore({ seed: 1, clock, baseline: false });
  const sessions = new TransactSessions({ store, clock });
  const app = createTransactApp({ store, sessions });
  return { clock, store, sessions, app };
}

const OM = { product: 'present', deeplink: { step: 'login-company', companyId: AMAZON_COMPANY_ID } };

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('Transact server', () => {
  it('serves the SDK byte for byte as npm ships it, loadable from any origin', async () => {
    const { app } = setup();
    const response = await app.request('/transact.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await response.text()).toBe(readFileSync(transactSdkPath(), 'utf8'));
  });

  it('serves the app for /initialize/<base64>, framable by any origin (no X-Frame-Options, no frame-ancestors)', async () => {
    const { app } = setup();
    const response = await app.request(`/initialize/${encodeLaunch({ ...OM, inSdk: true })}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBeNull();
    expect(response.headers.get('content-security-policy')).not.toMatch(/frame-ancestors/);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(html).toContain('"kind":"order-monitoring"');
  });

  it('serves app.js and every ES module it imports, each as JavaScript from this origin', async () => {
    const { app } = setup();
    const seen = new Set<string>();
    const queue = ['/assets/app.js'];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(/^text\/javascript/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      const source = await response.text();
      for (const [, specifier] of source.matchAll(/^import [^;]*? from '(\.[^']+)';$/gms))
        queue.push(new URL(specifier!, `http://transact${path}`).pathname);
    }
    // The entry and its modules: launch data, back end, host messages, views, hub, task, leaving.
    expect([...seen].sort()).toEqual([
      '/assets/app.js',
      '/assets/js/dom.js',
      '/assets/js/host.js',
      '/assets/js/hub.js',
      '/assets/js/launch.js',
      '/assets/js/leaving.js',
      '/assets/js/pages.js',
      '/assets/js/server.js',
      '/assets/js/task.js',
    ]);
    expect((await app.request('/assets/js/missing.js')).status).toBe(404);
  });

  it('reads a config whose base64 spans several path segments and decodes it as Latin-1', async () => {
    const { app } = setup();
    const config = { ...OM, customer: { name: 'ÿÿÿÿÿÿ Côte' } };
    const encoded = encodeLaunch(config);
    expect(encoded).toContain('/');
    const html = await (await app.request(`/initialize/${encoded}`)).text();
    expect(html).toContain('"name":"ÿÿÿÿÿÿ Côte"');
  });

  it('a trailing-slash override (//initialize/...) or one with a path still gets the app, so it can say what is wrong', async () => {
    const { app } = setup();
    expect((await app.request(`//initialize/${encodeLaunch(OM)}`)).status).toBe(200);
    expect((await app.request(`/transact/initialize/${encodeLaunch(OM)}`)).status).toBe(200);
    expect((await app.request('/transact/other')).status).toBe(404);
  });

  it.each([
    ['', /nothing follows/],
    ['not*base64', /not standard base64/],
    ['abc', /not standard base64/],
    ['%E0%A4%A', /percent-encoding/],
    [Buffer.from('not json').toString('base64'), /does not hold JSON/],
    [Buffer.from('[1,2]').toString('base64'), /not an object/],
    [encodeLaunch({ product: 'present', theme: { dark: 'yes' } }), /theme.dark/],
    [encodeLaunch({ product: 'deposit' }), /asks for deposit/],
    ['A'.repeat(20_000), /longer than/],
  ])('junk under /initialize/ (%s) gets a clear error page, never a 5xx', async (path, reason) => {
    const { app } = setup();
    const response = await app.request(`/initialize/${path}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(reason);
  });

  it('opens a session for a good token, refuses expired, revoked and unknown ones with what went wrong', async () => {
    const { app, store, clock } = setup();
    const encodedConfig = encodeLaunch(OM);
    const good = store.createAccessToken({ identifier: 'u', tokenLifetime: 1800 }).publicToken;
    const opened = await app.request(
      '/api/sessions',
      post({ publicToken: good, handshakeId: '0123456789abcdef', tokenDelivery: 'handshake', encodedConfig }),
    );
    expect(opened.status).toBe(201);
    const { sessionId } = (await opened.json()) as { sessionId: string };
    expect((await app.request(`/api/sessions/${sessionId}`)).status).toBe(200);

    await clock.advance(1_801_000);
    const expired = await app.request(`/api/sessions/${sessionId}`);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'token-expired' });

    const revoked = store.createAccessToken({ identifier: 'u' }).publicToken;
    store.revokeAccessToken(revoked);
    const refused = await app.request(
      '/api/sessions',
      post({ publicToken: revoked, handshakeId: null, tokenDelivery: 'config', encodedConfig }),
    );
    expect(await refused.json()).toMatchObject({ code: 'token-revoked' });
    const unknown = await app.request(
      '/api/sessions',
      post({ publicToken: 'nope', handshakeId: null, tokenDelivery: 'config', encodedConfig }),
    );
    expect(unknown.status).toBe(401);
  });

  it('answers bad API input with 4xx JSON, never a 5xx', async () => {
    const { app } = setup();
    const bad = [
      app.request('/api/sessions', {
        method: 'POST',
        body: '{',
        headers: { 'content-type': 'application/json' },
      }),
      app.request('/api/sessions', post({ publicToken: 'x' })),
      app.request('/api/sessions/nope'),
      app.request(
        '/api/sessions/nope/tasks',
        post({ companyId: AMAZON_COMPANY_ID, username: 'a', password: 'b' }),
      ),
      app.request('/api/nothing'),
      app.request('/nothing'),
    ];
    for (const response of await Promise.all(bad)) {
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('a login starts a present task of the Atomic mock for the token user, with an unknown username played as test-bad', async () => {
    const { app, store, clock } = setup();
    const token = store.createAccessToken({ identifier: 'u' }).publicToken;
    const opened = await app.request(
      '/api/sessions',
      post({
        publicToken: token,
        handshakeId: null,
        tokenDelivery: 'config',
        encodedConfig: encodeLaunch(OM),
      }),
    );
    const { sessionId } = (await opened.json()) as { sessionId: string };
    const started = await app.request(
      `/api/sessions/${sessionId}/tasks`,
      post({ companyId: AMAZON_COMPANY_ID, username: 'jane@example.com', password: 'x' }),
    );
    expect(started.status).toBe(201);
    const { task } = (await started.json()) as { task: { _id: string } };
    await clock.advance(3_000);
    const polled = (await (await app.request(`/api/sessions/${sessionId}/tasks/${task._id}`)).json()) as {
      task: { status: string; failReason?: string; user: { identifier: string } };
    };
    expect(polled.task).toMatchObject({
      status: 'failed',
      failReason: 'bad-credentials',
      user: { identifier: 'u' },
    });
    const other = await app.request(`/api/sessions/${sessionId}/tasks/64b7c2f0a1b2c3d4e5f60718`);
    expect(other.status).toBe(404);
  });
});
