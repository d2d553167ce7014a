/**
 * The stitcher against the real mocks: the platform's two vendor apps on real ports, their stores
 * driven through their functions, webhooks signed and delivered by the platform's delivery engine. Two independent
 * implementations of the wire format (the mocks and this client) have to agree for these to pass.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../core/clock';
import { createRandom } from '../core/random';
import { startServer } from '../core/server';
import type { RunningServer } from '../core/server';
import type { DeliveryEngine } from '../core/webhooks';
import { AMAZON_COMPANY_ID, buildAmazonOrder } from '../mock-atomic';
import type { AtomicStore, Order } from '../mock-atomic';
import type { AtelioStore } from '../mock-atelio';
import { createPlatform } from '../scenarios';
import type { Platform } from '../scenarios';
import { createStitcherService } from '../stitcher';
import type { StitcherService } from '../stitcher';
import type { OrderView, OrdersView, TransactionsView, UserSummaryView } from '../stitcher/views';

type ApiBody = OrdersView & TransactionsView & UserSummaryView;

const USER = 'customer-e2e-1';
const START = Date.parse('2024-10-20T12:00:00.000Z');

interface Environment {
  platform: Platform<VirtualClock>;
  clock: VirtualClock;
  atomic: AtomicStore;
  atelio: AtelioStore;
  engine: DeliveryEngine;
  stitcher: StitcherService;
  servers: RunningServer[];
  /** Delivers every pending webhook and waits until the stitcher has processed all of it. */
  flush(): Promise<void>;
  get(path: string): Promise<{ status: number; body: ApiBody }>;
}

let env: Environment;

async function startEnvironment(): Promise<Environment> {
  const clock = new VirtualClock(START);
  const platform = createPlatform({ seed: 7, clock, baseline: false, delivery: { timeoutMs: 5_000 } });
  const atomic = platform.atomic.store;
  const atelio = platform.atelio.store;
  const servers = [
    await startServer(platform.atomic.app, { name: 'atomic', port: 0 }),
    await startServer(platform.atelio.app, { name: 'atelio', port: 0 }),
  ];
  const stitcher = createStitcherService({
    atomic: { baseUrl: servers[0]!.url, apiKey: 'test-api-key', apiSecret: 'test-api-secret' },
    atelio: {
      baseUrl: servers[1]!.url,
      identity: 'test-identity',
      authorization: 'test-authorization',
      webhookSecrets: [],
    },
    dbPath: ':memory:',
    now: () => clock.now(),
    timers: clock,
    log: () => {},
  });
  const { url } = await stitcher.start({ port: 0 });
  // Atomic signs with the default secret, whose token is the API secret (the stitcher's default).
  atomic.registerWebhookUrl(`${url}/webhooks/atomic`);
  // Atelio reveals the subscription secret only now: hand it to the running service.
  stitcher.addAtelioWebhookSecret(
    atelio.registerWebhookUrl(`${url}/webhooks/atelio`, { events: ['transactions'] }).secret,
  );
  const { engine } = platform;

  return {
    platform,
    clock,
    atomic,
    atelio,
    engine,
    stitcher,
    servers,
    async flush() {
      await engine.idle();
      await stitcher.idle();
    },
    async get(path) {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as ApiBody };
    },
  };
}

beforeEach(async () => {
  env = await startEnvironment();
});

afterEach(async () => {
  await env.platform.close();
  await env.stitcher.close();
  for (const server of env.servers) await server.close();
});

const random = createRandom('stitcher-integration');
const card = (lastFour?: string) => ({ type: 'card', brand: 'Visa', ...(lastFour ? { lastFour } : {}) });

function order(
  date: string,
  amount: number,
  paymentMethod: NonNullable<Order['paymentMethod']> | null,
): Order {
  return buildAmazonOrder(random, { date, amount, paymentMethod });
}

