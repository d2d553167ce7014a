import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';
import { startServer, type RunningServer } from '../../core/server';

/**
 * A bank's page on its own origin (another port of 127.0.0.1), loading Atomic's browser SDK
 * straight from node_modules, exactly as npm ships it. `window.launchTransact(options)` calls
 * `Atomic.transact` and records every callback, and every message Transact posts that the SDK only
 * logs (task-status and auth-status updates), in `window.transactEvents`.
 */

const sdkFile = createRequire(import.meta.url).resolve('@atomicfi/transact-javascript');

const HOST_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Bank app</title></head>
<body>
<h1>Bank app</h1>
<div id="inline-container"></div>
<script src="/vendor/transact.js"></script>
<script src="/host.js"></script>
</body>
</html>`;

const HOST_JS = `
window.transactEvents = [];
const record = (kind, payload) => window.transactEvents.push({ kind, payload });
// What a host adds to see the updates the browser SDK only logs (as Atomic's Capacitor web plugin does).
window.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.event === 'atomic-transact-task-status-update') record('task-status', data.payload);
  if (data.event === 'atomic-transact-auth-status-update') record('auth-status', data.payload);
  if (data.event === 'atomic-transact-initialized') record('initialized', data.payload);
});
window.launchTransact = (options) => {
  window.transactHandle = Atomic.transact({
    ...options,
    onInteraction: (payload) => record('interaction', payload),
    onDataRequest: (payload) => record('data-request', payload),
    onFinish: (payload) => record('finish', payload),
    onClose: (payload) => record('close', payload),
    onOpenUrl: (payload) => record('open-url', payload),
  });
};
`;

export async function startHostPage(): Promise<RunningServer> {
  const sdk = readFileSync(sdkFile, 'utf8');
  const app = new Hono()
    .get('/', (c) => c.html(HOST_HTML))
    .get('/host.js', (c) => c.body(HOST_JS, 200, { 'content-type': 'text/javascript' }))
    .get('/vendor/transact.js', (c) => c.body(sdk, 200, { 'content-type': 'text/javascript' }));
  return startServer(app, { name: 'host page', port: 0 });
}
