import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStitcherService } from './service';
import type { StitcherService, StitcherServiceConfig } from './service';
import {
  CARD,
  CREDS,
  FakeVendors,
  ManualTimers,
  USER,
  aTransaction,
  anOrder,
  bondSignature,
  signAtomicBody,
  until,
} from './testing';
import type { OrdersView, TransactionsView, UserSummaryView } from './views';

/** Any answer of the read API, for reading fields in assertions. */
type ApiBody = OrdersView &
  TransactionsView &
  UserSummaryView & { events: Array<Record<string, unknown>>; users: unknown[]; error: unknown };

const NOW = Date.parse('2024-10-25T12:00:00Z');
const open: StitcherService[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const service of open.splice(0)) await service.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function setup(overrides: Partial<StitcherServiceConfig> = {}, vendors = new FakeVendors()) {
  const timers = new ManualTimers();
  const clock = { now: NOW };
  const logs: string[] = [];
  const service = createStitcherService({
    atomic: { ...CREDS.atomic },
    atelio: { ...CREDS.atelio, webhookSecrets: [CREDS.atelio.webhookSecret] },
    dbPath: ':memory:',
    now: () => clock.now,
    timers,
    fetch: vendors.fetch,
    log: (level, message) => logs.push(`${level}: ${message}`),
    ...overrides,
  });
  open.push(service);
  return { service, vendors, timers, clock, logs };
}

const { identifier: _omit, ...order1 } = anOrder();
const account = (overrides: Record<string, unknown> = {}) => ({
  _id: 'acct-1',
  connectionStatus: 'connected',
  lastSyncedAt: '2024-10-21T00:00:00.000Z',
  company: { _id: '65272c415d8a530008e972df', name: 'Amazon' },
  orders: [order1],
  ...overrides,
});
const card = { ...CARD, customer_id: USER, status: 'active' };

const accountsUpdated = (updateType = 'updated', accountId = 'acct-1') => ({
  eventType: 'pay-link-accounts-updated',
  eventTime: '2024-10-21T00:00:01.000Z',
  user: { _id: 'atomic-user-1', identifier: USER },
  data: { accounts: [{ _id: accountId, updateType }] },
});
const taskFailed = (failReason: string, eventTime = '2024-10-22T00:00:00.000Z') => ({
  eventType: 'task-status-updated',
  eventTime,
  user: { _id: 'atomic-user-1', identifier: USER },
  task: 'task-9',
  product: 'present',
  company: { _id: '65272c415d8a530008e972df', name: 'Amazon', branding: {} },
  data: { previousStatus: 'processing', status: 'failed', failReason },
});
const txnHook = (txn: object, occurredAt = '2024-10-21T09:12:00+00:00') => ({
  ...txn,
  event: 'transactions',
  occurred_at: occurredAt,
});

async function postAtomic(
  service: StitcherService,
  payload: object | string,
  options: { ceId?: string | null; signature?: string | null } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature = options.signature === undefined ? signAtomicBody(body) : options.signature;
  if (signature !== null) headers['X-HMAC-Signature-Sha-256'] = signature;
  const ceId = options.ceId === undefined ? 'ce-1' : options.ceId;
  if (ceId !== null) headers['ce-id'] = ceId;
  return service.app.request('/webhooks/atomic', { method: 'POST', body, headers });
}

