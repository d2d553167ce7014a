import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorSchema } from './shared/errors';
import { API_KEY, API_SECRET, makeAtomic } from './testing';

/**
 * Thousands of generated bad (and some good) requests against one long-lived app: random methods,
 * paths (real route shapes with hostile segments, and junk), credentials, content types, query
 * strings and bodies (arbitrary JSON, mutated documented bodies, malformed text, deep nesting,
 * oversized payloads). Whatever comes in, the answer is never a 5xx, and every error is Atomic's
 * `{code, message}` envelope with code = status × 100 + n.
 */

const harness = makeAtomic({ bodyLimitBytes: 64 * 1024 });
const validToken = harness.publicToken('demo-user');
const revokedToken = harness.publicToken('demo-user');
harness.store.revokeAccessToken(revokedToken);
const { baseline } = harness;

const ROUTES = [
  'POST /access-token',
  'PUT /access-token/{token}/revoke',
  'GET /{identifier}/pay-link/accounts',
  'POST /{identifier}/pay-link/accounts',
  'GET /pay-link/accounts',
  'GET /pay-link/accounts/{id}',
  'GET /task/{id}/details',
  'GET /task/{id}/status',
  'GET /task/{id}/file/{id}/generate-url',
  'GET /__sandbox/files/{id}',
  'POST /task/prescreen',
  'GET /user/{identifier}/tasks',
  'PUT /user',
  'PUT /user/{identifier}/end-monitoring',
  'POST /company/search',
  'POST /pre-screen',
  'GET /deposit-accounts/{identifier}',
  'GET /employment/{identifier}',
  'GET /identity/{identifier}',
  'GET /income/{identifier}',
  'GET /statements/{identifier}',
  'GET /timesheets/{identifier}',
  'GET /taxes/{identifier}',
  'GET /linked-account/list/{identifier}',
  'POST /task-workflow/from-linked-account',
  'POST /webhooks/endpoints',
  'GET /webhooks/endpoints',
  'PUT /webhooks/endpoints/{id}',
  'DELETE /webhooks/endpoints/{id}',
  'POST /secrets',
  'GET /secrets',
  'DELETE /secrets/{id}',
] as const;

const knownIds = [
  baseline.amazonAccountId!,
  baseline.taskId!,
  baseline.linkedAccountId!,
  baseline.defaultSecretId,
];
const hostileText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    '..',
    '%',
    '%E0%A4%A',
    '%00',
    'null',
    'undefined',
    '-1',
    '1e309',
    '__proto__',
    'constructor',
  ),
  fc.constant('x'.repeat(600)),
);
const segment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      ...knownIds,
      'demo-user',
      'demo-user-disconnected',
      '0123456789abcdef01234567',
    ),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{24}$/) },
  { weight: 2, arbitrary: hostileText.map((s) => encodeURIComponent(s)) },
);

const routePath = fc
  .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 3, maxLength: 3 }))
  .map(([route, values]) => {
    const [method, template] = route.split(' ') as [string, string];
    let i = 0;
    return { method, path: template.replace(/\{\w+\}/g, () => values[i++ % values.length]!) };
  });
const junkPath = fc
  .array(segment, { minLength: 0, maxLength: 6 })
  .map((parts) => ({ method: 'GET', path: `/${parts.join('/')}` }));

const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS');
const headerValue = fc.stringMatching(/^[ -~]{0,80}$/);

const credentials = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constant<Record<string, string>>({ 'x-api-key': API_KEY, 'x-api-secret': API_SECRET }),
  },
  fc.constant<Record<string, string>>({ 'x-public-token': validToken }),
  fc.constant<Record<string, string>>({ 'x-public-token': revokedToken }),
  fc.record({ 'x-api-key': headerValue, 'x-api-secret': headerValue }),
  fc.record({ 'x-public-token': headerValue }),
  fc.constant<Record<string, string>>({}),
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
  'json',
);

