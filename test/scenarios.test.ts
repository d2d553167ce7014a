import { afterEach, describe, expect, it } from 'vitest';
import { parseAtelioSignatureHeader, verifyAtelio, verifyAtomic } from '../core/webhooks';
import { TransactionsWebhookEventSchema, parseTimestamp, type Transaction } from '../mock-atelio';
import { AtomicWebhookEventSchema, type PayLinkAccountView } from '../mock-atomic';
import type { RunView } from '../scenarios';
import {
  ATOMIC_API_SECRET,
  createScenarioPlatform,
  deliveriesOf,
  type Delivered,
  type ScenarioPlatform,
} from '../scenarios/testing';

/**
 * Every shipped scenario, run instantly against the real mocks with a real receiver registered
 * with both: the webhook sequence, what the payloads say (signatures verified over the raw bytes)
 * and what the vendor APIs answer afterwards.
 */

const START = '2025-03-01T09:00:00.000Z';
const START_MS = Date.parse(START);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(START_MS + ms).toISOString();

const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

async function run(
  name: string,
  identifier = `qa-${name}`,
): Promise<{ platform: ScenarioPlatform; view: RunView; delivered: Delivered[] }> {
  const platform = await createScenarioPlatform();
  platforms.push(platform);
  const view = await platform.runner.start(name, { seed: 42, identifier, startTime: START }).done;
  expect(view.error).toBeUndefined();
  expect(view.status).toBe('completed');
  const delivered = deliveriesOf(platform, view);
  // Every event reached the receiver exactly once, signed as its vendor signs.
  expect(delivered).toHaveLength(view.webhookCount);
  for (const d of delivered) expectSigned(platform, d);
  return { platform, view, delivered };
}

function expectSigned(platform: ScenarioPlatform, d: Delivered): void {
  if (d.vendor === 'atomic') {
    expect(verifyAtomic(d.raw, ATOMIC_API_SECRET, String(d.headers['x-hmac-signature-sha-256']))).toBe(true);
    const body = AtomicWebhookEventSchema.parse(d.body);
    expect(d.headers['ce-id']).toBe(d.eventId);
    expect(d.headers['ce-type']).toBe(`com.atomicfi.${body.eventType}`);
    expect(d.headers['ce-time']).toBe(body.eventTime);
    return;
  }
  const body = TransactionsWebhookEventSchema.parse(d.body);
  const header = String(d.headers['bond-signature']);
  const signedAt = parseAtelioSignatureHeader(header)!.timestamp;
  // Signed at the real moment of sending (a receiver's wall clock judges freshness), while the body
  // keeps the run's virtual time: a fresh signature over a body from the run's past.
  const nowSeconds = Math.floor(Date.now() / 1000);
  expect(nowSeconds - signedAt).toBeLessThan(300);
  expect(parseTimestamp(body.occurred_at)).toBeLessThan(Date.parse('2026-01-01T00:00:00Z'));
  expect(verifyAtelio(d.raw, platform.atelioSecret!, header, { nowSeconds })).toEqual({
    ok: true,
    timestamp: signedAt,
  });
}

const summary = (d: Delivered): string => {
  if (d.vendor === 'atelio') return `atelio ${String(d.body['state'])} ${String(d.body['amount'])}`;
  const data = d.body['data'] as Record<string, unknown>;
  if (d.eventType === 'task-status-updated')
    return `task ${String(data['previousStatus'])}→${String(data['status'])}${data['failReason'] ? ` (${String(data['failReason'])})` : ''}`;
  if (d.eventType === 'task-authentication-status-updated') return `auth ${String(data['authenticated'])}`;
  const accounts = data['accounts'] as { updateType: string }[];
  return `account ${accounts.map((a) => a.updateType).join(',')}`;
};

const CONNECT_PATTERN = [
  'task queued→processing',
  'auth true',
  'account created',
  'account updated',
  'task processing→completed',
];
const RECONNECT_PATTERN = [
  'task queued→processing',
  'auth true',
  'account updated',
  'task processing→completed',
];
const REFRESH_PATTERN = [
  'task queued→processing',
  'auth true',
  'account updated',
  'task processing→completed',
];