async function postAtelio(
  service: StitcherService,
  payload: object | string,
  options: { t?: number; signature?: string | null; secret?: string } = {},
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const t = options.t ?? Math.floor(NOW / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signature =
    options.signature === undefined ? bondSignature(body, t, options.secret) : options.signature;
  if (signature !== null) headers['Bond-Signature'] = signature;
  return service.app.request('/webhooks/atelio', { method: 'POST', body, headers });
}

async function getJson(service: StitcherService, path: string) {
  const response = await service.app.request(path);
  return { status: response.status, body: (await response.json()) as ApiBody };
}

const nothingStored = (service: StitcherService) =>
  expect(service.store.inboxCounts()).toEqual({ pending: 0, retrying: 0, done: 0, failed: 0, ignored: 0 });

describe('POST /webhooks/atomic', () => {
  it('accepts a signed pay-link-accounts-updated, then fetches the account and stitches its orders', async () => {
    const { service, vendors } = setup();
    vendors.accounts.set('acct-1', account());
    vendors.transactions.set('txn-1', aTransaction());
    vendors.cards.set('card-1', card);

    const response = await postAtomic(service, accountsUpdated('created'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'accepted' });
    await service.idle();

    expect(vendors.calls).toContain('/pay-link/accounts/acct-1');
    const orders = await getJson(service, `/users/${USER}/orders`);
    expect(orders.status).toBe(200);
    expect(orders.body.orders).toEqual([
      expect.objectContaining({
        orderId: 'order-1',
        sourceId: '112-2968911-3747422',
        accountId: 'acct-1',
        stitch: expect.objectContaining({ status: 'matched', transactionId: 'txn-1', confidence: 1 }),
      }),
    ]);
    // The customer's existing card transactions were pulled once (backfill) with the card's last four.
    expect(vendors.calls.some((c) => c.startsWith('/api/v0.1/transactions?customer_id=user-1'))).toBe(true);
    const txns = await getJson(service, `/users/${USER}/transactions`);
    expect(txns.body.transactions[0]).toMatchObject({
      transactionId: 'txn-1',
      amount: '-13.37',
      lastFour: '2345',
      match: {
        orderId: 'order-1',
        confidence: 1,
        products: [expect.objectContaining({ description: 'AAA Alkaline Batteries' })],
      },
    });
  });

  it('answers 401 in JSON and stores nothing when the signature is missing', async () => {
    const { service, vendors } = setup();
    const response = await postAtomic(service, accountsUpdated(), { signature: null });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'invalid_signature', message: 'missing X-HMAC-Signature-Sha-256 header' },
    });
    nothingStored(service);
    await service.idle();
    expect(vendors.calls).toEqual([]);
  });

  it('answers 401 and stores nothing when the signature was made with another secret or another body', async () => {
    const { service } = setup();
    const body = JSON.stringify(accountsUpdated());
    expect((await postAtomic(service, body, { signature: signAtomicBody(body, 'wrong') })).status).toBe(401);
    expect((await postAtomic(service, body, { signature: signAtomicBody(`${body} `) })).status).toBe(401);
    nothingStored(service);
  });

  it('ignores a repeat of the same ce-id: one inbox entry, the account fetched once', async () => {
    const { service, vendors } = setup();
    vendors.accounts.set('acct-1', account());
    expect(await (await postAtomic(service, accountsUpdated())).json()).toMatchObject({ status: 'accepted' });
    expect(await (await postAtomic(service, accountsUpdated())).json()).toEqual({ status: 'duplicate' });
    await service.idle();
    expect(vendors.calls.filter((c) => c === '/pay-link/accounts/acct-1')).toHaveLength(1);
    expect(service.store.inboxCounts().done).toBe(2); // the event and the one backfill job
  });

  it('de-duplicates on the body hash when ce-id is absent', async () => {
    const { service } = setup({ backfillTransactions: false });
    await postAtomic(service, accountsUpdated(), { ceId: null });
    expect(await (await postAtomic(service, accountsUpdated(), { ceId: null })).json()).toEqual({
      status: 'duplicate',
    });
  });

  it('rejects a signed body that is not JSON or not an Atomic envelope with 400, storing nothing', async () => {
    const { service } = setup();
    const notJson = await postAtomic(service, '{"eventType":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: 'invalid_payload' } });
    const noUser = await postAtomic(service, {
      eventType: 'pay-link-accounts-updated',
      data: { accounts: [] },
    });
    expect(noUser.status).toBe(400);
    const badData = await postAtomic(service, { ...accountsUpdated(), data: { accounts: 'x' } });
    expect(await badData.json()).toMatchObject({
      error: { message: 'data does not fit pay-link-accounts-updated' },
    });
    nothingStored(service);
  });

  it('records but does not process event types it has no use for', async () => {
    const { service, vendors } = setup();
    const response = await postAtomic(service, {
      eventType: 'task-authentication-status-updated',
      eventTime: '2024-10-21T00:00:00.000Z',
      user: { _id: 'u', identifier: USER },
      data: { authenticated: true },
    });
    expect(await response.json()).toMatchObject({ status: 'ignored' });
    await service.idle();
    expect(service.store.inboxCounts().ignored).toBe(1);
    expect(vendors.calls).toEqual([]);
  });

  it('caps the body size with a 413 in the JSON envelope', async () => {
    const { service } = setup({ bodyLimitBytes: 2048 });
    const response = await postAtomic(service, { ...accountsUpdated(), padding: 'x'.repeat(5000) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    nothingStored(service);
  });
});

describe('POST /webhooks/atelio', () => {
  it('accepts a signed transactions event, fetches the transaction and its card, and re-stitches the customer', async () => {
    const { service, vendors } = setup({ backfillTransactions: false });
    vendors.accounts.set('acct-1', account());
    vendors.transactions.set('txn-1', aTransaction());
    vendors.cards.set('card-1', card);
    await postAtomic(service, accountsUpdated());
    await service.idle();
    expect((await getJson(service, `/users/${USER}/orders`)).body.orders[0]!.stitch.status).toBe(
      'awaiting-transaction',
    );

    const response = await postAtelio(service, txnHook(aTransaction()));
    expect(response.status).toBe(200);
    await service.idle();
    expect(vendors.calls).toEqual(
      expect.arrayContaining(['/api/v0.1/transactions/txn-1', '/api/v0.1/cards/card-1']),
    );
    expect((await getJson(service, `/users/${USER}/orders`)).body.orders[0]!.stitch).toMatchObject({
      status: 'matched',
      transactionId: 'txn-1',
    });
  });

  it('answers 401 and stores nothing for a missing, malformed or wrong Bond-Signature', async () => {
    const { service } = setup();
    const body = JSON.stringify(txnHook(aTransaction()));
    const t = Math.floor(NOW / 1000);
    for (const signature of [null, 'garbage', bondSignature(body, t, 'whsec_wrong')]) {
      const response = await postAtelio(service, body, { signature });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    nothingStored(service);
  });

  it('rejects a correctly signed delivery whose timestamp is more than 5 minutes old', async () => {
    const { service } = setup();
    const t = Math.floor(NOW / 1000) - 301;
    const response = await postAtelio(service, txnHook(aTransaction()), { t });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { code: 'invalid_signature', message: 'Bond-Signature timestamp is 301 s old (limit 300 s)' },
    });
    nothingStored(service);
    expect((await postAtelio(service, txnHook(aTransaction()), { t: t + 1 })).status).toBe(200);
  });

  it('takes the signature age limit from configuration', async () => {
    const { service } = setup({
      atelio: {
        ...CREDS.atelio,
        webhookSecrets: [CREDS.atelio.webhookSecret],
        signatureToleranceSeconds: 3600,
      },
    });
    const t = Math.floor(NOW / 1000) - 3000;
    expect((await postAtelio(service, txnHook(aTransaction()), { t })).status).toBe(200);
    expect(
      (await postAtelio(service, txnHook(aTransaction(), '2024-10-21T10:00:00+00:00'), { t: t - 700 }))
        .status,
    ).toBe(401);
  });

  it('takes the subscription secret at run time (it is only known after subscribing)', async () => {
    const { service } = setup({ atelio: { ...CREDS.atelio, webhookSecrets: [] } });
    const payload = txnHook(aTransaction());
    expect((await postAtelio(service, payload, { secret: 'whsec_new' })).status).toBe(401);
    service.addAtelioWebhookSecret('whsec_new');
    expect((await postAtelio(service, payload, { secret: 'whsec_new' })).status).toBe(200);
  });

  it('de-duplicates on event + occurred_at + transaction_id', async () => {
    const { service, vendors } = setup();
    vendors.transactions.set('txn-1', aTransaction());
    vendors.cards.set('card-1', card);
    expect(await (await postAtelio(service, txnHook(aTransaction()))).json()).toMatchObject({
      status: 'accepted',
    });
    expect(await (await postAtelio(service, txnHook(aTransaction()))).json()).toEqual({
      status: 'duplicate',
    });
    // The same transaction updated later is a new event.
    const later = txnHook(aTransaction(), '2024-10-22T10:00:00+00:00');
    expect(await (await postAtelio(service, later)).json()).toMatchObject({ status: 'accepted' });
    await service.idle();
    expect(vendors.calls.filter((c) => c === '/api/v0.1/transactions/txn-1')).toHaveLength(2);
    expect(vendors.calls.filter((c) => c === '/api/v0.1/cards/card-1')).toHaveLength(1);
  });

  it('rejects a transactions event without transaction_id with 400', async () => {
    const { service } = setup();
    const response = await postAtelio(service, {
      event: 'transactions',
      occurred_at: '2024-10-21T00:00:00Z',
    });
    expect(response.status).toBe(400);
    nothingStored(service);
  });
});

