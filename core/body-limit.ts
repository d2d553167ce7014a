import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

type BodyLimitOptions = Parameters<typeof bodyLimit>[0];

/**
 * Hono's `bodyLimit`, skipped for GET and HEAD. Those requests carry no body (the fetch `Request`
 * the server builds never has one), so the check has nothing to do — but asking for `req.raw.body`
 * makes @hono/node-server build a full `Request` with an `AbortController`, about a tenth of the
 * time a small GET takes. Every other method is limited exactly as before.
 */
export function requestBodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const limit = bodyLimit(options);
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}
