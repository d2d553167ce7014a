import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlatformClock, VirtualClock } from '../../core/clock';
import { FaultInjector } from '../../core/faults';
import { RequestJournal } from '../../core/journal';
import { createDeliveryEngine } from '../../core/webhooks';
import { createAtelioStore, type AtelioStore } from '../../mock-atelio';
import { createAtomicStore, type AtomicStore } from '../../mock-atomic';
import { createControlApp } from '../app';
import { viewRoutes, type UserDetail, type UserListEntry, type ViewDeps } from './views';

const T0 = '2025-03-10T15:00:00.000Z';

/** The control app exactly as the platform builds it, with the view routes mounted under /api. */
function controlWith(deps: ViewDeps) {
  const clock = new PlatformClock(() => Date.parse(T0));
  return createControlApp({
    clock,
    journal: new RequestJournal(10),
    faults: new FaultInjector(),
    engine: createDeliveryEngine({ clock }),
    state: { exportState: () => ({}), importState: async () => undefined, reset: async () => undefined },
    extraApi: { ...viewRoutes(deps) },
  });
}

/** A stand-in for the stitcher's read API that records what it was asked. */
function fakeStitcher(users: { identifier: string; paused: boolean }[]) {
  const asked: string[] = [];
  const app = new Hono()
    .get('/users', (c) => c.json({ users: users.map((u) => ({ ...u, counts: {} })) }))
    .get('/users/:identifier/transactions', (c) => {
      asked.push(c.req.url);
      const identifier = c.req.param('identifier');
      if (identifier === 'nobody')
        return c.json({ error: { code: 'user_not_found', message: 'no user nobody' } }, 404);
      return c.json({ identifier, transactions: [] });
    });
  return { app, asked };
}

let atomic: AtomicStore;
let atelio: AtelioStore;

beforeAll(() => {
  const clock = new VirtualClock(T0);
  atomic = createAtomicStore({ seed: 1, clock });
  atelio = createAtelioStore({ seed: 1, clock });
  // One user both vendors know, created after the baseline, with one Amazon purchase.
  atomic.ensureUser('both-1');
  const { card } = atelio.createCustomerWithCard({ customerId: 'both-1', lastFour: '4242' });
  atelio.authorizeCardPurchase({
    cardId: card.card_id,
    amount: '12.34',
    merchantName: 'AMZN Mktp US*2K4L71',
  });
});

