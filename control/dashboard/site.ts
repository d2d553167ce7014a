import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { transactSdkSource } from '../../transact';

/**
 * The dashboard's site: `/` and the static files under `/assets/`. The page is plain HTML, CSS and
 * ES modules served as they are on disk — nothing to build. Files are read once, when the site is
 * created, so a request never touches the disk and only files that exist at start-up are served.
 */

/**
 * The page's files, beside this module. The build keeps each bundled module's own source location
 * in `import.meta.url` (scripts/build.mjs), so this holds from dist/ too.
 */
export const PUBLIC_DIR = fileURLToPath(new URL('./public', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Everything the page loads comes from this origin, and nothing may be injected into it: no inline
 * script or style, no other origin to talk to, no framing (the page holds a Reset button).
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * The policy, letting the page frame the Transact stand-in's origin (the "Launch Transact" panel
 * runs Atomic's SDK, which opens Transact in an iframe) and nothing else.
 */
export function contentSecurityPolicy(transactOrigin?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    ...(transactOrigin ? [`frame-src ${transactOrigin}`] : []),
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every servable file under `dir`, by URL path (`/index.html`, `/assets/js/main.js`). */
export function loadAssets(dir: string = PUBLIC_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of listFiles(dir)) {
    const type = CONTENT_TYPES[extname(file)];
    if (!type) continue;
    const body = readFileSync(file);
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    assets.set(urlPath, {
      body,
      type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return assets;
}

const securityHeaders = (transactOrigin?: string) => ({
  'content-security-policy': contentSecurityPolicy(transactOrigin),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});

type SecurityHeaders = ReturnType<typeof securityHeaders>;

function serve(asset: Asset, ifNoneMatch: string | undefined, security: SecurityHeaders): Response {
  // Revalidate every time: a restarted sandbox may serve a newer page, and the check is one 304.
  const headers = { ...security, etag: asset.etag, 'cache-control': 'no-cache' };
  if (ifNoneMatch !== undefined && ifNoneMatch.split(/\s*,\s*/).includes(asset.etag))
    return new Response(null, { status: 304, headers });
  return new Response(asset.body, { status: 200, headers: { ...headers, 'content-type': asset.type } });
}

/**
 * `GET /` (the page) and `GET /assets/...` (its files, and Atomic's SDK at /assets/vendor/transact.js
 * for the "Launch Transact" panel). Anything else falls through to the app's 404. `transactOrigin`
 * is the Transact stand-in the page may frame.
 */
export function dashboardSite(options: { dir?: string; transactOrigin?: string } = {}): Hono {
  const assets = loadAssets(options.dir);
  const security = securityHeaders(options.transactOrigin);
  const sdk = new TextEncoder().encode(transactSdkSource());
  assets.set('/assets/vendor/transact.js', {
    body: sdk,
    type: CONTENT_TYPES['.js']!,
    etag: `"${createHash('sha256').update(sdk).digest('base64url').slice(0, 22)}"`,
  });
  const index = assets.get('/index.html');
  if (!index) throw new Error(`dashboard: no index.html in ${options.dir ?? PUBLIC_DIR}`);
  const site = new Hono();
  site.get('/', (c) => serve(index, c.req.header('if-none-match'), security));
  site.get('/assets/*', (c) => {
    const asset = assets.get(new URL(c.req.url).pathname);
    if (!asset) return c.notFound();
    return serve(asset, c.req.header('if-none-match'), security);
  });
  return site;
}
