import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { ORDER_MONITORING_FAIL_REASONS } from '../shared/schemas';
import { AtomicStoreError } from './errors';
import { createAtomicStore } from './store';

/** `refreshAccount({retryTransient})`: the next scheduled refresh after a merchant-unavailable day. */

function connected() {
  const store = createAtomicStore({
    seed: 3,
    clock: new VirtualClock('2025-03-10T06:00:00Z'),
    baseline: false,
  });
  const { account } = store.connectMerchant({ identifier: 'shopper', connection: { orderCount: 1 } });
  const updates: string[] = [];
  store.events.on('pay-link-accounts-updated', (e) =>
    updates.push(e.accounts.map((a) => a.updateType).join()),
  );
  store.events.on('task-status-updated', (e) =>
    updates.push(`task ${e.task.status}${e.task.failReason ? ` ${e.task.failReason}` : ''}`),
  );
  return { store, accountId: account!._id, updates };
}

describe('refreshAccount with retryTransient', () => {
  it('reconnects an account merchant-unavailable disconnected, without the user', () => {
    const { store, accountId, updates } = connected();
    store.refreshAccount(accountId, { failReason: 'merchant-unavailable' });
    updates.length = 0;

    const { task, account } = store.refreshAccount(accountId, { retryTransient: true, orders: [] });

    expect(task.status).toBe('completed');
    expect(account.connectionStatus).toBe('connected');
    expect(account.failReason).toBeUndefined();
    expect(updates).toEqual(['task processing', 'updated', 'task completed']);
  });

  it('stays disconnected, without a second disconnected announcement, when the retry fails again', () => {
    const { store, accountId, updates } = connected();
    store.refreshAccount(accountId, { failReason: 'merchant-unavailable' });
    updates.length = 0;

    const { task, account } = store.refreshAccount(accountId, {
      retryTransient: true,
      failReason: 'merchant-unavailable',
    });

    expect(task).toMatchObject({ status: 'failed', failReason: 'merchant-unavailable' });
    expect(account).toMatchObject({ connectionStatus: 'disconnected', failReason: 'merchant-unavailable' });
    expect(updates).toEqual(['task processing', 'task failed merchant-unavailable']);
  });

  it.each(ORDER_MONITORING_FAIL_REASONS.filter((r) => r !== 'merchant-unavailable'))(
    'still refuses an account %s disconnected: the user has to reconnect',
    (reason) => {
      const { store, accountId } = connected();
      store.refreshAccount(accountId, { failReason: reason });
      expect(() => store.refreshAccount(accountId, { retryTransient: true })).toThrow(AtomicStoreError);
      expect(() => store.refreshAccount(accountId, { retryTransient: true })).toThrow(
        /is disconnected; only a connected account can refresh/,
      );
    },
  );

  it('changes nothing without the option', () => {
    const { store, accountId } = connected();
    store.refreshAccount(accountId, { failReason: 'merchant-unavailable' });
    expect(() => store.refreshAccount(accountId)).toThrow(/only a connected account can refresh/);
  });
});