/** Documented request bodies, which the mutator then breaks in one place. */
const documentedBodies: Record<string, unknown>[] = [
  { identifier: 'prop-user', tokenLifetime: 3600, cards: [{ number: '4111111111111111', expiry: '01/30' }] },
  { identifier: 'demo-user', data: { identity: { city: 'Provo' } } },
  { financialTransactions: [{ id: '1', date: '2025-01-01', description: 'HULU', amount: -7.99 }] },
  { query: 'amazon', scopes: ['pay-link'], tags: ['gig-economy'] },
  { identifier: 'p', identity: { firstName: 'A', lastName: 'B' } },
  { linkedAccount: baseline.linkedAccountId, tasks: [{ operation: 'verify' }] },
  {
    url: 'https://example.com/hook',
    secretId: baseline.defaultSecretId,
    eventTypes: ['task-status-updated'],
  },
  { name: 'secret' },
  { company: '65272c415d8a530008e972df', identifier: 'demo-user' },
];
const mutatedBody = fc
  .tuple(fc.constantFrom(...documentedBodies), fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 4 }))
  .map(([body, key, value]) => {
    const keys = Object.keys(body);
    const target = keys.length && key.length % 2 === 0 ? keys[key.length % keys.length]! : key;
    return JSON.stringify({ ...body, [target]: value });
  });

const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  mutatedBody,
  fc.constantFrom(...documentedBodies).map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"identifier":',
    '[1,2',
    'null',
    '"',
    '{"a":1}}',
    '\u0000',
    'NaN',
    '{"identifier":"\\ud800"}',
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 2000 }).map((n) => '{"identifier":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 60 * 1024, max: 70 * 1024 }).map((n) => JSON.stringify({ identifier: 'y'.repeat(n) })),
);

const query = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'connected',
        'supported',
        'status',
        'limit',
        'task',
        'linkedAccount',
        'includeOutputMetadata',
        'expires',
        'signature',
        'payrollDataAvailable',
        'x',
      ),
      hostileText,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''));

const request = fc.record({
  target: fc.oneof({ weight: 4, arbitrary: routePath }, { weight: 1, arbitrary: junkPath }),
  overrideMethod: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: method }),
  credentials,
  contentType,
  query,
  body,
  extraHeaders: fc.dictionary(
    fc.constantFrom('x-api-version', 'accept', 'x-forwarded-for', 'content-encoding'),
    headerValue,
    {
      maxKeys: 2,
    },
  ),
});

type GeneratedRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

async function send(input: GeneratedRequest): Promise<Response> {
  const verb = input.overrideMethod ?? input.target.method;
  const headers: Record<string, string> = { ...input.credentials, ...input.extraHeaders };
  if (input.contentType !== undefined) headers['content-type'] = input.contentType;
  const body = verb !== 'GET' && verb !== 'HEAD' ? input.body : undefined;
  return harness.app.request(`${input.target.path}${input.query}`, {
    method: verb,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
}

async function expectNoServerError(response: Response, label: string, verb: string): Promise<void> {
  expect(response.status, label).toBeLessThan(500);
  expect(response.status, label).toBeGreaterThanOrEqual(200);
  if (response.status < 400 || verb === 'HEAD') return; // a HEAD answer has no body by definition
  const text = await response.text();
  expect(response.headers.get('content-type'), label).toContain('application/json');
  const parsed = ErrorSchema.strict().safeParse(JSON.parse(text));
  expect(parsed.success, `${label}: ${text.slice(0, 200)}`).toBe(true);
  if (parsed.success) expect(Math.floor(parsed.data.code / 100), label).toBe(response.status);
}

describe('Atomic app under generated bad input', () => {
  it('never answers 5xx and always uses the error envelope (3000 generated requests)', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const verb = input.overrideMethod ?? input.target.method;
        const label = `${verb} ${input.target.path}${input.query}`;
        const response = await send(input);
        seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
        await expectNoServerError(response, label, verb);
      }),
      { numRuns: 3000, seed: 20250310 },
    );
    // The generator must reach past authentication into validation, lookups and handlers.
    for (const status of [200, 400, 401, 404, 413, 415, 422])
      expect(seen.get(status) ?? 0, `${status} in ${JSON.stringify([...seen])}`).toBeGreaterThan(20);
  });

  it('answers oversized bodies with 413 in the envelope, whatever the route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES.filter((r) => !r.startsWith('GET'))),
        fc.integer({ min: 65 * 1024, max: 300 * 1024 }),
        async (route, size) => {
          const [verb, template] = route.split(' ') as [string, string];
          const response = await harness.app.request(template.replace(/\{\w+\}/g, 'demo-user'), {
            method: verb,
            headers: { 'x-api-key': API_KEY, 'x-api-secret': API_SECRET, 'content-type': 'application/json' },
            body: JSON.stringify({ identifier: 'x'.repeat(size) }),
          });
          expect(response.status).toBe(413);
          expect((await response.json()) as unknown).toMatchObject({ code: 41301 });
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });
});
