import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deeplyNestedArray, deeplyNestedObject, INVALID_UTF8 } from './support/hostile';
import { fillTemplate } from './support/openapi';
import { startFuzzPlatform, type FuzzPlatform } from './support/platform-apps';
import { ATELIO_AUTH, ATOMIC_AUTH, atelioSpace, atomicSpace } from './support/spaces';
import { countWhere, fuzzInProcess } from './support/run';
import { answerProblem, sendInProcess, type Answer } from './support/transport';
import { publishedSpecOf } from '../spec/specs';
import { routerPath, type PublishedSpec } from '../support/published-spec';
import type { FuzzRequest } from './support/requests';

/**
 * Bad input against every documented route of both mocks, taken from each mock's own
 * /openapi.json: thousands of generated requests per mock, then the specific attacks one by one.
 * Nothing may answer 5xx, every error must be the vendor's envelope.
 */

const BODY_LIMIT = 16 * 1024;
let platform: FuzzPlatform;

let specs: Record<'atomic' | 'atelio', PublishedSpec>;

beforeAll(async () => {
  platform = await startFuzzPlatform({ bodyLimitBytes: BODY_LIMIT });
  const documentOf = async (app: FuzzPlatform['atomic']) => (await app.request('/openapi.json')).json();
  specs = {
    atomic: publishedSpecOf('atomic', await documentOf(platform.atomic)),
    atelio: publishedSpecOf('atelio', await documentOf(platform.atelio)),
  };
});

/**
 * Every answer of this suite is also checked against the mock's published /openapi.json (status
 * declared, body as its schema says); test/spec/ shows that check failing on what the document lacks.
 */
const specProblems: string[] = [];
const checkAgainstSpec = (kind: 'atomic' | 'atelio') => (request: FuzzRequest, answer: Answer) => {
  const problem = specs[kind].responseProblem({
    method: request.method,
    path: routerPath(request.target),
    status: answer.status,
    contentType: answer.contentType,
    body: answer.text,
  });
  if (problem) specProblems.push(problem);
};
afterEach(() => {
  expect(specProblems.splice(0)).toEqual([]);
});
afterAll(async () => {
  await platform.stop();
});

describe('the Atomic mock under generated bad input', () => {
  it('takes its route list from /openapi.json: every documented operation is there', () => {
    const operations = platform.atomicApi.operations.map((op) => `${op.method} ${op.template}`);
    expect(operations.length).toBeGreaterThanOrEqual(30);
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /access-token',
        'GET /pay-link/accounts/{id}',
        'PUT /user',
        'DELETE /secrets/{_id}',
      ]),
    );
  });

  it('answers 3000 generated requests over every route with no 5xx and every error as {code, message}', async () => {
    const tally = await fuzzInProcess(
      'atomic',
      platform.atomic,
      atomicSpace(platform, BODY_LIMIT),
      3000,
      checkAgainstSpec('atomic'),
    );
    // The generator reaches the handlers, not only the auth and validation layers.
    expect(countWhere(tally, (s) => s >= 200 && s < 300)).toBeGreaterThan(200);
    expect(countWhere(tally, (s) => s === 422 || s === 400)).toBeGreaterThan(200);
    expect(countWhere(tally, (s) => s === 404)).toBeGreaterThan(100);
    expect(countWhere(tally, (s) => s === 413)).toBeGreaterThan(20);
  });
});

describe('the Atelio mock under generated bad input', () => {
  it('takes its route list from /openapi.json, under /api/v0.1 and the legacy /api/v0', () => {
    const operations = platform.atelioApi.operations.map((op) => `${op.method} ${op.template}`);
    expect(operations.length).toBeGreaterThanOrEqual(15);
    expect(operations).toEqual(
      expect.arrayContaining([
        'GET /api/v0.1/transactions',
        'POST /api/v0.1/simulate/authorization',
        'PATCH /api/v0.1/webhooks/{id}',
        'GET /api/v0/transactions',
        'POST /api/v0/simulate/authorization',
      ]),
    );
  });

  it('answers 3000 generated requests over every route with no 5xx and every error as {Message, Status, Code, Type}', async () => {
    const tally = await fuzzInProcess(
      'atelio',
      platform.atelio,
      atelioSpace(platform, BODY_LIMIT),
      3000,
      checkAgainstSpec('atelio'),
    );
    expect(countWhere(tally, (s) => s >= 200 && s < 300)).toBeGreaterThan(200);
    expect(countWhere(tally, (s) => s === 400)).toBeGreaterThan(200);
    expect(countWhere(tally, (s) => s === 404)).toBeGreaterThan(100);
    expect(countWhere(tally, (s) => s === 413)).toBeGreaterThan(20);
  });
});

