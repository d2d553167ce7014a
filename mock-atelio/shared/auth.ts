import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { credentialPairDigest } from '../../core/credentials';
import { respond } from './http';

export interface AtelioCredentials {
  identity: string;
  authorization: string;
}

/**
 * Atelio authenticates every request with two raw headers, `Identity` and `Authorization` (no
 * "Bearer"). Missing or wrong → 403 `auth_err`, as the vendor answers.
 */
export function atelioAuth(credentials: AtelioCredentials): MiddlewareHandler {
  // Both headers hashed as one value: neither which header was wrong nor how long the expected ones
  // are shows in the time taken. The expected pair never changes: it is hashed once.
  const expected = credentialPairDigest(credentials.identity, credentials.authorization);
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
    const ok = timingSafeEqual(credentialPairDigest(identity, authorization), expected);
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
