import { Hono } from 'hono';
import { z } from 'zod';
import { FAULT_VENDORS, FaultRuleInputSchema, type FaultInjector } from '../../core/faults';
import { ControlError } from '../errors';
import { jsonInput, queryInput } from '../validation';

export const FaultClearQuerySchema = z.object({ vendor: z.enum(FAULT_VENDORS).optional() });

/** `GET/POST/DELETE /api/faults`: inject latency, status codes and dropped connections into the mocks. */
export function faultRoutes(faults: FaultInjector) {
  return new Hono()
    .get('/', (c) => c.json({ faults: faults.list() }))
    .post('/', jsonInput(FaultRuleInputSchema), (c) => c.json(faults.add(c.req.valid('json')), 201))
    .delete('/', queryInput(FaultClearQuerySchema), (c) => {
      const { vendor } = c.req.valid('query');
      faults.clear(vendor);
      return c.json({ faults: faults.list() });
    })
    .delete('/:id', (c) => {
      if (!faults.remove(c.req.param('id')))
        throw new ControlError(404, 'fault_not_found', `No fault ${c.req.param('id')}.`);
      return c.json({ faults: faults.list() });
    });
}
