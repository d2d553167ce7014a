import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../core/faults';
import { RequestJournal } from '../core/journal';
import { API_KEY, expectError, makeAtomic, SERVER_HEADERS } from './testing';

type Operation = { security?: Record<string, string[]>[] };
type OpenApiDoc = { openapi: string; paths: Record<string, Record<string, Operation>> };

const SAMPLE_ID = '0123456789abcdef01234567';

/** Every documented operation, with its path parameters filled in by well-formed placeholders. */
async function operations(harness: ReturnType<typeof makeAtomic>) {
  const doc = (await (await harness.request('GET', '/openapi.json', { auth: 'none' })).json()) as OpenApiDoc;
  const out: { method: string; path: string; security: string[][] }[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
        name === 'identifier' ? 'demo-user' : name === 'publicToken' ? 'some-token' : SAMPLE_ID,
      );
      out.push({
        method: method.toUpperCase(),
        path,
        security: (op.security ?? []).map((s) => Object.keys(s)),
      });
    }
  }
  return out;
}

/** Auth is checked before the body is read, so an empty object is enough where a body is allowed. */
const bodyFor = (method: string) => (method === 'GET' ? undefined : {});
const isServer = (security: string[][]) => security.some((s) => s.includes('ApiKey'));
const isClient = (security: string[][]) => security.some((s) => s.includes('PublicToken'));

describe('Atomic app: authentication on every endpoint', () => {
  it('documents a security requirement on every vendor endpoint', async () => {
    const harness = makeAtomic();
    const ops = await operations(harness);
    expect(ops.length).toBeGreaterThanOrEqual(30);
    const unsecured = ops.filter((op) => op.security.length === 0).map((op) => `${op.method} ${op.path}`);
    expect(unsecured).toEqual([`GET /__sandbox/files/${SAMPLE_ID}`]);
  });

  it('answers 401 in the envelope when credentials are missing, on every secured endpoint', async () => {
    const harness = makeAtomic();
    for (const op of (await operations(harness)).filter((o) => o.security.length > 0)) {
      const response = await harness.request(op.method, op.path, { auth: 'none', body: bodyFor(op.method) });
      const expected = isServer(op.security) ? 40101 : 40105;
      await expectError(response, 401, expected);
    }
  });

  it('answers 401 (40102) for a wrong x-api-secret or x-api-key on every key-and-secret endpoint', async () => {
    const harness = makeAtomic();
    for (const op of (await operations(harness)).filter((o) => isServer(o.security))) {
      const wrongSecret = { 'x-api-key': API_KEY, 'x-api-secret': 'wrong-secret' };
      await expectError(
        await harness.request(op.method, op.path, { auth: wrongSecret, body: bodyFor(op.method) }),
        401,
        40102,
      );
      const wrongKey = { 'x-api-key': 'wrong-key', 'x-api-secret': SERVER_HEADERS['x-api-secret'] };
      await expectError(
        await harness.request(op.method, op.path, { auth: wrongKey, body: bodyFor(op.method) }),
        401,
        40102,
      );
      const keyOnly = { 'x-api-key': API_KEY };
      await expectError(
        await harness.request(op.method, op.path, { auth: keyOnly, body: bodyFor(op.method) }),
        401,
        40101,
      );
    }
  });

  it('refuses a valid public token on key-and-secret-only endpoints with 401 (40103)', async () => {
    const harness = makeAtomic();
    const token = harness.publicToken();
    for (const op of (await operations(harness)).filter(
      (o) => isServer(o.security) && !isClient(o.security),
    )) {
      await expectError(
        await harness.request(op.method, op.path, { auth: { publicToken: token }, body: bodyFor(op.method) }),
        401,
        40103,
      );
    }
  });

  it('refuses unknown, revoked and expired public tokens with 401 (40104) where client calls are allowed', async () => {
    const harness = makeAtomic();
    const revoked = harness.publicToken('demo-user');
    harness.store.revokeAccessToken(revoked);
    const expiring = harness.publicToken('demo-user', 1800);
    await harness.clock.advance(1800 * 1000);
    const clientOps = (await operations(harness)).filter((o) => isClient(o.security));
    expect(clientOps.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      ['GET /pay-link/accounts', `GET /pay-link/accounts/${SAMPLE_ID}`, 'POST /company/search'].sort(),
    );
    for (const op of clientOps) {
      for (const [token, message] of [
        ['not-a-token', /invalid/i],
        [revoked, /revoked/i],
        [expiring, /expired/i],
      ] as const) {
        const body = await expectError(
          await harness.request(op.method, op.path, {
            auth: { publicToken: token },
            body: bodyFor(op.method),
          }),
          401,
          40104,
        );
        expect(body.message).toMatch(message);
      }
    }
  });

  it('accepts the token of an API secret created with POST /secrets as x-api-secret, until it is deleted', async () => {
    const harness = makeAtomic();
    const created = harness.store.createSecret('rotated');
    const auth = { 'x-api-key': API_KEY, 'x-api-secret': created.token };
    expect((await harness.request('GET', '/webhooks/endpoints', { auth })).status).toBe(200);
    harness.store.deleteSecret(created._id);
    await expectError(await harness.request('GET', '/webhooks/endpoints', { auth }), 401, 40102);
  });
});

