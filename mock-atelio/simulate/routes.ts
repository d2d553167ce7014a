import { createRoute } from '@hono/zod-openapi';
import { SECURITY, errorResponses, jsonContent } from '../shared/http';
import type { RouteContext } from '../shared/routing';
import { parseSimulateDatetime } from '../shared/time';
import { TransactionSchema } from '../transactions/schema';
import { SimulateAuthorizationSchema, SimulateSettlementSchema } from './schema';

const authorizationRoute = createRoute({
  method: 'post',
  path: '/simulate/authorization',
  tags: ['Sandbox simulation'],
  summary: 'Simulate a card authorization',
  description:
    'Creates a pending card `POS Purchase` holding the amount. [choice] The card being inactive, or the account not ' +
    'covering the amount, gives a `declined` transaction (201) rather than an error, as a real network decline would.',
  security: SECURITY,
  request: {
    body: { required: true, content: { 'application/json': { schema: SimulateAuthorizationSchema } } },
  },
  responses: {
    201: jsonContent(TransactionSchema, 'The new transaction'),
    ...errorResponses(400, 403, 404),
  },
});

const settlementRoute = (path: '/simulate/settlement' | '/simulate/settle') =>
  createRoute({
    method: 'post',
    path,
    tags: ['Sandbox simulation'],
    summary:
      path === '/simulate/settlement' ? 'Simulate a (partial) settlement' : 'Simulate a settlement (alias)',
    description:
      'Settles the whole unsettled remainder, or `amount` of it. Partial settlements produce a multi-settlement ' +
      'transaction exactly as vendor-docs 003 shows: one transaction_id, `details.settlements` growing, top-level ' +
      '`amount` the running sum, `details.merchant_amount` the authorised amount. 400 when it would settle more than was ' +
      'authorised, or when the transaction is declined, cancelled or returned.' +
      (path === '/simulate/settle'
        ? ' Same as /simulate/settlement; Atelio’s sandbox guide names the path this way.'
        : ''),
    security: SECURITY,
    request: {
      body: { required: true, content: { 'application/json': { schema: SimulateSettlementSchema } } },
    },
    responses: {
      200: jsonContent(TransactionSchema, 'The settled transaction'),
      ...errorResponses(400, 403, 404),
    },
  });

export function registerSimulationRoutes({ api, store }: RouteContext): void {
  api.openapi(authorizationRoute, (c) => {
    const body = c.req.valid('json');
    const transaction = store.authorizeCardPurchase({
      cardId: body.card_id,
      amount: body.amount,
      // The schema has already checked it is a real date and time.
      transactionDatetime: parseSimulateDatetime(body.transaction_datetime)!,
      merchantName: body.merchant_name,
      merchantCity: body.merchant_city,
      merchantState: body.merchant_state,
      merchantZipCode: body.merchant_zip_code,
      mcc: body.mcc,
      mid: body.mid,
    });
    return c.json(transaction, 201);
  });

  for (const path of ['/simulate/settlement', '/simulate/settle'] as const) {
    api.openapi(settlementRoute(path), (c) => {
      const body = c.req.valid('json');
      const transaction = store.settleTransaction(body.transaction_id, {
        ...(body.amount !== undefined && { amount: body.amount }),
      });
      return c.json(transaction, 200);
    });
  }
}
