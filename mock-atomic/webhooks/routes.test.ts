import { describe, expect, it } from 'vitest';
import { SuccessSchema } from '../shared/schemas';
import { expectDocumentedFields, expectError, expectOk, isoTime, makeAtomic, objectId } from '../testing';
import {
  CreatedSecretResponseSchema,
  EndpointListSchema,
  EndpointResponseSchema,
  SecretListSchema,
} from './schema';

// vendor-docs 002, "Webhooks" and "API Secrets".
const ENDPOINT_FIELDS = ['_id', 'url', 'secretId', 'eventTypes'];
const CREATED_SECRET_FIELDS = ['_id', 'createdAt', 'name', 'token'];
const SECRET_FIELDS = ['_id', 'name', 'createdAt', 'endpoints'];

const endpointBody = (secretId: string, overrides: object = {}) => ({
  url: 'https://your-endpoint.com/webhooks',
  secretId,
  eventTypes: ['task-authentication-status-updated', 'task-status-updated'],
  ...overrides,
});

describe('webhook endpoints', () => {
  it('POST creates an endpoint and GET lists it, with the documented fields', async () => {
    const { request, baseline } = makeAtomic();
    const created = await expectOk(
      await request('POST', '/webhooks/endpoints', { body: endpointBody(baseline.defaultSecretId) }),
      EndpointResponseSchema,
    );
    expectDocumentedFields(created.data.endpoint, ENDPOINT_FIELDS, 'endpoint');
    expect(created.data.endpoint._id).toMatch(objectId);
    const listed = await expectOk(await request('GET', '/webhooks/endpoints'), EndpointListSchema);
    expect(listed.data.endpoints).toEqual([created.data.endpoint]);
  });

  it('PUT updates an endpoint and DELETE removes it', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/webhooks/endpoints', { body: endpointBody(baseline.defaultSecretId) }),
      EndpointResponseSchema,
    );
    const id = data.endpoint._id;
    const updated = await expectOk(
      await request('PUT', `/webhooks/endpoints/${id}`, {
        body: endpointBody(baseline.defaultSecretId, {
          url: 'https://your-endpoint-updated.com',
          eventTypes: ['task-status-updated'],
        }),
      }),
      EndpointResponseSchema,
    );
    expect(updated.data.endpoint).toEqual({
      _id: id,
      url: 'https://your-endpoint-updated.com',
      secretId: baseline.defaultSecretId,
      eventTypes: ['task-status-updated'],
    });
    expectDocumentedFields(
      await expectOk(await request('DELETE', `/webhooks/endpoints/${id}`), SuccessSchema),
      ['success'],
    );
    expect(
      (await expectOk(await request('GET', '/webhooks/endpoints'), EndpointListSchema)).data.endpoints,
    ).toEqual([]);
  });

  it('makes the store route events to subscribed endpoints with their secret token', async () => {
    const { request, store, baseline } = makeAtomic();
    await request('POST', '/webhooks/endpoints', {
      body: endpointBody(baseline.defaultSecretId, { eventTypes: ['pay-link-accounts-updated'] }),
    });
    expect(store.webhookTargets('pay-link-accounts-updated')).toEqual([
      expect.objectContaining({ url: 'https://your-endpoint.com/webhooks', secret: 'test-api-secret' }),
    ]);
    expect(store.webhookTargets('task-status-updated')).toEqual([]);
  });

  it.each([
    ['a relative url', { url: '/webhooks' }, 'url'],
    ['an ftp url', { url: 'ftp://example.com/hook' }, 'url'],
    ['a url with credentials', { url: 'https://user:pw@example.com/hook' }, 'url'],
    [
      'an unknown event type',
      { eventTypes: ['task-status-updated', 'payroll-data-available'] },
      'eventTypes.1',
    ],
    ['no event types', { eventTypes: [] }, 'eventTypes'],
    ['a malformed secretId', { secretId: 'default' }, 'secretId'],
    ['an unknown secretId', { secretId: '0123456789abcdef01234567' }, 'secretId'],
  ])('rejects %s with 422', async (_label, overrides, path) => {
    const { request, baseline } = makeAtomic();
    const body = endpointBody(baseline.defaultSecretId, overrides);
    const created = await expectError(await request('POST', '/webhooks/endpoints', { body }), 422, 42201);
    expect(created.errors?.map((e) => e.path)).toContain(path);
  });

  it('rejects an invalid update with 422 and leaves the endpoint as it was', async () => {
    const { request, baseline } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/webhooks/endpoints', { body: endpointBody(baseline.defaultSecretId) }),
      EndpointResponseSchema,
    );
    await expectError(
      await request('PUT', `/webhooks/endpoints/${data.endpoint._id}`, {
        body: endpointBody('0123456789abcdef01234567'),
      }),
      422,
      42201,
    );
    const listed = await expectOk(await request('GET', '/webhooks/endpoints'), EndpointListSchema);
    expect(listed.data.endpoints[0]?.secretId).toBe(baseline.defaultSecretId);
  });

  it('answers PUT and DELETE of an unknown endpoint with 404', async () => {
    const { request, baseline } = makeAtomic();
    const unknown = '/webhooks/endpoints/0123456789abcdef01234567';
    await expectError(
      await request('PUT', unknown, { body: endpointBody(baseline.defaultSecretId) }),
      404,
      40402,
    );
    await expectError(await request('DELETE', unknown), 404, 40402);
  });
});

