import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from '@hono/zod-openapi';
import type { Clock } from '../../core/clock';
import type { AtomicStore } from '../store/store';
import type { Auth, AtomicEnv } from './auth';
import { errorContent } from './errors';

/** What every resource's route module gets. */
export type AtomicApp = OpenAPIHono<AtomicEnv>;

export interface RouteDeps {
  store: AtomicStore;
  auth: Auth;
  clock: Clock;
}

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  ...(description ? { description } : {}),
  content: { 'application/json': { schema } },
});

export { jsonContent as jsonResponse } from '../../core/api-docs';

/** The error responses a route documents beyond 401/422/429: pass the statuses it can answer. */
export const errors = (...statuses: (400 | 404 | 403)[]) => {
  const out: Record<number, ReturnType<typeof errorContent>> = {
    401: errorContent('Missing or invalid credentials'),
    422: errorContent('A validation error occurred (field-level `errors`)'),
    429: errorContent('Too many requests (injected fault)'),
  };
  for (const status of statuses)
    out[status] = errorContent(
      status === 404
        ? 'The resource does not exist'
        : status === 403
          ? 'Forbidden'
          : 'The request was unacceptable',
    );
  return out;
};
