import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzPlatform, type FuzzPlatform } from '../fuzz/support/platform-apps';

/**
 * A web page on another site must not be able to change the sandbox through the visitor's browser
 * (CSRF against localhost), nor read it by rebinding its own DNS name to 127.0.0.1. Scripts, curl
 * and the dashboard itself (same origin) must keep working.
 */

let platform: FuzzPlatform;
let control: string;

beforeAll(async () => {
  platform = await startFuzzPlatform();
  control = platform.sandbox.urls.control;
});
afterAll(async () => {
  await platform.stop();
});

/** A request with exactly these headers (fetch would add or refuse some of them). */
function send(method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const target = new URL(url);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: `${target.pathname}${target.search}`,
          headers: {
            ...headers,
            ...(body === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

/** Every state-changing route of the control app, with a body it would accept. */
function stateChangingRoutes(): { method: string; path: string; body?: string }[] {
  const bodies: Record<string, string> = {
    '/api/clock/advance': '{"ms":3600000}',
    '/api/faults': '{"vendor":"atomic","kind":"status","status":503}',
    '/api/state': JSON.stringify(platform.sandbox.exportState()),
  };
  const routes = platform.control.routes.filter((r) => r.method !== 'ALL' && r.method !== 'GET');
  const seen = new Set<string>();
  return routes.flatMap((r) => {
    const path = r.path.replace(':name', 'multi-settlement').replace(/:\w+/g, 'x');
    const key = `${r.method} ${path}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ method: r.method, path, ...(bodies[path] ? { body: bodies[path] } : {}) }];
  });
}

const CROSS_SITE: Record<string, Record<string, string>> = {
  'Origin of another site': { origin: 'https://evil.example' },
  'Origin of another port on localhost': { origin: 'http://127.0.0.1:1' },
  'an opaque Origin (null)': { origin: 'null' },
  'Sec-Fetch-Site: cross-site': { 'sec-fetch-site': 'cross-site' },
  'Sec-Fetch-Site: same-site': { 'sec-fetch-site': 'same-site' },
  'Origin and Sec-Fetch-Site both cross-site': {
    origin: 'https://evil.example',
    'sec-fetch-site': 'cross-site',
  },
};

describe('the control plane and other origins', () => {
  it('lists the state-changing routes it guards', () => {
    const keys = stateChangingRoutes().map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/clock/advance',
        'POST /api/faults',
        'DELETE /api/faults',
        'POST /api/reset',
        'PUT /api/state',
        'POST /api/scenarios/multi-settlement/runs',
        'POST /api/deliveries/x/redeliver',
      ]),
    );
  });

  it.each(Object.entries(CROSS_SITE))(
    'refuses every state change carrying %s with 403, and nothing changes',
    async (_label, headers) => {
      const before = JSON.stringify(platform.sandbox.exportState());
      const runs = platform.sandbox.scenarios.runs().length;
      for (const route of stateChangingRoutes()) {
        const answer = await send(route.method, `${control}${route.path}`, headers, route.body);
        expect(answer.status, `${route.method} ${route.path}`).toBe(403);
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'cross_origin_refused' } });
      }
      expect(JSON.stringify(platform.sandbox.exportState())).toBe(before);
      expect(platform.sandbox.clock.offsetMs).toBe(0);
      expect(platform.sandbox.faults.list()).toEqual([]);
      expect(platform.sandbox.scenarios.runs()).toHaveLength(runs);
    },
  );

  it('accepts the same state change from the same origin, from a typed URL, and from clients that send neither header', async () => {
    const own = new URL(control).origin;
    const allowed = [
      { origin: own },
      { 'sec-fetch-site': 'same-origin' },
      { origin: own, 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      {},
    ];
    for (const headers of allowed) {
      const answer = await send(
        'POST',
        `${control}/api/faults`,
        headers,
        '{"vendor":"atomic","kind":"latency","latencyMs":1,"count":1}',
      );
      expect(answer.status, JSON.stringify(headers)).toBe(201);
    }
    expect(platform.sandbox.faults.list()).toHaveLength(allowed.length);
    expect((await send('DELETE', `${control}/api/faults`, {})).status).toBe(200);
  });

  it('never grants CORS: no Access-Control-Allow-Origin on reads or preflights from another origin', async () => {
    const read = await send('GET', `${control}/api/state`, { origin: 'https://evil.example' });
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await send('OPTIONS', `${control}/api/faults`, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('refuses a page that rebinds its own DNS name to 127.0.0.1 (Host and Origin are that name), reads included', async () => {
    const port = new URL(control).port;
    const rebound = { host: `evil.example:${port}`, origin: `http://evil.example:${port}` };
    const change = await send('POST', `${control}/api/reset`, rebound);
    expect(change.status).toBe(403);
    expect(JSON.parse(change.text)).toMatchObject({ error: { code: 'host_not_allowed' } });
    // Same-origin reads need no Origin header at all: the Host is what gives the rebinding away.
    const read = await send('GET', `${control}/api/state`, { host: `evil.example:${port}` });
    expect(read.status).toBe(403);
    expect(read.text).not.toContain('whsec_');
    // The names a loopback server is reached by keep working.
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `app.localhost:${port}`]) {
      expect((await send('GET', `${control}/api/clock`, { host })).status, host).toBe(200);
    }
  });
});