async function getAccount(platform: ScenarioPlatform, accountId: string): Promise<PayLinkAccountView> {
  const response = await platform.getAtomic(`/pay-link/accounts/${accountId}`);
  expect(response.status).toBe(200);
  return (response.body as { data: PayLinkAccountView }).data;
}

async function customerTransactions(platform: ScenarioPlatform, customerId: string): Promise<Transaction[]> {
  const response = await platform.getAtelio(
    `/api/v0.1/transactions?customer_id=${encodeURIComponent(customerId)}&count=100&order_by=asc`,
  );
  expect(response.status).toBe(200);
  return (response.body as { transactions: Transaction[] }).transactions;
}

const stepResult = (view: RunView, step: string) => view.timeline.find((e) => e.step === step)!.result!;
const bySteps = (delivered: Delivered[], ...steps: string[]) =>
  delivered.filter((d) => steps.includes(d.step)).map(summary);

describe('order-monitoring', () => {
  it('connects Amazon through a timed connect task and loads three dozen orders', async () => {
    const { platform, view, delivered } = await run('order-monitoring');
    const connect = stepResult(view, 'connect');
    expect(delivered.map(summary)).toEqual(CONNECT_PATTERN);
    expect(delivered.every((d) => d.vendor === 'atomic')).toBe(true);
    // The task plays out on the run's clock, 45 s after the token: processing at 1 s, the login and
    // the account created initial at 3 s, then the fetch of 36 orders (2 s + 36 × 100 ms) connects it.
    const connectAt = 45 * SECOND;
    const fetched = connectAt + 3 * SECOND + 5_600;
    expect(delivered.map((d) => d.body['eventTime'])).toEqual([
      at(connectAt + SECOND),
      at(connectAt + 3 * SECOND),
      at(connectAt + 3 * SECOND),
      at(fetched),
      at(fetched),
    ]);
    for (const d of delivered)
      expect(d.body['user']).toEqual({ _id: connect['userId'], identifier: 'qa-order-monitoring' });
    expect(delivered[0]!.body).toMatchObject({ task: connect['taskId'], company: { name: 'Amazon' } });
    expect(delivered[2]!.body['data']).toEqual({
      accounts: [{ _id: connect['accountId'], updateType: 'created' }],
    });

    const account = await getAccount(platform, String(connect['accountId']));
    expect(account.connectionStatus).toBe('connected');
    expect(account.lastSyncedAt).toBe(at(fetched));
    expect(account.orders).toHaveLength(36);
    const dates = account.orders!.map((o) => Date.parse(o.date));
    expect(Math.min(...dates)).toBeGreaterThanOrEqual(START_MS + connectAt - 90 * DAY);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    const card = account.orders!.filter((o) => o.paymentMethod?.type === 'card');
    expect(new Set(card.map((o) => o.paymentMethod?.lastFour))).toEqual(new Set(['4242', '8210']));
    for (const order of account.orders!) {
      const lines = order.lineItems.reduce((sum, line) => sum + Math.round(line.amount * 100), 0);
      expect(lines).toBe(Math.round(order.amount * 100));
    }
    const task = await platform.getAtomic(`/task/${String(connect['taskId'])}/status`);
    expect(task.body).toMatchObject({ status: 'completed', data: { task: { status: 'completed' } } });
  });
});