describe('processing failures and restarts', () => {
  it('keeps an event whose vendor call fails and retries it with back-off until it succeeds', async () => {
    const { service, vendors, timers } = setup({ retryDelaysMs: [1_000, 5_000, 30_000] });
    vendors.accounts.set('acct-1', account());
    vendors.down = true;
    expect((await postAtomic(service, accountsUpdated())).status).toBe(200);

    await until(() => timers.pending.size === 1, 'first retry timer');
    expect(timers.delays()).toEqual([1_000]);
    expect(service.store.listInbox('retrying', 10)).toEqual([
      expect.objectContaining({
        attempts: 1,
        lastError: expect.stringMatching(/ECONNREFUSED/),
        nextAttemptAt: NOW + 1_000,
      }),
    ]);
    const inbox = await getJson(service, '/inbox?status=retrying');
    expect(inbox.body.events[0]).toMatchObject({ eventType: 'pay-link-accounts-updated', attempts: 1 });

    timers.fireAll();
    await until(() => timers.delays()[0] === 5_000, 'second retry timer');
    expect(service.store.listInbox('retrying', 10)[0]!.attempts).toBe(2);

    vendors.down = false;
    timers.fireAll();
    await service.idle();
    expect(service.store.inboxCounts()).toMatchObject({ retrying: 0, pending: 0, failed: 0 });
    expect((await getJson(service, `/users/${USER}`)).body.counts.orders).toBe(1);
  });

  it('waits at least as long as the vendor asks with Retry-After on a 429', async () => {
    const { service, vendors, timers } = setup({ retryDelaysMs: [1_000] });
    vendors.accounts.set('acct-1', account());
    vendors.failNext = { count: 1, status: 429, retryAfter: '120' };
    await postAtomic(service, accountsUpdated());
    await until(() => timers.pending.size === 1, 'retry timer');
    expect(timers.delays()).toEqual([120_000]);
    timers.fireAll();
    await service.idle();
    expect(service.store.inboxCounts().done).toBeGreaterThan(0);
  });

  it('keeps an event that can never succeed as failed, with the reason, and lets it be re-queued', async () => {
    const { service, vendors } = setup({ backfillTransactions: false });
    await postAtomic(service, accountsUpdated('updated', 'acct-missing'));
    await service.idle();
    const [failed] = service.store.listInbox('failed', 10);
    expect(failed).toMatchObject({ lastError: 'Atomic account acct-missing does not exist (404)' });

    vendors.accounts.set('acct-missing', account({ _id: 'acct-missing' }));
    const retry = await service.app.request(`/inbox/${failed!.id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(200);
    await service.idle();
    expect(service.store.inboxEvent(failed!.id)!.status).toBe('done');
    const again = await service.app.request(`/inbox/${failed!.id}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('resumes the persisted inbox after a restart with a file database and loses nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stitcher-db-'));
    dirs.push(dir);
    const dbPath = join(dir, 'stitcher.sqlite');
    const vendors = new FakeVendors();
    vendors.accounts.set('acct-1', account());
    vendors.transactions.set('txn-1', aTransaction());
    vendors.cards.set('card-1', card);
    vendors.down = true;

    const first = setup({ dbPath }, vendors);
    expect((await postAtomic(first.service, accountsUpdated())).status).toBe(200);
    expect((await postAtelio(first.service, txnHook(aTransaction()))).status).toBe(200);
    await until(() => first.timers.pending.size === 2, 'both events waiting for a retry');
    await first.service.close();
    open.splice(open.indexOf(first.service), 1);

    vendors.down = false;
    const second = setup({ dbPath }, vendors);
    await second.service.idle();
    expect(second.service.store.inboxCounts()).toMatchObject({ pending: 0, retrying: 0, failed: 0 });
    const orders = await getJson(second.service, `/users/${USER}/orders`);
    expect(orders.body.orders[0]!.stitch).toMatchObject({ status: 'matched', transactionId: 'txn-1' });
    // A delivery repeated after the restart is still recognised.
    expect(await (await postAtomic(second.service, accountsUpdated())).json()).toEqual({
      status: 'duplicate',
    });
    await second.service.close();
    open.splice(open.indexOf(second.service), 1);

    // And the stitched state itself survives a restart.
    const third = setup({ dbPath }, vendors);
    const again = await getJson(third.service, `/users/${USER}/orders`);
    expect(again.body).toEqual(orders.body);
  });
});

