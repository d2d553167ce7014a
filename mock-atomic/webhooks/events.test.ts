import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock';
import { createAtomicStore } from '../store/store';
import {
  AtomicWebhookEventSchema,
  PayLinkAccountsUpdatedEventSchema,
  TaskAuthenticationStatusUpdatedEventSchema,
  TaskStatusUpdatedEventSchema,
  atomicEvents,
  type AtomicWebhookEvent,
} from './events';

/** Wires the store's events to the builders, the way the delivery engine will. */
function collect() {
  const clock = new VirtualClock('2025-03-10T15:00:00.000Z');
  const store = createAtomicStore({ seed: 1, clock, baseline: false });
  const events: AtomicWebhookEvent[] = [];
  store.events.on('task-status-updated', (e) => events.push(atomicEvents.taskStatusUpdated(e)));
  store.events.on('task-authentication-status-updated', (e) =>
    events.push(atomicEvents.taskAuthenticationStatusUpdated(e)),
  );
  store.events.on('pay-link-accounts-updated', (e) => events.push(atomicEvents.payLinkAccountsUpdated(e)));
  return { store, events };
}

describe('Atomic webhook event builders', () => {
  it('build the documented envelopes from store events for a whole connection', () => {
    const { store, events } = collect();
    const { task, account } = store.connectMerchant({
      identifier: 'IDENTIFIER',
      connection: { orderCount: 1 },
    });
    expect(events.map((e) => e.eventType)).toEqual([
      'task-status-updated',
      'task-authentication-status-updated',
      'pay-link-accounts-updated',
      'pay-link-accounts-updated',
      'task-status-updated',
    ]);
    for (const event of events) expect(AtomicWebhookEventSchema.safeParse(event).success).toBe(true);
    const user = { _id: task.user._id, identifier: 'IDENTIFIER' };
    expect(events[0]).toEqual({
      eventType: 'task-status-updated',
      eventTime: '2025-03-10T15:00:00.000Z',
      user,
      task: task._id,
      product: 'present',
      company: { _id: '65272c415d8a530008e972df', name: 'Amazon', branding: task.company.branding },
      data: { previousStatus: 'queued', status: 'processing' },
    });
    expect(events[1]?.data).toEqual({ authenticated: true });
    expect(events[2]).toEqual({
      eventType: 'pay-link-accounts-updated',
      eventTime: '2025-03-10T15:00:00.000Z',
      user,
      data: { accounts: [{ _id: account!._id, updateType: 'created' }] },
    });
    expect(events[3]?.data).toEqual({ accounts: [{ _id: account!._id, updateType: 'updated' }] });
  });

  it('put failReason in data only for a failed task', () => {
    const { store, events } = collect();
    store.connectMerchant({ identifier: 'u', username: 'test-bad' });
    const statuses = events.filter((e) => e.eventType === 'task-status-updated');
    expect(statuses.map((e) => e.data)).toEqual([
      { previousStatus: 'queued', status: 'processing' },
      { previousStatus: 'processing', status: 'failed', failReason: 'bad-credentials' },
    ]);
  });

  it('announce a disconnection as updateType disconnected', () => {
    const { store, events } = collect();
    const { account } = store.connectMerchant({ identifier: 'u', connection: { orderCount: 0 } });
    events.length = 0;
    store.refreshAccount(account!._id, { failReason: 'bot-detection' });
    const last = events.at(-1)!;
    expect(PayLinkAccountsUpdatedEventSchema.parse(last).data.accounts).toEqual([
      { _id: account!._id, updateType: 'disconnected' },
    ]);
    const failed = events.find((e) => e.eventType === 'task-status-updated' && e.data.status === 'failed');
    expect(TaskStatusUpdatedEventSchema.parse(failed).data.failReason).toBe('bot-detection');
  });

  it('serialise with a fixed key order, so the same input gives the same bytes', () => {
    const { store, events } = collect();
    store.connectMerchant({ identifier: 'u', connection: { orderCount: 0 } });
    expect(Object.keys(events[0]!)).toEqual([
      'eventType',
      'eventTime',
      'user',
      'task',
      'product',
      'company',
      'data',
    ]);
    expect(Object.keys(events[2]!)).toEqual(['eventType', 'eventTime', 'user', 'data']);
    const again = collect();
    again.store.connectMerchant({ identifier: 'u', connection: { orderCount: 0 } });
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(events));
  });

  it('are checked strictly: unknown keys or a missing user field fail the schemas', () => {
    const { store, events } = collect();
    store.connectMerchant({ identifier: 'u', connection: { orderCount: 0 } });
    const auth = events[1]!;
    expect(TaskAuthenticationStatusUpdatedEventSchema.safeParse({ ...auth, extra: 1 }).success).toBe(false);
    expect(
      PayLinkAccountsUpdatedEventSchema.safeParse({ ...events[2]!, user: { identifier: 'u' } }).success,
    ).toBe(false);
  });
});
