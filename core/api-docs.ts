import type { OpenAPIHono } from '@hono/zod-openapi';
import { declareLayerResponses, nameOperations, type LayerStatuses } from './openapi-responses';

/**
 * Serves `/openapi.json` (OpenAPI 3.1, generated from the zod routes) and `/docs`, a readable API
 * reference rendered on the server from that same document. The page is self-contained (inline CSS,
 * no scripts, fonts or CDNs) because the platform must work with no network at all.
 */

type Json = Record<string, unknown>;

/** An OpenAPI response (success or error) whose body is `schema` as JSON. */
export const jsonContent = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export interface ApiDocsOptions {
  title: string;
  description: string;
  version?: string;
  /** Security schemes (e.g. apiKey headers) shown on the page and in the document. */
  securitySchemes?: Record<string, Json>;
  /** The statuses the shared middleware chain answers, declared on every operation it guards. */
  layers?: LayerStatuses;
  /** A last edit of the generated document (e.g. notes on legacy paths), before it is served. */
  refine?: (doc: Json) => void;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function resolveRef(doc: Json, schema: Json | undefined): Json | undefined {
  if (!schema) return undefined;
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) node = (node as Json | undefined)?.[part];
  return (node as Json | undefined) ?? schema;
}

function typeLabel(doc: Json, raw: Json | undefined): string {
  const schema = resolveRef(doc, raw);
  if (!schema) return 'any';
  if (Array.isArray(schema['enum']))
    return (schema['enum'] as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
  if ('const' in schema) return JSON.stringify(schema['const']);
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((o) => typeLabel(doc, o as Json)).join(' | ');
  }
  const type = schema['type'];
  if (type === 'array') return `${typeLabel(doc, schema['items'] as Json | undefined)}[]`;
  const base = Array.isArray(type) ? type.join(' | ') : typeof type === 'string' ? type : 'object';
  const format = typeof schema['format'] === 'string' ? ` (${schema['format']})` : '';
  const pattern = typeof schema['pattern'] === 'string' ? ` /${schema['pattern']}/` : '';
  return `${base}${format}${pattern}`;
}

/** Renders an object schema as a nested field list: name, type, required, description. */
function renderFields(doc: Json, raw: Json | undefined, depth = 0): string {
  const schema = resolveRef(doc, raw);
  if (!schema || depth > 6) return '';
  if (schema['type'] === 'array') return renderFields(doc, schema['items'] as Json | undefined, depth);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return options.map((o) => renderFields(doc, o as Json, depth)).join('');
  }
  const properties = schema['properties'] as Record<string, Json> | undefined;
  if (!properties) return '';
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const rows = Object.entries(properties).map(([name, prop]) => {
    const resolved = resolveRef(doc, prop) ?? {};
    const description = typeof resolved['description'] === 'string' ? resolved['description'] : '';
    const nested = renderFields(doc, prop, depth + 1);
    return `<li><code class="field">${escapeHtml(name)}</code> <span class="type">${escapeHtml(typeLabel(doc, prop))}</span>${
      required.has(name) ? ' <span class="req">required</span>' : ''
    }${description ? `<div class="desc">${escapeHtml(description)}</div>` : ''}${nested}</li>`;
  });
  return `<ul class="fields">${rows.join('')}</ul>`;
}

