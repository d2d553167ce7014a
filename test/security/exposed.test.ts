import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../e2e/support/cli';

/**
 * A demo platform bound beyond loopback, attacked from the network through the real command:
 * `stitch-sandbox start --host 0.0.0.0`. The requests go to the machine's own non-loopback address
 * when it has one (as a peer on the LAN would), else to 127.0.0.1 on the same wildcard bind.
 */

const VIEWER = 'viewer-token-for-the-audience-0001';
const ATOMIC = { 'x-api-key': 'test-api-key', 'x-api-secret': 'test-api-secret' };
const ATELIO = { Identity: 'test-identity', Authorization: 'test-authorization' };

/** The address a peer on the network would use: the first non-loopback IPv4 of this machine. */
const peerAddress =
  Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((i) => !i.internal && i.family === 'IPv4')?.address ?? '127.0.0.1';

/** A service only this machine can reach, which must never hear from the platform. */
interface InternalService {
  url: string;
  hits: number;
  close(): Promise<void>;
}

async function startInternalService(answer: string): Promise<InternalService> {
  const service = { hits: 0 } as InternalService;
  const server = http.createServer((_req, res) => {
    service.hits++;
    res.writeHead(200, { 'content-type': 'text/plain' }).end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.close = () => new Promise((resolve) => server.close(() => resolve()));
  return service;
}

let cli: CliProcess;
let token: string;
let internal: InternalService;
let allowedService: InternalService;
const base: Record<'control' | 'atomic' | 'atelio', string> = { control: '', atomic: '', atelio: '' };

const at = (url: string) => {
  const parsed = new URL(url);
  parsed.hostname = peerAddress;
  return parsed.origin;
};

beforeAll(async () => {
  internal = await startInternalService('INTERNAL-ADMIN-PANEL-SECRET');
  allowedService = await startInternalService('allowed receiver: ok');
  cli = await startCli([
    '--host',
    '0.0.0.0',
    '--viewer-token',
    VIEWER,
    '--allow-webhook-host',
    new URL(allowedService.url).host,
  ]);
  const ready = JSON.parse(
    cli
      .stdout()
      .split('\n')
      .find((l) => l.includes('"ready"'))!,
  ) as {
    controlToken?: string;
  };
  expect(ready.controlToken, 'a generated control token is in the ready line').toMatch(/^[\w-]{32}$/);
  token = ready.controlToken!;
  base.control = at(cli.urls.control);
  base.atomic = at(cli.urls.atomic);
  base.atelio = at(cli.urls.atelio);
});

afterAll(async () => {
  await cli?.stop('SIGKILL');
  await internal?.close();
  await allowedService?.close();
});

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

async function call(
  path: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    server?: keyof typeof base;
  } = {},
) {
  const response = await fetch(`${base[init.server ?? 'control']}${path}`, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = response.headers.get('content-type')?.includes('event-stream') ? '' : await response.text();
  if (!text) await response.body?.cancel().catch(() => undefined);
  return { status: response.status, headers: response.headers, text };
}

/** A GET with a Host header of our choosing (fetch does not let one be set). */
function withHost(path: string, host: string, headers: Record<string, string>) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(`${base.control}${path}`, { headers: { ...headers, host } }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Every route group of the control plane and the dashboard, reads and writes. */
const CONTROL_ROUTES: [string, string, unknown?][] = [
  ['GET', '/'],
  ['GET', '/index.html'],
  ['GET', '/assets/js/main.js'],
  ['GET', '/api/session'],
  ['GET', '/api/state'],
  ['PUT', '/api/state', { version: 1 }],
  ['POST', '/api/reset'],
  ['GET', '/api/faults'],
  ['POST', '/api/faults', { vendor: 'atomic', kind: 'status', status: 500 }],
  ['DELETE', '/api/faults'],
  ['GET', '/api/clock'],
  ['POST', '/api/clock/advance', { ms: 1000 }],
  ['GET', '/api/deliveries'],
  ['POST', '/api/deliveries/x/redeliver'],
  ['POST', '/api/deliveries/redeliver', { status: 'failed' }],
  ['GET', '/api/webhook-targets'],
  ['POST', '/api/webhook-targets/atomic/x/resume'],
  ['GET', '/api/chaos'],
  ['POST', '/api/chaos', { vendor: 'atomic', kind: 'drop', count: 1 }],
  ['DELETE', '/api/chaos'],
  ['GET', '/api/requests'],
  ['GET', '/api/refreshes'],
  ['POST', '/api/refreshes/fail-next', { accountId: 'x', failReason: 'bot-detection' }],
  ['GET', '/api/scenarios'],
  ['POST', '/api/scenarios/multi-settlement/runs', {}],
  ['GET', '/api/runs'],
  ['GET', '/api/events'],
  ['GET', '/api/users'],
  ['GET', '/api/users/demo-user'],
  ['GET', '/api/stitcher/users/demo-user/transactions'],
];

/** Routes that change something: refused to the viewer. */
const WRITES = CONTROL_ROUTES.filter(([method]) => method !== 'GET');

describe('a platform bound to 0.0.0.0, reached from the network', () => {
  it('refuses every control and dashboard route without a token (401), with a wrong one too; health stays open', async () => {
    for (const [method, path, body] of CONTROL_ROUTES) {
      const none = await call(path, { method, body });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(none.text, `${method} ${path} leaks nothing`).not.toMatch(/whsec_|test-api-secret/);
      const wrong = await call(path, { method, body, headers: bearer(`${token.slice(0, -1)}x`) });
      expect(wrong.status, `${method} ${path} with a near-miss token`).toBe(401);
    }
    for (const server of ['control', 'atomic', 'atelio'] as const)
      expect((await call('/__sandbox/health', { server })).status).toBe(200);
    // Nothing changed: the faults list is still empty, the clock did not move.
    const faults = await call('/api/faults', { headers: bearer(token) });
    expect(JSON.parse(faults.text)).toEqual({ faults: [] });
  });

  it('lets the viewer token read but refuses it every state-changing route and the state export (403)', async () => {
    for (const [method, path, body] of WRITES) {
      const answer = await call(path, { method, body, headers: bearer(VIEWER) });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(JSON.parse(answer.text).error.code).toBe('forbidden');
    }
    const state = await call('/api/state', { headers: bearer(VIEWER) });
    expect(state.status).toBe(403);
    expect(state.text).not.toMatch(/whsec_|test-api-secret/);
    for (const path of ['/api/deliveries', '/api/runs', '/api/users', '/api/scenarios', '/api/clock'])
      expect((await call(path, { headers: bearer(VIEWER) })).status, path).toBe(200);
    expect(JSON.parse((await call('/api/session', { headers: bearer(VIEWER) })).text)).toEqual({
      role: 'viewer',
      tokenRequired: true,
    });
  });

  it('gives the state export, secrets included, to the control token only', async () => {
    const state = await call('/api/state', { headers: bearer(token) });
    expect(state.status).toBe(200);
    expect(state.text).toContain('whsec_');
    expect(state.text).toContain('test-api-secret');
  });

  it('trades ?token= on the dashboard for an HttpOnly same-site cookie, then serves the page, the API and the live stream', async () => {
    const opened = await call(`/?token=${encodeURIComponent(VIEWER)}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/');
    const setCookie = opened.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie, 'the cookie is not the token itself').not.toContain(VIEWER);
    const cookie = { cookie: setCookie.split(';')[0]! };
    expect((await call('/', { headers: cookie })).status).toBe(200);
    expect((await call('/api/deliveries', { headers: cookie })).status).toBe(200);
    const live = await call('/api/events', { headers: cookie });
    expect(live.status).toBe(200);
    expect(live.headers.get('content-type')).toContain('text/event-stream');
    // The viewer's cookie carries the viewer's rights, no more.
    expect((await call('/api/reset', { method: 'POST', headers: cookie })).status).toBe(403);
    expect((await call('/api/state', { headers: cookie })).status).toBe(403);
    expect((await call(`/?token=not-a-token-at-all-000`)).status).toBe(401);
  });

  it('refuses Host: evil.example (DNS rebinding), even with the control token', async () => {
    for (const path of ['/', '/api/state', '/api/deliveries']) {
      const answer = await withHost(path, 'evil.example', bearer(token));
      expect(answer.status, path).toBe(403);
      expect(JSON.parse(answer.text).error.code).toBe('host_not_allowed');
    }
    // The names it is reached by still work.
    expect((await withHost('/api/clock', `${peerAddress}:1`, bearer(token))).status).toBe(200);
    expect((await withHost('/api/clock', 'localhost', bearer(token))).status).toBe(200);
  });

  it('refuses webhook targets on a non-allowed loopback port through both vendor APIs and an imported state; nothing reaches them or is stored', async () => {
    const secrets = JSON.parse((await call('/secrets', { server: 'atomic', headers: ATOMIC })).text) as {
      data: { secrets: { _id: string }[] };
    };
    const secretId = secrets.data.secrets[0]!._id;
    const atomicEndpoint = await call('/webhooks/endpoints', {
      server: 'atomic',
      method: 'POST',
      headers: ATOMIC,
      body: { url: `${internal.url}/admin`, secretId, eventTypes: ['task-status-updated'] },
    });
    expect(atomicEndpoint.status).toBeGreaterThanOrEqual(400);
    expect(atomicEndpoint.status).toBeLessThan(500);
    expect(atomicEndpoint.text).toContain('--allow-webhook-host');
    const atelioSubscription = await call('/api/v0.1/webhooks', {
      server: 'atelio',
      method: 'POST',
      headers: ATELIO,
      body: { url: `${internal.url}/admin`, events: ['*'] },
    });
    expect(atelioSubscription.status).toBe(400);
    expect(atelioSubscription.text).toContain('--allow-webhook-host');

    // An imported state naming the internal service is refused whole.
    type Exported = {
      atomic: { endpoints: unknown[] };
      atelio: { subscriptions: { url: string }[] };
    };
    const exported = async () =>
      JSON.parse((await call('/api/state', { headers: bearer(token) })).text) as Exported;
    const state = await exported();
    const targetsBefore = structuredClone([state.atomic.endpoints, state.atelio.subscriptions]);
    state.atelio.subscriptions[0]!.url = `${internal.url}/admin`;
    const imported = await call('/api/state', { method: 'PUT', headers: bearer(token), body: state });
    expect(imported.status).toBe(400);
    expect(imported.text).toContain('not an allowed webhook target');
    const after = await exported();
    expect([after.atomic.endpoints, after.atelio.subscriptions]).toEqual(targetsBefore);

    // The allowed host:port is accepted; the same host on another port is not.
    const allowed = await call('/api/v0.1/webhooks', {
      server: 'atelio',
      method: 'POST',
      headers: ATELIO,
      body: { url: `${allowedService.url}/hooks`, events: ['*'] },
    });
    expect(allowed.status).toBe(201);

    // Play a story: webhooks go out, to the stitcher and the allowed service only.
    const run = await call('/api/scenarios/multi-settlement/runs', {
      method: 'POST',
      headers: bearer(token),
      body: { seed: 3 },
    });
    expect(run.status).toBe(202);
    await expect.poll(() => allowedService.hits, { timeout: 10_000 }).toBeGreaterThan(0);
    const deliveries = await call('/api/deliveries?limit=200', { headers: bearer(token) });
    expect(deliveries.text).not.toContain(internal.url);
    expect(deliveries.text).not.toContain('INTERNAL-ADMIN-PANEL-SECRET');
    expect(internal.hits).toBe(0);
  });

  it('will not start with --webhook-url outside the allow-list', async () => {
    await expect(startCli(['--host', '0.0.0.0', '--webhook-url', `${internal.url}/x`])).rejects.toThrow(
      /webhookUrl: .* is not an allowed webhook target/,
    );
  });
});
