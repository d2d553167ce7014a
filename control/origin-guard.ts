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

/** True for a loopback IP literal: 127.0.0.0/8 or ::1 (brackets allowed). */
const isLoopbackIp = (hostname: string): boolean => {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::1' || bare === '0:0:0:0:0:0:0:1';
};

/** Names that reach this machine without DNS: loopback IPs, `localhost` and `*.localhost` (RFC 6761). */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return isLoopbackIp(name) || name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Defends a server bound to loopback against DNS rebinding: a page on evil.example can point its own
 * name at 127.0.0.1, and the browser then treats the sandbox as that page's origin (Origin and
 * Host both say evil.example, so the Origin check above passes, and reads need no Origin at all).
 * A loopback-bound server is only ever reached by a loopback name or address, so any other Host is
 * refused — reads included, since the state export holds webhook secrets. Servers bound to another
 * interface (`--host 0.0.0.0`) are meant to be reached by other names and are not restricted.
 */
export function loopbackHostOnly(bindHost: string): MiddlewareHandler {
  const restricted = isLoopbackHostname(bindHost);
  return async (c, next) => {
    if (!restricted) return next();
    const host = c.req.header('host');
    // No Host header at all is not a browser (HTTP/1.1 browsers always send it).
    if (host === undefined) return next();
    let hostname: string;
    try {
      hostname = new URL(`http://${host}`).hostname;
    } catch {
      return controlError(c, 403, 'host_not_allowed', 'The Host header is not a valid host.');
    }
    if (!isLoopbackHostname(hostname)) {
      return controlError(
        c,
        403,
        'host_not_allowed',
        `Host ${hostname} refused: this server listens on ${bindHost} and answers only to loopback names ` +
          '(127.0.0.1, localhost). Start it with --host 0.0.0.0 to reach it by other names.',
      );
    }
    return next();
  };
}