function renderOperation(doc: Json, method: string, path: string, op: Json): string {
  const id = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-');
  const params = ((op['parameters'] as Json[] | undefined) ?? []).map((p) => {
    const schema = p['schema'] as Json | undefined;
    return `<tr><td><code>${escapeHtml(p['name'])}</code></td><td>${escapeHtml(p['in'])}</td><td>${escapeHtml(
      typeLabel(doc, schema),
    )}</td><td>${p['required'] ? 'yes' : ''}</td><td>${escapeHtml(p['description'] ?? '')}</td></tr>`;
  });
  const body = (op['requestBody'] as Json | undefined)?.['content'] as Record<string, Json> | undefined;
  const bodySchema = body?.['application/json']?.['schema'] as Json | undefined;
  const responses = Object.entries((op['responses'] as Record<string, Json> | undefined) ?? {}).map(
    ([status, response]) => {
      const content = response['content'] as Record<string, Json> | undefined;
      const schema = content?.['application/json']?.['schema'] as Json | undefined;
      return `<div class="response"><span class="status s${escapeHtml(status[0])}">${escapeHtml(status)}</span> ${escapeHtml(
        response['description'] ?? '',
      )}${renderFields(doc, schema)}</div>`;
    },
  );
  const security = ((op['security'] as Json[] | undefined) ?? [])
    .map((s) => Object.keys(s).join(' + '))
    .join(' or ');
  return `<section class="op" id="${id}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
${op['summary'] ? `<p class="summary">${escapeHtml(op['summary'])}</p>` : ''}
${op['description'] ? `<p>${escapeHtml(op['description'])}</p>` : ''}
${security ? `<p class="auth">Auth: ${escapeHtml(security)}</p>` : ''}
${params.length ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr>${params.join('')}</table>` : ''}
${bodySchema ? `<h4>Request body</h4>${renderFields(doc, bodySchema) || `<p class="type">${escapeHtml(typeLabel(doc, bodySchema))}</p>`}` : ''}
<h4>Responses</h4>${responses.join('')}
</section>`;
}

export function renderApiReference(doc: Json, options: ApiDocsOptions): string {
  const paths = (doc['paths'] as Record<string, Json> | undefined) ?? {};
  const byTag = new Map<string, string[]>();
  const nav = new Map<string, string[]>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const tag = ((op['tags'] as string[] | undefined) ?? ['Other'])[0] ?? 'Other';
      const id = `${method}-${path}`.replace(/[^a-zA-Z0-9]+/g, '-');
      byTag.set(tag, [...(byTag.get(tag) ?? []), renderOperation(doc, method, path, op)]);
      nav.set(tag, [
        ...(nav.get(tag) ?? []),
        `<a href="#${id}"><span class="method ${method}">${method.toUpperCase()}</span> ${escapeHtml(path)}</a>`,
      ]);
    }
  }
  const tags = [...byTag.keys()].sort();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} — API reference</title>
<style>
:root{color-scheme:light dark;--fg:#1d2230;--muted:#5b6478;--bg:#fff;--panel:#f5f6f9;--line:#dde1ea}
@media (prefers-color-scheme: dark){:root{--fg:#e6e9f0;--muted:#9aa3b5;--bg:#14161c;--panel:#1c1f27;--line:#2c3140}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);display:flex}
nav{position:sticky;top:0;height:100vh;overflow:auto;width:320px;flex:none;padding:16px;border-right:1px solid var(--line);background:var(--panel);font-size:13px}
nav h2{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:16px 0 4px}nav a{display:block;color:inherit;text-decoration:none;padding:2px 0;word-break:break-all}
main{flex:1;padding:24px 40px;max-width:1100px}h1{margin:0 0 4px}code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace}
.op{border:1px solid var(--line);border-radius:8px;padding:12px 20px;margin:16px 0}.op h3{margin:4px 0}
.method{display:inline-block;min-width:56px;text-align:center;border-radius:4px;padding:1px 6px;font:600 11px ui-monospace,monospace;color:#fff}
.get{background:#2f7d4f}.post{background:#2962b8}.put{background:#a86a00}.patch{background:#7a4bb3}.delete{background:#b3363a}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
.fields{list-style:none;padding-left:16px;margin:4px 0;border-left:2px solid var(--line)}.type{color:var(--muted);font:12px ui-monospace,monospace}
.req{color:#b3363a;font-size:11px}.desc{color:var(--muted);font-size:13px}.status{font:600 12px ui-monospace,monospace;padding:1px 6px;border-radius:4px;background:var(--panel)}
.s2{color:#2f7d4f}.s4{color:#a86a00}.s5{color:#b3363a}.auth,.summary{color:var(--muted)}
</style></head><body>
<nav><strong>${escapeHtml(options.title)}</strong><p><a href="/openapi.json">openapi.json</a></p>${tags
    .map((tag) => `<h2>${escapeHtml(tag)}</h2>${(nav.get(tag) ?? []).join('')}`)
    .join('')}</nav>
<main><h1>${escapeHtml(options.title)}</h1><p>${escapeHtml(options.description)}</p>
${tags.map((tag) => `<h2>${escapeHtml(tag)}</h2>${(byTag.get(tag) ?? []).join('')}`).join('')}
</main></body></html>`;
}

/** Mounts `/openapi.json` and `/docs` on an OpenAPIHono app. Call it after the routes are registered. */
export function mountApiDocs(app: OpenAPIHono, options: ApiDocsOptions): void {
  const config = {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: options.version ?? '1.0.0',
      description: options.description,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Relative: the document is served by the server it describes, on whatever host and port.
    servers: [{ url: '/', description: 'This server' }],
  };
  if (options.securitySchemes) {
    for (const [name, scheme] of Object.entries(options.securitySchemes)) {
      app.openAPIRegistry.registerComponent('securitySchemes', name, scheme as never);
    }
  }
  // The document is built once, on first request: routes do not change after start-up.
  let cached: { json: string; html: string } | undefined;
  const build = () => {
    if (!cached) {
      const doc = app.getOpenAPI31Document(config) as unknown as Json;
      if (options.layers) declareLayerResponses(doc, options.layers);
      nameOperations(doc);
      options.refine?.(doc);
      cached = { json: JSON.stringify(doc), html: renderApiReference(doc, options) };
    }
    return cached;
  };
  app.get('/openapi.json', (c) => c.body(build().json, 200, { 'content-type': 'application/json' }));
  app.get('/docs', (c) => c.html(build().html));
}
