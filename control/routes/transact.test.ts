import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { createAtomicMock } from '../../mock-atomic';
import { TransactSessions, decodeLaunch, encodeLaunch } from '../../transact';
import { handleControlError } from '../errors';
import { transactRoutes } from './transact';
import { Hono } from 'hono';

function setup() {
  const clock = new VirtualClock('2025-03-10T15:00:00Z');
  const atomic = createAtomicMock({ seed: 1, clock, baseline: false }).store;
  const sessions = new TransactSessions({ store: atomic, clock });
  const app = new Hono().route(
    '/api/transact',
    transactRoutes({ sessions, atomic, transactUrl: 'http://127.0.0.1:4040' }),
  );
  app.onError(handleControlError);
  return { app, atomic, sessions };
}

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('control plane: /api/transact', () => {
  it('launch gives a live public token for the user and SDK options for the chosen flow', async () => {
    const { app, atomic } = setup();
    const response = await app.request(
      '/api/transact/launch',
      post({ identifier: 'demo', flow: 'payments-hub', apps: ['orders'] }),
    );
    expect(response.status).toBe(201);
    const launch = (await response.json()) as {
      environmentOverride: string;
      config: Record<string, unknown>;
    };
    expect(launch.environmentOverride).toBe('http://127.0.0.1:4040');
    expect(launch.config).toMatchObject({
      scope: 'pay-link',
      tasks: [{ operation: 'manage', apps: ['orders'] }],
    });
    const check = atomic.resolvePublicToken(launch.config['publicToken'] as string);
    expect(check.ok && check.user.identifier).toBe('demo');
    const { publicToken: _token, ...config } = launch.config;
    expect(decodeLaunch(encodeLaunch(config))).toMatchObject({
      ok: true,
      flow: { kind: 'payments-hub', apps: ['orders'] },
    });
  });

  it('launch refuses a body without an identifier or with an unknown flow, naming the field', async () => {
    const { app } = setup();
    for (const body of [
      {},
      { identifier: '' },
      { identifier: 'u', flow: 'deposit' },
      { identifier: 'u', extra: 1 },
    ]) {
      const response = await app.request('/api/transact/launch', post(body));
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
    }
  });

  it('lists sessions without their token, finds one by id, and answers 404 for an unknown id', async () => {
    const { app, atomic, sessions } = setup();
    const publicToken = atomic.createAccessToken({ identifier: 'u' }).publicToken;
    const config = { product: 'present' };
    const launch = decodeLaunch(encodeLaunch(config));
    if (!launch.ok) throw new Error(launch.reason);
    const session = sessions.open({
      publicToken,
      handshakeId: null,
      tokenDelivery: 'config',
      config,
      flow: launch.flow,
    });
    const listed = await (await app.request('/api/transact/sessions')).text();
    expect(listed).toContain(session.id);
    expect(listed).not.toContain(publicToken);
    expect((await app.request(`/api/transact/sessions/${session.id}`)).status).toBe(200);
    const missing = await app.request('/api/transact/sessions/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
