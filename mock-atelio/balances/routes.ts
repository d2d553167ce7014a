import { pageEnvelope, pageRequestOf } from '../shared/pagination';
import { createRoute } from '@hono/zod-openapi';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import { BalanceListQuerySchema, BalancePageSchema } from './schema';

const listRoute = createRoute({
  method: 'get',
  path: '/balances',
  tags: ['Balances'],
  summary: 'List account balances',
  description: 'current = completed transactions only; available = pending and completed (vendor-docs 003).',
  security: SECURITY,
  request: { query: BalanceListQuerySchema },
  responses: {
    200: jsonContent(BalancePageSchema, 'One page of balances'),
    ...errorResponses(400, 403, 404),
  },
});

export function registerBalanceRoutes({ api, store }: RouteContext): void {
  api.openapi(listRoute, (c) => {
    const q = c.req.valid('query');
    const page = store.listBalances({
      customerId: q.customer_id,
      ...pageRequestOf(q),
    });
    return c.json(pageEnvelope(page, 'balances'), 200);
  });
}
