import { describe, expect, it } from 'vitest';
import { ScopedClock, VirtualClock } from '../../core/clock';
import { createRandom } from '../../core/random';
import { runInContext } from '../../core/run-context';
import { ADP_COMPANY_ID, AMAZON_COMPANY_ID, HULU_COMPANY_ID } from '../companies/catalog';
import { buildAmazonOrder } from '../orders/generator';
import { ORDER_MONITORING_FAIL_REASONS } from '../shared/schemas';
import { AtomicStoreError } from './errors';
import type { AtomicStoreEvents } from './events';
import { createAtomicStore, type AtomicStore } from './store';

const NOW = '2025-03-10T15:00:00.000Z';

const newStore = (options: { seed?: number; now?: string; baseline?: boolean } = {}) => {
  const clock = new VirtualClock(options.now ?? NOW);
  const store = createAtomicStore({ seed: options.seed ?? 1, clock, baseline: options.baseline ?? true });
  return { clock, store };
};

/** Records every webhook-shaped store event as a compact line. */
function recordEvents(store: AtomicStore): string[] {
  const log: string[] = [];
  store.events.on('task-status-updated', (e) =>
    log.push(
      `task ${e.previousStatus}->${e.task.status}${e.task.failReason ? `(${e.task.failReason})` : ''} @${e.eventTime}`,
    ),
  );
  store.events.on('task-authentication-status-updated', (e) =>
    log.push(`auth ${e.task.authenticated} @${e.eventTime}`),
  );
  store.events.on('pay-link-accounts-updated', (e) =>
    log.push(`accounts ${e.accounts.map((a) => a.updateType).join(',')} @${e.eventTime}`),
  );
  return log;
}

const expectStoreError = (fn: () => unknown, kind: AtomicStoreError['kind'], message?: RegExp) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AtomicStoreError);
    expect((error as AtomicStoreError).kind).toBe(kind);
    if (message) expect((error as AtomicStoreError).message).toMatch(message);
    return;
  }
  throw new Error('expected an AtomicStoreError');
};

describe('AtomicStore determinism', () => {
  it('produces byte-identical state for the same seed and different state for another seed', () => {
    const a = newStore({ seed: 42 }).store.exportState();
    const b = newStore({ seed: 42 }).store.exportState();
    const c = newStore({ seed: 43 }).store.exportState();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(c.users[0]?._id).not.toBe(a.users[0]?._id);
  });

  it('anchors the baseline to the latest refresh slot (06:00 UTC), so a restart before the next slot gives the same data', () => {
    const state = (now: string) => JSON.stringify(newStore({ now }).store.exportState());
    const morning = state('2025-03-10T06:00:00.000Z');
    expect(state('2025-03-10T23:00:00.000Z')).toBe(morning);
    expect(state('2025-03-11T05:59:59.999Z')).toBe(morning);
    // The slot's refresh is the seeded history's last: past it, the history has one more day.
    expect(state('2025-03-11T06:00:00.000Z')).not.toBe(morning);
    expect(state('2025-03-10T05:59:59.999Z')).not.toBe(morning);
  });

  it('gives a withRandom view the same ids whatever else happened in the store', () => {
    const run = (store: AtomicStore) => {
      const view = store.withRandom(createRandom('run-7'));
      return view.connectMerchant({ identifier: 'scenario-user', connection: { orderCount: 3 } });
    };
    const quiet = newStore().store;
    const busy = newStore().store;
    busy.createAccessToken({ identifier: 'someone-else' });
    busy.connectMerchant({ identifier: 'someone-else' });
    const first = run(quiet);
    const second = run(busy);
    expect(second.task._id).toBe(first.task._id);
    expect(second.account?._id).toBe(first.account?._id);
    expect(second.account?.orders).toEqual(first.account?.orders);
  });

  it("takes ids from the running scenario's generator while one runs", () => {
    const inRun = (store: AtomicStore) =>
      runInContext(
        { runId: 'r1', random: createRandom('run-seed'), nextEventId: () => 'e', onWebhook: () => undefined },
        () => store.connectMerchant({ identifier: 'run-user', connection: { orderCount: 1 } }),
      );
    const quiet = newStore().store;
    const busy = newStore().store;
    busy.connectMerchant({ identifier: 'bystander' });
    expect(inRun(busy).account).toEqual(inRun(quiet).account);
  });

  it('returns to the exact seeded baseline on reset()', () => {
    const { store, clock } = newStore();
    const before = JSON.stringify(store.exportState());
    store.connectMerchant({ identifier: 'temp' });
    store.createSecret('extra');
    void clock;
    store.reset();
    expect(JSON.stringify(store.exportState())).toBe(before);
  });

  it('starts empty except for the default secret with baseline: false', () => {
    const { store } = newStore({ baseline: false });
    const state = store.exportState();
    expect(state.users).toEqual([]);
    expect(state.secrets.map((s) => [s.name, s.token])).toEqual([['default', 'test-api-secret']]);
  });
});

