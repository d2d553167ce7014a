import { Hono } from 'hono';
import { z } from 'zod';
import { DeliveryNotFoundError, type DeliveryEngine } from '../../core/webhooks';
import { ControlError } from '../errors';
import { jsonBody, queryOf } from '../validation';

const QuerySchema = z.object({
  vendor: z.enum(['atomic', 'atelio']).optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

const RedeliverSchema = z.object({ targetId: z.string().min(1).optional() }).strict();

/** `GET /api/deliveries`, `GET /api/deliveries/{id}`, `POST /api/deliveries/{id}/redeliver`. */
export function deliveryRoutes(engine: DeliveryEngine) {
  const find = (id: string) => {
    const event = engine.log.get(id);
    if (!event) throw new ControlError(404, 'delivery_not_found', `No webhook event ${id} in the delivery log.`);
    return event;
  };
  return new Hono()
    .get('/', (c) => {
      const query = queryOf(c, QuerySchema);
      const deliveries = engine.log.list({
        ...(query.vendor ? { vendor: query.vendor } : {}),
        ...(query.status ? { status: query.status } : {}),
        limit: query.limit ?? 100,
      });
      return c.json({ size: engine.log.size, capacity: engine.log.capacity, deliveries });
    })
    .get('/:id', (c) => c.json(find(c.req.param('id'))))
    .post('/:id/redeliver', async (c) => {
      const id = c.req.param('id');
      find(id);
      const { targetId } = await jsonBody(c, RedeliverSchema, { optional: true });
      try {
        return c.json(engine.redeliver(id, targetId ? { targetId } : {}), 202);
      } catch (error) {
        if (error instanceof DeliveryNotFoundError) throw new ControlError(404, 'delivery_not_found', error.message);
        throw new ControlError(400, 'invalid_request', (error as Error).message);
      }
    });
}
