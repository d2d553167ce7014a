import { hash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { respond } from './http';

export interface AtelioCredentials {
  identity: string;
  authorization: string;
}

// One-shot hash: about half the cost of createHash().update().digest(), paid on every request.
const digest = (value: string) => hash('sha256', value, 'buffer');

/**
 * Compares in constant time. Hashing first gives equal-length buffers, so neither the content nor
 * the length of the expected credential leaks through timing.
 */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Atelio authenticates every request with two raw headers, `Identity` and `Authorization` (no
 * "Bearer"). Missing or wrong → 403 `auth_err`, as the vendor answers.
 */
export function atelioAuth(credentials: AtelioCredentials): MiddlewareHandler {
  /**
   * Both headers are hashed as one value (the length prefix keeps the pair unambiguous): one hash
   * per request, and neither which header was wrong nor how long the expected ones are shows in the
   * time taken. The expected pair never changes: it is hashed once.
   */
  const pairDigest = (identity: string, authorization: string) =>
    digest(`${identity.length}:${identity}${authorization}`);
  const expected = pairDigest(credentials.identity, credentials.authorization);
  return async (c, next) => {
    const identity = c.req.header('identity');
    const authorization = c.req.header('authorization');
    if (identity === undefined || authorization === undefined) {
      const missing = [identity === undefined && 'Identity', authorization === undefined && 'Authorization']
        .filter(Boolean)
        .join(' and ');
      return respond(
        403,
        'auth_err',
        `Unauthorized: the ${missing} header${missing.includes(' and ') ? 's are' : ' is'} missing.`,
      );
    }
    const ok = timingSafeEqual(pairDigest(identity, authorization), expected);
    if (!ok) {
      return respond(
        403,
        'auth_err',
        'Unauthorized: the Identity and Authorization headers do not match a valid API key.',
      );
    }
    await next();
  };
}