describe('account-disconnection', () => {
  it('disconnects once per documented reason with failReason on the failed refresh task, and recovers', async () => {
    const { platform, view, delivered } = await run('account-disconnection');
    expect(bySteps(delivered, 'connect')).toEqual(CONNECT_PATTERN);
    expect(bySteps(delivered, 'refresh')).toEqual(REFRESH_PATTERN);
    // A login-time failure has a failed login; an unavailable merchant never gets to the login.
    expect(bySteps(delivered, 'session-expired')).toEqual([
      'task queued→processing',
      'auth false',
      'task processing→failed (session-expired)',
      'account disconnected',
    ]);
    expect(bySteps(delivered, 'credentials-invalid')).toEqual([
      'task queued→processing',
      'auth false',
      'task processing→failed (credentials-invalid)',
      'account disconnected',
    ]);
    expect(bySteps(delivered, 'bot-detection')).toEqual([
      'task queued→processing',
      'auth false',
      'task processing→failed (bot-detection)',
      'account disconnected',
    ]);
    expect(bySteps(delivered, 'merchant-unavailable')).toEqual([
      'task queued→processing',
      'task processing→failed (merchant-unavailable)',
      'account disconnected',
    ]);
    // The wrong password fails the connect task; the account is not touched.
    expect(bySteps(delivered, 'wrong-password')).toEqual([
      'task queued→processing',
      'auth false',
      'task processing→failed (bad-credentials)',
    ]);
    // Reconnection re-runs the initial connect pattern on the same account: updated, not created.
    for (const step of ['reconnect-session', 'reconnect-credentials', 'reconnect-bot'])
      expect(bySteps(delivered, step)).toEqual(RECONNECT_PATTERN);
    expect(bySteps(delivered, 'next-refresh')).toEqual(REFRESH_PATTERN);

    const accountId = String(stepResult(view, 'connect')['accountId']);
    const updates = delivered
      .filter((d) => d.eventType === 'pay-link-accounts-updated')
      .flatMap((d) => (d.body['data'] as { accounts: { _id: string }[] }).accounts.map((a) => a._id));
    expect(new Set(updates)).toEqual(new Set([accountId]));
    expect(stepResult(view, 'session-expired')).toMatchObject({
      status: 'failed',
      failReason: 'session-expired',
      connectionStatus: 'disconnected',
    });
    const account = await getAccount(platform, accountId);
    expect(account.connectionStatus).toBe('connected');
    expect(account.failReason).toBeUndefined();
    expect(account.lastSyncedAt).toBe(at(7 * DAY));
  });
});

describe('missing-payment-method', () => {
  it('stores gift card, Affirm, Google Play, EBT, no-payment and hidden-last-four orders; only card orders are charged', async () => {
    const { platform, view, delivered } = await run('missing-payment-method');
    const account = await getAccount(platform, String(stepResult(view, 'connect')['accountId']));
    const methods = account.orders!.map((o) => [o.amount, o.paymentMethod ?? null]);
    expect(methods).toEqual(
      expect.arrayContaining([
        [25, { type: 'gift card' }],
        [349.99, { type: 'Affirm' }],
        [9.99, { type: 'Google Play' }],
        [38.12, { type: 'EBT' }],
        [14.5, null],
        [45.67, { type: 'card', brand: 'Visa', lastFour: '4242' }],
        [64.2, { type: 'card', brand: 'Visa' }],
        [52.87, { type: 'EBT' }],
        [18.4, { type: 'gift card' }],
      ]),
    );
    expect(account.orders).toHaveLength(9);

    const transactions = await customerTransactions(platform, 'qa-missing-payment-method');
    expect(transactions.map((t) => [t.amount, t.state])).toEqual([
      ['-45.67', 'completed'],
      ['-64.20', 'completed'],
    ]);
    expect(delivered.filter((d) => d.vendor === 'atelio').map(summary)).toEqual([
      'atelio pending -45.67',
      'atelio pending -64.20',
      'atelio completed -45.67',
      'atelio completed -64.20',
    ]);
    const truth = view.groundTruth!;
    expect(truth.matches.map((m) => [m.orderAmount, m.finalAmount, m.orderLastFour ?? null])).toEqual([
      [45.67, '-45.67', '4242'],
      [64.2, '-64.20', null],
    ]);
    expect(truth.unmatchedOrders.map((o) => o.reason).sort()).toEqual([
      'no payment method on the order',
      'non-card payment method (Affirm)',
      'non-card payment method (EBT)',
      'non-card payment method (EBT)',
      'non-card payment method (Google Play)',
      'non-card payment method (gift card)',
      'non-card payment method (gift card)',
    ]);
  });
});

