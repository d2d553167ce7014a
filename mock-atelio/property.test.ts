import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtelioErrorBodySchema } from './shared/errors';
import { AUTH, harness } from './testing';

/**
 * Thousands of generated bad (and some good) requests against the whole app: whatever arrives,
 * the mock never answers 5xx, and every failure is Atelio's envelope with Status = the HTTP status.
 */

const h = harness({ bodyLimitBytes: 4096 });
const [customer] = h.store.listCustomers().items;
const [card] = h.store.listCards().items;
const [transaction] = h.store.listTransactions({ count: 1 }).items;
const KNOWN_IDS = [customer!.customer_id, card!.card_id, transaction!.transaction_id, card!.account_id];

const printable = (max: number) =>
  fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./09:;<=>?@AZ[\\]^_`az{|}~'), maxLength: max });

const segment = fc.oneof(
  fc.constantFrom(
    'transactions',
    'customers',
    'accounts',
    'cards',
    'balances',
    'webhooks',
    'simulate',
    'authorization',
    'settlement',
    'settle',
    '',
    '..',
    '%',
    '%E0%A4%A',
    '%00',
    'x'.repeat(300),
  ),
  fc.constantFrom(...KNOWN_IDS),
  printable(12).map(encodeURIComponent),
);

const ROUTES = [
  '/transactions',
  '/transactions/{id}',
  '/customers',
  '/customers/{id}',
  '/accounts',
  '/accounts/{id}',
  '/cards',
  '/cards/{id}',
  '/balances',
  '/simulate/authorization',
  '/simulate/settlement',
  '/simulate/settle',
  '/webhooks',
  '/webhooks/{id}',
];

/** Mostly real routes (so requests get past routing into validation), some nonsense. */
const path = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.constantFrom('/api/v0.1', '/api/v0'), fc.constantFrom(...ROUTES), segment)
      .map(([prefix, route, id]) => `${prefix}${route.replace('{id}', id)}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom('/api/v0.1', '/api/v0', '/api', '', '/API/V0.1'),
        fc.array(segment, { maxLength: 4 }),
      )
      .map(([prefix, parts]) => `${prefix}/${parts.join('/')}`),
  },
  { weight: 1, arbitrary: fc.webPath() },
  { weight: 1, arbitrary: fc.constantFrom('/openapi.json', '/docs') },
);

const QUERY_KEYS = [
  'count',
  'page',
  'customer_id',
  'account_id',
  'payment_type',
  'start_date',
  'end_date',
  'order_by',
  'transaction_state',
];
const queryValue = fc.oneof(
  printable(20),
  fc.constantFrom(
    '1',
    '3',
    '20',
    '10000',
    '0',
    '-1',
    '1e3',
    '2024-02-30',
    '2024-06-01',
    'asc',
    'failed',
    'card',
    '99999999999',
  ),
  fc.constantFrom(...KNOWN_IDS),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), printable(8)), queryValue), { maxLength: 5 })
  .map((pairs) =>
    pairs.length
      ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`
      : '',
  );

const authHeaders = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Record<string, string>>({ ...AUTH }) },
  { weight: 1, arbitrary: fc.constant<Record<string, string>>({}) },
  { weight: 1, arbitrary: fc.record({ Identity: printable(30), Authorization: printable(30) }) },
  {
    weight: 1,
    arbitrary: fc.constant<Record<string, string>>({
      Identity: AUTH.Identity,
      Authorization: `Bearer ${AUTH.Authorization}`,
    }),
  },
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/vnd.api+json',
  'garbage',
);

const FIELDS = [
  'card_id',
  'amount',
  'transaction_datetime',
  'currency',
  'merchant_name',
  'merchant_city',
  'merchant_state',
  'merchant_zip_code',
  'mcc',
  'mid',
  'transaction_id',
  'url',
  'events',
  'description',
  'version',
  'status',
];
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '35.93',
    '0.00',
    '-5.00',
    '2024-06-14 19:42',
    'USD',
    'CA',
    '94105',
    '5977',
    '7922',
    '*',
    'card*',
  ),
  fc.constantFrom(...KNOWN_IDS),
  fc.constant(['transactions']),
);
const body = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 10 }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  printable(200),
  fc.constantFrom(
    '{',
    '{"amount":',
    '[',
    'null',
    '""',
    '{"a":1}}',
    '\u0000',
    `{"description":"${'x'.repeat(5000)}"}`,
  ),
  fc.integer({ min: 1, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.constant(undefined),
);

const request = fc.record({
  method: fc.oneof(
    { weight: 4, arbitrary: fc.constant('GET') },
    { weight: 4, arbitrary: fc.constant('POST') },
    { weight: 2, arbitrary: fc.constant('PATCH') },
    { weight: 1, arbitrary: fc.constantFrom('DELETE', 'PUT', 'HEAD', 'OPTIONS') },
  ),
  path,
  query,
  auth: authHeaders,
  contentType,
  body,
  extraHeaders: fc.dictionary(
    fc.constantFrom('x-forwarded-for', 'accept', 'content-length-ish', 'x-api-key'),
    printable(20),
    {
      maxKeys: 2,
    },
  ),
});

const statuses = new Map<number, number>();

describe('bad input, generated', () => {
  it('never answers 5xx and always answers failures in the Atelio envelope', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { ...r.extraHeaders, ...r.auth };
        if (r.contentType) headers['content-type'] = r.contentType;
        const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
        let url: string;
        try {
          url = new URL(`${r.path}${r.query}`, 'http://atelio.test').toString();
        } catch {
          return; // not a URL any client could send
        }
        const init: RequestInit = { method: r.method, headers };
        if (hasBody) init.body = r.body as string;
        const res = await h.app.request(url, init);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status, `${r.method} ${url}`).toBeLessThan(500);
        if (r.method === 'HEAD') return;
        const text = await res.text();
        if (res.status >= 400) {
          const parsed = AtelioErrorBodySchema.strict().safeParse(JSON.parse(text));
          expect(parsed.success, `${r.method} ${url} → ${text}`).toBe(true);
          expect(parsed.data?.Status).toBe(res.status);
          expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        }
      }),
      { numRuns: 3000, seed: 20240615 },
    );
    // The generators must reach past authentication and validation, or the property proves little.
    for (const status of [200, 400, 403, 404]) expect(statuses.get(status) ?? 0).toBeGreaterThan(30);
  });
});
