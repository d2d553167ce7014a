import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server';

let running: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

describe('startServer', () => {
  it('serves the app on an ephemeral port on 127.0.0.1 and answers the health check', async () => {
    const app = new Hono().get('/hello', (c) => c.text('hi'));
    const server = await startServer(app, { name: 'test', port: 0 });
    running.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/hello`)).text()).toBe('hi');
    const health = await fetch(`${server.url}/__sandbox/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });

  it('rejects with a clear message when the port is taken', async () => {
    const first = await startServer(new Hono(), { name: 'first', port: 0 });
    running.push(first);
    await expect(startServer(new Hono(), { name: 'second', port: first.port })).rejects.toThrow(/already in use/);
  });
});