describe('Atomic app: bad input in the envelope', () => {
  it('answers an unknown route with 404 (40401) in the envelope', async () => {
    const harness = makeAtomic();
    const body = await expectError(await harness.request('GET', '/no/such/route'), 404, 40401);
    expect(body.message).toContain('GET /no/such/route');
    await expectError(await harness.request('DELETE', '/access-token'), 404, 40401);
  });

  it('answers malformed JSON with 400 (40001)', async () => {
    const harness = makeAtomic();
    await expectError(
      await harness.request('POST', '/access-token', { body: '{"identifier": ' }),
      400,
      40001,
    );
  });

  it('answers a body sent as text/plain with 415 (41501)', async () => {
    const harness = makeAtomic();
    const response = await harness.app.request('/access-token', {
      method: 'POST',
      headers: { ...SERVER_HEADERS, 'content-type': 'text/plain' },
      body: '{"identifier":"x"}',
    });
    await expectError(response, 415, 41501);
  });

  it('answers a body over the configured limit with 413 (41301) naming the limit', async () => {
    const harness = makeAtomic({ bodyLimitBytes: 2048 });
    const body = await expectError(
      await harness.request('POST', '/access-token', { body: { identifier: 'x'.repeat(4000) } }),
      413,
      41301,
    );
    expect(body.message).toContain('2048');
  });

  it('answers a wrongly typed field with 422 and a field-level error', async () => {
    const harness = makeAtomic();
    const body = await expectError(
      await harness.request('POST', '/access-token', { body: { identifier: 42 } }),
      422,
      42201,
    );
    expect(body.errors?.[0]?.path).toBe('identifier');
  });
});

describe('Atomic app: journal, faults and docs', () => {
  it('records every request in the journal with credentials masked', async () => {
    const journal = new RequestJournal(10);
    const harness = makeAtomic({ journal });
    await harness.request('GET', '/user/demo-user/tasks');
    await harness.request('GET', '/missing');
    const [missing, tasks] = journal.list();
    expect(missing).toMatchObject({ vendor: 'atomic', method: 'GET', path: '/missing', status: 404 });
    expect(tasks).toMatchObject({
      path: '/user/demo-user/tasks',
      status: 200,
      time: '2025-03-10T15:00:00.000Z',
    });
    expect(tasks?.headers['x-api-secret']).not.toContain('test-api-secret');
  });

  it('answers an injected 429 in the envelope with Retry-After', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atomic', kind: 'status', status: 429, retryAfterSeconds: 7, count: 1 });
    const harness = makeAtomic({ faults });
    const response = await harness.request('GET', '/user/demo-user/tasks');
    expect(response.headers.get('retry-after')).toBe('7');
    await expectError(response, 429, 42901);
    expect((await harness.request('GET', '/user/demo-user/tasks')).status).toBe(200);
  });

  it('surfaces an injected dropped connection as a network-error response to in-process callers', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atomic', kind: 'drop', count: 1 });
    const harness = makeAtomic({ faults });
    const dropped = await harness.request('GET', '/user/demo-user/tasks');
    expect(dropped.type).toBe('error');
    expect((await harness.request('GET', '/user/demo-user/tasks')).status).toBe(200);
  });

  it('serves an OpenAPI 3.1 document and a self-contained HTML reference without credentials', async () => {
    const harness = makeAtomic();
    const doc = (await (
      await harness.request('GET', '/openapi.json', { auth: 'none' })
    ).json()) as OpenApiDoc & {
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'ApiKey',
      'ApiSecret',
      'PublicToken',
    ]);
    const html = await (await harness.request('GET', '/docs', { auth: 'none' })).text();
    expect(html).toContain('/pay-link/accounts/{id}');
    expect(html).not.toMatch(/<script/);
  });
});
