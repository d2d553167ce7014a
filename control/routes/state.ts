import { Hono } from 'hono';
import { z } from 'zod';
import { RESET_KEEPABLE, type ResetOptions } from '../../scenarios';
import { ControlError } from '../errors';
import { jsonBody } from '../validation';

const ResetSchema = z.object({ keep: z.array(z.enum(RESET_KEEPABLE)).optional() }).strict();

export interface StateControl {
  exportState(): unknown;
  importState(state: unknown): Promise<void>;
  reset(options?: ResetOptions): Promise<void>;
}

/** `POST /api/reset`, `GET /api/state`, `PUT /api/state`. */
export function stateRoutes(state: StateControl) {
  return new Hono()
    .post('/reset', async (c) => {
      const { keep } = await jsonBody(c, ResetSchema, { optional: true });
      await state.reset(keep === undefined ? {} : { keep });
      return c.json({ status: 'reset', kept: keep ?? ['webhooks'] });
    })
    .get('/state', (c) => c.json(state.exportState() as object))
    .put('/state', async (c) => {
      const document = await jsonBody(c, z.record(z.string(), z.unknown()));
      try {
        await state.importState(document);
      } catch (error) {
        throw new ControlError(400, 'invalid_state', (error as Error).message);
      }
      return c.json({ status: 'imported' });
    });
}
