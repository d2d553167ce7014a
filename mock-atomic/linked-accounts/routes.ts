import { createRoute, z } from '@hono/zod-openapi';
import { SERVER_SECURITY } from '../shared/auth';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { IdentifierSchema } from '../shared/schemas';
import {
  FromLinkedAccountBodySchema,
  FromLinkedAccountResponseSchema,
  LinkedAccountListSchema,
} from './schema';

export function registerLinkedAccountRoutes(app: AtomicApp, { store, auth }: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/linked-account/list/{identifier}',
      tags: ['Linked Accounts'],
      summary: "List a user's linked accounts",
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: z.object({
          identifier: IdentifierSchema.openapi({ param: { name: 'identifier', in: 'path' } }),
        }),
      },
      responses: { 200: jsonResponse(LinkedAccountListSchema, 'The linked accounts'), ...errors(404) },
    }),
    (c) => c.json({ data: store.listLinkedAccounts(c.req.valid('param').identifier) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/task-workflow/from-linked-account',
      tags: ['Linked Accounts'],
      summary: 'Start a task workflow with a linked account',
      description:
        'Queues the first task and runs the workflow in the background on the sandbox clock (processing after 1 s, ' +
        'completed after 6 s), honouring onComplete / onFail. A linked account whose credentials are no longer valid ' +
        'is refused with 400: the user must re-authenticate in Transact.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { body: jsonBody(FromLinkedAccountBodySchema) },
      responses: {
        200: jsonResponse(FromLinkedAccountResponseSchema, 'The workflow and its first task'),
        ...errors(400, 404),
      },
    }),
    (c) => {
      const { linkedAccount, tasks } = c.req.valid('json');
      return c.json({ data: store.startTaskWorkflow({ linkedAccountId: linkedAccount, tasks }) }, 200);
    },
  );
}
