import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { credentialPairDigest } from '../../core/credentials';
import type { AtomicStore } from '../store/store';
import type { UserRecord } from '../store/state';
import { AtomicHttpError } from './errors';

/**
 * Atomic's two ways in (vendor-docs 001/002): server calls carry `x-api-key` + `x-api-secret`;
 * client calls carry the `x-public-token` an access token created. Each route says which it takes.
 * A public token on a key-and-secret route is 401, as is a revoked or expired token.
 */

export type AuthInfo = { kind: 'server' } | { kind: 'public'; user: UserRecord; publicToken: string };

export interface AtomicEnv {
  Variables: { auth: AuthInfo };
}

export interface AtomicCredentials {
  apiKey: string;
  apiSecret: string;
}

/** Names of the OpenAPI security schemes the routes refer to. */
export const SECURITY_SCHEMES = {
  ApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key (server calls)' },
  ApiSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-secret',
    description: 'API secret: the configured one or the token of any secret created with POST /secrets',
  },
  PublicToken: {
    type: 'apiKey',
    in: 'header',
    name: 'x-public-token',
    description: 'publicToken from POST /access-token (client calls)',
  },
} as const;

export const SERVER_SECURITY = [{ ApiKey: [], ApiSecret: [] }];
export const CLIENT_SECURITY = [{ PublicToken: [] }];
export const EITHER_SECURITY = [...SERVER_SECURITY, ...CLIENT_SECURITY];

export interface Auth {
  /** `x-api-key` + `x-api-secret` only. */
  server: MiddlewareHandler<AtomicEnv>;
  /** `x-public-token` only. */
  client: MiddlewareHandler<AtomicEnv>;
  /** Either; key and secret win when both are sent. */
  either: MiddlewareHandler<AtomicEnv>;
}

const TOKEN_PROBLEMS = {
  unknown: 'Invalid public token',
  revoked: 'Public token has been revoked',
  expired: 'Public token has expired',
} as const;

export function createAuth(store: AtomicStore, credentials: AtomicCredentials): Auth {
  // Key and secret are hashed as one value and compared with each accepted pair: a wrong key takes
  // exactly as long as a wrong secret.
  // The expected pairs change only when a secret is created or deleted: hash each once.
  const configuredPair = credentialPairDigest(credentials.apiKey, credentials.apiSecret);
  const tokenPairs = new Map<string, Buffer>();
  const expectedPair = (token: string) => {
    let pair = tokenPairs.get(token);
    if (!pair) {
      if (tokenPairs.size >= 1000) tokenPairs.clear();
      pair = credentialPairDigest(credentials.apiKey, token);
      tokenPairs.set(token, pair);
    }
    return pair;
  };
  const checkServer = (key: string | undefined, secret: string | undefined): AuthInfo => {
    if (!key || !secret)
      throw new AtomicHttpError(
        'missingCredentials',
        `Missing credentials: send both x-api-key and x-api-secret (missing ${!key ? 'x-api-key' : 'x-api-secret'})`,
      );
    const given = credentialPairDigest(key, secret);
    // Compare against every accepted pair without stopping early.
    let ok = timingSafeEqual(given, configuredPair);
    for (const token of store.apiSecretTokens()) ok = timingSafeEqual(given, expectedPair(token)) || ok;
    if (!ok) throw new AtomicHttpError('invalidCredentials', 'Invalid x-api-key or x-api-secret');
    return { kind: 'server' };
  };

  const checkToken = (token: string): AuthInfo => {
    const result = store.resolvePublicToken(token);
    if (!result.ok) throw new AtomicHttpError('invalidPublicToken', TOKEN_PROBLEMS[result.reason]);
    return { kind: 'public', user: result.user, publicToken: token };
  };

  const server: MiddlewareHandler<AtomicEnv> = async (c, next) => {
    const key = c.req.header('x-api-key');
    const secret = c.req.header('x-api-secret');
    if (!key && !secret && c.req.header('x-public-token'))
      throw new AtomicHttpError(
        'publicTokenNotAccepted',
        'This endpoint is for server calls: send x-api-key and x-api-secret (a public token is not accepted)',
      );
    c.set('auth', checkServer(key, secret));
    await next();
  };

  const client: MiddlewareHandler<AtomicEnv> = async (c, next) => {
    const token = c.req.header('x-public-token');
    if (!token)
      throw new AtomicHttpError(
        'publicTokenRequired',
        'This endpoint is for client calls: send the x-public-token header (publicToken from POST /access-token)',
      );
    c.set('auth', checkToken(token));
    await next();
  };

  const either: MiddlewareHandler<AtomicEnv> = async (c, next) => {
    const key = c.req.header('x-api-key');
    const secret = c.req.header('x-api-secret');
    const token = c.req.header('x-public-token');
    if (!key && !secret && !token)
      throw new AtomicHttpError(
        'missingCredentials',
        'Missing credentials: send x-api-key and x-api-secret, or x-public-token',
      );
    c.set('auth', key || secret ? checkServer(key, secret) : checkToken(token!));
    await next();
  };

  return { server, client, either };
}
