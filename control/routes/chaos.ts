import { Hono } from 'hono';
import { ChaosRuleInputSchema, type ChaosRules } from '../../core/webhooks';
import { ControlError } from '../errors';
import { jsonInput } from '../validation';

/**
 * `GET/POST/DELETE /api/chaos`: make outgoing webhook deliveries misbehave on purpose (duplicate,
 * reorder, delay, lost-ack, drop), beside `/api/faults`, which does the same for the mocks' APIs.
 */
export function chaosRoutes(chaos: ChaosRules) {
  return new Hono()
    .get('/', (c) => c.json({ rules: chaos.list() }))
    .post('/', jsonInput(ChaosRuleInputSchema), (c) => c.json(chaos.add(c.req.valid('json'), 'api'), 201))
    .delete('/', (c) => {
      chaos.clear();
      return c.json({ rules: chaos.list() });
    })
    .delete('/:id', (c) => {
      if (!chaos.remove(c.req.param('id')))
        throw new ControlError(404, 'chaos_rule_not_found', `No chaos rule ${c.req.param('id')}.`);
      return c.json({ rules: chaos.list() });
    });
}
