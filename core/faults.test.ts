import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, faultMiddleware } from './faults';
import { startServer, type RunningServer } from './server';

const envelopeApp = (faults: FaultInjector) => {
  const app = new Hono();
  app.use(faultMiddleware(faults, 'atomic', (c, status, message) => c.json({ code: status * 100, message }, status as 500)));
  app.get('/pay-link/accounts/:id', (c) => c.json({ data: { _id: c.req.param('id') } }));
  app.get('/task/:id/status', (c) => c.json({ status: 'completed' }));
  return app;
};

let servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('FaultInjector', () => {
  it('answers 429 with Retry-After in the vendor envelope for the matched route only', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atomic', path: '/pay-link/accounts/*', kind: 'status', status: 429, retryAfterSeconds: 7 });
    const app = envelopeApp(faults);
    const limited = await app.request('/pay-link/accounts/abc');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toEqual({ code: 42900, message: 'Too many requests, please try again later.' });
    expect((await app.request('/task/1/status')).status).toBe(200);
  });

  it('retires a counted rule after its uses', async () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'status', status: 503, count: 2 });
    const app = envelopeApp(faults);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/task/1/status')).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    expect(faults.list()).toEqual([]);
  });

  it('applies a probability with the injected random source', async () => {
    const rolls = [0.1, 0.9, 0.2, 0.8];
    const faults = new FaultInjector(() => rolls.shift() ?? 1);
    faults.add({ kind: 'status', status: 500, probability: 0.5 });
    const app = envelopeApp(faults);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await app.request('/task/1/status')).status);
    expect(statuses).toEqual([500, 200, 500, 200]);
  });

  it('ignores rules for the other vendor and other methods', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atelio', kind: 'status', status: 500 });
    faults.add({ vendor: 'atomic', method: 'post', kind: 'status', status: 500 });
    expect((await envelopeApp(faults).request('/task/1/status')).status).toBe(200);
  });

  it('rejects an incomplete rule with the field named', () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ kind: 'status' })).toThrow(/status is required/);
    expect(() => faults.add({ kind: 'latency' })).toThrow(/latencyMs is required/);
  });

  it('drops the connection of a real server so the client sees a network error', async () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'drop', count: 1 });
    const server = await startServer(envelopeApp(faults), { name: 'faulty', port: 0 });
    servers.push(server);
    await expect(fetch(`${server.url}/task/1/status`)).rejects.toThrow();
    expect((await fetch(`${server.url}/task/1/status`)).status).toBe(200);
  });

  it('delays a request by the injected latency', async () => {
    const faults = new FaultInjector();
    faults.add({ kind: 'latency', latencyMs: 60, count: 1 });
    const app = envelopeApp(faults);
    const started = performance.now();
    expect((await app.request('/task/1/status')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});
