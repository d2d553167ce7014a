import { z } from '@hono/zod-openapi';
import { countQuery, idQuery, pageEnvelopeFields, pageQuery } from '../shared/pagination';

/**
 * [choice] The card object: enough for an integration to find whose card a transaction was on and
 * its last four digits. Status names follow Atelio's change-status values, lower-cased.
 */

export const CARD_STATUSES = ['active', 'inactive', 'lost', 'stolen', 'fraud', 'closed'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

export const CardSchema = z
  .object({
    card_id: z.string(),
    account_id: z.string(),
    customer_id: z.string(),
    last_four: z
      .string()
      .regex(/^\d{4}$/)
      .openapi({ example: '4242' }),
    status: z.enum(CARD_STATUSES),
    card_type: z.enum(['virtual', 'physical']),
    network: z.string().openapi({ example: 'Visa' }),
    expiry_date: z.string().openapi({ description: 'MM/YY', example: '04/29' }),
    date_created: z.string(),
    date_updated: z.string(),
  })
  .openapi('Card');

export type Card = z.infer<typeof CardSchema>;

export const CardIdParamSchema = z.object({
  card_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'card_id', in: 'path' } }),
});

export const CardListQuerySchema = z.object({
  customer_id: idQuery('customer_id', 'Only this customer’s cards.'),
  account_id: idQuery('account_id', 'Only the cards on this account.'),
  page: pageQuery,
  count: countQuery,
});

export const CardPageSchema = z
  .object({ ...pageEnvelopeFields, cards: z.array(CardSchema) })
  .openapi('CardPage');