describe('disconnection pauses stitching', () => {
  it('pauses a user whose account is disconnected, says why, and re-stitches after reconnection', async () => {
    const { service, vendors } = setup({ backfillTransactions: false });
    vendors.accounts.set('acct-1', account());
    vendors.transactions.set('txn-1', aTransaction());
    vendors.cards.set('card-1', card);
    await postAtomic(service, accountsUpdated('created'), { ceId: 'e1' });
    await postAtelio(service, txnHook(aTransaction()));
    await service.idle();

    // The refresh task fails, and the account goes disconnected with a new order Atomic still lists.
    const order2 = { ...order1, _id: 'order-2', amount: 20.5, date: '2024-10-22T10:00:00.000Z' };
    vendors.accounts.set('acct-1', account({ connectionStatus: 'disconnected', orders: [order1, order2] }));
    await postAtomic(service, taskFailed('session-expired'), { ceId: 'e2' });
    // A later failure at another merchant must not be taken for the Amazon account's reason.
    await postAtomic(
      service,
      {
        ...taskFailed('bad-credentials', '2024-10-22T05:00:00.000Z'),
        task: 'task-hulu',
        company: { _id: 'h', name: 'Hulu' },
      },
      { ceId: 'e2b' },
    );
    await postAtomic(service, accountsUpdated('disconnected'), { ceId: 'e3' });
    const txn2 = aTransaction({
      transaction_id: 'txn-2',
      amount: '-20.50',
      created_time: '2024-10-23T08:00:00+00:00',
      details: { merchant_amount: '-20.50' },
    });
    vendors.transactions.set('txn-2', txn2);
    await postAtelio(service, txnHook(txn2, '2024-10-23T08:00:00+00:00'));
    await service.idle();

    const user = await getJson(service, `/users/${USER}`);
    expect(user.body).toMatchObject({
      paused: true,
      pausedReason: {
        accountId: 'acct-1',
        failReason: 'session-expired',
        recommendedAction: 'Prompt user to reconnect',
        message:
          'Amazon account acct-1 is disconnected (session-expired: The cached authentication session has expired); stitching is paused until the user reconnects',
      },
      lastTask: { taskId: 'task-hulu', status: 'failed', failReason: 'bad-credentials' },
    });
    const paused = await getJson(service, `/users/${USER}/orders`);
    const byId = Object.fromEntries(paused.body.orders.map((o) => [o.orderId, o.stitch]));
    expect(byId['order-1']).toMatchObject({ status: 'paused', transactionId: 'txn-1' });
    expect(byId['order-2']).toEqual({
      status: 'paused',
      reason: expect.stringContaining('stitching is paused'),
    });

    vendors.accounts.set('acct-1', account({ connectionStatus: 'connected', orders: [order1, order2] }));
    await postAtomic(service, accountsUpdated('updated'), { ceId: 'e4' });
    await service.idle();
    const resumed = await getJson(service, `/users/${USER}/orders`);
    const after = Object.fromEntries(resumed.body.orders.map((o) => [o.orderId, o.stitch]));
    expect(after['order-1']).toMatchObject({ status: 'matched', transactionId: 'txn-1' });
    expect(after['order-2']).toMatchObject({ status: 'matched', transactionId: 'txn-2' });
    expect((await getJson(service, `/users/${USER}`)).body.paused).toBe(false);
  });

  it('reaches the same stitching whichever vendor delivers first', async () => {
    const results = [];
    for (const transactionFirst of [true, false]) {
      const { service, vendors } = setup({ backfillTransactions: false });
      vendors.accounts.set('acct-1', account());
      vendors.transactions.set('txn-1', aTransaction());
      vendors.cards.set('card-1', card);
      if (transactionFirst) await postAtelio(service, txnHook(aTransaction()));
      await postAtomic(service, accountsUpdated());
      if (!transactionFirst) await postAtelio(service, txnHook(aTransaction()));
      await service.idle();
      results.push((await getJson(service, `/users/${USER}/orders`)).body.orders.map((o) => o.stitch));
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]![0]).toMatchObject({ status: 'matched' });
  });
});

