import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../core/faults';
import { VirtualClock } from '../../core/clock';
import { createAtelioMock } from '../../mock-atelio';
import { createAtomicMock } from '../../mock-atomic';
import { BUILTIN_SCENARIO_DIR } from '../../scenarios/loader';
import {
  ATELIO_HEADERS,
  ATOMIC_HEADERS,
  PLATFORM_NOW,
  createScenarioPlatform,
  deliveriesOf,
  type ScenarioPlatform,
} from '../../scenarios/testing';
import { fillTemplate } from '../fuzz/support/openapi';
import { startCaptureReceiver, type CaptureReceiver } from '../support/capture-receiver';
import { startFuzzPlatform, type FuzzPlatform } from '../fuzz/support/platform-apps';
import { fuzzInProcess } from '../fuzz/support/run';
import { atelioSpace, atomicSpace } from '../fuzz/support/spaces';
import {
  routerPath,
  type PublishedSpec,
  type RecordedResponse,
  type RecordedWebhook,
} from '../support/published-spec';
import { crawl, send, type InProcessApp } from './crawl';
import { publishedSpecOf } from './specs';
import { atelioWrites, atomicWrites } from './write-paths';

/**
 * The published documents are a tested contract: every answer both mocks give and every webhook
 * they send, across every shipped scenario and the fuzz suite's generated requests (injected faults
 * included), is validated against the mock's own /openapi.json by Ajv. One undeclared status, field
 * or header fails. The last block shows the oracle failing on each kind of lie.
 */

const FUZZ_RUNS = 1500;
const FUZZ_BODY_LIMIT = 16 * 1024;

let atomicDoc: unknown;
let atelioDoc: unknown;
let atomicSpec: PublishedSpec;
let atelioSpec: PublishedSpec;
const problems: string[] = [];
/** The problems found since the last call; each test checks its own. */
const takeProblems = () => problems.splice(0);
const counts = { responses: 0, webhooks: 0 };

const newAtomicSpec = () => publishedSpecOf('atomic', atomicDoc);
const newAtelioSpec = () => publishedSpecOf('atelio', atelioDoc);

const recorderFor = (spec: PublishedSpec) => (response: RecordedResponse) => {
  counts.responses++;
  const problem = spec.responseProblem(response);
  if (problem) problems.push(`${spec.name}: ${problem}`);
};

const checkWebhook = (spec: PublishedSpec, webhook: RecordedWebhook) => {
  counts.webhooks++;
  const problem = spec.webhookProblem(webhook);
  if (problem) problems.push(`${spec.name}: ${problem}`);
};

beforeAll(async () => {
  const platform = await createScenarioPlatform({ receiver: false });
  atomicDoc = await (await platform.atomicApp.request('/openapi.json')).json();
  atelioDoc = await (await platform.atelioApp.request('/openapi.json')).json();
  await platform.close();
  atomicSpec = newAtomicSpec();
  atelioSpec = newAtelioSpec();
});

/** Reads everything both mocks hold through their documented GETs, with public tokens for client routes. */
async function crawlPlatform(platform: ScenarioPlatform, identifiers: string[]): Promise<void> {
  const recordAtomic = recorderFor(atomicSpec);
  const tokens = new Map<string, string>();
  for (const identifier of identifiers.slice(0, 4)) {
    const answer = await send(platform.atomicApp, recordAtomic, 'POST', '/access-token', {
      headers: { ...ATOMIC_HEADERS, 'content-type': 'application/json' },
      body: JSON.stringify({ identifier }),
    });
    const token = (JSON.parse(answer.body) as { data?: { publicToken?: string } }).data?.publicToken;
    if (token) tokens.set(identifier, token);
  }
  await crawl(platform.atomicApp, atomicSpec, recordAtomic, {
    seeds: { identifier: identifiers },
    headersFor: (security, values) => {
      if (security.some((s) => s.includes('ApiKey'))) return { ...ATOMIC_HEADERS };
      if (security.some((s) => s.includes('PublicToken'))) {
        const token = tokens.get(values['identifier'] ?? '') ?? [...tokens.values()][0];
        return token ? { 'x-public-token': token } : undefined;
      }
      return {};
    },
  });
  await crawl(platform.atelioApp, atelioSpec, recorderFor(atelioSpec), {
    headersFor: () => ({ ...ATELIO_HEADERS }),
  });
}

