import { createRoute, z } from '@hono/zod-openapi';
import { SERVER_SECURITY } from '../shared/auth';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { ObjectIdSchema, SuccessSchema } from '../shared/schemas';
import type { WebhookEndpointRecord } from '../store/state';
import {
  CreatedSecretResponseSchema,
  EndpointBodySchema,
  EndpointListSchema,
  EndpointResponseSchema,
  SecretBodySchema,
  SecretListSchema,
} from './schema';

const IdParams = z.object({ _id: ObjectIdSchema.openapi({ param: { name: '_id', in: 'path' } }) });

const endpointView = (e: WebhookEndpointRecord) => ({
  url: e.url,
  secretId: e.secretId,
  eventTypes: [...e.eventTypes],
  _id: e._id,
});

export function registerWebhookRoutes(app: AtomicApp, { store, auth }: RouteDeps): void {
  const common = { security: SERVER_SECURITY, middleware: auth.server };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/endpoints',
      tags: ['Webhooks'],
      summary: 'Create a webhook endpoint',
      description: `Event types: ${['task-status-updated', 'task-authentication-status-updated', 'pay-link-accounts-updated'].join(', ')}. secretId must name an existing secret.`,
      ...common,
      request: { body: jsonBody(EndpointBodySchema) },
      responses: { 200: jsonResponse(EndpointResponseSchema, 'The endpoint'), ...errors() },
    }),
    (c) =>
      c.json({ data: { endpoint: endpointView(store.createWebhookEndpoint(c.req.valid('json'))) } }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhooks/endpoints',
      tags: ['Webhooks'],
      summary: 'List webhook endpoints',
      ...common,
      responses: { 200: jsonResponse(EndpointListSchema, 'The endpoints'), ...errors() },
    }),
    (c) => c.json({ data: { endpoints: store.listWebhookEndpoints().map(endpointView) } }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/webhooks/endpoints/{_id}',
      tags: ['Webhooks'],
      summary: 'Update a webhook endpoint',
      ...common,
      request: { params: IdParams, body: jsonBody(EndpointBodySchema) },
      responses: { 200: jsonResponse(EndpointResponseSchema, 'The updated endpoint'), ...errors(404) },
    }),
    (c) =>
      c.json(
        {
          data: {
            endpoint: endpointView(
              store.updateWebhookEndpoint(c.req.valid('param')._id, c.req.valid('json')),
            ),
          },
        },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/webhooks/endpoints/{_id}',
      tags: ['Webhooks'],
      summary: 'Delete a webhook endpoint',
      description: 'Answers {success: true} [choice: the response body is not documented].',
      ...common,
      request: { params: IdParams },
      responses: { 200: jsonResponse(SuccessSchema, 'Deleted'), ...errors(404) },
    }),
    (c) => {
      store.deleteWebhookEndpoint(c.req.valid('param')._id);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/secrets',
      tags: ['API Secrets'],
      summary: 'Create an API secret',
      description:
        'The token is shown only here. It signs the webhooks of endpoints that name this secret, and is accepted as ' +
        'x-api-secret.',
      ...common,
      request: { body: jsonBody(SecretBodySchema) },
      responses: { 200: jsonResponse(CreatedSecretResponseSchema, 'The new secret'), ...errors() },
    }),
    (c) => {
      const secret = store.createSecret(c.req.valid('json').name);
      return c.json(
        {
          data: {
            secret: { _id: secret._id, createdAt: secret.createdAt, name: secret.name, token: secret.token },
          },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/secrets',
      tags: ['API Secrets'],
      summary: 'List API secrets with the endpoints they sign for',
      ...common,
      responses: { 200: jsonResponse(SecretListSchema, 'The secrets (without tokens)'), ...errors() },
    }),
    (c) => c.json({ data: { secrets: store.listSecrets() } }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/secrets/{_id}',
      tags: ['API Secrets'],
      summary: 'Delete an API secret',
      description:
        'A secret that still signs endpoints is refused with 400 [choice]: re-point or delete them first.',
      ...common,
      request: { params: IdParams },
      responses: { 200: jsonResponse(SuccessSchema, 'Deleted'), ...errors(400, 404) },
    }),
    (c) => {
      store.deleteSecret(c.req.valid('param')._id);
      return c.json({ success: true as const }, 200);
    },
  );
}
