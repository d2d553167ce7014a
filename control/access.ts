import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { controlError } from './errors';

/**
 * Who may use the control plane. With no tokens configured (loopback, nothing given) everyone is
 * admin, as on a laptop. Otherwise every request to the control API, the live stream and the
 * dashboard needs a token:
 *
 * - `Authorization: Bearer <token>` (scripts, the CLI);
 * - or, for a browser, `?token=<token>` once on a page: the answer sets an HttpOnly, SameSite=Strict
 *   cookie holding a value derived from the token (never the token itself) and redirects to the same
 *   page without the token, so it stays out of the history, the address bar and any Referer.
 *
 * The admin token may do everything; the viewer token may read (the dashboard, runs, deliveries)
 * but not change anything, and never reads the state export (it holds the signing secrets).
 * `GET /__sandbox/health` is answered before the app and needs nothing.
 */

export type Role = 'admin' | 'viewer';

export interface AccessTokens {
  admin?: string | undefined;
  viewer?: string | undefined;
}

const READ_METHODS = new Set(['GET', 'HEAD']);
/** Reads that only the admin may make: the state export carries every secret. */
const ADMIN_ONLY_READS = ['/api/state'];

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time equality of two strings of any lengths (both are hashed to 32 bytes first). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The cookie's value for a token: useless anywhere but as this cookie. */
const sessionValue = (token: string) =>
  createHmac('sha256', token).update('stitch-sandbox dashboard session').digest('base64url');

/** One cookie per control-plane port: two platforms on one machine do not overwrite each other's. */
const cookieName = (c: Context) => `stitch_session_${new URL(c.req.url).port || '80'}`;

function bearerOf(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** The role a credential grants; every configured token is compared, so timing says nothing. */
function roleFor(
  given: string | undefined,
  tokens: AccessTokens,
  derive: (t: string) => string,
): Role | undefined {
  if (given === undefined) return undefined;
  const admin = tokens.admin !== undefined && sameSecret(given, derive(tokens.admin));
  const viewer = tokens.viewer !== undefined && sameSecret(given, derive(tokens.viewer));
  return admin ? 'admin' : viewer ? 'viewer' : undefined;
}

const identity = (t: string) => t;

/** Whether a role may make this request. */
export function permits(role: Role, method: string, path: string): boolean {
  if (role === 'admin') return true;
  return READ_METHODS.has(method) && !ADMIN_ONLY_READS.includes(path.replace(/\/+$/, ''));
}

/** The role of the request, set by `controlAccess` (admin when no tokens are configured). */
export const roleOf = (c: Context): Role => (c.get('role' as never) as Role | undefined) ?? 'admin';

export function controlAccess(tokens: AccessTokens): MiddlewareHandler {
  const enforced = tokens.admin !== undefined || tokens.viewer !== undefined;
  return async (c, next) => {
    if (!enforced) return next();
    const { method, path } = c.req;

    // A page opened with ?token=: trade it for the cookie and drop it from the URL.
    const queryToken = c.req.query('token');
    if (queryToken !== undefined && READ_METHODS.has(method) && !path.startsWith('/api/')) {
      const role = roleFor(queryToken, tokens, identity);
      if (role === undefined) return refuse(c, 'The token in the URL is not valid.');
      setCookie(c, cookieName(c), sessionValue(role === 'admin' ? tokens.admin! : tokens.viewer!), {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      });
      const clean = new URL(c.req.url);
      clean.searchParams.delete('token');
      c.header('referrer-policy', 'no-referrer');
      return c.redirect(`${clean.pathname}${clean.search}`, 303);
    }

    const bearer = bearerOf(c);
    const role =
      bearer !== undefined
        ? roleFor(bearer, tokens, identity)
        : roleFor(getCookie(c, cookieName(c)), tokens, sessionValue);
    if (role === undefined)
      return refuse(
        c,
        bearer !== undefined
          ? 'The bearer token is not valid.'
          : 'This control plane needs a token: send Authorization: Bearer <token>, or open the dashboard ' +
              'with the URL printed at start (…/?token=<token>).',
      );
    if (!permits(role, method, path))
      return controlError(
        c,
        403,
        'forbidden',
        `The viewer token may only read; ${method} ${path} needs the control (admin) token.`,
      );
    c.set('role' as never, role as never);
    return next();
  };
}

function refuse(c: Context, message: string) {
  c.header('www-authenticate', 'Bearer realm="stitch-sandbox control plane"');
  return controlError(c, 401, 'unauthorized', message);
}