describe('AtomicStore users and tokens', () => {
  it('creates a user once per identifier and announces it', () => {
    const { store } = newStore({ baseline: false });
    const created: string[] = [];
    store.events.on('user-created', (e) => created.push(e.user.identifier));
    const first = store.ensureUser('alice');
    expect(store.ensureUser('alice')).toBe(first);
    expect(created).toEqual(['alice']);
    expectStoreError(() => store.ensureUser(''), 'invalid', /identifier/);
  });

  it('resolves tokens as ok, unknown, revoked or expired on the clock', async () => {
    const { store, clock } = newStore({ baseline: false });
    const { publicToken, expiresAt } = store.createAccessToken({ identifier: 'bob', tokenLifetime: 1800 });
    expect(expiresAt).toBe('2025-03-10T15:30:00.000Z');
    expect(store.resolvePublicToken(publicToken)).toMatchObject({ ok: true, user: { identifier: 'bob' } });
    expect(store.resolvePublicToken('nope')).toEqual({ ok: false, reason: 'unknown' });
    await clock.advance(1_800_000);
    expect(store.resolvePublicToken(publicToken)).toEqual({ ok: false, reason: 'expired' });
    const other = store.createAccessToken({ identifier: 'bob' }).publicToken;
    store.revokeAccessToken(other);
    expect(store.resolvePublicToken(other)).toEqual({ ok: false, reason: 'revoked' });
    expectStoreError(
      () => store.createAccessToken({ identifier: 'bob', tokenLifetime: 60 }),
      'invalid',
      /tokenLifetime/,
    );
  });
});

