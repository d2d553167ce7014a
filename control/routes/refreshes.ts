import { Hono } from 'hono';
import { z } from 'zod';
import { AtomicStoreError, ORDER_MONITORING_FAIL_REASONS, type AtomicStore } from '../../mock-atomic';
import { ControlError } from '../errors';
import { jsonInput } from '../validation';

export const FailNextSchema = z
  .object({ accountId: z.string().min(1).max(64), failReason: z.enum(ORDER_MONITORING_FAIL_REASONS) })
  .strict();

/**
 * `GET /api/refreshes`: the Atomic mock's refresh schedule and its next slot.
 * `POST /api/refreshes/fail-next {accountId, failReason}`: the account's next scheduled refresh
 * fails with that documented reason (refreshes never fail by chance unless a seeded rate is set).
 */
export function refreshRoutes(atomic: AtomicStore) {
  return new Hono()
    .get('/', (c) => c.json(atomic.refreshSchedule()))
    .post('/fail-next', jsonInput(FailNextSchema), (c) => {
      const { accountId, failReason } = c.req.valid('json');
      try {
        atomic.failNextRefresh(accountId, failReason);
      } catch (error) {
        if (!(error instanceof AtomicStoreError)) throw error;
        throw new ControlError(
          error.kind === 'not-found' ? 404 : 422,
          `refresh_${error.kind}`,
          error.message,
        );
      }
      return c.json({ accountId, failReason, at: atomic.refreshSchedule().nextAt ?? null }, 202);
    });
}
