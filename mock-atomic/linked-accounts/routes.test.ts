import { describe, expect, it } from 'vitest';
import type { AtomicStoreEvents } from '../store/events';
import { expectDocumentedFields, expectError, expectOk, isoTime, makeAtomic, objectId } from '../testing';
import { FromLinkedAccountResponseSchema, LinkedAccountListSchema } from './schema';

// vendor-docs 002, "List Linked Accounts" and "Use a Linked Account".
const LINKED_FIELDS = ['_id', 'valid', 'transactRequired', 'lastSuccess', 'company', 'connector'];

describe('GET /linked-account/list/:identifier', () => {
  it('lists the user linked accounts with the documented fields', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', '/linked-account/list/demo-user'),
      LinkedAccountListSchema,
    );
    expect(data.map((a) => a.company.name).sort()).toEqual(['ADP', 'Amazon', 'Hulu']);
    for (const account of data) {
      expectDocumentedFields(account, LINKED_FIELDS, 'linked account');
      expect(account.lastSuccess).toMatch(isoTime);
    }
  });

  it('shows a linked account invalidated by an expired session, with lastFailure', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', '/linked-account/list/demo-user-disconnected'),
      LinkedAccountListSchema,
    );
    expect(data[0]).toMatchObject({
      valid: false,
      transactRequired: true,
      lastFailure: '2025-03-08T06:00:00.000Z',
    });
  });

  it('answers an unknown user with 404', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', '/linked-account/list/nobody'), 404, 40402);
  });
});

describe('POST /task-workflow/from-linked-account', () => {
  it('returns the first task, the workflow and the company, then runs the task on the clock', async () => {
    const { request, store, clock, baseline } = makeAtomic();
    const statuses: string[] = [];
    store.events.on('task-status-updated', (e: AtomicStoreEvents['task-status-updated']) =>
      statuses.push(`${e.previousStatus}->${e.task.status}@${e.eventTime}`),
    );
    const { data } = await expectOk(
      await request('POST', '/task-workflow/from-linked-account', {
        body: { linkedAccount: baseline.linkedAccountId, tasks: [{ operation: 'verify' }] },
      }),
      FromLinkedAccountResponseSchema,
    );
    expectDocumentedFields(data, ['task', 'taskWorkflow', 'company'], 'data');
    expect(data.task._id).toMatch(objectId);
    expect(data.company.name).toBe('ADP');
    expect(store.getTask(data.task._id)).toMatchObject({
      status: 'queued',
      taskWorkflow: { _id: data.taskWorkflow._id },
    });
    await clock.advance(6_000);
    expect(statuses).toEqual([
      'queued->processing@2025-03-10T15:00:01.000Z',
      'processing->completed@2025-03-10T15:00:06.000Z',
    ]);
    expect(store.getTask(data.task._id)).toMatchObject({
      status: 'completed',
      payrollDataAvailable: true,
      authenticated: true,
    });
  });

  it('runs the following tasks of the workflow unless onComplete says finish', async () => {
    const { request, store, clock, baseline } = makeAtomic();
    const run = async (onComplete: 'continue' | 'finish') => {
      const { data } = await expectOk(
        await request('POST', '/task-workflow/from-linked-account', {
          body: {
            linkedAccount: baseline.linkedAccountId,
            tasks: [
              { operation: 'verify', onComplete },
              { product: 'deposit', distribution: { type: 'fixed', amount: 150 } },
            ],
          },
        }),
        FromLinkedAccountResponseSchema,
      );
      await clock.advance(20_000);
      return store.listUserTasks('demo-user').filter((t) => t.taskWorkflow._id === data.taskWorkflow._id);
    };
    const continued = await run('continue');
    expect(continued.map((t) => [t.product, t.status])).toEqual([
      ['verify', 'completed'],
      ['deposit', 'completed'],
    ]);
    expect(continued[1]?.depositData).toEqual({ distributionType: 'fixed', distributionAmount: 150 });
    expect((await run('finish')).map((t) => t.product)).toEqual(['verify']);
  });

  it('refuses a linked account whose credentials are no longer valid with 400', async () => {
    const { request, store } = makeAtomic();
    const [linked] = store.listLinkedAccounts('demo-user-disconnected');
    const error = await expectError(
      await request('POST', '/task-workflow/from-linked-account', {
        body: { linkedAccount: linked!._id, tasks: [{ operation: 'verify' }] },
      }),
      400,
      40002,
    );
    expect(error.message).toMatch(/re-authenticate/);
  });

  it('answers an unknown linked account with 404', async () => {
    const { request } = makeAtomic();
    await expectError(
      await request('POST', '/task-workflow/from-linked-account', {
        body: { linkedAccount: '0123456789abcdef01234567', tasks: [{ operation: 'verify' }] },
      }),
      404,
      40402,
    );
  });

  it.each([
    ['an empty tasks list', { tasks: [] }, 'tasks'],
    ['a task without operation', { tasks: [{ onComplete: 'finish' }] }, 'tasks.0.operation'],
    ['an unknown operation', { tasks: [{ operation: 'switch' }] }, 'tasks.0.operation'],
    [
      'a fixed distribution without amount',
      { tasks: [{ operation: 'deposit', distribution: { type: 'fixed' } }] },
      'tasks.0.distribution.amount',
    ],
    [
      'a percent distribution over 100',
      { tasks: [{ operation: 'deposit', distribution: { type: 'percent', amount: 120 } }] },
      'tasks.0.distribution.amount',
    ],
    [
      'a missing linkedAccount',
      { tasks: [{ operation: 'verify' }], linkedAccount: undefined },
      'linkedAccount',
    ],
  ])('rejects %s with 422', async (_label, patch, path) => {
    const { request, baseline } = makeAtomic();
    const body = { linkedAccount: baseline.linkedAccountId, ...patch };
    const error = await expectError(
      await request('POST', '/task-workflow/from-linked-account', { body }),
      422,
      42201,
    );
    expect(error.errors?.map((e) => e.path)).toContain(path);
  });
});
