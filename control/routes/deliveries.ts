import { Hono } from 'hono';
import { z } from 'zod';
import {
  DELIVERY_STATUSES,
  DeliveryNotFoundError,
  TargetNotFoundError,
  type DeliveryEngine,
} from '../../core/webhooks';
import { ControlError } from '../errors';
import { jsonInput, queryInput } from '../validation';

const VendorSchema = z.enum(['atomic', 'atelio']);

export const DeliveryQuerySchema = z.object({
  vendor: VendorSchema.optional(),
  status: z.enum(DELIVERY_STATUSES as ['pending', 'delivered', 'failed', 'dropped']).optional(),
  targetId: z.string().min(1).max(200).optional(),
  /** Only events about this user (their subject: Atomic identifier, Atelio customer_id). */
  subject: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const RedeliverSchema = z.object({ targetId: z.string().min(1).optional() }).strict();

export const BulkRedeliverSchema = z
  .object({
    vendor: VendorSchema,
    targetId: z.string().min(1).max(200),
    /** Only events published at or after this time (ISO date-time or epoch ms). */
    since: z.union([z.iso.datetime({ offset: true }), z.number().int().min(0)]).optional(),
  })
  .strict();

/**
 * `GET /api/deliveries`, `GET /api/deliveries/{id}`, `POST /api/deliveries/{id}/redeliver`, and
 * `POST /api/deliveries/redeliver` (every failed or dropped event of one target, since a time).
 */
export function deliveryRoutes(engine: DeliveryEngine) {
  const find = (id: string) => {
    const event = engine.log.get(id);
    if (!event)
      throw new ControlError(404, 'delivery_not_found', `No webhook event ${id} in the delivery log.`);
    return event;
  };
  return new Hono()
    .get('/', queryInput(DeliveryQuerySchema), (c) => {
      const query = c.req.valid('query');
      const deliveries = engine.log.list({
        ...(query.vendor ? { vendor: query.vendor } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.targetId ? { targetId: query.targetId } : {}),
        ...(query.subject ? { subject: query.subject } : {}),
        limit: query.limit ?? 100,
      });
      return c.json({ size: engine.log.size, capacity: engine.log.capacity, deliveries });
    })
    .post('/redeliver', jsonInput(BulkRedeliverSchema), (c) => {
      const query = c.req.valid('json');
      const result = engine.redeliverFailed({
        vendor: query.vendor,
        targetId: query.targetId,
        ...(query.since === undefined ? {} : { since: query.since }),
      });
      return c.json({ ...result, count: result.redelivered.length }, 202);
    })
    .get('/:id', (c) => c.json(find(c.req.param('id'))))
    .post(
      '/:id/redeliver',
      // An unknown event is a 404 whatever the body says: look it up before reading the body.
      async (c, next) => {
        find(c.req.param('id'));
        await next();
      },
      jsonInput(RedeliverSchema, { optional: true }),
      (c) => {
        const id = c.req.param('id');
        const { targetId } = c.req.valid('json');
        try {
          return c.json(engine.redeliver(id, targetId ? { targetId } : {}), 202);
        } catch (error) {
          if (error instanceof DeliveryNotFoundError)
            throw new ControlError(404, 'delivery_not_found', error.message);
          throw new ControlError(400, 'invalid_request', (error as Error).message);
        }
      },
    );
}

/**
 * `GET /api/webhook-targets` (every target's breaker, backlog and drops) and
 * `POST /api/webhook-targets/{vendor}/{targetId}/resume` (close a paused target's breaker by hand).
 */
export function webhookTargetRoutes(engine: DeliveryEngine) {
  return new Hono()
    .get('/', (c) => c.json({ targets: engine.targets() }))
    .post('/:vendor/:targetId/resume', (c) => {
      const vendor = VendorSchema.safeParse(c.req.param('vendor'));
      if (!vendor.success)
        throw new ControlError(400, 'invalid_request', 'The vendor must be "atomic" or "atelio".');
      try {
        return c.json(engine.resumeTarget(vendor.data, c.req.param('targetId')));
      } catch (error) {
        if (error instanceof TargetNotFoundError)
          throw new ControlError(404, 'target_not_found', error.message);
        throw error;
      }
    });
}
