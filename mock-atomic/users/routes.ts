import { createRoute, z } from '@hono/zod-openapi';
import { SERVER_SECURITY } from '../shared/auth';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { IdentifierSchema, SuccessSchema } from '../shared/schemas';
import { UpdateUserBodySchema } from './schema';

export function registerUserRoutes(app: AtomicApp, { store, auth }: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/user',
      tags: ['Users'],
      summary: 'Update a user (onDataRequest)',
      description:
        'Upserts cards (by last four), accounts and identity into an existing user. Answers {success: true} [choice: ' +
        'the response body is not documented]. Also served for the PCI host.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { body: jsonBody(UpdateUserBodySchema) },
      responses: { 200: jsonResponse(SuccessSchema, 'Updated'), ...errors(404) },
    }),
    (c) => {
      const { identifier, data } = c.req.valid('json');
      store.updateUserData(identifier, data);
      return c.json({ success: true as const }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/user/{identifier}/end-monitoring',
      tags: ['Users'],
      summary: 'End monitoring for a user',
      description: "Stops continuous access: the user's accounts are no longer refreshed.",
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: z.object({
          identifier: IdentifierSchema.openapi({ param: { name: 'identifier', in: 'path' } }),
        }),
      },
      responses: { 200: jsonResponse(SuccessSchema, 'Monitoring ended'), ...errors(404) },
    }),
    (c) => {
      store.endMonitoring(c.req.valid('param').identifier);
      return c.json({ success: true as const }, 200);
    },
  );
}