describe('read API', () => {
  it('answers unknown users, unknown routes and wrong methods with JSON errors', async () => {
    const { service } = setup();
    expect(await getJson(service, '/users/nobody/orders')).toEqual({
      status: 404,
      body: { error: { code: 'user_not_found', message: 'no user with identifier nobody' } },
    });
    expect((await getJson(service, '/nope')).status).toBe(404);
    const wrongMethod = await service.app.request('/webhooks/atomic');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await getJson(service, `/users/${'x'.repeat(300)}`)).status).toBe(400);
    expect((await getJson(service, '/inbox?limit=0')).status).toBe(400);
    expect((await getJson(service, '/inbox?status=weird')).status).toBe(400);
    expect((await service.app.request('/inbox/abc/retry', { method: 'POST' })).status).toBe(400);
    expect((await service.app.request('/inbox/99/retry', { method: 'POST' })).status).toBe(404);
  });

  it('flags non-card orders unmatchable with the reason, and lists users', async () => {
    const { service, vendors } = setup({ backfillTransactions: false });
    const gift = { ...order1, _id: 'order-gift', paymentMethod: 'gift card' };
    vendors.accounts.set('acct-1', account({ orders: [gift] }));
    await postAtomic(service, accountsUpdated());
    await service.idle();
    const orders = await getJson(service, `/users/${USER}/orders`);
    expect(orders.body.orders[0]!.stitch).toEqual({
      status: 'unmatchable',
      reason: 'paid by gift card: non-card payments never appear as a bank card transaction',
    });
    expect((await getJson(service, '/users')).body).toEqual({
      users: [
        { identifier: USER, paused: false, counts: expect.objectContaining({ orders: 1, unmatchable: 1 }) },
      ],
    });
    expect((await getJson(service, '/__sandbox/health')).body).toEqual({ status: 'ok' });
  });

  it('refuses a configuration with a bad URL or empty credentials, naming the field', () => {
    expect(() =>
      createStitcherService({
        atomic: { ...CREDS.atomic, baseUrl: 'not a url' },
        atelio: { ...CREDS.atelio, identity: '', webhookSecrets: [] },
        dbPath: ':memory:',
      }),
    ).toThrow(/atomic\.baseUrl: must be an http\(s\) URL[\s\S]*atelio\.identity: must not be empty/);
  });
});