describe('API secrets', () => {
  it('POST creates a secret and shows its token once; GET lists secrets without tokens', async () => {
    const { request } = makeAtomic();
    const created = await expectOk(
      await request('POST', '/secrets', { body: { name: 'my secret' } }),
      CreatedSecretResponseSchema,
    );
    expectDocumentedFields(created.data.secret, CREATED_SECRET_FIELDS, 'secret');
    expect(created.data.secret.createdAt).toBe('2025-03-10T15:00:00.000Z');
    expect(created.data.secret.token).toMatch(/^[0-9a-f-]{36}$/);
    const listed = await expectOk(await request('GET', '/secrets'), SecretListSchema);
    expect(listed.data.secrets.map((s) => s.name)).toEqual(['default', 'my secret']);
    for (const secret of listed.data.secrets) {
      expectDocumentedFields(secret, SECRET_FIELDS, 'secret');
      expect(secret.createdAt).toMatch(isoTime);
      expect(Object.keys(secret)).not.toContain('token');
    }
  });

  it('lists the endpoints each secret signs for', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/secrets', { body: { name: 'hooks' } }),
      CreatedSecretResponseSchema,
    );
    const endpoint = await expectOk(
      await request('POST', '/webhooks/endpoints', { body: endpointBody(data.secret._id) }),
      EndpointResponseSchema,
    );
    const listed = await expectOk(await request('GET', '/secrets'), SecretListSchema);
    const hooks = listed.data.secrets.find((s) => s._id === data.secret._id)!;
    expect(hooks.endpoints).toEqual([
      {
        _id: endpoint.data.endpoint._id,
        url: 'https://your-endpoint.com/webhooks',
        eventTypes: endpointBody('').eventTypes,
      },
    ]);
    expect(listed.data.secrets.find((s) => s.name === 'default')?.endpoints).toEqual([]);
  });

  it('DELETE removes an unused secret and refuses one that still signs an endpoint (400)', async () => {
    const { request } = makeAtomic();
    const { data } = await expectOk(
      await request('POST', '/secrets', { body: { name: 'temp' } }),
      CreatedSecretResponseSchema,
    );
    const endpoint = await expectOk(
      await request('POST', '/webhooks/endpoints', { body: endpointBody(data.secret._id) }),
      EndpointResponseSchema,
    );
    const refused = await expectError(await request('DELETE', `/secrets/${data.secret._id}`), 400, 40002);
    expect(refused.message).toContain(endpoint.data.endpoint._id);
    await request('DELETE', `/webhooks/endpoints/${endpoint.data.endpoint._id}`);
    expectDocumentedFields(
      await expectOk(await request('DELETE', `/secrets/${data.secret._id}`), SuccessSchema),
      ['success'],
    );
    await expectError(await request('DELETE', `/secrets/${data.secret._id}`), 404, 40402);
  });

  it.each([
    ['a missing name', {}],
    ['a blank name', { name: '   ' }],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
  ])('rejects %s with 422', async (_label, body) => {
    const { request } = makeAtomic();
    const error = await expectError(await request('POST', '/secrets', { body }), 422, 42201);
    expect(error.errors?.[0]?.path).toBe('name');
  });
});
