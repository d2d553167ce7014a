import { pageEnvelope, pageRequestOf } from '../shared/pagination';
import { createRoute } from '@hono/zod-openapi';
import { doesNotExist } from '../store/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import { AccountIdParamSchema, AccountListQuerySchema, AccountPageSchema, AccountSchema } from './schema';

const listRoute = createRoute({
  method: 'get',
  path: '/accounts',
  tags: ['Accounts'],
  summary: 'List accounts',
  security: SECURITY,
  request: { query: AccountListQuerySchema },
  responses: {
    200: jsonContent(AccountPageSchema, 'One page of accounts'),
    ...errorResponses(400, 403, 404),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/accounts/{account_id}',
  tags: ['Accounts'],
  summary: 'Get an account with its balances',
  security: SECURITY,
  request: { params: AccountIdParamSchema },
  responses: { 200: jsonContent(AccountSchema, 'The account'), ...errorResponses(400, 403, 404) },
});

export function registerAccountRoutes({ api, store }: RouteContext): void {
  api.openapi(listRoute, (c) => {
    const q = c.req.valid('query');
    const page = store.listAccounts({
      customerId: q.customer_id,
      ...pageRequestOf(q),
    });
    return c.json(pageEnvelope(page, 'accounts'), 200);
  });

  api.openapi(getRoute, (c) => {
    const { account_id } = c.req.valid('param');
    const account = store.getAccount(account_id);
    if (!account) throw doesNotExist('account', account_id);
    return c.json(account, 200);
  });
}
