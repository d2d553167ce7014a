import { describe, expect, it } from 'vitest';
import { FileUrlResponseSchema } from '../payroll/schema';
import { expectDocumentedFields, expectError, expectOk, isoTime, makeAtomic, objectId } from '../testing';
import {
  TaskDetailsResponseSchema,
  TaskPrescreenResponseSchema,
  TaskStatusResponseSchema,
  UserTasksResponseSchema,
} from './schema';

// vendor-docs 001/002, "Get Task Details" / "Get Task Status" / "Get Tasks".
const DETAILS_FIELDS = [
  '_id',
  'authenticated',
  'company',
  'connector',
  'createdAt',
  'updatedAt',
  'payrollDataAvailable',
  'product',
  'status',
  'taskWorkflow',
  'user',
];
const STATUS_FIELDS = ['createdAt', 'status'];
const STATUS_002_FIELDS = ['createdAt', 'status', 'payrollDataAvailable'];
const USER_TASK_FIELDS = ['_id', 'authenticated', 'createdAt', 'payrollDataAvailable', 'product', 'status'];
const UNKNOWN_ID = '0123456789abcdef01234567';

describe('GET /task/:taskId/details', () => {
  it('returns data.task with every documented field', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('GET', `/task/${baseline.taskId}/details`),
      TaskDetailsResponseSchema,
    );
    expectDocumentedFields(data.task, [...DETAILS_FIELDS, 'linkedAccount'], 'data.task');
    expectDocumentedFields(data.task.company, ['_id', 'name', 'branding'], 'task.company');
    expectDocumentedFields(data.task.connector, ['_id', 'name', 'branding'], 'task.connector');
    expectDocumentedFields(data.task.user, ['_id', 'identifier'], 'task.user');
    expect(data.task).toMatchObject({
      _id: baseline.taskId,
      status: 'completed',
      authenticated: true,
      product: 'present',
      company: { _id: '65272c415d8a530008e972df', name: 'Amazon' },
      user: { identifier: 'demo-user' },
    });
    expect(data.task.createdAt).toMatch(isoTime);
    expect(data.task.taskWorkflow._id).toMatch(objectId);
  });

  it('includes failReason on a failed task', async () => {
    const { request, store } = makeAtomic();
    const { task } = store.connectMerchant({ identifier: 'bad-login', username: 'test-bad' });
    const { data } = await expectOk(
      await request('GET', `/task/${task._id}/details`),
      TaskDetailsResponseSchema,
    );
    expect(data.task).toMatchObject({
      status: 'failed',
      failReason: 'bad-credentials',
      authenticated: false,
    });
  });

  it('answers a malformed id with 422 and an unknown one with 404', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', '/task/xyz/details'), 422, 42201);
    await expectError(await request('GET', `/task/${UNKNOWN_ID}/details`), 404, 40402);
  });
});

describe('GET /task/:taskId/status', () => {
  it('answers both documented shapes: top-level fields (001) and data.task (002)', async () => {
    const { request, baseline } = makeAtomic();
    const body = await expectOk(
      await request('GET', `/task/${baseline.taskId}/status`),
      TaskStatusResponseSchema,
    );
    expectDocumentedFields(body, STATUS_FIELDS, 'status body');
    expectDocumentedFields(body.data.task, STATUS_002_FIELDS, 'data.task');
    expect(body).toMatchObject({
      status: 'completed',
      data: { task: { status: 'completed', payrollDataAvailable: false } },
    });
    expect(body.failReason).toBeUndefined();
  });

  it('carries failReason in both places for a failed task and follows the task as it runs', async () => {
    const { request, store, clock } = makeAtomic();
    const task = store.startConnectTask({ identifier: 'runner', username: 'test-failure' });
    const run = store.runTask(task._id);
    const status = async () =>
      expectOk(await request('GET', `/task/${task._id}/status`), TaskStatusResponseSchema);
    expect((await status()).status).toBe('queued');
    await clock.advance(1_000);
    expect((await status()).status).toBe('processing');
    await clock.advance(7_000); // login at +3 s, then the fetch of 30 orders (5 s) ends in the failure
    await run;
    const body = await status();
    expect(body).toMatchObject({
      status: 'failed',
      failReason: 'unknown-failure',
      data: { task: { status: 'failed', failReason: 'unknown-failure' } },
    });
  });

  it('answers an unknown task with 404', async () => {
    const { request } = makeAtomic();
    await expectError(await request('GET', `/task/${UNKNOWN_ID}/status`), 404, 40402);
  });
});

