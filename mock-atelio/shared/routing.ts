import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AtelioStore } from '../store/store';

/**
 * Every resource module registers its routes on a sub-app through one of these. The same routes
 * are registered twice, under `/api/v0.1` and the legacy `/api/v0`; `hide` keeps the legacy copy
 * out of the OpenAPI document so each operation is described once.
 */
export interface RouteContext {
  api: OpenAPIHono;
  store: AtelioStore;
  hide: boolean;
}
