import { createRoute, z } from '@hono/zod-openapi';
import { SERVER_SECURITY } from '../shared/auth';
import { errors, jsonBody, jsonResponse, type AtomicApp, type RouteDeps } from '../shared/routing';
import { AccessTokenResponseSchema, CreateAccessTokenBodySchema, RevokeResponseSchema } from './schema';

export function registerAccessTokenRoutes(app: AtomicApp, { store, auth }: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/access-token',
      tags: ['Access Token'],
      summary: 'Create an access token',
      description:
        'Creates the user on first use of an identifier and returns a publicToken valid for tokenLifetime seconds ' +
        '(1800–2592000, default 86400). PayLink Switch card, account and identity data are validated and stored ' +
        '(card numbers and CVVs are not kept). Also served for the PCI host (sandbox-pci).',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: { body: jsonBody(CreateAccessTokenBodySchema) },
      responses: { 200: jsonResponse(AccessTokenResponseSchema, 'The new public token'), ...errors() },
    }),
    (c) => {
      const body = c.req.valid('json');
      const { publicToken } = store.createAccessToken(body);
      return c.json({ data: { publicToken } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/access-token/{publicToken}/revoke',
      tags: ['Access Token'],
      summary: 'Revoke an access token',
      description:
        'Invalidates the token: client calls with it get 401 from then on. Revoking twice is harmless.',
      security: SERVER_SECURITY,
      middleware: auth.server,
      request: {
        params: z.object({
          publicToken: z
            .string()
            .min(1)
            .max(200)
            .openapi({ param: { name: 'publicToken', in: 'path' } }),
        }),
      },
      responses: { 200: jsonResponse(RevokeResponseSchema, 'Revoked'), ...errors(404) },
    }),
    (c) => {
      store.revokeAccessToken(c.req.valid('param').publicToken);
      return c.json({ result: { success: true as const } }, 200);
    },
  );
}
