import { Hono } from 'hono';
import { z } from 'zod';
import { RESET_KEEPABLE, type ResetOptions } from '../../scenarios';
import { ControlError } from '../errors';
import { jsonInput } from '../validation';

export const ResetSchema = z.object({ keep: z.array(z.enum(RESET_KEEPABLE)).optional() }).strict();

export interface StateControl {
  exportState(): unknown;
  importState(state: unknown): Promise<void>;
  reset(options?: ResetOptions): Promise<void>;
}

/** An exported state document: its shape is checked by the platform's import, not here. */
export const StateDocumentSchema = z.record(z.string(), z.unknown());

/** `POST /api/reset`, `GET /api/state`, `PUT /api/state`. */
export function stateRoutes(state: StateControl) {
  return new Hono()
    .post('/reset', jsonInput(ResetSchema, { optional: true }), async (c) => {
      const { keep } = c.req.valid('json');
      await state.reset(keep === undefined ? {} : { keep });
      return c.json({ status: 'reset', kept: keep ?? ['webhooks'] });
    })
    .get('/state', (c) => c.json(state.exportState() as object))
    .put('/state', jsonInput(StateDocumentSchema), async (c) => {
      const document = c.req.valid('json');
      try {
        await state.importState(document);
      } catch (error) {
        throw new ControlError(400, 'invalid_state', (error as Error).message);
      }
      return c.json({ status: 'imported' });
    });
}