function connectAmazon(orders: Order[]): string {
  const account = env.atomic.createOrderMonitoringAccount({ identifier: USER, companyId: AMAZON_COMPANY_ID });
  env.atomic.addOrders(account._id, orders);
  env.atomic.markSynced(account._id);
  return account._id;
}

function purchase(amount: string, merchantName: string, when: string): string {
  return env.atelio.authorizeCardPurchase({
    cardId: 'card-e2e',
    amount,
    merchantName,
    transactionDatetime: when,
    at: when,
  }).transaction_id;
}

const stitchOf = (orders: OrderView[], id: string) => orders.find((o) => o.orderId === id)?.stitch;

describe('the stitcher against the real mocks', () => {
  it('stitches card orders to the transactions they became and flags non-card orders, over signed webhooks', async () => {
    env.atelio.createCustomerWithCard({ customerId: USER, cardId: 'card-e2e', lastFour: '4242' });
    const batteries = order('2024-10-18T15:00:00.000Z', 13.37, card('4242'));
    const noLastFour = order('2024-10-18T16:00:00.000Z', 42.1, card());
    const giftCard = order('2024-10-18T17:00:00.000Z', 25, { type: 'gift card' });
    const ebt = order('2024-10-18T18:00:00.000Z', 9.99, { type: 'EBT' });

    // Some spend happens before the Amazon account is connected (backfilled), some after (webhooks).
    const t1 = purchase('13.37', 'AMZN Mktp US*2K4L71', '2024-10-19 09:00');
    env.atelio.settleTransaction(t1, { at: '2024-10-19 20:00' });
    purchase('13.37', 'STARBUCKS #2231', '2024-10-19 10:00');
    await env.flush();

    const accountId = connectAmazon([batteries, noLastFour, giftCard, ebt]);
    const t2 = purchase('42.10', 'Amazon.com*1A2B3C4D', '2024-10-19 11:30');
    await env.flush();

    const user = await env.get(`/users/${USER}`);
    expect(user.body).toMatchObject({
      paused: false,
      accounts: [{ accountId, connectionStatus: 'connected', company: 'Amazon' }],
      counts: { orders: 4, transactions: 3, matched: 2, unmatchable: 2, awaitingTransaction: 0 },
    });
    const { body } = await env.get(`/users/${USER}/orders`);
    expect(stitchOf(body.orders, batteries._id)).toMatchObject({
      status: 'matched',
      transactionId: t1,
      confidence: 1,
    });
    expect(stitchOf(body.orders, noLastFour._id)).toMatchObject({
      status: 'matched',
      transactionId: t2,
      confidence: 0.8,
    });
    expect(stitchOf(body.orders, giftCard._id)).toEqual({
      status: 'unmatchable',
      reason: 'paid by gift card: non-card payments never appear as a bank card transaction',
    });
    expect(stitchOf(body.orders, ebt._id)).toMatchObject({
      status: 'unmatchable',
      reason: expect.stringMatching(/^paid by EBT/),
    });

    const txns = await env.get(`/users/${USER}/transactions`);
    const matched = txns.body.transactions.find((t) => t.transactionId === t1);
    expect(matched).toMatchObject({
      lastFour: '4242',
      state: 'completed',
      match: { orderId: batteries._id, products: batteries.products },
    });
    expect(txns.body.transactions.find((t) => t.merchantName === 'STARBUCKS #2231')!.match).toBeNull();
    // Every delivery was accepted: the signatures agreed.
    expect(env.engine.log.list({ status: 'failed' })).toEqual([]);
  });

  it('pauses the user when a refresh fails with session-expired, says why, and re-stitches after reconnection', async () => {
    env.atelio.createCustomerWithCard({ customerId: USER, cardId: 'card-e2e', lastFour: '4242' });
    const first = order('2024-10-18T15:00:00.000Z', 13.37, card('4242'));
    const accountId = connectAmazon([first]);
    purchase('13.37', 'AMZN Mktp US*2K4L71', '2024-10-19 09:00');
    await env.flush();
    expect((await env.get(`/users/${USER}/orders`)).body.orders[0]!.stitch.status).toBe('matched');

    await env.clock.advance(24 * 3600 * 1000);
    env.atomic.refreshAccount(accountId, { failReason: 'session-expired' });
    const later = order('2024-10-21T09:00:00.000Z', 20.5, card('4242'));
    env.atomic.addOrders(accountId, [later]);
    purchase('20.50', 'AMZN Mktp US*9Z8Y7X', '2024-10-21 18:00');
    await env.flush();

    const paused = await env.get(`/users/${USER}`);
    expect(paused.body).toMatchObject({
      paused: true,
      pausedReason: {
        accountId,
        failReason: 'session-expired',
        recommendedAction: 'Prompt user to reconnect',
      },
      lastTask: { status: 'failed', failReason: 'session-expired' },
    });
    const whilePaused = (await env.get(`/users/${USER}/orders`)).body.orders;
    expect(stitchOf(whilePaused, first._id)).toMatchObject({
      status: 'paused',
      transactionId: expect.any(String),
    });
    expect(stitchOf(whilePaused, later._id)).toMatchObject({ status: 'paused' });

    env.atomic.reconnectAccount(accountId);
    await env.flush();
    const resumed = await env.get(`/users/${USER}/orders`);
    expect(stitchOf(resumed.body.orders, later._id)).toMatchObject({ status: 'matched', confidence: 1 });
    expect((await env.get(`/users/${USER}`)).body.paused).toBe(false);
  });

  it('follows a multi-settlement purchase and a tax-adjusted pending one to exact matches', async () => {
    env.atelio.createCustomerWithCard({ customerId: USER, cardId: 'card-e2e', lastFour: '4242' });
    const split = order('2024-10-18T15:00:00.000Z', 35.93, card('4242'));
    const taxed = order('2024-10-18T16:00:00.000Z', 20, card('4242'));
    connectAmazon([split, taxed]);
    const ms = purchase('35.93', 'AMZN Mktp US*MS1', '2024-10-19 09:00');
    const pending = purchase('20.40', 'Amazon.com*TAX1', '2024-10-19 10:00');
    await env.flush();

    let orders = (await env.get(`/users/${USER}/orders`)).body.orders;
    expect(stitchOf(orders, split._id)).toMatchObject({
      status: 'matched',
      transactionId: ms,
      confidence: 1,
    });
    expect(stitchOf(orders, taxed._id)).toMatchObject({
      status: 'matched',
      transactionId: pending,
      provisional: true,
    });

    env.atelio.settleTransaction(ms, { amount: '30.49', at: '2024-10-20 03:47' });
    await env.flush();
    orders = (await env.get(`/users/${USER}/orders`)).body.orders;
    expect(stitchOf(orders, split._id)).toMatchObject({
      transactionId: ms,
      reasons: expect.arrayContaining([
        expect.stringContaining(
          'authorised amount (merchant_amount) of a multi-settlement transaction, settled 30.49',
        ),
      ]),
    });

    env.atelio.settleTransaction(ms, { amount: '5.44', at: '2024-10-20 05:11' });
    env.atelio.settleTransaction(pending, { amount: '20.00', at: '2024-10-20 06:00' });
    await env.flush();
    orders = (await env.get(`/users/${USER}/orders`)).body.orders;
    expect(stitchOf(orders, split._id)).toMatchObject({
      status: 'matched',
      transactionId: ms,
      confidence: 1,
    });
    expect(stitchOf(orders, taxed._id)).toMatchObject({
      status: 'matched',
      transactionId: pending,
      provisional: false,
      confidence: 1,
    });
    const txn = (await env.get(`/users/${USER}/transactions`)).body.transactions.find(
      (t) => t.transactionId === ms,
    );
    expect(txn).toMatchObject({ amount: '-35.93', settlements: [{ amount: '-30.49' }, { amount: '-5.44' }] });
  });
});
