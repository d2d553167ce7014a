import { z } from '@hono/zod-openapi';
import { eventPatternProblem } from './event-names';

/** Webhook subscriptions as Atelio's `/webhooks` endpoints take and return them (VENDOR-FACTS). */

export const SUBSCRIPTION_STATUSES = ['STATUS_ENABLED', 'STATUS_DISABLED'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const WEBHOOK_VERSIONS = ['0.1'] as const;

const eventsField = z
  .array(
    z.string().superRefine((pattern, ctx) => {
      const problem = eventPatternProblem(pattern);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  )
  .min(1, { error: 'events must name at least one event' })
  .max(50, { error: 'events may name at most 50 events' })
  .openapi({ description: 'Event names; `*` is a wildcard (`card*`, `*`).', example: ['transactions'] });

const urlField = z
  .url({ protocol: /^https?$/, error: 'url must be an absolute http(s) URL' })
  .max(2048)
  .openapi({ example: 'https://bank.example/webhooks/atelio' });

const descriptionField = z.string().max(500).openapi({ example: 'Card transactions for stitching' });

const versionField = z
  .enum(WEBHOOK_VERSIONS, { error: 'version must be "0.1"' })
  .openapi({ description: 'Always "0.1".' });

const statusField = z.enum(SUBSCRIPTION_STATUSES, {
  error: 'status must be STATUS_ENABLED or STATUS_DISABLED',
});

export const WebhookSubscriptionCreateSchema = z
  .object({
    url: urlField,
    events: eventsField,
    description: descriptionField.optional(),
    version: versionField
      .optional()
      .openapi({ description: '[choice] Defaults to "0.1", the only version.' }),
    status: statusField.optional().openapi({ description: 'Defaults to STATUS_ENABLED.' }),
  })
  .openapi('WebhookSubscriptionCreate');

export const WebhookSubscriptionUpdateSchema = z
  .object({
    url: urlField.optional(),
    events: eventsField.optional(),
    description: descriptionField.optional(),
    version: versionField.optional(),
    status: statusField.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'Give at least one of url, events, description, version, status',
  })
  .openapi('WebhookSubscriptionUpdate');

export type WebhookSubscriptionCreate = z.input<typeof WebhookSubscriptionCreateSchema>;
export type WebhookSubscriptionUpdate = z.input<typeof WebhookSubscriptionUpdateSchema>;

export const WebhookSubscriptionSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.string()),
    version: z.enum(WEBHOOK_VERSIONS),
    secret: z
      .string()
      .regex(/^whsec_/)
      .openapi({ description: 'Signs deliveries (Bond-Signature).', example: 'whsec_…' }),
    status: z.enum(SUBSCRIPTION_STATUSES),
    created_time: z.string(),
  })
  .openapi('WebhookSubscription');

export type WebhookSubscription = z.infer<typeof WebhookSubscriptionSchema>;

export const WebhookSubscriptionEnvelopeSchema = z
  .object({ webhook_subscription: WebhookSubscriptionSchema })
  .openapi('WebhookSubscriptionEnvelope');

export const WebhookSubscriptionListSchema = z
  .object({ webhook_subscriptions: z.array(WebhookSubscriptionSchema) })
  .openapi('WebhookSubscriptionList');

export const WebhookIdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