describe('GET /api/users', () => {
  it('lists every user of both vendors once, newest first, with what the stitcher says', async () => {
    const stitcher = fakeStitcher([{ identifier: 'both-1', paused: true }]);
    const app = controlWith({ atomic, atelio, stitcher });
    const response = await app.request('/api/users');
    expect(response.status).toBe(200);
    const { users } = (await response.json()) as { users: UserListEntry[] };

    const identifiers = users.map((u) => u.identifier);
    expect(new Set(identifiers).size).toBe(identifiers.length);
    for (const id of atomic.baselineInfo().identifiers) {
      expect(users.find((u) => u.identifier === id)?.atomic).not.toBeNull();
    }
    for (const customer of atelio.listCustomers({ count: 1000 }).items) {
      expect(users.find((u) => u.identifier === customer.customer_id)?.atelio?.name).toBe(
        `${customer.first_name} ${customer.last_name}`,
      );
    }
    expect(users[0]).toMatchObject({
      identifier: 'both-1',
      createdAt: T0,
      atomic: { accounts: 0, connected: 0, disconnected: 0, orders: 0 },
      atelio: { name: expect.any(String) },
      stitcher: { paused: true },
    });
    const times = users.map((u) => u.createdAt ?? '');
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('counts linked accounts, their connection states and orders from the Atomic store', async () => {
    const app = controlWith({ atomic, atelio });
    const { users } = (await (await app.request('/api/users')).json()) as { users: UserListEntry[] };
    const disconnected = users.find((u) => u.identifier === 'demo-user-disconnected');
    expect(disconnected?.atomic?.disconnected).toBe(1);
    const demo = users.find((u) => u.identifier === 'demo-user')!;
    const linked = atomic.listPayLinkAccounts('demo-user').filter((a) => a.type === 'linked');
    expect(demo.atomic).toEqual({
      accounts: linked.length,
      connected: linked.filter((a) => a.connectionStatus === 'connected').length,
      disconnected: linked.filter((a) => a.connectionStatus === 'disconnected').length,
      orders: linked.reduce((n, a) => n + (a.orders?.length ?? 0), 0),
    });
    expect(demo.atomic!.orders).toBeGreaterThan(0);
    expect(demo.stitcher).toBeNull();
  });
});

describe('GET /api/users/{identifier}', () => {
  it('shows the Atomic accounts with their orders and the Atelio customer with cards and transactions', async () => {
    const app = controlWith({ atomic, atelio });
    const response = await app.request('/api/users/both-1');
    expect(response.status).toBe(200);
    const detail = (await response.json()) as UserDetail;
    expect(detail.identifier).toBe('both-1');
    expect(detail.atomic).toMatchObject({ userId: atomic.findUser('both-1')!._id, accounts: [] });
    expect(detail.atelio?.customer.customer_id).toBe('both-1');
    expect(detail.atelio?.cards.map((c) => c.last_four)).toEqual(['4242']);
    expect(detail.atelio?.transactions.total).toBe(1);
    expect(detail.atelio?.transactions.items[0]).toMatchObject({ amount: '-12.34', state: 'pending' });

    const demo = (await (await app.request('/api/users/demo-user')).json()) as UserDetail;
    const amazon = demo.atomic?.accounts.find((a) => a.company.name === 'Amazon');
    expect(amazon?.connectionStatus).toBe('connected');
    expect(amazon?.orders?.length).toBeGreaterThan(0);
  });

  it('returns at most `limit` transactions, newest first, and counts them all', async () => {
    const customer = atelio
      .listCustomers({ count: 1000 })
      .items.find(
        (c) => atelio.listTransactions({ customerId: c.customer_id, count: 1000 }).items.length > 50,
      )!;
    const all = atelio.listTransactions({ customerId: customer.customer_id, count: 10000 }).items;
    const app = controlWith({ atomic, atelio });
    const detail = (await (
      await app.request(`/api/users/${encodeURIComponent(customer.customer_id)}?limit=20`)
    ).json()) as UserDetail;
    expect(detail.atelio?.transactions.total).toBe(all.length);
    expect(detail.atelio?.transactions.items.map((t) => t.transaction_id)).toEqual(
      all.slice(0, 20).map((t) => t.transaction_id),
    );
  });

  it('answers 404 user_not_found for an identifier neither vendor knows', async () => {
    const response = await controlWith({ atomic, atelio }).request('/api/users/nobody-at-all');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'user_not_found', message: 'Neither Atomic nor Atelio knows a user nobody-at-all.' },
    });
  });

  it('rejects a limit the page sizes do not allow with 400', async () => {
    const response = await controlWith({ atomic, atelio }).request('/api/users/both-1?limit=7');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'invalid_request', details: [{ path: 'limit' }] },
    });
  });
});

describe('GET /api/stitcher/...', () => {
  it('forwards the path and query exactly as sent, and the answer as it came', async () => {
    const stitcher = fakeStitcher([]);
    const app = controlWith({ atomic, atelio, stitcher });
    const response = await app.request('/api/stitcher/users/a%2Fb%20c/transactions?since=1&x=%C3%A9');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ identifier: 'a/b c', transactions: [] });
    expect(stitcher.asked.map((u) => new URL(u).pathname + new URL(u).search)).toEqual([
      '/users/a%2Fb%20c/transactions?since=1&x=%C3%A9',
    ]);
  });

  it("keeps the stitcher's own status and error body", async () => {
    const app = controlWith({ atomic, atelio, stitcher: fakeStitcher([]) });
    const response = await app.request('/api/stitcher/users/nobody/transactions');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'user_not_found', message: 'no user nobody' } });
  });

  it('only reads: a POST is not forwarded', async () => {
    const stitcher = fakeStitcher([]);
    const app = controlWith({ atomic, atelio, stitcher });
    const response = await app.request('/api/stitcher/users/x/transactions', { method: 'POST' });
    expect(response.status).toBe(404);
    expect(stitcher.asked).toEqual([]);
  });

  it('answers 503 when the platform runs without the stitcher', async () => {
    const response = await controlWith({ atomic, atelio }).request('/api/stitcher/users');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'stitcher_not_running' } });
  });
});
