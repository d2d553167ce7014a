import type { MiddlewareHandler } from 'hono';
import { controlError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses state-changing requests that a web page on another site could make from a victim's browser
 * (CSRF against a sandbox on localhost). Browsers always send `Origin` on cross-site POST/PUT/DELETE,
 * and `Sec-Fetch-Site` when they support it; scripts and curl send neither and are let through.
 */
export function sameOriginOnly(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return controlError(c, 403, 'cross_origin_refused', `Cross-site request refused (Sec-Fetch-Site: ${fetchSite}).`);
    }
    const origin = c.req.header('origin');
    if (origin && origin !== 'null') {
      const own = new URL(c.req.url);
      let theirs: URL;
      try {
        theirs = new URL(origin);
      } catch {
        return controlError(c, 403, 'cross_origin_refused', 'Cross-origin request refused (bad Origin header).');
      }
      if (theirs.host !== own.host) {
        return controlError(c, 403, 'cross_origin_refused', `Cross-origin request from ${origin} refused.`);
      }
    } else if (origin === 'null') {
      return controlError(c, 403, 'cross_origin_refused', 'Request from an opaque origin refused.');
    }
    return next();
  };
}
