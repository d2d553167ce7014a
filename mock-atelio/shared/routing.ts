import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AtelioStore } from '../store/store';

/**
 * Every resource module registers its routes on a sub-app through one of these. The same routes
 * are registered twice, under `/api/v0.1` and the legacy `/api/v0`, and both copies are documented.
 */
export interface RouteContext {
  api: OpenAPIHono;
  store: AtelioStore;
}
