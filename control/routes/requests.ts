import { Hono } from 'hono';
import { z } from 'zod';
import type { RequestJournal } from '../../core/journal';
import { queryInput } from '../validation';

export const RequestQuerySchema = z.object({
  vendor: z.enum(['atomic', 'atelio']).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** `GET /api/requests`: the bounded journal of requests the mocks received, newest first. */
export function requestRoutes(journal: RequestJournal) {
  return new Hono().get('/', queryInput(RequestQuerySchema), (c) => {
    const query = c.req.valid('query');
    const options = { ...(query.vendor ? { vendor: query.vendor } : {}), limit: query.limit ?? 100 };
    return c.json({
      recorded: journal.recorded,
      capacity: journal.capacity,
      requests: journal.list(options),
    });
  });
}