describe('multi-settlement', () => {
  it('authorises 35.93 and settles 30.49 then 5.44 on one transaction, with a webhook at each step', async () => {
    const { platform, view, delivered } = await run('multi-settlement');
    const id = String(stepResult(view, 'purchase')['transactionId']);
    const bodies = delivered.map((d) => TransactionsWebhookEventSchema.parse(d.body));
    expect(bodies.map((b) => [b.transaction_id, b.state, b.amount])).toEqual([
      [id, 'pending', '-35.93'],
      [id, 'completed', '-30.49'],
      [id, 'completed', '-35.93'],
    ]);
    const settlements = bodies.map((b) =>
      ((b.details as { settlements?: { amount: string }[] }).settlements ?? []).map((s) => s.amount),
    );
    expect(settlements).toEqual([[], ['-30.49'], ['-30.49', '-5.44']]);
    for (const body of bodies)
      expect(body.details).toMatchObject({
        merchant_name: 'Paypal *Sephora Usa',
        merchant_amount: '-35.93',
        mcc: '5977',
        mcc_description: 'Cosmetic Stores',
        statement_descriptor: 'PAYPAL *SEPHORA USA   4029357733   USAPAYPAL   *SEPHORA USA',
      });
    expect(bodies.map((b) => b.occurred_at)).toEqual([
      '2025-03-01T11:15:00.000000+00:00',
      '2025-03-04T02:27:37.000000+00:00',
      '2025-03-06T12:43:59.000000+00:00',
    ]);

    const response = await platform.getAtelio(`/api/v0.1/transactions/${id}`);
    expect(response.body).toMatchObject({
      state: 'completed',
      amount: '-35.93',
      balances: { prior_balance: '4964.07', new_balance: '4964.07' },
    });
  });
});

describe('continuous-access', () => {
  // Its wall time is measured by bench/scenarios.ts, not asserted here: a timed test fails on a busy machine.
  it('plays 30 days of daily refreshes, a merchant-unavailable day and its recovery', async () => {
    const { platform, view, delivered } = await run('continuous-access');
    const refreshDays = [
      ...Array.from({ length: 11 }, (_, i) => i + 1),
      ...Array.from({ length: 18 }, (_, i) => i + 13),
    ];
    for (const day of refreshDays) {
      expect(bySteps(delivered, `refresh-${day}`)).toEqual(REFRESH_PATTERN);
      expect(bySteps(delivered, `charge-${day}`, `settle-${day}`)).toEqual([
        expect.stringMatching(/^atelio pending -\d+\.\d\d$/),
        expect.stringMatching(/^atelio completed -\d+\.\d\d$/),
      ]);
    }
    expect(bySteps(delivered, 'merchant-unavailable')).toEqual([
      'task queued→processing',
      'task processing→failed (merchant-unavailable)',
      'account disconnected',
    ]);
    expect(delivered).toHaveLength(5 + 29 * 4 + 3 + 29 * 2);
    // Day 13's refresh runs 13 days after the start, when the second stretch of days begins.
    const refresh13 = delivered.find((d) => d.step === 'refresh-13')!;
    expect(refresh13.body['eventTime']).toBe(at(13 * DAY));

    const accountId = String(stepResult(view, 'connect')['accountId']);
    const account = await getAccount(platform, accountId);
    expect(account.connectionStatus).toBe('connected');
    expect(account.lastSyncedAt).toBe(at(30 * DAY));
    expect(account.orders).toHaveLength(24 + 29);
    const transactions = await customerTransactions(platform, 'qa-continuous-access');
    expect(transactions).toHaveLength(29);
    expect(transactions.every((t) => t.state === 'completed')).toBe(true);
    expect(view.groundTruth!.matches).toHaveLength(29);
  });
});

