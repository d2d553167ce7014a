import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlatformClock } from '../../core/clock';
import { FaultInjector } from '../../core/faults';
import { RequestJournal } from '../../core/journal';
import { createDeliveryEngine } from '../../core/webhooks';
import { transactSdkSource } from '../../transact';
import { createControlApp } from '../app';
import { CONTENT_SECURITY_POLICY, dashboardSite, loadAssets } from './site';

/** The control app as the platform builds it, with the dashboard as its site. */
function control() {
  const clock = new PlatformClock();
  return createControlApp({
    clock,
    journal: new RequestJournal(10),
    faults: new FaultInjector(),
    engine: createDeliveryEngine({ clock }),
    state: { exportState: () => ({}), importState: async () => undefined, reset: async () => undefined },
    site: dashboardSite(),
  });
}

const assets = loadAssets();
const text = (path: string) => new TextDecoder().decode(assets.get(path)!.body);

/** What index.html loads: every src= and href= on the page. */
const pageReferences = () => [...text('/index.html').matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);

/** Every module a module imports, resolved to a URL path. */
function moduleImports(path: string): string[] {
  return [...text(path).matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)].map(
    (m) => new URL(m[1]!, `http://page${path}`).pathname,
  );
}

describe('dashboard site', () => {
  it('serves the page at / with a policy that forbids inline code and every other origin', async () => {
    const response = await control().request('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    expect(html).toContain('<title>stitch-sandbox · live dashboard</title>');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle="/); // no inline style
  });

  it('serves everything the page loads, and every module those import, with its content type', async () => {
    const app = control();
    const seen = new Set<string>();
    const queue = pageReferences().filter((ref) => ref.startsWith('/assets/'));
    expect(queue).toEqual(
      expect.arrayContaining(['/assets/styles.css', '/assets/js/main.js', '/assets/favicon.svg']),
    );
    while (queue.length) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      seen.add(path);
      const response = await app.request(path);
      expect(response.status, path).toBe(200);
      const type = response.headers.get('content-type');
      if (path === '/assets/vendor/transact.js') {
        // Atomic's SDK, a classic script served as npm ships it (it imports nothing).
        expect(await response.text()).toBe(transactSdkSource());
      } else if (path.endsWith('.js')) {
        expect(type).toBe('text/javascript; charset=utf-8');
        queue.push(...moduleImports(path));
      } else if (path.endsWith('.css')) {
        expect(type).toBe('text/css; charset=utf-8');
      }
    }
    // The panels, the live feed client and the helpers are all reached from main.js.
    expect([...seen]).toEqual(
      expect.arrayContaining([
        '/assets/js/live.js',
        '/assets/js/panels/deliveries.js',
        '/assets/js/panels/stitching.js',
      ]),
    );
  });

  it('makes no request to another origin: no URL in the page, styles or scripts points elsewhere', () => {
    const offPage = pageReferences().filter((ref) => !ref.startsWith('#'));
    expect(offPage.filter((ref) => !ref.startsWith('/') || ref.startsWith('//'))).toEqual([]);
    for (const [path] of assets) {
      if (path.endsWith('.svg')) continue; // the SVG namespace URI is an identifier, never fetched
      expect(text(path), path).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
      expect(text(path), path).not.toMatch(/@import|url\(\s*['"]?(?:https?:)?\/\//i);
    }
  });

  it('answers 304 to a request that already holds the current version', async () => {
    const app = control();
    const first = await app.request('/assets/js/main.js');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await app.request('/assets/js/main.js', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await app.request('/assets/js/main.js', { headers: { 'if-none-match': '"older"' } });
    expect(changed.status).toBe(200);
  });

  it("answers the control plane's 404 for files it does not have, including attempts to climb out", async () => {
    const app = control();
    for (const path of [
      '/assets/nope.js',
      '/assets/../index.html',
      '/assets/%2e%2e/site.ts',
      '/assets/js',
      '/site.ts',
    ]) {
      const response = await app.request(path);
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: { code: 'not_found' } });
    }
  });

  it('serves only the kinds of file it knows, from the folder it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(dir, 'notes.txt'), 'not served');
    const site = dashboardSite({ dir });
    expect((await site.request('/')).status).toBe(200);
    expect((await site.request('/assets/../notes.txt')).status).toBe(404);
    expect([...loadAssets(dir).keys()]).toEqual(['/index.html']);
    expect(() => dashboardSite({ dir: join(dir, 'missing') })).toThrow();
  });
});
