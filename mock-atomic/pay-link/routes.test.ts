import { describe, expect, it } from 'vitest';
import { toCents } from '../../core/random';
import type { Order } from '../orders/schema';
import { expectDocumentedFields, expectError, expectOk, isoTime, makeAtomic, objectId } from '../testing';
import { PayLinkAccountListSchema, PayLinkAccountResponseSchema, type PayLinkAccountView } from './schema';

// Field lists as vendor-docs 001 documents them for an Account, and 000 for an order.
const ACCOUNT_FIELDS = ['_id', 'company', 'account', 'actions', 'type'];
const COMPANY_FIELDS = ['_id', 'name', 'branding'];
const ACCOUNT_DETAIL_FIELDS = ['type', 'suggestions', 'identities', '_id'];
const DETECTED_DETAIL_FIELDS = ['createdBy', 'connected', 'supported', 'type'];
const BILLING_FIELDS = [
  'accountNumber',
  'amount',
  'dueDate',
  'autopay',
  'items',
  'history',
  'paymentMethods',
];
const SUGGESTION_FIELDS = [
  'monthlySavings',
  'category',
  'actionUrl',
  'shortDescription',
  'detailedDescription',
  'buttonTitle',
];
const ORDER_MONITORING_FIELDS = ['_id', 'connectionStatus', 'lastSyncedAt', 'orders'];
const ORDER_FIELDS = ['_id', 'sourceId', 'date', 'amount', 'lineItems', 'paymentMethod', 'products'];

const sumCents = (items: { amount: number }[]) => items.reduce((s, i) => s + toCents(i.amount), 0);

function expectAccountShape(account: PayLinkAccountView): void {
  expectDocumentedFields(account, ACCOUNT_FIELDS, 'account');
  expectDocumentedFields(account.company, COMPANY_FIELDS, 'account.company');
  expectDocumentedFields(account.account, ACCOUNT_DETAIL_FIELDS, 'account.account');
  expect(account._id).toMatch(objectId);
}

function expectOrderShape(order: Order): void {
  expectDocumentedFields(
    order,
    order.paymentMethod ? ORDER_FIELDS : ORDER_FIELDS.filter((f) => f !== 'paymentMethod'),
    'order',
  );
  expect(order.date).toMatch(isoTime);
  expect(order.sourceId).toMatch(/^11\d-\d{7}-\d{7}$/);
  expect(order.lineItems.map((l) => l.description)).toEqual([
    'Item(s) Subtotal',
    'Shipping & Handling',
    'Estimated tax to be collected',
  ]);
  expect(sumCents(order.lineItems)).toBe(toCents(order.amount));
  expect(sumCents(order.products)).toBe(toCents(order.lineItems[0]!.amount));
}

describe('GET /:identifier/pay-link/accounts', () => {
  it('lists every account of the user with the documented Account fields', async () => {
    const { request } = makeAtomic();
    const { accounts } = await expectOk(
      await request('GET', '/demo-user/pay-link/accounts'),
      PayLinkAccountListSchema,
    );
    expect(accounts.map((a) => a.company.name).sort()).toEqual([
      'Amazon',
      'Hulu',
      'Netflix',
      'Sunrise Fitness',
    ]);
    accounts.forEach(expectAccountShape);
  });

  it('includes a Hulu subscription like the vendor example: billing, plans, usage, suggestions and actions', async () => {
    const { request } = makeAtomic();
    const { accounts } = await expectOk(
      await request('GET', '/demo-user/pay-link/accounts'),
      PayLinkAccountListSchema,
    );
    const hulu = accounts.find((a) => a.company.name === 'Hulu')!;
    expect(hulu).toMatchObject({
      type: 'linked',
      account: { type: 'subscription', connected: true, supported: true },
    });
    expectDocumentedFields(
      hulu.account,
      [...ACCOUNT_DETAIL_FIELDS, 'sourceId', 'billing', 'data'],
      'hulu.account',
    );
    expectDocumentedFields(hulu.account.billing, BILLING_FIELDS, 'hulu.account.billing');
    expectDocumentedFields(hulu.account.data, ['plans', 'usage'], 'hulu.account.data');
    expect(hulu.account.suggestions.length).toBeGreaterThan(0);
    hulu.account.suggestions.forEach((s) => expectDocumentedFields(s, SUGGESTION_FIELDS, 'suggestion'));
    expect(hulu.actions.map((a) => a.type)).toEqual(['change-plan', 'cancel-plan', 'pause-plan']);
    expect(hulu.account.billing?.paymentMethods[0]).toMatchObject({ type: 'card', isPrimary: true });
  });

  it('filters with connected and supported', async () => {
    const { request } = makeAtomic();
    const names = async (query: string) =>
      (
        await expectOk(
          await request('GET', `/demo-user/pay-link/accounts?${query}`),
          PayLinkAccountListSchema,
        )
      ).accounts
        .map((a) => a.company.name)
        .sort();
    expect(await names('connected=true')).toEqual(['Amazon', 'Hulu']);
    expect(await names('connected=false')).toEqual(['Netflix', 'Sunrise Fitness']);
    expect(await names('supported=false')).toEqual(['Sunrise Fitness']);
    expect(await names('connected=false&supported=true')).toEqual(['Netflix']);
  });

  it('rejects a filter that is not true/false with 422 on query.connected', async () => {
    const { request } = makeAtomic();
    const error = await expectError(
      await request('GET', '/demo-user/pay-link/accounts?connected=yes'),
      422,
      42201,
    );
    expect(error.errors?.[0]?.path).toBe('query.connected');
  });

  it('answers an unknown identifier with 404 (40402)', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', '/nobody/pay-link/accounts'), 404, 40402);
  });
});

