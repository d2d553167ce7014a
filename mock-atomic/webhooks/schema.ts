import { z } from '@hono/zod-openapi';
import { IsoDateTimeSchema, ObjectIdSchema } from '../shared/schemas';

/** Webhook endpoints and API secrets (vendor-docs 002), and the event types the mock can send. */

export const ATOMIC_EVENT_TYPES = [
  'task-status-updated',
  'task-authentication-status-updated',
  'pay-link-accounts-updated',
] as const;
export type AtomicEventType = (typeof ATOMIC_EVENT_TYPES)[number];

export const EventTypeSchema = z.enum(ATOMIC_EVENT_TYPES, {
  message: `must be one of: ${ATOMIC_EVENT_TYPES.join(', ')}`,
});

/** Webhooks go over HTTP(S) to a host; other schemes and URLs with credentials are refused. */
export const WebhookUrlSchema = z
  .url({ protocol: /^https?$/, message: 'url must be an absolute http(s) URL' })
  .max(2048)
  .refine((value) => {
    // Runs even when the url check above failed, so it must not throw on a non-URL.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, 'url must not contain credentials')
  .openapi({ example: 'https://your-endpoint.com/webhooks' });

export const EndpointBodySchema = z
  .object({
    url: WebhookUrlSchema,
    secretId: ObjectIdSchema,
    eventTypes: z
      .array(EventTypeSchema)
      .min(1, 'eventTypes must list at least one event type')
      .max(ATOMIC_EVENT_TYPES.length * 2),
  })
  .openapi('WebhookEndpointRequest');

export const EndpointSchema = z
  .object({
    _id: ObjectIdSchema,
    url: z.string(),
    secretId: ObjectIdSchema,
    eventTypes: z.array(EventTypeSchema),
  })
  .openapi('WebhookEndpoint');

export const EndpointResponseSchema = z
  .object({ data: z.object({ endpoint: EndpointSchema }) })
  .openapi('WebhookEndpointResponse');
export const EndpointListSchema = z
  .object({ data: z.object({ endpoints: z.array(EndpointSchema) }) })
  .openapi('WebhookEndpointList');

export const SecretBodySchema = z
  .object({ name: z.string().trim().min(1, 'name must not be empty').max(100) })
  .openapi('CreateSecretRequest');

export const CreatedSecretSchema = z
  .object({
    _id: ObjectIdSchema,
    createdAt: IsoDateTimeSchema,
    name: z.string(),
    token: z.string().openapi({ description: 'Only shown here, at creation' }),
  })
  .openapi('CreatedSecret');

export const SecretSchema = z
  .object({
    _id: ObjectIdSchema,
    name: z.string(),
    createdAt: IsoDateTimeSchema,
    endpoints: z.array(
      z.object({ _id: ObjectIdSchema, url: z.string(), eventTypes: z.array(EventTypeSchema) }),
    ),
  })
  .openapi('Secret');

export const CreatedSecretResponseSchema = z
  .object({ data: z.object({ secret: CreatedSecretSchema }) })
  .openapi('CreatedSecretResponse');
export const SecretListSchema = z
  .object({ data: z.object({ secrets: z.array(SecretSchema) }) })
  .openapi('SecretList');