describe('AtomicStore connect tasks and sandbox usernames', () => {
  it('test-good: processing, authenticated, account created then synced, completed — in that order', () => {
    const { store } = newStore({ baseline: false });
    const log = recordEvents(store);
    const { task, account } = store.connectMerchant({
      identifier: 'u',
      username: 'test-good',
      connection: { orderCount: 5 },
    });
    expect(log).toEqual([
      `task queued->processing @${NOW}`,
      `auth true @${NOW}`,
      `accounts created @${NOW}`,
      `accounts updated @${NOW}`,
      `task processing->completed @${NOW}`,
    ]);
    expect(task).toMatchObject({
      status: 'completed',
      authenticated: true,
      product: 'present',
      company: { _id: AMAZON_COMPANY_ID },
    });
    expect(account).toMatchObject({ connectionStatus: 'connected', lastSyncedAt: NOW, type: 'linked' });
    expect(account?.orders).toHaveLength(5);
    expect(store.listLinkedAccounts('u')).toEqual([
      expect.objectContaining({ valid: true, _id: task.linkedAccount }),
    ]);
  });

  it('test-bad fails at login with bad-credentials and creates no account', () => {
    const { store } = newStore({ baseline: false });
    const log = recordEvents(store);
    const { task, account } = store.connectMerchant({ identifier: 'u', username: 'test-bad' });
    expect(log).toEqual([
      `task queued->processing @${NOW}`,
      `auth false @${NOW}`,
      `task processing->failed(bad-credentials) @${NOW}`,
    ]);
    expect(task).toMatchObject({ status: 'failed', failReason: 'bad-credentials', authenticated: false });
    expect(account).toBeUndefined();
    expect(store.listPayLinkAccounts('u')).toEqual([]);
  });

  it('test-failure authenticates and then fails with unknown-failure', () => {
    const { store } = newStore({ baseline: false });
    const log = recordEvents(store);
    const { task } = store.connectMerchant({ identifier: 'u', username: 'test-failure' });
    expect(log).toEqual([
      `task queued->processing @${NOW}`,
      `auth true @${NOW}`,
      `task processing->failed(unknown-failure) @${NOW}`,
    ]);
    expect(task).toMatchObject({ status: 'failed', authenticated: true });
  });

  it('rejects an unknown sandbox username, listing the valid ones', () => {
    const { store } = newStore({ baseline: false });
    expectStoreError(
      () => store.startConnectTask({ identifier: 'u', username: 'test-maybe' }),
      'invalid',
      /test-good, test-bad/,
    );
  });

  it('runTask plays a connection out on the clock: processing at +1 s, login and the account created initial at +3 s, connected and completed when the fetch ends', async () => {
    const { store, clock } = newStore({ baseline: false });
    const log = recordEvents(store);
    const task = store.startConnectTask({ identifier: 'u' });
    const done = store.runTask(task._id, { connection: { orderCount: 2 } });
    await clock.advance(2_000);
    expect(store.getTask(task._id)).toMatchObject({
      status: 'processing',
      updatedAt: '2025-03-10T15:00:01.000Z',
    });
    await clock.advance(1_000);
    // Between created and updated the account is visible as initial, with no sync yet.
    const [account] = store.listPayLinkAccounts('u');
    expect(account).toMatchObject({ connectionStatus: 'initial', lastSyncedAt: null });
    expect(store.getTask(task._id).updatedAt).toBe('2025-03-10T15:00:03.000Z');
    await clock.advance(2_199); // the default fetch: 2 s + 2 × 100 ms
    expect(store.getPayLinkAccount(account!._id).connectionStatus).toBe('initial');
    await clock.advance(1);
    expect(await done).toMatchObject({ status: 'completed', updatedAt: '2025-03-10T15:00:05.200Z' });
    expect(store.getPayLinkAccount(account!._id)).toMatchObject({
      connectionStatus: 'connected',
      lastSyncedAt: '2025-03-10T15:00:05.200Z',
    });
    expect(log).toEqual([
      'task queued->processing @2025-03-10T15:00:01.000Z',
      'auth true @2025-03-10T15:00:03.000Z',
      'accounts created @2025-03-10T15:00:03.000Z',
      'accounts updated @2025-03-10T15:00:05.200Z',
      'task processing->completed @2025-03-10T15:00:05.200Z',
    ]);
  });

  it('a task that is not an Order Monitoring connection completes at +6 s', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u', companyId: HULU_COMPANY_ID });
    const done = store.runTask(task._id);
    await clock.advance(5_999);
    expect(store.getTask(task._id).status).toBe('processing');
    expect(store.listPayLinkAccounts('u')).toEqual([]);
    await clock.advance(1);
    expect((await done).status).toBe('completed');
  });

  it('with an orderFetch timing, the account is created initial at login and connected when the fetch ends, its length set by the order count', async () => {
    const { store, clock } = newStore({ baseline: false });
    const log = recordEvents(store);
    const task = store.startConnectTask({ identifier: 'u' });
    const timing = { baseMs: 1_000, msPerOrder: 100, maxMs: 60_000 };
    const done = store.runTask(task._id, { connection: { orderCount: 40 }, orderFetch: timing });
    await clock.advance(3_000);
    const [account] = store.listPayLinkAccounts('u');
    expect(account).toMatchObject({ connectionStatus: 'initial', lastSyncedAt: null });
    expect(store.getTask(task._id).status).toBe('processing');
    await clock.advance(4_999); // 1 s + 40 × 100 ms after the login
    expect(store.getPayLinkAccount(account!._id).connectionStatus).toBe('initial');
    await clock.advance(1);
    expect((await done).status).toBe('completed');
    expect(store.getPayLinkAccount(account!._id)).toMatchObject({ connectionStatus: 'connected' });
    expect(store.getPayLinkAccount(account!._id).orders).toHaveLength(40);
    expect(log).toEqual([
      'task queued->processing @2025-03-10T15:00:01.000Z',
      'auth true @2025-03-10T15:00:03.000Z',
      'accounts created @2025-03-10T15:00:03.000Z',
      'accounts updated @2025-03-10T15:00:08.000Z',
      'task processing->completed @2025-03-10T15:00:08.000Z',
    ]);
  });

  it('with an orderFetch timing, test-failure leaves the account created at login in initial; test-bad creates none', async () => {
    const { store, clock } = newStore({ baseline: false });
    const timing = { baseMs: 1_000, msPerOrder: 100, maxMs: 60_000 };
    const failing = store.startConnectTask({ identifier: 'f', username: 'test-failure' });
    const bad = store.startConnectTask({ identifier: 'b', username: 'test-bad' });
    const runs = [
      store.runTask(failing._id, { orderFetch: timing }),
      store.runTask(bad._id, { orderFetch: timing }),
    ];
    await clock.advance(60_000);
    const [failed, refused] = await Promise.all(runs);
    expect(failed).toMatchObject({ status: 'failed', failReason: 'unknown-failure', authenticated: true });
    expect(refused).toMatchObject({ status: 'failed', failReason: 'bad-credentials', authenticated: false });
    expect(store.listPayLinkAccounts('f').map((a) => a.connectionStatus)).toEqual(['initial']);
    expect(store.listPayLinkAccounts('b')).toEqual([]);
  });

  it('with an orderFetch timing, logging in again to a disconnected account announces no new account and reconnects it after the fetch', async () => {
    const { store, clock } = newStore({ baseline: false });
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 3 } });
    store.disconnectAccount(account!._id, 'session-expired');
    const log = recordEvents(store);
    const task = store.startConnectTask({ identifier: 'u' });
    const done = store.runTask(task._id, {
      connection: { orderCount: 5 },
      orderFetch: { baseMs: 1_000, msPerOrder: 100, maxMs: 60_000 },
    });
    await clock.advance(3_000);
    expect(store.getPayLinkAccount(account!._id).connectionStatus).toBe('disconnected');
    await clock.advance(1_500);
    expect((await done).status).toBe('completed');
    expect(store.listPayLinkAccounts('u').map((a) => [a._id, a.connectionStatus])).toEqual([
      [account!._id, 'connected'],
    ]);
    expect(log.filter((line) => line.startsWith('accounts'))).toEqual([
      'accounts updated @2025-03-10T15:00:04.500Z',
    ]);
  });

  it('an MFA login waits for answerMfa, then finishes', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u', username: 'test-code-mfa' });
    const done = store.runTask(task._id, { timings: { mfaAnsweredAfterMs: null } });
    await clock.advance(3_600_000);
    expect(store.getTask(task._id)).toMatchObject({ status: 'processing', authenticated: false });
    store.answerMfa(task._id);
    await clock.advance(5_000); // the fetch of 30 orders: 2 s + 30 × 100 ms
    expect(await done).toMatchObject({ status: 'completed', authenticated: true });
    expect(store.exportState().tasks.find((t) => t._id === task._id)?.mfa).toBeUndefined();
  });

  it('a run waiting for an MFA answer settles when the task is failed by hand', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u', username: 'test-code-mfa' });
    const done = store.runTask(task._id, { timings: { mfaAnsweredAfterMs: null } });
    await clock.advance(5_000);
    store.failTask(task._id, 'user-abandon');
    expect(await done).toMatchObject({ status: 'failed', failReason: 'user-abandon' });
  });

  it('an MFA login is answered by the sandbox itself after mfaAnsweredAfterMs', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u', username: 'test-question-mfa' });
    const done = store.runTask(task._id);
    await clock.advance(12_999);
    expect(store.getTask(task._id).authenticated).toBe(false);
    await clock.advance(1);
    expect(store.getTask(task._id).authenticated).toBe(true);
    await clock.advance(5_000);
    expect((await done).status).toBe('completed');
  });

  it('enforces the task state machine and requires a known failReason', () => {
    const { store } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u' });
    expectStoreError(() => store.setTaskStatus(task._id, 'completed'), 'conflict', /queued to completed/);
    expectStoreError(() => store.setTaskStatus(task._id, 'failed'), 'invalid', /failReason is required/);
    expectStoreError(
      () => store.setTaskStatus(task._id, 'failed', { failReason: 'oops' }),
      'invalid',
      /unknown failReason/,
    );
    store.failTask(task._id, 'user-abandon');
    expectStoreError(() => store.setTaskStatus(task._id, 'processing'), 'conflict', /final/);
    expectStoreError(() => store.setTaskAuthenticated(task._id, true), 'conflict');
    expectStoreError(() => store.getTask('0123456789abcdef01234567'), 'not-found');
  });

  it('a payroll connection stores payroll data and marks it available', () => {
    const { store } = newStore({ baseline: false });
    const { task } = store.connectMerchant({
      identifier: 'worker',
      companyId: ADP_COMPANY_ID,
      product: 'verify',
    });
    expect(task.payrollDataAvailable).toBe(true);
    expect(store.payrollData('income', 'worker')).toHaveLength(1);
  });

  it('refuses tasks for a company under maintenance', () => {
    const { store } = newStore({ baseline: false });
    expectStoreError(
      () => store.startConnectTask({ identifier: 'u', companyId: '5d38f1e8512bbf71fb77601a' }),
      'conflict',
      /maintenance/,
    );
  });

  it('rejects pending runs when the store is reset', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u' });
    const done = store.runTask(task._id);
    store.reset();
    await expect(done).rejects.toThrow(/reset/);
    await clock.advance(10_000);
    expect(store.findTask(task._id)).toBeUndefined();
  });
});

