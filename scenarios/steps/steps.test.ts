import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { RunView } from '../runner';
import { createScenarioPlatform, deliveriesOf, type ScenarioPlatform } from '../testing';

/** Each step type through the real runner and mocks, with a small scenario per behaviour. */

const dir = mkdtempSync(join(tmpdir(), 'scenario-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const platforms: ScenarioPlatform[] = [];
afterEach(async () => {
  await Promise.all(platforms.splice(0).map((p) => p.close()));
});

let n = 0;
async function play(steps: string): Promise<{ platform: ScenarioPlatform; view: RunView }> {
  const name = `steps-${++n}`;
  writeFileSync(join(dir, `${name}.yaml`), `version: 1\nname: ${name}\ndescription: d\nsteps:\n${steps}`);
  const platform = await createScenarioPlatform({ scenarioDirs: [dir] });
  platforms.push(platform);
  const view = await platform.runner.start(name, {
    identifier: `user-${n}`,
    startTime: '2025-06-01T12:00:00Z',
  }).done;
  return { platform, view };
}

const result = (view: RunView, step: string) => view.timeline.find((e) => e.step === step)?.result;
const states = (platform: ScenarioPlatform, view: RunView) =>
  deliveriesOf(platform, view)
    .filter((d) => d.vendor === 'atelio')
    .map(
      (d) => `${String(d.body['transaction_type'])} ${String(d.body['state'])} ${String(d.body['amount'])}`,
    );

const CUSTOMER = `
  - name: customer
    type: create-customer
    lastFour: "4242"
`;
const CONNECTED = `
  - name: token
    type: access-token
    cards: [{ lastFour: "4242" }]
  - name: connect
    type: connect-account
    orders:
      - { key: first, date: -2d, amount: 30.00, lastFour: "4242" }
`;

describe('Atelio steps', () => {
  it('declines a purchase on a card that is not active (set-card-status)', async () => {
    const { platform, view } = await play(`${CUSTOMER}
  - name: freeze
    type: set-card-status
    card: \${customer.cardId}
    status: inactive
  - name: buy
    type: authorize
    card: \${customer.cardId}
    amount: 10
    merchant: cvs
`);
    expect(view.status).toBe('completed');
    expect(result(view, 'freeze')).toEqual({
      cardId: result(view, 'customer')!['cardId'],
      status: 'inactive',
    });
    expect(result(view, 'buy')).toMatchObject({ state: 'declined', amount: '-10.00' });
    expect(states(platform, view)).toEqual(['POS Purchase declined -10.00']);
  });

  it('declines, cancels, returns and refunds purchases', async () => {
    const { platform, view } = await play(`${CUSTOMER}
  - { name: a, type: authorize, card: "\${customer.cardId}", amount: "1.00", merchant: starbucks }
  - { name: b, type: authorize, card: "\${customer.cardId}", amount: "2.00", merchant: starbucks }
  - { name: c, type: authorize, card: "\${customer.cardId}", amount: "3.00", merchant: starbucks }
  - { name: d, type: authorize, card: "\${customer.cardId}", amount: "4.00", merchant: starbucks }
  - { name: decline-a, type: decline, transaction: "\${a.transactionId}", after: +1h }
  - { name: cancel-b, type: cancel, transaction: "\${b.transactionId}" }
  - { name: settle-c, type: settle, transaction: "\${c.transactionId}" }
  - { name: return-c, type: return, transaction: "\${c.transactionId}", after: +1d }
  - { name: settle-d, type: settle, transaction: "\${d.transactionId}" }
  - { name: refund-d, type: refund, transaction: "\${d.transactionId}", amount: "1.50" }
`);
    expect(view.error).toBeUndefined();
    expect(states(platform, view)).toEqual([
      'POS Purchase pending -1.00',
      'POS Purchase pending -2.00',
      'POS Purchase pending -3.00',
      'POS Purchase pending -4.00',
      'POS Purchase declined -1.00',
      'POS Purchase cancelled -2.00',
      'POS Purchase completed -3.00',
      'POS Purchase returned -3.00',
      'POS Purchase completed -4.00',
      'POS Refund completed 1.50',
    ]);
    const refund = platform.atelio.getTransaction(String(result(view, 'refund-d')!['transactionId']))!;
    expect(refund.previous_transaction_id).toBe(result(view, 'd')!['transactionId']);
  });

  it('moves money by ACH and completes a pending transfer; opens a second card', async () => {
    const { platform, view } = await play(`${CUSTOMER}
  - name: payroll
    type: ach-transfer
    account: \${customer.accountId}
    direction: credit
    amount: "1200.00"
    description: PAYROLL
  - name: posted
    type: complete
    after: +2d
    transaction: \${payroll.transactionId}
  - name: spare
    type: create-card
    account: \${customer.accountId}
    lastFour: "9001"
`);
    expect(states(platform, view)).toEqual(['credit pending 1200.00', 'credit completed 1200.00']);
    expect(result(view, 'spare')).toMatchObject({
      accountId: result(view, 'customer')!['accountId'],
      lastFour: '9001',
    });
    expect(
      platform.atelio.getAccount(String(result(view, 'customer')!['accountId']))?.balance.current_balance,
    ).toBe('6200.00');
  });

  it('refuses a purchase naming both a preset and a merchant name, or an order the run never saw', async () => {
    const both = await play(`${CUSTOMER}
  - { name: buy, type: authorize, card: "\${customer.cardId}", amount: 5, merchant: cvs, merchantName: CVS }
`);
    expect(both.view.error?.message).toMatch(/give exactly one of merchant .* or merchantName/);
    const unknownOrder = await play(`${CUSTOMER}
  - { name: buy, type: authorize, card: "\${customer.cardId}", amount: 5, merchant: cvs, order: 0123456789abcdef01234567 }
`);
    expect(unknownOrder.view.error?.message).toMatch(
      /order 0123456789abcdef01234567 did not appear on an account/,
    );
  });
});

describe('Atomic steps', () => {
  it('fails a connection after the login for test-failure', async () => {
    const { platform, view } = await play(`
  - name: connect
    type: connect-account
    username: test-failure
    orders: []
`);
    expect(result(view, 'connect')).toMatchObject({
      status: 'failed',
      authenticated: true,
      failReason: 'unknown-failure',
    });
    expect(result(view, 'connect')!['accountId']).toBeUndefined();
    // The login succeeded, so the account was created (initial); the fetch then failed.
    expect(deliveriesOf(platform, view).map((d) => d.eventType)).toEqual([
      'task-status-updated',
      'task-authentication-status-updated',
      'pay-link-accounts-updated',
      'task-status-updated',
    ]);
    const identifier = view.options.identifier;
    expect(platform.atomic.listPayLinkAccounts(identifier).map((a) => a.connectionStatus)).toEqual(['initial']);
  });

  it('adds orders outside a refresh, changes an existing order, and announces the sync', async () => {
    const { platform, view } = await play(`${CONNECTED}
  - name: backfill
    type: add-orders
    after: +1h
    account: \${connect.accountId}
    orders:
      - { key: late, date: -5d, amount: 12.00, payment: gift card }
  - name: changed
    type: refresh
    after: +1d
    account: \${connect.accountId}
    orders:
      - { id: "\${connect.orders.first.id}", sourceId: "\${connect.orders.first.sourceId}", date: -3d, amount: 29.41, lastFour: "4242" }
`);
    expect(view.error).toBeUndefined();
    expect(result(view, 'backfill')).toMatchObject({ orderCount: 2, newOrders: 1 });
    expect(result(view, 'changed')).toMatchObject({ orderCount: 2, newOrders: 1 });
    const first = result(view, 'connect')!['orders'] as { first: { id: string } };
    expect((result(view, 'changed')!['orders'] as { 1: { id: string; amount: number } })[1]).toMatchObject({
      id: first.first.id,
      amount: 29.41,
    });
    const backfill = deliveriesOf(platform, view).filter((d) => d.step === 'backfill');
    expect(backfill.map((d) => d.body['data'])).toEqual([
      { accounts: [{ _id: result(view, 'connect')!['accountId'], updateType: 'updated' }] },
    ]);
  });

  it('disconnects without a task, refuses to reconnect a connected account, and stops refreshing after end-monitoring', async () => {
    const disconnected = await play(`${CONNECTED}
  - name: drop
    type: disconnect
    account: \${connect.accountId}
    reason: bot-detection
  - name: reconnect
    type: reconnect
    account: \${connect.accountId}
  - name: reconnect-again
    type: reconnect
    account: \${connect.accountId}
`);
    expect(
      deliveriesOf(disconnected.platform, disconnected.view)
        .filter((d) => d.step === 'drop')
        .map((d) => d.eventType),
    ).toEqual(['pay-link-accounts-updated']);
    expect(disconnected.view.error).toEqual({
      step: 'reconnect-again',
      message: expect.stringMatching(/is connected; only a disconnected account reconnects/),
    });

    const ended = await play(`${CONNECTED}
  - name: stop
    type: end-monitoring
  - name: refresh
    type: refresh
    account: \${connect.accountId}
`);
    expect(result(ended.view, 'stop')).toEqual({
      identifier: ended.view.options.identifier,
      accountIds: [result(ended.view, 'connect')!['accountId']],
    });
    expect(ended.view.error?.message).toMatch(/monitoring has ended/);
  });

  it('asks for cards when generating card orders for a user without any', async () => {
    const { view } = await play(`
  - name: connect
    type: connect-account
    generateOrders: { count: 3, days: 10 }
`);
    expect(view.error?.message).toMatch(/generated card orders need cards/);
  });
});

describe('expect', () => {
  it('refuses to check nothing', async () => {
    const { view } = await play(`${CUSTOMER}
  - name: check
    type: expect
`);
    expect(view.error?.message).toMatch(/expect checks nothing/);
  });
});