describe.each([
  {
    kind: 'atomic' as const,
    app: () => platform.atomic,
    api: () => platform.atomicApi,
    auth: ATOMIC_AUTH,
    id: () => platform.knownIds.atomic[0]!,
  },
  {
    kind: 'atelio' as const,
    app: () => platform.atelio,
    api: () => platform.atelioApi,
    auth: ATELIO_AUTH,
    id: () => platform.knownIds.atelio[0]!,
  },
])('$kind: each attack on each documented route', ({ kind, app, api, auth, id }) => {
  const each = async (
    build: (
      path: string,
      method: string,
    ) => { target?: string; headers?: Record<string, string>; body?: string | Uint8Array },
    expectStatus?: (status: number, method: string) => void,
  ) => {
    const failures: string[] = [];
    for (const op of api().operations) {
      const path = fillTemplate(
        op.template,
        op.pathParams.map(() => id()),
      );
      const built = build(path, op.method);
      const request = {
        method: op.method,
        target: built.target ?? path,
        headers: { ...auth, ...built.headers },
        body: op.method === 'GET' ? undefined : built.body,
        label: `${op.method} ${op.template}`,
      };
      const answer = (await sendInProcess(app(), request, { wholeBody: true }))!;
      checkAgainstSpec(kind)(request, answer);
      const problem = answerProblem(kind, request, answer);
      if (problem) failures.push(`${request.label}: ${problem}`);
      else expectStatus?.(answer.status, op.method);
    }
    expect(failures).toEqual([]);
  };

  it('refuses a body over the cap with 413 in the envelope, with or without Content-Length', async () => {
    const big = `{"a":"${'x'.repeat(BODY_LIMIT + 10)}"}`;
    const statuses: number[] = [];
    await each(
      () => ({
        headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
        body: big,
      }),
      (status, method) => method !== 'GET' && statuses.push(status),
    );
    await each(
      () => ({ headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode(big) }),
      (status, method) => method !== 'GET' && statuses.push(status),
    );
    expect(statuses.length).toBeGreaterThan(4);
    expect(new Set(statuses)).toEqual(new Set([413]));
  });

  it('answers 4xx to deeply nested JSON (arrays and objects, 100,000 levels)', async () => {
    for (const body of [
      deeplyNestedArray(100_000).slice(0, BODY_LIMIT - 2),
      deeplyNestedObject(2_500),
      deeplyNestedArray(7_000),
    ]) {
      await each(() => ({ headers: { 'content-type': 'application/json' }, body }));
    }
  });

  it('answers 4xx to bodies that are not UTF-8 or not JSON, under any content type', async () => {
    for (const bytes of INVALID_UTF8) {
      const body = new Uint8Array([
        ...new TextEncoder().encode('{"identifier":"'),
        ...bytes,
        ...new TextEncoder().encode('"}'),
      ]);
      await each(() => ({ headers: { 'content-type': 'application/json' }, body }));
    }
    for (const type of [
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ]) {
      await each(() => ({ headers: { 'content-type': type }, body: 'identifier=a&b=c' }));
      await each(() => ({ headers: { 'content-type': type }, body: '{"identifier":"a"}' }));
    }
  });

  it('answers 4xx to path traversal in every id slot and keeps the documents where they are', async () => {
    const attacks = [
      '..',
      '%2e%2e',
      '..%2f..%2fopenapi.json',
      '%2e%2e%2f%2e%2e%2fdocs',
      '%00',
      'a%00b',
      '%2500',
      '%c0%ae%c0%ae%2f',
      '..%5c..%5c',
      '%ff',
    ];
    for (const attack of attacks) {
      const failures: string[] = [];
      for (const op of api().operations.filter((o) => o.pathParams.length > 0)) {
        const target = fillTemplate(
          op.template,
          op.pathParams.map(() => attack),
        );
        const request = {
          method: op.method,
          target,
          headers: { ...auth, 'content-type': 'application/json' },
          body: op.method === 'GET' ? undefined : '{}',
          label: target,
        };
        const answer = (await sendInProcess(app(), request, { wholeBody: true }))!;
        checkAgainstSpec(kind)(request, answer);
        const problem = answerProblem(kind, request, answer);
        if (problem) failures.push(`${op.method} ${target}: ${problem}`);
        // An id that climbs out of its segment must not reach another resource.
        if (answer.status < 300 && /openapi|"paths"|<html/i.test(answer.text))
          failures.push(`${op.method} ${target} served a document`);
      }
      expect(failures).toEqual([]);
    }
  });

  it('answers 4xx to huge query strings and repeated parameters', async () => {
    await each((path) => ({
      target: `${path}?count=10&count=20&page=1&page=x&customer_id=a&customer_id=b&supported=true&supported=false`,
    }));
    await each((path) => ({ target: `${path}?q=${'x'.repeat(300_000)}` }));
    await each((path) => ({
      target: `${path}?${Array.from({ length: 2000 }, (_, i) => `p${i}=${i}`).join('&')}`,
    }));
  });

  it('leaves Object.prototype alone after __proto__ and constructor keys in every body', async () => {
    for (const body of [
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"identifier":"p","data":{"__proto__":{"polluted":"yes"}}}',
    ]) {
      await each(() => ({ headers: { 'content-type': 'application/json' }, body }));
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