describe('AtomicStore Order Monitoring accounts', () => {
  const order = (date: string, amount: number, sourceId?: string) =>
    buildAmazonOrder(createRandom(`${date}${amount}`), {
      date,
      amount,
      paymentMethod: { type: 'card', lastFour: '1234', brand: 'Visa' },
      ...(sourceId ? { sourceId } : {}),
    });

  it('creates an account in initial state, loads orders and marks it synced', async () => {
    const { store, clock } = newStore({ baseline: false });
    const log = recordEvents(store);
    const changes: AtomicStoreEvents['orders-changed'][] = [];
    store.events.on('orders-changed', (e) => changes.push(e));
    const account = store.createOrderMonitoringAccount({ identifier: 'shopper' });
    expect(account).toMatchObject({ connectionStatus: 'initial', lastSyncedAt: null, orders: [] });
    store.addOrders(account._id, [order('2025-03-01T10:00:00.000Z', 35.93, '112-0000000-0000001')]);
    await clock.advance(60_000);
    const synced = store.markSynced(account._id);
    expect(synced).toMatchObject({ connectionStatus: 'connected', lastSyncedAt: '2025-03-10T15:01:00.000Z' });
    expect(synced.orders?.map((o) => o.amount)).toEqual([35.93]);
    expect(log).toEqual([`accounts created @${NOW}`, 'accounts updated @2025-03-10T15:01:00.000Z']);
    expect(changes[0]).toMatchObject({ added: [synced.orders![0]!._id], updated: [], removed: [] });
  });

  it('replaces an order seen again with the same sourceId, keeping its _id, and sorts newest first', () => {
    const { store } = newStore({ baseline: false });
    const account = store.createOrderMonitoringAccount({ identifier: 'shopper' });
    store.addOrders(account._id, [
      order('2025-03-01T10:00:00.000Z', 35.93, '112-0000000-0000001'),
      order('2025-03-05T10:00:00.000Z', 10, '112-0000000-0000002'),
    ]);
    const firstId = store
      .getPayLinkAccount(account._id)
      .orders!.find((o) => o.sourceId === '112-0000000-0000001')!._id;
    const after = store.addOrders(account._id, [
      order('2025-03-01T10:00:00.000Z', 30.49, '112-0000000-0000001'),
    ]);
    expect(after.orders?.map((o) => [o.sourceId, o.amount])).toEqual([
      ['112-0000000-0000002', 10],
      ['112-0000000-0000001', 30.49],
    ]);
    expect(after.orders?.[1]?._id).toBe(firstId);
    const replaced = store.replaceOrders(account._id, [order('2025-03-07T10:00:00.000Z', 5)]);
    expect(replaced.orders).toHaveLength(1);
  });

  it('rejects malformed orders naming the field', () => {
    const { store } = newStore({ baseline: false });
    const account = store.createOrderMonitoringAccount({ identifier: 'shopper' });
    const bad = { ...order('2025-03-01T10:00:00.000Z', 5), _id: 'nope' };
    expectStoreError(() => store.addOrders(account._id, [bad]), 'invalid', /orders\[0\]\._id/);
  });

  it('refreshes a connected account: a completed refresh task, new orders, lastSyncedAt moves', async () => {
    const { store, clock } = newStore({ baseline: false });
    const { account } = store.connectMerchant({ identifier: 'shopper', connection: { orderCount: 1 } });
    await clock.advance(24 * 3600_000);
    const log = recordEvents(store);
    const fresh = order('2025-03-11T09:00:00.000Z', 12.5);
    const result = store.refreshAccount(account!._id, { orders: [fresh] });
    const [linked] = store.listLinkedAccounts('shopper');
    expect(result.task).toMatchObject({
      status: 'completed',
      authenticated: true,
      linkedAccount: linked!._id,
    });
    expect(result.account.lastSyncedAt).toBe('2025-03-11T15:00:00.000Z');
    expect(result.account.orders?.[0]?._id).toBe(fresh._id);
    expect(log.map((l) => l.split(' @')[0])).toEqual([
      'task queued->processing',
      'auth true',
      'accounts updated',
      'task processing->completed',
    ]);
  });

  it.each(ORDER_MONITORING_FAIL_REASONS)(
    'a refresh failing with %s fails the task and disconnects the account',
    (reason) => {
      const { store } = newStore({ baseline: false });
      const { account } = store.connectMerchant({ identifier: 'shopper', connection: { orderCount: 1 } });
      const log = recordEvents(store);
      const result = store.refreshAccount(account!._id, { failReason: reason });
      expect(result.task).toMatchObject({ status: 'failed', failReason: reason });
      expect(result.account).toMatchObject({ connectionStatus: 'disconnected', failReason: reason });
      const expected = [
        'task queued->processing',
        ...(reason === 'merchant-unavailable' ? [] : ['auth false']),
        `task processing->failed(${reason})`,
        'accounts disconnected',
      ];
      expect(log.map((l) => l.split(' @')[0])).toEqual(expected);
      const [linked] = store.listLinkedAccounts('shopper');
      const needsUser = reason === 'session-expired' || reason === 'credentials-invalid';
      expect(linked).toMatchObject({ valid: !needsUser, transactRequired: needsUser });
      expectStoreError(() => store.refreshAccount(account!._id), 'conflict', /disconnected/);
    },
  );

  it('reconnects a disconnected account under the same id with fresh data', () => {
    const { store } = newStore({ baseline: false });
    const { account } = store.connectMerchant({ identifier: 'shopper', connection: { orderCount: 2 } });
    store.refreshAccount(account!._id, { failReason: 'credentials-invalid' });
    const log = recordEvents(store);
    const failed = store.reconnectAccount(account!._id, { username: 'test-bad' });
    expect(failed.account.connectionStatus).toBe('disconnected');
    const { task, account: again } = store.reconnectAccount(account!._id, { connection: { orderCount: 1 } });
    expect(task.status).toBe('completed');
    expect(again).toMatchObject({ _id: account!._id, connectionStatus: 'connected' });
    expect(again.failReason).toBeUndefined();
    expect(again.orders).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('accounts')).map((l) => l.split(' @')[0])).toEqual([
      'accounts updated',
    ]);
    expect(store.listLinkedAccounts('shopper')[0]).toMatchObject({ valid: true, transactRequired: false });
  });

  it('endMonitoring stops refreshes and announces the accounts affected', () => {
    const { store } = newStore({ baseline: false });
    const { account } = store.connectMerchant({ identifier: 'shopper', connection: { orderCount: 0 } });
    const ended: AtomicStoreEvents['monitoring-ended'][] = [];
    store.events.on('monitoring-ended', (e) => ended.push(e));
    store.endMonitoring('shopper');
    expect(ended[0]?.accountIds).toEqual([account!._id]);
    expectStoreError(() => store.refreshAccount(account!._id), 'conflict', /monitoring has ended/);
  });

  it('turns a detected account into a linked one with company data when the user connects it', () => {
    const { store } = newStore({ baseline: false });
    const [detected] = store.detectAccounts('viewer', [
      { id: '1', date: '2025-02-01', description: 'HULU 877-8244858 CA', amount: -17.99 },
    ]);
    expect(detected).toMatchObject({
      type: 'detected',
      account: { connected: false, createdBy: 'detection' },
    });
    const { account } = store.connectMerchant({ identifier: 'viewer', companyId: detected!.company._id });
    expect(account).toMatchObject({
      _id: detected!._id,
      type: 'linked',
      connectionStatus: 'connected',
      account: { connected: true },
    });
    expect(account?.account.data?.plans.length).toBeGreaterThan(0);
    expect(account?.actions.map((a) => a.type)).toEqual(['change-plan', 'cancel-plan', 'pause-plan']);
  });

  it('only calls a merchant unsupported after two charges, and reuses detected companies', () => {
    const { store } = newStore({ baseline: false });
    const tx = (id: string, name: string) => ({
      id,
      date: '2025-03-01',
      description: name,
      amount: -9,
      merchantName: name,
    });
    expect(store.detectAccounts('d', [tx('1', 'Tiny Cafe')])).toEqual([]);
    const [first] = store.detectAccounts('d', [tx('1', 'Tiny Cafe'), tx('2', 'Tiny Cafe')]);
    const [second] = store.detectAccounts('d', [tx('3', 'TINY CAFE'), tx('4', 'TINY CAFE')]);
    expect(first).toMatchObject({ type: 'detected', account: { supported: false, createdBy: 'detection' } });
    expect(second?._id).toBe(first?._id);
  });
});