describe('amazon-order-stitching', () => {
  it('turns card orders into Amazon card transactions 1-3 days later and says which is which', async () => {
    const { platform, view, delivered } = await run('amazon-order-stitching', 'cust-7001');
    const truth = view.groundTruth!;
    const accountId = String(stepResult(view, 'connect')['accountId']);
    const account = await getAccount(platform, accountId);
    const transactions = await customerTransactions(platform, 'cust-7001');
    const cards = new Map(
      [stepResult(view, 'customer'), stepResult(view, 'second-card')].map((c) => [
        c['cardId'],
        c['lastFour'],
      ]),
    );

    // Atomic identifier = Atelio customer_id.
    expect(
      delivered
        .filter((d) => d.vendor === 'atomic')
        .every((d) => (d.body['user'] as { identifier: string }).identifier === 'cust-7001'),
    ).toBe(true);
    expect(transactions.every((t) => t.customer_id === 'cust-7001')).toBe(true);

    expect(truth.matches).toHaveLength(10);
    for (const match of truth.matches) {
      const order = account.orders!.find((o) => o._id === match.orderId)!;
      const transaction = transactions.find((t) => t.transaction_id === match.transactionId)!;
      const details = transaction.details as {
        card_id: string;
        merchant_name: string;
        settlements?: unknown[];
      };
      const lagDays = (parseTimestamp(transaction.created_time) - Date.parse(order.date)) / DAY;
      expect(lagDays).toBeGreaterThanOrEqual(1);
      expect(lagDays).toBeLessThanOrEqual(3);
      expect(details.merchant_name).toMatch(/^(AMZN Mktp US\*|Amazon\.com\*|AMZN Digital\*)[0-9A-Z]+$/);
      expect(cards.get(details.card_id)).toBe(match.cardLastFour);
      if (order.paymentMethod?.lastFour !== undefined)
        expect(match.cardLastFour).toBe(order.paymentMethod.lastFour);
      expect(match.finalAmount).toBe(transaction.amount);
    }
    const byAmount = (amount: number) => truth.matches.find((m) => m.orderAmount === amount)!;
    // Pending with a small tax adjustment, reconciled at settlement.
    expect(byAmount(23.98)).toMatchObject({
      authorizedAmount: '-24.31',
      finalAmount: '-23.98',
      state: 'completed',
    });
    expect(byAmount(31.06)).toMatchObject({
      authorizedAmount: '-31.42',
      finalAmount: '-31.06',
      state: 'completed',
    });
    // Shipped in two parts: settled twice.
    expect(byAmount(82.47)).toMatchObject({ finalAmount: '-82.47', settlements: 2, state: 'completed' });
    expect(byAmount(134.5).orderLastFour).toBeUndefined();
    expect(
      truth.matches
        .filter((m) => m.state === 'pending')
        .map((m) => m.orderAmount)
        .sort(),
    ).toEqual([27.35, 64.2]);
    // Two orders of 19.99 a week apart, each with its own transaction.
    expect(
      new Set(truth.matches.filter((m) => m.orderAmount === 19.99).map((m) => m.transactionId)).size,
    ).toBe(2);

    expect(truth.unmatchedOrders.map((o) => o.reason).sort()).toEqual([
      'no card transaction for it during the run',
      'no card transaction for it during the run',
      'no card transaction for it during the run',
      'non-card payment method (Affirm)',
      'non-card payment method (EBT)',
      'non-card payment method (Google Play)',
      'non-card payment method (gift card)',
      'non-card payment method (gift card)',
    ]);
    expect(truth.unrelatedTransactions.map((t) => t.amount).sort()).toEqual([
      '-15.49',
      '-23.10',
      '-45.67',
      '-52.30',
      '-6.45',
      '-84.12',
    ]);
    expect(account.orders).toHaveLength(4 + 14);
    // 16 card purchases (10 Amazon, 6 elsewhere) and the payroll deposit.
    expect(transactions).toHaveLength(17);
    expect(delivered.filter((d) => d.vendor === 'atelio')).toHaveLength(1 + 16 + 15);
  });
});
