import { Hono } from 'hono';
import { z } from 'zod';
import { ControlError } from '../errors';
import { jsonBody } from '../validation';

export interface StateControl {
  exportState(): unknown;
  importState(state: unknown): Promise<void>;
  reset(): Promise<void>;
}

/** `POST /api/reset`, `GET /api/state`, `PUT /api/state`. */
export function stateRoutes(state: StateControl) {
  return new Hono()
    .post('/reset', async (c) => {
      await state.reset();
      return c.json({ status: 'reset' });
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