describe('AtomicStore time comes from the clock', () => {
  it('stamps changes with the scoped clock a scenario runs under', () => {
    const base = new VirtualClock(NOW);
    const scoped = new ScopedClock(base);
    const store = createAtomicStore({ seed: 1, clock: scoped, baseline: false });
    const runClock = new VirtualClock('2030-01-01T00:00:00.000Z');
    const { account } = scoped.runWith(runClock, () =>
      store.connectMerchant({ identifier: 'future', connection: { orderCount: 1 } }),
    );
    expect(account?.lastSyncedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(store.ensureUser('present').createdAt).toBe(NOW);
  });
});

describe('AtomicStore webhook configuration', () => {
  it('registers one URL for every event type with the default secret, once', () => {
    const { store } = newStore();
    const first = store.registerWebhookUrl('http://127.0.0.1:4030/webhooks/atomic');
    const again = store.registerWebhookUrl('http://127.0.0.1:4030/webhooks/atomic');
    expect(again._id).toBe(first._id);
    expect(store.listWebhookEndpoints()).toHaveLength(1);
    for (const type of [
      'task-status-updated',
      'task-authentication-status-updated',
      'pay-link-accounts-updated',
    ] as const)
      expect(store.webhookTargets(type)).toEqual([
        {
          endpointId: first._id,
          url: 'http://127.0.0.1:4030/webhooks/atomic',
          secretId: first.secretId,
          secret: 'test-api-secret',
        },
      ]);
  });

  it('validates endpoints: url, secretId and event types', () => {
    const { store } = newStore();
    const secretId = store.defaultSecret()._id;
    expectStoreError(
      () => store.createWebhookEndpoint({ url: 'not a url', secretId, eventTypes: ['task-status-updated'] }),
      'invalid',
    );
    expectStoreError(
      () =>
        store.createWebhookEndpoint({
          url: 'https://x.test',
          secretId: '0123456789abcdef01234567',
          eventTypes: ['task-status-updated'],
        }),
      'invalid',
      /secretId/,
    );
    expectStoreError(
      () => store.createWebhookEndpoint({ url: 'https://x.test', secretId, eventTypes: ['order-created'] }),
      'invalid',
      /unknown event type/,
    );
  });
});

describe('AtomicStore state export and import', () => {
  it('round-trips the whole state through JSON', () => {
    const { store } = newStore();
    store.connectMerchant({ identifier: 'extra', connection: { orderCount: 2 } });
    const json = JSON.parse(JSON.stringify(store.exportState())) as unknown;
    const { store: other } = newStore({ seed: 99 });
    const replaced: string[] = [];
    other.events.on('state-replaced', (e) => replaced.push(e.reason));
    other.importState(json);
    expect(other.exportState()).toEqual(store.exportState());
    expect(other.getPayLinkAccount(store.listPayLinkAccounts('extra')[0]!._id).orders).toHaveLength(2);
    expect(replaced).toEqual(['import']);
  });

  it('rejects an invalid document and keeps the current state', () => {
    const { store } = newStore();
    const before = JSON.stringify(store.exportState());
    expectStoreError(() => store.importState({ version: 2 }), 'invalid', /version/);
    const broken = store.exportState();
    broken.tasks[0]!.userId = '0123456789abcdef01234567';
    expectStoreError(() => store.importState(broken), 'invalid', /unknown user/);
    expect(JSON.stringify(store.exportState())).toBe(before);
  });

  it('announces nothing but state-replaced while rebuilding the baseline', () => {
    const { store } = newStore();
    const seen: string[] = [];
    for (const name of [
      'user-created',
      'task-status-updated',
      'pay-link-accounts-updated',
      'state-replaced',
    ] as const)
      store.events.on(name, () => seen.push(name));
    store.reset();
    expect(seen).toEqual(['state-replaced']);
  });
});

describe('AtomicStore account views: copied or shared', () => {
  it('getPayLinkAccount returns a copy: changing it leaves the store as it was', () => {
    const { store } = newStore();
    const id = store.baselineInfo().amazonAccountId!;
    const before = JSON.stringify(store.getPayLinkAccount(id));
    const view = store.getPayLinkAccount(id);
    view.orders!.length = 0;
    view.actions.push({ type: 'changed' } as never);
    expect(JSON.stringify(store.getPayLinkAccount(id))).toBe(before);
  });

  it('getPayLinkAccount with share serialises to the same bytes as the copy', () => {
    const { store } = newStore();
    const id = store.baselineInfo().amazonAccountId!;
    const shared = store.getPayLinkAccount(id, { share: true });
    expect(shared.orders!.length).toBeGreaterThan(0);
    expect(JSON.stringify(shared)).toBe(JSON.stringify(store.getPayLinkAccount(id)));
  });
});

describe('AtomicStore.userSummaries', () => {
  it("counts each user's linked accounts by connection status and their orders, as the export holds them", () => {
    const { store } = newStore();
    const state = store.exportState();
    const summaries = store.userSummaries();
    expect(summaries.map((s) => s.identifier)).toEqual(state.users.map((u) => u.identifier));
    for (const user of state.users) {
      const linked = state.payLinkAccounts.filter((a) => a.userId === user._id && a.type === 'linked');
      expect(summaries.find((s) => s.identifier === user.identifier)).toEqual({
        identifier: user.identifier,
        createdAt: user.createdAt,
        accounts: linked.length,
        connected: linked.filter((a) => a.connectionStatus === 'connected').length,
        disconnected: linked.filter((a) => a.connectionStatus === 'disconnected').length,
        orders: linked.reduce((sum, a) => sum + a.orders.length, 0),
      });
    }
    const demo = summaries.find((s) => s.identifier === 'demo-user')!;
    expect(demo.orders).toBeGreaterThan(24);
    expect(summaries.find((s) => s.identifier === 'demo-user-disconnected')!.disconnected).toBe(1);
  });
});

describe('AtomicStore revision', () => {
  it('stays where it is while the store is only read', () => {
    const { store } = newStore();
    const id = store.baselineInfo().amazonAccountId!;
    const before = store.revision;
    store.getPayLinkAccount(id);
    store.getPayLinkAccount(id, { share: true });
    store.listPayLinkAccounts('demo-user');
    store.accountOwner(id);
    store.apiSecretTokens();
    store.resolvePublicToken('unknown-token');
    store.findUser('demo-user');
    store.getUser('demo-user');
    store.userSummaries();
    store.exportState();
    expect(store.revision).toBe(before);
  });

  it('moves on with every change, and with a call that fails half-way', () => {
    const { store } = newStore();
    const id = store.baselineInfo().amazonAccountId!;
    const changes: (() => unknown)[] = [
      () => store.disconnectAccount(id, 'session-expired'),
      () => store.createSecret('another'),
      () => store.ensureUser('someone-new'),
      () => store.endMonitoring('demo-user'),
      () => store.reset(),
      () => store.importState(store.exportState()),
    ];
    for (const change of changes) {
      const before = store.revision;
      change();
      expect(store.revision).toBeGreaterThan(before);
    }
    const before = store.revision;
    expect(() => store.disconnectAccount('0'.repeat(24), 'session-expired')).toThrow();
    expect(store.revision).toBeGreaterThan(before);
  });

  it('moves on when a task played out on the clock changes state', async () => {
    const { store, clock } = newStore({ baseline: false });
    const task = store.startConnectTask({ identifier: 'u' });
    const done = store.runTask(task._id, { connection: { orderCount: 2 } });
    let before = store.revision;
    await clock.advance(2_000);
    expect(store.revision).toBeGreaterThan(before);
    before = store.revision;
    await clock.advance(4_000); // login at +3 s, fetch of 2 orders until +5.2 s
    await done;
    expect(store.revision).toBeGreaterThan(before);
  });

  it('is shared by withRandom views, whose changes move it too', () => {
    const { store } = newStore();
    const view = store.withRandom(createRandom('view'));
    const before = store.revision;
    view.ensureUser('from-a-view');
    expect(store.revision).toBeGreaterThan(before);
    expect(view.revision).toBe(store.revision);
  });
});
