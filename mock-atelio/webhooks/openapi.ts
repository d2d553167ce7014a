import { z, type OpenAPIHono } from '@hono/zod-openapi';
import { ATELIO_SIGNATURE_HEADER } from '../../core/webhooks';
import { TRANSACTIONS_EVENT, TransactionsWebhookEventSchema } from './events';

/**
 * The `webhooks` section of the Atelio document: the `transactions` event, its body the schema the
 * event builder returns (events.ts), its headers what core/webhooks/profiles.ts sends.
 */

const HeadersSchema = z.object({
  [ATELIO_SIGNATURE_HEADER]: z
    .string()
    .regex(/^t=\d+(,v1=[0-9a-f]{64})+$/)
    .openapi({
      description:
        't=<unix seconds of the real send time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">, keyed with the ' +
        'subscription’s whsec_ secret. Re-signed on every attempt; reject a t more than 5 minutes old.',
      example: 't=1741618800,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
    }),
});

/** Registers the `transactions` event under the document's `webhooks`. */
export function documentAtelioWebhooks(app: Pick<OpenAPIHono, 'openAPIRegistry'>): void {
  app.openAPIRegistry.registerWebhook({
    method: 'post',
    path: TRANSACTIONS_EVENT,
    tags: ['Webhooks'],
    // The receiver authenticates the sender by the signature header, not by API credentials.
    security: [],
    summary: 'A card transaction was created or changed (authorised, settled, declined, …)',
    description:
      'POSTed to every enabled subscription whose events match `transactions` (wildcards included). The body is the ' +
      'transaction object plus `event` and `occurred_at`. Failed transactions are never sent. Only 200 and 201 ' +
      'acknowledge; anything else is retried with back-off for up to 3 days.',
    request: {
      headers: HeadersSchema,
      body: { required: true, content: { 'application/json': { schema: TransactionsWebhookEventSchema } } },
    },
    responses: { 200: { description: '200 or 201 acknowledges the event' } },
  });
}