describe('the published OpenAPI documents are a tested contract', () => {
  it('describe every webhook and every answer of every shipped scenario', async () => {
    const listing = await createScenarioPlatform({ receiver: false });
    const names = listing.runner.list().map((s) => s.name);
    await listing.close();
    // Every file the library ships, no fewer.
    const shipped = readdirSync(BUILTIN_SCENARIO_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    expect(names.sort()).toEqual(shipped.sort());
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      const platform = await createScenarioPlatform();
      try {
        const identifier = `spec-${name}`;
        const view = await platform.runner.start(name, { seed: 3, identifier, startTime: PLATFORM_NOW }).done;
        expect(view.status, `${name}: ${view.error ?? ''}`).toBe('completed');
        const delivered = deliveriesOf(platform, view);
        expect(delivered.length, name).toBe(view.webhookCount);
        for (const d of delivered)
          checkWebhook(d.vendor === 'atomic' ? atomicSpec : atelioSpec, {
            eventType: d.eventType,
            headers: d.headers,
            body: d.raw.toString('utf8'),
          });
        const identifiers = [identifier, ...platform.atomic.userSummaries().map((u) => u.identifier)];
        await crawlPlatform(platform, [...new Set(identifiers)]);
      } finally {
        await platform.close();
      }
    }
    expect(takeProblems()).toEqual([]);
  }, 120_000);

  describe("the fuzz suite's generated requests, and injected faults", () => {
    let fuzz: FuzzPlatform;
    let receiver: CaptureReceiver;
    beforeAll(async () => {
      fuzz = await startFuzzPlatform({ bodyLimitBytes: FUZZ_BODY_LIMIT });
      receiver = await startCaptureReceiver();
      fuzz.sandbox.atomic.registerWebhookUrl(`${receiver.url}/atomic`);
      fuzz.sandbox.atelio.registerWebhookUrl(`${receiver.url}/atelio`);
    });
    afterAll(async () => {
      await fuzz.stop();
      await receiver.close();
    });

    it('every answer to the writes an integrator makes, under both Atelio prefixes', async () => {
      const baseline = fuzz.sandbox.atomic.baselineInfo();
      await atomicWrites(fuzz.atomic, recorderFor(atomicSpec), ATOMIC_HEADERS, {
        identifier: baseline.identifiers[0]!,
        ...(baseline.linkedAccountId ? { linkedAccountId: baseline.linkedAccountId } : {}),
      });
      for (const prefix of ['/api/v0.1', '/api/v0'])
        await atelioWrites(fuzz.atelio, recorderFor(atelioSpec), ATELIO_HEADERS, prefix);
      expect(takeProblems()).toEqual([]);
    });

    it.each([
      { vendor: 'atomic' as const, spec: () => atomicSpec, app: () => fuzz.atomic, space: atomicSpace },
      { vendor: 'atelio' as const, spec: () => atelioSpec, app: () => fuzz.atelio, space: atelioSpace },
    ])(
      '$vendor: every answer to generated requests is what the document says',
      async ({ vendor, spec, app, space }) => {
        const record = recorderFor(spec());
        await fuzzInProcess(vendor, app(), space(fuzz, FUZZ_BODY_LIMIT), FUZZ_RUNS, (request, answer) =>
          record({
            method: request.method,
            path: routerPath(request.target),
            status: answer.status,
            contentType: answer.contentType,
            body: answer.text,
          }),
        );
        expect(takeProblems()).toEqual([]);
      },
    );

    it.each([
      { vendor: 'atomic' as const, spec: () => atomicSpec, app: () => fuzz.atomic },
      { vendor: 'atelio' as const, spec: () => atelioSpec, app: () => fuzz.atelio },
    ])(
      '$vendor: every injected fault (429, 500, 502, 503, 504) on every operation is declared, Retry-After included',
      async ({ vendor, spec, app }) => {
        const checkResponse = recorderFor(spec());
        const retryAfter: string[] = [];
        const record = (response: RecordedResponse) => {
          if (response.headers?.['retry-after'] !== undefined)
            retryAfter.push(response.headers['retry-after']);
          checkResponse(response);
        };
        const statuses: number[] = [];
        for (const operation of spec().operations) {
          const path = fillTemplate(operation.template, ['x', 'y', 'z']);
          // A 429 says when to retry (1 s unless the rule says); a 5xx does when its rule sets one.
          for (const [status, retryAfterSeconds] of [
            [429, undefined],
            [429, 120],
            [500, undefined],
            [502, undefined],
            [503, 30],
            [504, undefined],
          ] as const) {
            fuzz.sandbox.faults.add({
              vendor,
              kind: 'status',
              status,
              path,
              method: operation.method,
              count: 1,
              ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
            });
            const answer = await send(app(), record, operation.method, path, {
              headers: { 'content-type': 'application/json' },
              ...(operation.method === 'GET' ? {} : { body: '{}' }),
            });
            statuses.push(answer.status);
          }
        }
        expect(new Set(statuses)).toEqual(new Set([429, 500, 502, 503, 504]));
        // Each answer carrying Retry-After was checked against its declaration.
        expect(new Set(retryAfter)).toEqual(new Set(['1', '120', '30']));
        expect(retryAfter).toHaveLength(3 * spec().operations.length);
        expect(takeProblems()).toEqual([]);
      },
    );

    it('every webhook the writes and the generated requests caused, as a receiver got it', async () => {
      const events = fuzz.sandbox.engine.log
        .list()
        .filter((e) => e.targets.some((t) => t.url.startsWith(receiver.url)));
      expect(events.length).toBeGreaterThan(0);
      const requests = await receiver.waitForRequests(events.length);
      for (const request of requests) {
        const raw = request.raw.toString('utf8');
        const event = events.find((e) => e.body === raw);
        expect(event, `an event in the delivery log for ${raw.slice(0, 100)}`).toBeDefined();
        checkWebhook(request.path === '/atomic' ? atomicSpec : atelioSpec, {
          eventType: event!.eventType,
          headers: request.headers,
          body: raw,
        });
      }
      expect(takeProblems()).toEqual([]);
    });
  });

  it('declares Retry-After on every 429 (required) and on the server errors a fault may send it with', () => {
    for (const doc of [atomicDoc, atelioDoc]) {
      const paths = (doc as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> })
        .paths;
      let operations = 0;
      for (const item of Object.values(paths))
        for (const op of Object.values(item)) {
          operations++;
          const header = (status: string) =>
            (op.responses[status] as { headers?: Record<string, { required?: boolean; schema?: unknown }> })
              ?.headers?.['Retry-After'];
          expect(header('429')).toMatchObject({ required: true, schema: { type: 'integer', minimum: 0 } });
          expect(header('500')).toMatchObject({ schema: { type: 'integer' } });
          expect(header('5XX')).toMatchObject({ schema: { type: 'integer' } });
        }
      expect(operations).toBeGreaterThan(10);
    }
  });

  it('covers every operation of both documents (each answered 2xx at least once) and every webhook type', () => {
    for (const spec of [atomicSpec, atelioSpec]) {
      expect(spec.operations.length).toBeGreaterThan(10);
      expect(spec.unexercised(), `${spec.name}: operations never exercised`).toEqual([]);
      expect(spec.neverSucceeded(), `${spec.name}: operations never answered 2xx`).toEqual([]);
      expect([...spec.webhooksSeen].sort(), `${spec.name}: webhook types never seen`).toEqual(
        [...spec.webhookTypes].sort(),
      );
    }
    expect(atomicSpec.webhookTypes.sort()).toEqual([
      'pay-link-accounts-updated',
      'task-authentication-status-updated',
      'task-status-updated',
    ]);
    expect(atelioSpec.webhookTypes).toEqual(['transactions']);
    expect(counts.responses).toBeGreaterThan(3000);
    expect(counts.webhooks).toBeGreaterThan(50);
  });
});

