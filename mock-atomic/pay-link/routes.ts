import { createRoute, z } from '@hono/zod-openapi';
import { JsonBodyCache, versionedJson } from '../../core/json-body-cache';
import { CLIENT_SECURITY, EITHER_SECURITY, SERVER_SECURITY } from '../shared/auth';
import { AtomicHttpError } from '../shared/errors';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { IdentifierSchema, ObjectIdSchema, QueryBooleanSchema } from '../shared/schemas';
import { DetectAccountsBodySchema, PayLinkAccountListSchema, PayLinkAccountResponseSchema } from './schema';

const IdentifierParams = z.object({
  identifier: IdentifierSchema.openapi({ param: { name: 'identifier', in: 'path' } }),
});

export function registerPayLinkRoutes(app: AtomicApp, { store, auth }: RouteDeps): void {
  // An Order Monitoring account with its order history is tens of kilobytes, polled again and again.
  const accountBodies = new JsonBodyCache();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/{identifier}/pay-link/accounts',
      tags: ['PayLink Accounts'],
      summary: "List a user's PayLink accounts",
      description:
        'Every account of the user: connected (linked) ones, Order Monitoring ones with their orders, and detected ones. ' +
        '`supported` and `connected` filter the list.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: IdentifierParams,
        query: z.object({
          supported: QueryBooleanSchema.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
          connected: QueryBooleanSchema.optional().openapi({ type: 'string', enum: ['true', 'false'] }),
        }),
      },
      responses: { 200: jsonResponse(PayLinkAccountListSchema, 'The accounts'), ...errors(404) },
    }),
    (c) => {
      const { identifier } = c.req.valid('param');
      const query = c.req.valid('query');
      const filter: { supported?: boolean; connected?: boolean } = {};
      if (query.supported !== undefined) filter.supported = query.supported;
      if (query.connected !== undefined) filter.connected = query.connected;
      return c.json({ accounts: store.listPayLinkAccounts(identifier, filter) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/{identifier}/pay-link/accounts',
      tags: ['PayLink Accounts'],
      summary: 'Detect accounts from financial transactions',
      description:
        "Matches the user's transactions against known merchants (e.g. NETFLIX, HULU, AMZN). Known merchants give " +
        'detected accounts (`createdBy: detection`) that are `supported` if Atomic can connect them; an unknown ' +
        'merchant charging at least twice gives an unsupported one. Accounts already present are returned as they are.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { params: IdentifierParams, body: jsonBody(DetectAccountsBodySchema) },
      responses: { 200: jsonResponse(PayLinkAccountListSchema, 'The detected accounts'), ...errors() },
    }),
    (c) => {
      const { identifier } = c.req.valid('param');
      const { financialTransactions } = c.req.valid('json');
      return c.json({ accounts: store.detectAccounts(identifier, financialTransactions) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/pay-link/accounts',
      tags: ['PayLink Accounts'],
      summary: "List the token user's PayLink accounts (client)",
      description:
        'Client call with x-public-token; `x-api-version: v2` is accepted and ignored. No `data` wrapper.',
      security: CLIENT_SECURITY,
      middleware: auth.client,
      request: {
        headers: z.object({
          'x-api-version': z
            .string()
            .optional()
            .openapi({ example: 'v2', description: 'Accepted and ignored' }),
        }),
      },
      responses: { 200: jsonResponse(PayLinkAccountListSchema, 'The accounts') },
    }),
    (c) => {
      const authInfo = c.get('auth');
      if (authInfo.kind !== 'public')
        throw new AtomicHttpError('publicTokenRequired', 'x-public-token required');
      return c.json({ accounts: store.listPayLinkAccounts(authInfo.user.identifier) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/pay-link/accounts/{id}',
      tags: ['Order Monitoring'],
      summary: 'Get one account with its orders',
      description:
        'The account with `connectionStatus` (initial | connected | disconnected), `lastSyncedAt` and, for Order ' +
        'Monitoring accounts, `orders[]` newest first. Server credentials read any account; a public token only its ' +
        "user's (others are 404).",
      security: EITHER_SECURITY,
      middleware: auth.either,
      request: { params: z.object({ id: ObjectIdSchema.openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: jsonResponse(PayLinkAccountResponseSchema, 'The account'), ...errors(404) },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const authInfo = c.get('auth');
      if (authInfo.kind === 'public' && store.accountOwner(id)?._id !== authInfo.user._id)
        throw new AtomicHttpError('resourceNotFound', `Account "${id}" not found`);
      // Built only when the store changed since these bytes were (its revision says so), and then
      // serialised right here, so the view may share the store's objects (no copy of the orders).
      return versionedJson(
        c,
        accountBodies,
        c.req.url,
        store.revision,
        () => ({ data: store.getPayLinkAccount(id, { share: true }) }),
        200,
      );
    },
  );
}
