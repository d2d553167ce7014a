/**
 * The HTML Transact serves: the single-page app's shell (the same for every `/initialize/...`
 * URL; the app itself is /assets/app.js and the modules it imports from /assets/js/) and plain
 * error pages for what cannot be a launch.
 */

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** JSON inside a `<script type="application/json">`: nothing in it can close the element. */
const embedJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/**
 * Transact is framed by the bank's page on another origin: no X-Frame-Options and no
 * frame-ancestors. Everything else is locked to this origin; no inline script or style.
 */
export const TRANSACT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': TRANSACT_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function appShell(launch: unknown): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Transact · stitch-sandbox</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script type="application/json" id="launch">${embedJson(launch)}</script>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`;
}

export function errorPage(title: string, reason: string, help: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · Transact stand-in</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main id="app" class="page error-page" role="alert">
<h1>${escapeHtml(title)}</h1>
<p id="error-reason">${escapeHtml(reason)}</p>
${help.map((line) => `<p class="muted">${escapeHtml(line)}</p>`).join('\n')}
</main>
</body>
</html>
`;
}

export function indexPage(origin: string): string {
  return errorPage(
    'Transact stand-in',
    'Atomic Transact for stitch-sandbox: launch it with the browser SDK.',
    [
      `Atomic.transact({config, environmentOverride: '${origin}', onFinish, onClose})`,
      'The SDK itself is served at /transact.js; see the README section "Front-end: Transact".',
    ],
  );
}
