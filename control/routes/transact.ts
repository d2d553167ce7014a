import { Hono } from 'hono';
import { z } from 'zod';
import { AMAZON_COMPANY_ID, type AtomicStore } from '../../mock-atomic';
import { HUB_APPS, type TransactSessions } from '../../transact';
import { ControlError } from '../errors';
import { jsonInput } from '../validation';

export const LaunchSchema = z
  .object({
    identifier: z.string().min(1).max(256),
    flow: z.enum(['order-monitoring', 'payments-hub']).default('order-monitoring'),
    apps: z.array(z.enum(HUB_APPS)).min(1).max(HUB_APPS.length).optional(),
  })
  .strict();

/**
 * `GET /api/transact/sessions[/{id}]`: every Transact launch (config received, steps, tasks),
 * newest first. `POST /api/transact/launch`: a public token for a user and the SDK options to
 * launch Transact with (the dashboard's "Launch Transact" panel uses it).
 */
export function transactRoutes(deps: {
  sessions: TransactSessions;
  atomic: AtomicStore;
  transactUrl: string;
}) {
  return new Hono()
    .get('/sessions', (c) => c.json({ sessions: deps.sessions.list() }))
    .get('/sessions/:id', (c) => {
      const session = deps.sessions.find(c.req.param('id'));
      if (!session) throw new ControlError(404, 'not_found', `No Transact session ${c.req.param('id')}.`);
      return c.json(session);
    })
    .post('/launch', jsonInput(LaunchSchema), (c) => {
      const input = c.req.valid('json');
      const token = deps.atomic.createAccessToken({ identifier: input.identifier });
      const config =
        input.flow === 'payments-hub'
          ? { scope: 'pay-link', tasks: [{ operation: 'manage', apps: input.apps ?? [...HUB_APPS] }] }
          : { product: 'present', deeplink: { step: 'login-company', companyId: AMAZON_COMPANY_ID } };
      return c.json(
        {
          environmentOverride: deps.transactUrl,
          config: {
            publicToken: token.publicToken,
            ...config,
            customer: { name: 'stitch-sandbox demo bank' },
          },
        },
        201,
      );
    });
}