describe('incremental re-stitching and inbox retention', () => {
  const DAY = 86_400_000;
  /** An order and its charge `days` after 2024-10-20; ids carry the day. */
  const pair = (days: number, amount: string) => {
    const at = new Date(Date.parse('2024-10-20T10:00:00Z') + days * DAY);
    const { identifier: _u, ...order } = anOrder({
      _id: `order-d${days}`,
      amount: Number(amount),
      date: at.toISOString(),
    });
    const txn = aTransaction({
      transaction_id: `txn-d${days}`,
      amount: `-${amount}`,
      created_time: new Date(at.getTime() + DAY).toISOString().replace('Z', '+00:00'),
      details: { merchant_amount: `-${amount}` },
    });
    return { order, txn };
  };

  it('re-stitches only the orders a transaction can reach, and ends where a full re-stitch does', async () => {
    const { service, vendors, clock } = setup({ backfillTransactions: false });
    const early = pair(0, '11.11');
    const late = pair(100, '22.22');
    vendors.accounts.set('acct-1', account({ orders: [early.order, late.order] }));
    vendors.cards.set('card-1', card);
    vendors.transactions.set(early.txn.transaction_id, early.txn);
    await postAtomic(service, accountsUpdated());
    await postAtelio(service, txnHook(early.txn));
    await service.idle();
    const firstPass = service.store.stitchesFor(USER);
    expect(firstPass.get('order-d0')).toMatchObject({ status: 'matched', transactionId: 'txn-d0' });

    clock.now += 60_000;
    vendors.transactions.set(late.txn.transaction_id, late.txn);
    await postAtelio(service, txnHook(late.txn, '2024-10-21T09:13:00+00:00'));
    await service.idle();
    const secondPass = service.store.stitchesFor(USER);
    expect(secondPass.get('order-d100')).toMatchObject({ status: 'matched', transactionId: 'txn-d100' });
    // The order 100 days earlier is out of the transaction's reach: not re-stitched at all.
    expect(secondPass.get('order-d0')!.stitchedAt).toBe(firstPass.get('order-d0')!.stitchedAt);
    expect(secondPass.get('order-d100')!.stitchedAt).toBe(clock.now);

    // A full re-stitch of the user agrees with what the incremental one left.
    const strip = (rows: typeof secondPass) =>
      [...rows.values()]
        .map(({ stitchedAt: _t, ...rest }) => rest)
        .sort((a, b) => a.orderId.localeCompare(b.orderId));
    const incremental = strip(secondPass);
    clock.now += 60_000;
    service.restitch(USER);
    expect(strip(service.store.stitchesFor(USER))).toEqual(incremental);
  });

  it('keeps a transaction held by an order outside the re-stitched days away from the orders inside', async () => {
    const { service, vendors, logs } = setup({ backfillTransactions: false });
    // order-d2 (Oct 22) holds txn-d2 (Oct 23). order-g (Oct 24, same amount) wants it too, posted a
    // day before its own date: weaker evidence, it loses. A transaction 61 days after order-d2
    // re-stitches order-g's day but not order-d2's.
    const held = pair(2, '33.33');
    const { identifier: _u, ...g } = anOrder({
      _id: 'order-g',
      amount: 33.33,
      date: '2024-10-24T10:00:00.000Z',
    });
    vendors.accounts.set('acct-1', account({ orders: [held.order, g] }));
    vendors.cards.set('card-1', card);
    vendors.transactions.set(held.txn.transaction_id, held.txn);
    await postAtomic(service, accountsUpdated());
    await postAtelio(service, txnHook(held.txn));
    await service.idle();
    const before = service.store.stitchesFor(USER);
    expect(before.get('order-g')!.reasons[0]).toMatch(/txn-d2 is stitched to order order-d2/);

    const other = pair(62, '1.00').txn;
    vendors.transactions.set(other.transaction_id, other);
    await postAtelio(service, txnHook(other, '2024-10-21T09:14:00+00:00'));
    await service.idle();
    const after = service.store.stitchesFor(USER);
    expect(after.get('order-g')!.stitchedAt).toBeGreaterThan(0);
    expect(after.get('order-d2')).toEqual(before.get('order-d2'));
    // order-g was re-stitched without txn-d2 in its pool (order-d2 keeps it): no double claim, no error.
    expect(after.get('order-g')!.status).toBe('awaiting-transaction');
    expect(logs.filter((l) => l.includes('re-stitching failed'))).toEqual([]);
  });

  it('prunes processed events after the retention period, keeping the backfill record', async () => {
    const { service, vendors, clock } = setup({ inboxRetentionMs: DAY });
    vendors.accounts.set('acct-1', account());
    vendors.cards.set('card-1', card);
    vendors.transactions.set('txn-1', aTransaction());
    await postAtomic(service, accountsUpdated());
    await postAtelio(service, txnHook(aTransaction()));
    await service.idle();
    const keys = () =>
      service.store
        .listInbox(null, 100)
        .map((e) => `${e.source}/${e.eventType}`)
        .sort();
    expect(keys()).toEqual([
      'atelio/transactions',
      'atomic/pay-link-accounts-updated',
      'stitcher/atelio-backfill',
    ]);
    // A redelivery within the retention period is still recognised as a duplicate.
    expect(await (await postAtelio(service, txnHook(aTransaction()))).json()).toMatchObject({
      status: 'duplicate',
    });

    clock.now += 2 * DAY;
    // Another purchase (not a second charge of order-1's amount, which would make order-1 ambiguous).
    const txn2 = aTransaction({
      transaction_id: 'txn-2',
      amount: '-7.50',
      details: { merchant_amount: '-7.50' },
    });
    vendors.transactions.set('txn-2', txn2);
    await postAtelio(service, txnHook(txn2), {
      t: Math.floor(clock.now / 1000),
    });
    await service.idle();
    expect(keys()).toEqual(['atelio/transactions', 'stitcher/atelio-backfill']);
    expect(service.store.listInbox(null, 100).find((e) => e.source === 'atelio')!.body).toContain('txn-2');
    // What was stitched stays stitched.
    expect(service.store.stitchesFor(USER).get('order-1')).toMatchObject({
      status: 'matched',
      transactionId: 'txn-1',
    });
  });
});
