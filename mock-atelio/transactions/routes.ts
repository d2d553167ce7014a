import { createRoute } from '@hono/zod-openapi';
import { cachedJson, JsonBodyCache } from '../../core/json-body-cache';
import { doesNotExist } from '../shared/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import {
  TransactionIdParamSchema,
  TransactionListQuerySchema,
  TransactionPageSchema,
  TransactionSchema,
} from './schema';

const listRoute = (hide: boolean) =>
  createRoute({
    method: 'get',
    path: '/transactions',
    hide,
    tags: ['Transactions'],
    summary: 'List transactions',
    description:
      'Filters combine; dates are inclusive UTC days on created_time. `count` must be one of the allowed page sizes. ' +
      'Failed transactions are never returned.',
    security: SECURITY,
    request: { query: TransactionListQuerySchema },
    responses: {
      200: jsonContent(TransactionPageSchema, 'One page of transactions'),
      ...errorResponses(400, 403, 404),
    },
  });

const getRoute = (hide: boolean) =>
  createRoute({
    method: 'get',
    path: '/transactions/{transaction_id}',
    hide,
    tags: ['Transactions'],
    summary: 'Get a transaction',
    security: SECURITY,
    request: { params: TransactionIdParamSchema },
    responses: {
      200: jsonContent(TransactionSchema, 'The transaction object'),
      ...errorResponses(400, 403, 404),
    },
  });

export function registerTransactionRoutes({ api, store, hide }: RouteContext): void {
  // A page of 50 transactions is over 50 kB, and clients poll the same page again and again.
  const pageBodies = new JsonBodyCache();
  api.openapi(listRoute(hide), (c) => {
    const q = c.req.valid('query');
    // Serialised right here, so the page may share the store's objects instead of copying them;
    // an unchanged page reuses the bytes encoded last time.
    const page = store.listTransactions(
      {
        customerId: q.customer_id,
        accountId: q.account_id,
        paymentType: q.payment_type,
        startDate: q.start_date,
        endDate: q.end_date,
        page: q.page === undefined ? undefined : Number(q.page),
        count: q.count === undefined ? undefined : Number(q.count),
        orderBy: q.order_by,
        state: q.transaction_state,
      },
      { share: true },
    );
    return cachedJson(
      c,
      pageBodies,
      c.req.url,
      {
        page: page.page,
        pages: page.pages,
        count: page.count,
        next_page: page.next_page,
        transactions: page.items,
      },
      200,
    );
  });

  api.openapi(getRoute(hide), (c) => {
    const { transaction_id } = c.req.valid('param');
    const transaction = store.getTransaction(transaction_id, { share: true });
    if (!transaction) throw doesNotExist('transaction', transaction_id);
    return c.json(transaction, 200);
  });
}
