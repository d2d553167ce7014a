import { pageEnvelope, pageRequestOf } from '../shared/pagination';
import { createRoute } from '@hono/zod-openapi';
import { JsonBodyCache, versionedJson } from '../../core/json-body-cache';
import { doesNotExist } from '../store/errors';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import {
  TransactionIdParamSchema,
  TransactionListQuerySchema,
  TransactionPageSchema,
  TransactionSchema,
} from './schema';

const listRoute = createRoute({
  method: 'get',
  path: '/transactions',
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

const getRoute = createRoute({
  method: 'get',
  path: '/transactions/{transaction_id}',
  tags: ['Transactions'],
  summary: 'Get a transaction',
  security: SECURITY,
  request: { params: TransactionIdParamSchema },
  responses: {
    200: jsonContent(TransactionSchema, 'The transaction object'),
    ...errorResponses(400, 403, 404),
  },
});

export function registerTransactionRoutes({ api, store }: RouteContext): void {
  // Clients poll the same page (over 50 kB at count=50) and the same transaction again and again:
  // both are answered from the bytes built at the store's revision.
  const pageBodies = new JsonBodyCache();
  const transactionBodies = new JsonBodyCache();
  api.openapi(listRoute, (c) => {
    const q = c.req.valid('query');
    // Built only when the store changed since these bytes were (its revision says so), and then
    // serialised right here, so the page may share the store's objects instead of copying them.
    return versionedJson(
      c,
      pageBodies,
      c.req.url,
      store.revision,
      () => {
        const page = store.listTransactions(
          {
            customerId: q.customer_id,
            accountId: q.account_id,
            paymentType: q.payment_type,
            startDate: q.start_date,
            endDate: q.end_date,
            ...pageRequestOf(q),
            orderBy: q.order_by,
            state: q.transaction_state,
          },
          { share: true },
        );
        return pageEnvelope(page, 'transactions');
      },
      200,
    );
  });

  api.openapi(getRoute, (c) =>
    versionedJson(
      c,
      transactionBodies,
      c.req.url,
      store.revision,
      () => {
        const { transaction_id } = c.req.valid('param');
        const transaction = store.getTransaction(transaction_id, { share: true });
        if (!transaction) throw doesNotExist('transaction', transaction_id);
        return transaction;
      },
      200,
    ),
  );
}
