import type { MiddlewareHandler } from 'hono';
import { bindHostNames, isLoopbackHostname, normaliseHostname } from '../core/hosts';
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

export { isLoopbackHostname } from '../core/hosts';

/** `*` in `--allowed-host`: any name (behind a proxy that rewrites Host; not recommended). */
const ANY_HOST = '*';

/**
 * Defends the control plane against DNS rebinding, whatever the bind: a page on evil.example can
 * point its own name at this machine, and the browser then treats the sandbox as that page's
 * origin (Origin and Host both say evil.example, so the Origin check above passes, and reads need
 * no Origin at all). Only the names the server is meant to be reached by are answered: loopback
 * names, the bind address (every interface address and the machine name for 0.0.0.0), and the
 * operator's `--allowed-host` names. Reads are refused too, since the state export holds secrets.
 */
export function allowedHostsOnly(bindHost: string, allowedHosts: readonly string[] = []): MiddlewareHandler {
  const extra = allowedHosts.map(normaliseHostname);
  const anyHost = extra.includes(ANY_HOST);
  let names: Set<string> | undefined;
  // Interface addresses are read on the first request, not at import.
  const known = () => (names ??= new Set([...bindHostNames(bindHost), ...extra]));
  return async (c, next) => {
    if (anyHost) return next();
    const host = c.req.header('host');
    // No Host header at all is not a browser (HTTP/1.1 browsers always send it).
    if (host === undefined) return next();
    let hostname: string;
    try {
      hostname = normaliseHostname(new URL(`http://${host}`).hostname);
    } catch {
      return controlError(c, 403, 'host_not_allowed', 'The Host header is not a valid host.');
    }
    if (!isLoopbackHostname(hostname) && !known().has(hostname)) {
      return controlError(
        c,
        403,
        'host_not_allowed',
        `Host ${hostname} refused: this server listens on ${bindHost} and answers to loopback names, ` +
          'its own addresses and the names given with --allowed-host.',
      );
    }
    return next();
  };
}
