import { createRoute } from '@hono/zod-openapi';
import { doesNotExist } from '../store/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import {
  WebhookIdParamSchema,
  WebhookSubscriptionCreateSchema,
  WebhookSubscriptionEnvelopeSchema,
  WebhookSubscriptionListSchema,
  WebhookSubscriptionUpdateSchema,
} from './schema';

const TAG = 'Webhook subscriptions';

const createSubscriptionRoute = createRoute({
  method: 'post',
  path: '/webhooks',
  tags: [TAG],
  summary: 'Subscribe a URL to events',
  description:
    'Events may use `*` wildcards (`card*`, `*`). The answer carries the `whsec_` secret that signs deliveries.',
  security: SECURITY,
  request: {
    body: { required: true, content: { 'application/json': { schema: WebhookSubscriptionCreateSchema } } },
  },
  responses: {
    201: jsonContent(WebhookSubscriptionEnvelopeSchema, 'The new subscription'),
    ...errorResponses(400, 403),
  },
});

const listSubscriptionsRoute = createRoute({
  method: 'get',
  path: '/webhooks',
  tags: [TAG],
  summary: 'List subscriptions',
  security: SECURITY,
  responses: {
    200: jsonContent(WebhookSubscriptionListSchema, 'Every subscription'),
    ...errorResponses(403),
  },
});

const getSubscriptionRoute = createRoute({
  method: 'get',
  path: '/webhooks/{id}',
  tags: [TAG],
  summary: 'Get a subscription',
  security: SECURITY,
  request: { params: WebhookIdParamSchema },
  responses: {
    200: jsonContent(WebhookSubscriptionEnvelopeSchema, 'The subscription'),
    ...errorResponses(400, 403, 404),
  },
});

const updateSubscriptionRoute = createRoute({
  method: 'patch',
  path: '/webhooks/{id}',
  tags: [TAG],
  summary: 'Change a subscription',
  description:
    'Any of url, events, description, version, status; e.g. `{"status": "STATUS_DISABLED"}` pauses it.',
  security: SECURITY,
  request: {
    params: WebhookIdParamSchema,
    body: { required: true, content: { 'application/json': { schema: WebhookSubscriptionUpdateSchema } } },
  },
  responses: {
    200: jsonContent(WebhookSubscriptionEnvelopeSchema, 'The changed subscription'),
    ...errorResponses(400, 403, 404),
  },
});

const deleteSubscriptionRoute = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags: [TAG],
  summary: 'Delete a subscription',
  description: '[choice] Answers with the deleted subscription.',
  security: SECURITY,
  request: { params: WebhookIdParamSchema },
  responses: {
    200: jsonContent(WebhookSubscriptionEnvelopeSchema, 'The deleted subscription'),
    ...errorResponses(400, 403, 404),
  },
});

export function registerWebhookRoutes({ api, store }: RouteContext): void {
  api.openapi(createSubscriptionRoute, (c) => {
    const subscription = store.createWebhookSubscription(c.req.valid('json'));
    return c.json({ webhook_subscription: subscription }, 201);
  });

  api.openapi(listSubscriptionsRoute, (c) =>
    c.json({ webhook_subscriptions: store.listWebhookSubscriptions() }, 200),
  );

  api.openapi(getSubscriptionRoute, (c) => {
    const { id } = c.req.valid('param');
    const subscription = store.getWebhookSubscription(id);
    if (!subscription) throw doesNotExist('webhook', id);
    return c.json({ webhook_subscription: subscription }, 200);
  });

  api.openapi(updateSubscriptionRoute, (c) => {
    const { id } = c.req.valid('param');
    return c.json({ webhook_subscription: store.updateWebhookSubscription(id, c.req.valid('json')) }, 200);
  });

  api.openapi(deleteSubscriptionRoute, (c) => {
    const { id } = c.req.valid('param');
    return c.json({ webhook_subscription: store.deleteWebhookSubscription(id) }, 200);
  });
}