describe('POST /:identifier/pay-link/accounts (detection)', () => {
  const tx = (id: string, description: string, amount: number, merchantName?: string) => ({
    id,
    date: '2025-02-01T10:00:00.000Z',
    description,
    amount,
    currency: 'usd',
    ...(merchantName ? { merchantName } : {}),
    type: 'debit',
    category: 'Entertainment',
  });

  it('detects supported and unsupported merchants with createdBy: detection, connected and supported', async () => {
    const { request } = makeAtomic();
    const { accounts } = await expectOk(
      await request('POST', '/fresh-user/pay-link/accounts', {
        body: {
          financialTransactions: [
            tx('1', 'HULU 877-8244858 CA', -17.99),
            tx('2', 'LOCAL YOGA STUDIO', -25, 'Local Yoga'),
            tx('3', 'LOCAL YOGA STUDIO', -25, 'Local Yoga'),
            tx('4', 'CORNER BAKERY #12', -6.5, 'Corner Bakery'),
          ],
        },
      }),
      PayLinkAccountListSchema,
    );
    expect(accounts.map((a) => [a.company.name, a.account.supported, a.account.connected])).toEqual([
      ['Hulu', true, false],
      ['Local Yoga', false, false],
    ]);
    for (const account of accounts) {
      expectAccountShape(account);
      expectDocumentedFields(account.account, DETECTED_DETAIL_FIELDS, 'detected account');
      expect(account.account.createdBy).toBe('detection');
    }
  });

  it('returns an account the user already connected as connected', async () => {
    const { request } = makeAtomic();
    const { accounts } = await expectOk(
      await request('POST', '/demo-user/pay-link/accounts', {
        body: { financialTransactions: [tx('a', 'AMZN Mktp US*2K4L71', -30.49)] },
      }),
      PayLinkAccountListSchema,
    );
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({
      type: 'linked',
      company: { name: 'Amazon' },
      account: { connected: true },
    });
  });

  it.each([
    ['a missing financialTransactions', {}, 'financialTransactions'],
    [
      'an amount sent as text',
      { financialTransactions: [{ id: '1', date: '2025-01-01', description: 'x', amount: '9.99' }] },
      'financialTransactions.0.amount',
    ],
    [
      'an unknown currency',
      {
        financialTransactions: [
          { id: '1', date: '2025-01-01', description: 'x', amount: 1, currency: 'gbp' },
        ],
      },
      'financialTransactions.0.currency',
    ],
    [
      'a date that is not ISO 8601',
      { financialTransactions: [{ id: '1', date: '01/02/2025', description: 'x', amount: 1 }] },
      'financialTransactions.0.date',
    ],
  ])('rejects %s with 422', async (_label, body, path) => {
    const { request } = makeAtomic();
    const error = await expectError(
      await request('POST', '/demo-user/pay-link/accounts', { body }),
      422,
      42201,
    );
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });
});

describe('GET /pay-link/accounts (public token)', () => {
  it("returns {accounts} without a data wrapper, only for the token's user, accepting x-api-version: v2", async () => {
    const { request, baseline } = makeAtomic();
    const response = await request('GET', '/pay-link/accounts', {
      auth: { publicToken: baseline.publicToken! },
      headers: { 'x-api-version': 'v2' },
    });
    const raw = (await response.clone().json()) as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(['accounts']);
    const { accounts } = await expectOk(response, PayLinkAccountListSchema);
    expect(accounts.map((a) => a.company.name)).toContain('Amazon');
    expect(accounts.map((a) => a._id)).not.toContain(baseline.disconnectedAmazonAccountId);
    accounts.forEach(expectAccountShape);
  });

  it('refuses server credentials alone with 401 (40105): it is a client call', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', '/pay-link/accounts'), 401, 40105);
  });
});