describe('GET /user/:identifier/tasks', () => {
  it('lists the user tasks with the documented fields', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(await request('GET', '/user/demo-user/tasks'), UserTasksResponseSchema);
    expect(data.tasks.length).toBeGreaterThanOrEqual(6);
    data.tasks.forEach((t) => expectDocumentedFields(t, USER_TASK_FIELDS, 'task'));
  });

  it('filters by status and by payrollDataAvailable', async () => {
    const { request } = makeAtomic();
    const failed = await expectOk(
      await request('GET', '/user/demo-user-disconnected/tasks?status=failed'),
      UserTasksResponseSchema,
    );
    expect(failed.data.tasks).toHaveLength(1);
    expect(failed.data.tasks[0]).toMatchObject({ status: 'failed', failReason: 'session-expired' });
    const payroll = await expectOk(
      await request('GET', '/user/demo-user/tasks?payrollDataAvailable=true'),
      UserTasksResponseSchema,
    );
    expect(payroll.data.tasks.map((t) => t.product)).toEqual(['verify']);
  });

  it('rejects an unknown status with 422 and answers an unknown user with 404', async () => {
    const { request } = makeAtomic();
    const error = await expectError(await request('GET', '/user/demo-user/tasks?status=done'), 422, 42201);
    expect(error.errors?.[0]?.path).toBe('query.status');
    await expectError(await request('GET', '/user/nobody/tasks'), 404, 40402);
  });
});

describe('GET /task/:taskId/file/:fileId/generate-url', () => {
  const paystub = async (harness: ReturnType<typeof makeAtomic>) => {
    const [entry] = harness.store.payrollData('statements', 'demo-user');
    const statements = entry!.payload as { paystub: { _id: string } }[];
    return { taskId: entry!.task, fileId: statements[0]!.paystub._id };
  };

  it('returns a URL that downloads the file for one hour', async () => {
    const harness = makeAtomic();
    const { taskId, fileId } = await paystub(harness);
    const { url } = await expectOk(
      await harness.request('GET', `/task/${taskId}/file/${fileId}/generate-url`),
      FileUrlResponseSchema,
    );
    expectDocumentedFields({ url }, ['url']);
    const file = await harness.app.request(url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect((await file.text()).startsWith('%PDF-1.4')).toBe(true);
    await harness.clock.advance(3_600_001);
    await expectError(await harness.app.request(url), 403, 40301);
  });

  it('refuses a URL whose signature was tampered with', async () => {
    const harness = makeAtomic();
    const { taskId, fileId } = await paystub(harness);
    const { url } = await expectOk(
      await harness.request('GET', `/task/${taskId}/file/${fileId}/generate-url`),
      FileUrlResponseSchema,
    );
    const tampered = url.replace(
      /signature=([0-9a-f])/,
      (_, c: string) => `signature=${c === '0' ? '1' : '0'}`,
    );
    await expectError(await harness.app.request(tampered), 403, 40301);
  });

  it("answers a file that is not the task's, or an unknown task, with 404", async () => {
    const harness = makeAtomic();
    const { fileId } = await paystub(harness);
    await expectError(
      await harness.request('GET', `/task/${harness.baseline.taskId}/file/${fileId}/generate-url`),
      404,
      40402,
    );
    await expectError(
      await harness.request('GET', `/task/${UNKNOWN_ID}/file/${fileId}/generate-url`),
      404,
      40402,
    );
  });
});

describe('POST /task/prescreen', () => {
  it('answers data.confidence HIGH for an operational company', async () => {
    const { request } = makeAtomic();
    const body = await expectOk(
      await request('POST', '/task/prescreen', { body: { company: '5d38f1e8512bbf71fb776015' } }),
      TaskPrescreenResponseSchema,
    );
    expectDocumentedFields(body.data, ['confidence'], 'data');
    expect(body.data.confidence).toBe('HIGH');
    expect(
      (await expectOk(await request('POST', '/task/prescreen'), TaskPrescreenResponseSchema)).data.confidence,
    ).toBe('HIGH');
  });

  it('answers LOW for a company under maintenance and after the user failed to log in there', async () => {
    const { request, store } = makeAtomic();
    const paychex = '5d38f1e8512bbf71fb77601a';
    const low = await expectOk(
      await request('POST', '/task/prescreen', { body: { company: paychex } }),
      TaskPrescreenResponseSchema,
    );
    expect(low.data.confidence).toBe('LOW');
    store.connectMerchant({ identifier: 'locked-out', username: 'test-bad' });
    const amazon = '65272c415d8a530008e972df';
    const afterFailure = await expectOk(
      await request('POST', '/task/prescreen', { body: { company: amazon, identifier: 'locked-out' } }),
      TaskPrescreenResponseSchema,
    );
    expect(afterFailure.data.confidence).toBe('LOW');
  });

  it('answers an unknown company with 404 and a malformed one with 422', async () => {
    const { request } = makeAtomic();
    await expectError(
      await request('POST', '/task/prescreen', { body: { company: UNKNOWN_ID } }),
      404,
      40402,
    );
    await expectError(await request('POST', '/task/prescreen', { body: { company: 'amazon' } }), 422, 42201);
  });
});
