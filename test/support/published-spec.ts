import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';

/**
 * A mock's published `/openapi.json` used as an oracle: every answer the mock gives and every
 * webhook it sends must be described by it. Schemas are checked by Ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1) with ajv-formats; this module only finds which part of the document
 * describes an answer.
 *
 * Every object the document describes is read as closed: a field the document does not name fails,
 * even where the published schema leaves `additionalProperties` open (docs/decisions/025).
 */

type Json = Record<string, unknown>;

// ajv-formats is CommonJS with its function on `default`; under ESM interop it may be one level deeper.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ??
  addFormatsPlugin) as unknown as (ajv: Ajv2020) => Ajv2020;

/**
 * The path the router sees for a request target: Hono's `app.request` prefixes the target with an
 * origin and parses the result, which resolves dot segments (`/a/../b` is `/b`).
 */
export const routerPath = (target: string): string => new URL(`http://localhost${target}`).pathname;

/** An answer as a client saw it. `path` is the request path as sent (no query). */
export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: string;
  /** Response headers, lower-case names. */
  headers?: Record<string, string>;
}

/** A webhook request as a receiver got it. */
export interface RecordedWebhook {
  eventType: string;
  /** Request headers; names in any case. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface SpecOperation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  pointer: string;
  op: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** JSON Pointer escaping (RFC 6901) of one reference token. */
const escapePointer = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

const templatePattern = (template: string) =>
  new RegExp(
    `^${template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );

const isObjectSchema = (node: Json) => {
  const type = node['type'];
  return type === 'object' || (Array.isArray(type) && type.includes('object'));
};

/** Suffix of the component copies whose top level stays open, for use inside `allOf`. */
const OPEN = '__open';

/**
 * A deep copy in which every object schema with named properties refuses unnamed ones. Members of an
 * `allOf` stay open at their top level (a `$ref` member points at an open copy of its component) and
 * the `allOf` itself is closed with `unevaluatedProperties`, which sees the properties of every
 * member: `Transaction` plus `{event, occurred_at}` accepts exactly the fields of both.
 */
function closeObjects(node: unknown, openTop = false): unknown {
  if (Array.isArray(node)) return node.map((item) => closeObjects(item));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === 'allOf' && Array.isArray(value)) out[key] = value.map((member) => closeObjects(member, true));
    else out[key] = closeObjects(value);
  }
  if (openTop && typeof out['$ref'] === 'string' && out['$ref'].startsWith('#/components/schemas/'))
    out['$ref'] = `${out['$ref']}${OPEN}`;
  const closes =
    Array.isArray(out['allOf']) || (isObjectSchema(out) && typeof out['properties'] === 'object');
  if (closes && !openTop && !('additionalProperties' in out) && !('unevaluatedProperties' in out))
    out['unevaluatedProperties'] = false;
  return out;
}

/** The document with every object closed, and an open-topped copy of each component for `allOf`. */
function closeDocument(document: unknown): Json {
  const doc = closeObjects(document) as Json;
  const components = doc['components'] as { schemas?: Json } | undefined;
  const original = (document as { components?: { schemas?: Json } }).components?.schemas ?? {};
  if (components?.schemas)
    for (const [name, schema] of Object.entries(original))
      components.schemas[`${name}${OPEN}`] = closeObjects(schema, true);
  return doc;
}

const describeErrors = (validate: ValidateFunction) =>
  (validate.errors ?? [])
    .slice(0, 5)
    .map(
      (e) =>
        `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');

/** Response headers the mocks send only on purpose: whenever one is sent, the document must declare it. */
const DECLARED_WHEN_SENT = ['retry-after'];

/** A header value as OpenAPI's simple style gives it to a schema: a number when the schema wants one. */
function simpleStyleValue(schema: Json, raw: string): unknown {
  const types = ([] as unknown[]).concat(schema['type'] ?? []);
  if ((types.includes('integer') || types.includes('number')) && /^-?\d+(\.\d+)?$/.test(raw.trim()))
    return Number(raw.trim());
  if (types.includes('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/**
 * What a path the document does not list may answer, in the envelope: 404, or what a layer in front
 * of the router answers (the body limit, a fault, and for Atelio the credentials check on `/api/*`).
 */
const UNKNOWN_ROUTE_STATUSES = [404, 413, 429];

export class PublishedSpec {
  readonly operations: SpecOperation[] = [];
  readonly webhookTypes: string[];
  /** `METHOD template` → the statuses seen; filled by every check. */
  readonly seen = new Map<string, Set<number>>();
  /** Webhook event types seen. */
  readonly webhooksSeen = new Set<string>();
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly envelopePointer: string;
  private readonly webhooks: Record<string, Json>;

  /**
   * `envelope` names the error envelope component that unknown paths answer in; `servicePaths` are
   * paths the server answers outside the API (its own document, the reference page).
   */
  constructor(
    readonly name: string,
    document: unknown,
    private readonly options: {
      envelope: string;
      servicePaths: readonly string[];
      /** Statuses a layer in front of the router answers besides 404, 413, 429 and 5xx. */
      beforeRouting?: readonly number[];
    },
  ) {
    addFormats(this.ajv);
    const doc = closeDocument(document);
    this.ajv.addSchema(doc, 'spec');
    for (const [template, item] of Object.entries((doc['paths'] as Record<string, Json> | undefined) ?? {}))
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: templatePattern(template),
          literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
          pointer: `/paths/${escapePointer(template)}/${method}`,
          op,
        });
      }
    // The router prefers literal segments over parameters; so does the lookup.
    this.operations.sort((a, b) => b.literalSegments - a.literalSegments);
    this.webhooks = (doc['webhooks'] as Record<string, Json> | undefined) ?? {};
    this.webhookTypes = Object.keys(this.webhooks);
    this.envelopePointer = `/components/schemas/${escapePointer(options.envelope)}`;
    if (!(doc['components'] as { schemas?: Json } | undefined)?.schemas?.[options.envelope])
      throw new Error(`${name}: no ${options.envelope} component`);
  }

  private validator(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `spec#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }

  /** The operation the router would run for this request, if the document lists one. */
  operationFor(method: string, path: string): SpecOperation | undefined {
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    return this.operations.find((o) => o.method === wanted && o.pattern.test(path));
  }

  private schemaProblem(pointer: string, text: string): string | undefined {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `body is not JSON: ${text.slice(0, 120)}`;
    }
    const validate = this.validator(pointer);
    return validate(value) ? undefined : describeErrors(validate);
  }

  /** Why this answer is not what the document says, or undefined when it is. */
  responseProblem(response: RecordedResponse): string | undefined {
    const where = `${response.method} ${response.path} → ${response.status}`;
    const operation = this.operationFor(response.method, response.path);
    const mediaType = response.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!operation) {
      if (this.options.servicePaths.includes(response.path)) return undefined;
      const allowed = [...UNKNOWN_ROUTE_STATUSES, ...(this.options.beforeRouting ?? [])];
      if (!allowed.includes(response.status) && response.status < 500)
        return `${where}: a path the document does not list answered ${response.status}, not 404`;
      if (response.method.toUpperCase() === 'HEAD') return undefined;
      if (mediaType !== 'application/json') return `${where}: content-type ${response.contentType}`;
      const problem = this.schemaProblem(this.envelopePointer, response.body);
      return problem && `${where}: not the ${this.options.envelope} envelope: ${problem}`;
    }
    const key = `${operation.method} ${operation.template}`;
    const statuses = this.seen.get(key) ?? new Set<number>();
    statuses.add(response.status);
    this.seen.set(key, statuses);

    const responses = (operation.op['responses'] as Record<string, Json> | undefined) ?? {};
    const declared = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find(
      (k) => responses[k] !== undefined,
    );
    if (!declared) return `${where}: status ${response.status} is not declared for ${key}`;
    const pointer = `${operation.pointer}/responses/${escapePointer(declared)}`;
    const headerProblem = this.headersProblem(responses[declared]!, pointer, response.headers);
    if (headerProblem) return `${where}: ${headerProblem}`;
    if (response.method.toUpperCase() === 'HEAD') return undefined;
    const content = responses[declared]!['content'] as Record<string, Json> | undefined;
    if (!content)
      return response.body === '' ? undefined : `${where}: a body where the document declares none`;
    if (!(mediaType in content))
      return `${where}: content-type ${response.contentType} is not declared (${Object.keys(content).join(', ')})`;
    if (!mediaType.endsWith('json')) return undefined;
    const problem = this.schemaProblem(
      `${pointer}/content/${escapePointer(mediaType)}/schema`,
      response.body,
    );
    return problem && `${where}: ${problem}`;
  }

  /**
   * The answer's headers against the response object's `headers`: a required one must be there,
   * each one there must fit its schema (read as the simple style deserialises it: digits are a
   * number), and a header the mocks send only on purpose (`Retry-After`) must be declared.
   */
  private headersProblem(
    declaration: Json,
    pointer: string,
    headers: Record<string, string> | undefined,
  ): string | undefined {
    if (!headers) return undefined;
    const declared = (declaration['headers'] as Record<string, Json> | undefined) ?? {};
    const byName = new Map(Object.keys(declared).map((name) => [name.toLowerCase(), name]));
    for (const sent of DECLARED_WHEN_SENT)
      if (headers[sent] !== undefined && !byName.has(sent))
        return `sends ${sent} (${headers[sent]}) but the response does not declare it`;
    for (const [lower, name] of byName) {
      const value = headers[lower];
      if (value === undefined) {
        if (declared[name]!['required'] === true) return `the declared header ${name} is missing`;
        continue;
      }
      const schema = declared[name]!['schema'] as Json | undefined;
      if (!schema) continue;
      const validate = this.validator(`${pointer}/headers/${escapePointer(name)}/schema`);
      if (!validate(simpleStyleValue(schema, value)))
        return `header ${name}: ${JSON.stringify(value)} ${describeErrors(validate)}`;
    }
    return undefined;
  }

  /** Why this webhook is not what the document's `webhooks` section says, or undefined when it is. */
  webhookProblem(webhook: RecordedWebhook): string | undefined {
    const where = `webhook ${webhook.eventType}`;
    const pointer = `/webhooks/${escapePointer(webhook.eventType)}/post`;
    const operation = this.webhooks[webhook.eventType]?.['post'] as Json | undefined;
    if (!operation) return `${where}: not in the document's webhooks (${this.webhookTypes.join(', ')})`;
    this.webhooksSeen.add(webhook.eventType);
    const headers = new Map(
      Object.entries(webhook.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v]),
    );
    const parameters = (operation['parameters'] as Json[] | undefined) ?? [];
    for (const [index, parameter] of parameters.entries()) {
      if (parameter['in'] !== 'header') continue;
      const name = String(parameter['name']);
      const value = headers.get(name.toLowerCase());
      if (value === undefined) {
        if (parameter['required'] === true) return `${where}: header ${name} is missing`;
        continue;
      }
      const validate = this.validator(`${pointer}/parameters/${index}/schema`);
      if (!validate(value)) return `${where}: header ${name}: ${describeErrors(validate)}`;
    }
    const problem = this.schemaProblem(
      `${pointer}/requestBody/content/application~1json/schema`,
      webhook.body,
    );
    return problem && `${where}: ${problem}`;
  }

  /** Operations no check has touched yet, as `METHOD template`. */
  unexercised(): string[] {
    return this.operations.map((o) => `${o.method} ${o.template}`).filter((key) => !this.seen.has(key));
  }

  /** Operations never answered with a 2xx. */
  neverSucceeded(): string[] {
    return this.operations
      .map((o) => `${o.method} ${o.template}`)
      .filter((key) => ![...(this.seen.get(key) ?? [])].some((s) => s >= 200 && s < 300));
  }
}