describe('GET /pay-link/accounts/:id (Order Monitoring)', () => {
  it('returns the connected Amazon account: connectionStatus, lastSyncedAt and dozens of orders', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', `/pay-link/accounts/${baseline.amazonAccountId}`),
      PayLinkAccountResponseSchema,
    );
    expectAccountShape(data);
    expectDocumentedFields(data, ORDER_MONITORING_FIELDS, 'data');
    expect(data.connectionStatus).toBe('connected');
    expect(data.lastSyncedAt).toMatch(isoTime);
    const orders = data.orders!;
    expect(orders.length).toBeGreaterThanOrEqual(24);
    orders.forEach(expectOrderShape);
    expect([...orders].sort((a, b) => (a.date < b.date ? 1 : -1))).toEqual(orders);
  });

  it('carries orders, bills, payment methods and payment history (vendor-docs 000), the last three as billing', async () => {
    const { request, baseline, store } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', `/pay-link/accounts/${baseline.amazonAccountId}`),
      PayLinkAccountResponseSchema,
    );
    const billing = data.account.billing!;
    const user = store.findUser('demo-user')!;
    // Payment methods: the cards on file (the first the default), and the gift card balance it has paid with.
    expect(billing.paymentMethods).toEqual([
      ...user.cards.map((c, i) => ({
        type: 'card',
        lastFour: c.lastFour,
        brand: expect.any(String),
        isPrimary: i === 0,
      })),
      { type: 'gift card', isPrimary: false },
    ]);
    // Bills: the Prime membership, renewed monthly after the last sync.
    expect(billing).toMatchObject({ amount: 14.99, autopay: { status: 'enabled', cycle: 'monthly' } });
    expect(billing.items).toEqual([{ description: 'Amazon Prime membership (monthly)', amount: 14.99 }]);
    expect(Date.parse(billing.dueDate!)).toBeGreaterThanOrEqual(Date.parse(data.lastSyncedAt!));
    expect(Date.parse(billing.dueDate!) - Date.parse(data.lastSyncedAt!)).toBeLessThanOrEqual(
      31 * 86_400_000,
    );
    // Payment history: each earlier renewal, a month apart, newest first, none before the user joined.
    const dates = billing.history.map((h) => h.date);
    expect(dates.length).toBeGreaterThanOrEqual(3);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(
      billing.history.every(
        (h) => h.amount === 14.99 && h.date >= user.createdAt && h.date < billing.dueDate!,
      ),
    ).toBe(true);
    const days = new Set([billing.dueDate!, ...dates].map((d) => new Date(d).getUTCDate()));
    expect(days.size).toBe(1);
  });

  it('has card orders with lastFour and brand, and every non-card payment type vendor-docs 000 names', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', `/pay-link/accounts/${baseline.amazonAccountId}`),
      PayLinkAccountResponseSchema,
    );
    const methods = data.orders!.map((o) => o.paymentMethod!);
    const cards = methods.filter((m) => m.type === 'card');
    expect(cards.filter((m) => m.lastFour && m.brand).length).toBeGreaterThan(20);
    expect(cards.some((m) => m.lastFour === undefined)).toBe(true);
    expect(new Set(methods.filter((m) => m.type !== 'card').map((m) => m.type))).toEqual(
      new Set(['gift card', 'Affirm', 'Google Play', 'EBT']),
    );
  });

  it('shows a disconnected account with its failReason', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', `/pay-link/accounts/${baseline.disconnectedAmazonAccountId}`),
      PayLinkAccountResponseSchema,
    );
    expect(data).toMatchObject({ connectionStatus: 'disconnected', failReason: 'session-expired' });
  });

  it("lets a public token read its own user's account but not another user's (404)", async () => {
    const { request, baseline } = makeAtomic();
    const auth = { publicToken: baseline.publicToken! };
    await expectOk(
      await request('GET', `/pay-link/accounts/${baseline.amazonAccountId}`, { auth }),
      PayLinkAccountResponseSchema,
    );
    await expectError(
      await request('GET', `/pay-link/accounts/${baseline.disconnectedAmazonAccountId}`, { auth }),
      404,
      40402,
    );
  });

  it('answers a malformed id with 422 and an unknown one with 404', async () => {
    const { request } = makeAtomic();
    const error = await expectError(await request('GET', '/pay-link/accounts/not-an-id'), 422, 42201);
    expect(error.errors?.[0]?.path).toBe('params.id');
    await expectError(await request('GET', '/pay-link/accounts/0123456789abcdef01234567'), 404, 40402);
  });
});
