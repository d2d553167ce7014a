import { Hono } from 'hono';
import { z } from 'zod';
import type { PlatformClock } from '../../core/clock';
import { jsonInput } from '../validation';

const MAX_ADVANCE_MS = 400 * 24 * 3600 * 1000;
export const AdvanceSchema = z.object({ ms: z.number().int().min(0).max(MAX_ADVANCE_MS) }).strict();

const view = (clock: PlatformClock) => ({
  now: new Date(clock.now()).toISOString(),
  nowMs: clock.now(),
  offsetMs: clock.offsetMs,
});

/** `GET /api/clock`, `POST /api/clock/advance {ms}`: read the platform's time and push it ahead. */
export function clockRoutes(clock: PlatformClock) {
  return new Hono()
    .get('/', (c) => c.json(view(clock)))
    .post('/advance', jsonInput(AdvanceSchema), (c) => {
      const { ms } = c.req.valid('json');
      clock.advance(ms);
      return c.json(view(clock));
    });
}
