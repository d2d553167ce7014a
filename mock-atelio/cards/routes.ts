import { pageEnvelope, pageRequestOf } from '../shared/pagination';
import { createRoute } from '@hono/zod-openapi';
import { doesNotExist } from '../store/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import { CardIdParamSchema, CardListQuerySchema, CardPageSchema, CardSchema } from './schema';

const listRoute = createRoute({
  method: 'get',
  path: '/cards',
  tags: ['Cards'],
  summary: 'List cards',
  description: 'Use it to find whose card a transaction was on and its last four digits.',
  security: SECURITY,
  request: { query: CardListQuerySchema },
  responses: { 200: jsonContent(CardPageSchema, 'One page of cards'), ...errorResponses(400, 403, 404) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/cards/{card_id}',
  tags: ['Cards'],
  summary: 'Get a card',
  security: SECURITY,
  request: { params: CardIdParamSchema },
  responses: { 200: jsonContent(CardSchema, 'The card'), ...errorResponses(400, 403, 404) },
});

export function registerCardRoutes({ api, store }: RouteContext): void {
  api.openapi(listRoute, (c) => {
    const q = c.req.valid('query');
    const page = store.listCards({
      customerId: q.customer_id,
      accountId: q.account_id,
      ...pageRequestOf(q),
    });
    return c.json(pageEnvelope(page, 'cards'), 200);
  });

  api.openapi(getRoute, (c) => {
    const { card_id } = c.req.valid('param');
    const card = store.getCard(card_id);
    if (!card) throw doesNotExist('card', card_id);
    return c.json(card, 200);
  });
}
