import { routerPath, type PublishedSpec, type RecordedResponse } from '../support/published-spec';

/**
 * Reads a mock's whole state through its documented GET operations, the way a client exploring the
 * API would: lists first, then every id the answers name, fed into the path parameters of the same
 * name. Every answer goes to `record`. Generic over the document, so a GET route added to a mock is
 * read here without anyone listing it.
 */

export interface InProcessApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/** Sends one request in-process and hands the whole answer to `record`. */
export async function send(
  app: InProcessApp,
  record: (response: RecordedResponse) => void,
  method: string,
  target: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const response = await app.request(target, {
    method,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const body = method === 'HEAD' ? '' : await response.text();
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  record({
    method,
    path: routerPath(target),
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
    headers,
  });
  return { status: response.status, body };
}

/**
 * Every string value under each key, anywhere in a JSON value, filed under its key (`_id`) and under
 * its container's key too (`tasks._id`), so an id is found by what it is the id of.
 */
function harvest(value: unknown, pool: Map<string, Set<string>>, key = '', container = ''): void {
  if (Array.isArray(value)) {
    for (const item of value) harvest(item, pool, key, container);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) harvest(v, pool, k, key);
    return;
  }
  if (typeof value !== 'string' || !key || value.length > 300) return;
  for (const name of container ? [key, `${container}.${key}`] : [key]) {
    const set = pool.get(name) ?? new Set<string>();
    set.add(value);
    pool.set(name, set);
  }
}

/**
 * Keys whose values may fill a path parameter, most specific first: its own name, then the id of
 * the collection the path names (`/pay-link/accounts/{id}` → `accounts._id`), then any id.
 */
function keysFor(param: string, template: string): string[] {
  const before = template.split(`/{${param}}`)[0]?.split('/').pop() ?? '';
  const base = param.replace(/_?id$/i, '');
  const keys = [param, `${before}.${param}`, `${before}._id`, `${before}.id`];
  if (base && base !== param) keys.push(base, `${base}s._id`, `${base}._id`, `${base}s.id`, `${base}.id`);
  if (/id$/i.test(param)) keys.push('_id', 'id');
  return keys;
}

export interface CrawlOptions {
  /** Headers for an operation (by its security requirement); undefined skips it. */
  headersFor(security: string[][], pathValues: Record<string, string>): Record<string, string> | undefined;
  /** Values known before the first answer (e.g. user identifiers), by key. */
  seeds?: Record<string, readonly string[]>;
  /** Most values tried per path parameter. */
  perParam?: number;
}

/**
 * Two rounds over every GET operation: the first reads the lists and whatever the seeds open, the
 * second follows the ids the first found. Query parameters with an `enum` are tried value by value.
 */
export async function crawl(
  app: InProcessApp,
  spec: PublishedSpec,
  record: (response: RecordedResponse) => void,
  options: CrawlOptions,
): Promise<number> {
  const pool = new Map<string, Set<string>>();
  for (const [key, values] of Object.entries(options.seeds ?? {})) pool.set(key, new Set(values));
  const perParam = options.perParam ?? 12;
  const done = new Set<string>();
  let sent = 0;
  const get = async (target: string, headers: Record<string, string>) => {
    if (done.has(target)) return;
    done.add(target);
    sent++;
    const answer = await send(app, record, 'GET', target, { headers });
    if (answer.status < 300 && answer.body.startsWith('{')) harvest(JSON.parse(answer.body), pool);
    if (answer.status < 300 && answer.body.startsWith('[')) harvest(JSON.parse(answer.body), pool);
  };

  for (let round = 0; round < 2; round++) {
    for (const operation of spec.operations.filter((o) => o.method === 'GET')) {
      const params = [...operation.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const security = ((operation.op['security'] as Record<string, unknown>[] | undefined) ?? []).map((s) =>
        Object.keys(s),
      );
      let fillings: Record<string, string>[] = [{}];
      for (const param of params) {
        const values = [
          ...new Set(keysFor(param, operation.template).flatMap((k) => [...(pool.get(k) ?? [])])),
        ].slice(0, perParam);
        fillings = fillings.flatMap((f) => values.map((v) => ({ ...f, [param]: v }))).slice(0, perParam * 2);
      }
      const queries = [
        '',
        ...(
          (operation.op['parameters'] as { in: string; name: string; schema?: { enum?: unknown[] } }[]) ?? []
        )
          .filter((p) => p.in === 'query' && Array.isArray(p.schema?.enum))
          .flatMap((p) =>
            p.schema!.enum!.map((v) => `?${encodeURIComponent(p.name)}=${encodeURIComponent(String(v))}`),
          ),
      ];
      for (const filling of fillings) {
        const headers = options.headersFor(security, filling);
        if (!headers) continue;
        const path = operation.template.replace(/\{([^}]+)\}/g, (_, name: string) =>
          encodeURIComponent(filling[name] ?? ''),
        );
        for (const query of queries) await get(`${path}${query}`, headers);
      }
    }
    // Links the answers carry to the mock's own documented paths (e.g. a signed file URL).
    for (const url of [...(pool.get('url') ?? [])].filter((u) => u.startsWith('http'))) {
      const { pathname, search } = new URL(url);
      const operation = spec.operationFor('GET', pathname);
      if (!operation || !/\{/.test(operation.template)) continue;
      const headers = options.headersFor([], {});
      if (headers) await get(`${pathname}${search}`, headers);
    }
  }
  return sent;
}