describe('the oracle fails on what the document does not say', () => {
  const clock = () => new VirtualClock(PLATFORM_NOW);
  const extraField = (_path: string, body: unknown) =>
    body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...body, undeclared: true } : body;

  const check = async (
    spec: PublishedSpec,
    app: InProcessApp,
    method: string,
    path: string,
    headers: Record<string, string>,
  ) => {
    const found: string[] = [];
    await send(
      app,
      (r) => {
        const problem = spec.responseProblem(r);
        if (problem) found.push(problem);
      },
      method,
      path,
      { headers },
    );
    return found;
  };

  it('an extra field in an Atomic or Atelio answer', async () => {
    const atomic = createAtomicMock({
      seed: 1,
      clock: clock(),
      testHooks: { transformResponse: extraField },
    }).app;
    const atelio = createAtelioMock({
      seed: 1,
      clock: clock(),
      testHooks: { transformResponse: extraField },
    }).app;
    expect(await check(newAtomicSpec(), atomic, 'GET', '/secrets', ATOMIC_HEADERS)).toEqual([
      expect.stringMatching(/GET \/secrets → 200: .*unevaluatedProperty.*undeclared/),
    ]);
    expect(await check(newAtelioSpec(), atelio, 'GET', '/api/v0/transactions', ATELIO_HEADERS)).toEqual([
      expect.stringMatching(/unevaluatedProperty.*undeclared/),
    ]);
    // The same apps without the hook pass.
    const plainAtomic = createAtomicMock({
      seed: 1,
      clock: clock(),
    }).app;
    expect(await check(newAtomicSpec(), plainAtomic, 'GET', '/secrets', ATOMIC_HEADERS)).toEqual([]);
  });

  it('a field nested deep in an answer that has the wrong type', async () => {
    const atelio = createAtelioMock({
      seed: 1,
      clock: clock(),
      testHooks: {
        transformResponse: (_path, body) => {
          const page = body as { transactions?: { amount?: unknown }[] };
          if (page.transactions?.[0]) page.transactions[0].amount = 12.5;
          return page;
        },
      },
    }).app;
    expect(await check(newAtelioSpec(), atelio, 'GET', '/api/v0.1/transactions', ATELIO_HEADERS)).toEqual([
      expect.stringMatching(/\/transactions\/0\/amount must be string/),
    ]);
  });

  it('a Retry-After that is missing, malformed, or sent where the answer does not declare it', async () => {
    const spec = newAtomicSpec();
    const answer = (status: number, headers: Record<string, string>): RecordedResponse => ({
      method: 'GET',
      path: '/secrets',
      status,
      contentType: 'application/json',
      body: JSON.stringify({ code: status * 100 + 1, message: 'no' }),
      headers: { 'content-type': 'application/json', ...headers },
    });
    expect(spec.responseProblem(answer(429, { 'retry-after': '5' }))).toBeUndefined();
    expect(spec.responseProblem(answer(429, {}))).toBe(
      'GET /secrets → 429: the declared header Retry-After is missing',
    );
    expect(spec.responseProblem(answer(429, { 'retry-after': 'soon' }))).toMatch(
      /GET \/secrets → 429: header Retry-After: "soon" .*must be integer/,
    );
    expect(spec.responseProblem(answer(429, { 'retry-after': '-1' }))).toMatch(/must be >= 0/);
    expect(spec.responseProblem(answer(401, { 'retry-after': '5' }))).toBe(
      'GET /secrets → 401: sends retry-after (5) but the response does not declare it',
    );
  });

  it('a status the operation does not declare (an injected 418)', async () => {
    const faults = new FaultInjector();
    faults.add({ vendor: 'atomic', kind: 'status', status: 418, count: 1 });
    const atomic = createAtomicMock({
      seed: 1,
      clock: clock(),
      faults,
    }).app;
    expect(await check(newAtomicSpec(), atomic, 'GET', '/secrets', ATOMIC_HEADERS)).toEqual([
      'GET /secrets → 418: status 418 is not declared for GET /secrets',
    ]);
  });

  it('a path the document does not list answering anything but the envelope 404', () => {
    const spec = newAtelioSpec();
    const answer = { method: 'GET', path: '/api/v0.2/transactions', contentType: 'application/json' };
    expect(spec.responseProblem({ ...answer, status: 200, body: '{}' })).toMatch(
      /does not list answered 200/,
    );
    expect(spec.responseProblem({ ...answer, status: 404, body: '{"error":"nope"}' })).toMatch(
      /not the AtelioError envelope/,
    );
    expect(
      spec.responseProblem({
        ...answer,
        status: 404,
        body: '{"Message":"No route","Status":404,"Code":"route_dne","Type":"Request Error"}',
      }),
    ).toBeUndefined();
  });

  it('a webhook with an undeclared field, a missing signature header or a malformed one', async () => {
    const platform = await createScenarioPlatform();
    try {
      const view = await platform.runner.start('order-monitoring', { seed: 3, identifier: 'spec-neg' }).done;
      const [atomic] = deliveriesOf(platform, view).filter((d) => d.vendor === 'atomic');
      expect(atomic).toBeDefined();
      const spec = newAtomicSpec();
      const good = {
        eventType: atomic!.eventType,
        headers: atomic!.headers,
        body: atomic!.raw.toString('utf8'),
      };
      expect(spec.webhookProblem(good)).toBeUndefined();
      expect(spec.webhookProblem({ ...good, body: JSON.stringify({ ...atomic!.body, extra: 1 }) })).toMatch(
        /(additional|unevaluated)Property.*extra/,
      );
      const { ['x-hmac-signature-sha-256']: _signature, ...unsigned } = atomic!.headers;
      expect(spec.webhookProblem({ ...good, headers: unsigned })).toMatch(
        /header X-HMAC-Signature-Sha-256 is missing/,
      );
      expect(
        spec.webhookProblem({
          ...good,
          headers: { ...atomic!.headers, 'x-hmac-signature-sha-256': 'NOT-HEX' },
        }),
      ).toMatch(/header X-HMAC-Signature-Sha-256/);
      expect(spec.webhookProblem({ ...good, eventType: 'task-deleted' })).toMatch(
        /not in the document's webhooks/,
      );
      expect(
        spec.webhookProblem({
          ...good,
          headers: { ...atomic!.headers, 'ce-type': 'com.atomicfi.other-event' },
        }),
      ).toMatch(/header ce-type/);
    } finally {
      await platform.close();
    }
  });
});
