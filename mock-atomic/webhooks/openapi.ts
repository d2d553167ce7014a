import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { ATOMIC_SIGNATURE_HEADER } from '../../core/webhooks';
import {
  PayLinkAccountsUpdatedEventSchema,
  TaskAuthenticationStatusUpdatedEventSchema,
  TaskStatusUpdatedEventSchema,
} from './events';
import type { AtomicEventType } from './schema';

/**
 * The `webhooks` section of the Atomic document: one entry per event type, its body the zod schema
 * the event builders return (events.ts), its headers what core/webhooks/profiles.ts sends: the
 * CloudEvents binary-mode headers and the hex HMAC signature of the raw body.
 */

const headersFor = (eventType: AtomicEventType) =>
  z.object({
    [ATOMIC_SIGNATURE_HEADER]: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .openapi({
        description:
          'Lowercase hex HMAC-SHA256 of the raw body, keyed with the token of the secret the endpoint names. ' +
          'No timestamp is signed: every retry of one event carries the same value.',
      }),
    'ce-specversion': z.literal('1.0').openapi({ description: 'CloudEvents spec version' }),
    'ce-source': z.literal('com.atomicfi'),
    'ce-type': z.literal(`com.atomicfi.${eventType}`),
    'ce-id': z
      .string()
      .min(1)
      .openapi({ description: 'The event id; the same on every retry and redelivery' }),
    'ce-time': z.iso.datetime().openapi({ description: 'The event time (the body’s eventTime)' }),
  });

const EVENTS: readonly { type: AtomicEventType; schema: z.ZodType; name: string; summary: string }[] = [
  {
    type: 'task-status-updated',
    schema: TaskStatusUpdatedEventSchema,
    name: 'TaskStatusUpdatedEvent',
    summary: 'A task moved (queued → processing → completed or failed, with failReason)',
  },
  {
    type: 'task-authentication-status-updated',
    schema: TaskAuthenticationStatusUpdatedEventSchema,
    name: 'TaskAuthenticationStatusUpdatedEvent',
    summary: 'The user authenticated with the merchant (or failed to)',
  },
  {
    type: 'pay-link-accounts-updated',
    schema: PayLinkAccountsUpdatedEventSchema,
    name: 'PayLinkAccountsUpdatedEvent',
    summary: 'PayLink accounts were created, updated or disconnected',
  },
];

/** Registers every Atomic event type under the document's `webhooks`. */
export function documentAtomicWebhooks(app: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  const registry = app.openAPIRegistry;
  for (const event of EVENTS) {
    registry.registerWebhook({
      method: 'post',
      path: event.type,
      tags: ['Webhooks'],
      // The receiver authenticates the sender by the signature header, not by API credentials.
      security: [],
      summary: event.summary,
      description:
        'POSTed to every endpoint subscribed to this event type (POST /webhooks/endpoints). Any 2xx acknowledges; ' +
        'anything else is retried 3 times, 30 s apart.',
      request: {
        headers: headersFor(event.type),
        body: {
          required: true,
          content: { 'application/json': { schema: registry.register(event.name, event.schema) } },
        },
      },
      responses: { 200: { description: 'Any 2xx acknowledges the event' } },
    });
  }
}
