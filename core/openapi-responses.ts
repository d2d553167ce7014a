/**
 * The responses no route writes itself: what the shared middleware chain (core/vendor-app.ts)
 * answers around every handler. Each route's own `responses` say what its handler answers; this
 * table adds, to every operation of the generated document, the statuses the layers can answer for
 * it, so the published document declares every status a route can really give. One table, applied
 * once to the whole document, instead of every route remembering the same list.
 */

type Json = Record<string, unknown>;

/** Which status each vendor's layers answer with, and the component its error envelope is named by. */
export interface LayerStatuses {
  /** Component name of the vendor's error envelope schema (`#/components/schemas/<envelope>`). */
  envelope: string;
  /** A request that fails the route's zod schemas (the validation hook): Atomic 422, Atelio 400. */
  validation: number;
  /** Missing or wrong credentials: Atomic 401, Atelio 403. */
  credentials: number;
  /** A body that is not JSON. */
  malformedJson: number;
  /** A body sent with another Content-Type: Atomic 415, Atelio 400. */
  unsupportedMediaType: number;
}

interface Operation {
  parameters?: unknown[];
  requestBody?: unknown;
  security?: unknown[];
  responses?: Record<string, Json>;
}

interface LayerResponse {
  layer: string;
  status: (statuses: LayerStatuses) => number | '5XX';
  description: string;
  applies: (operation: Operation, method: string) => boolean;
  headers?: Json;
}

const takesBody = (op: Operation) => op.requestBody !== undefined;
const takesInput = (op: Operation) => takesBody(op) || (op.parameters?.length ?? 0) > 0;
const everyOperation = () => true;

/** A server-error fault whose rule sets `retryAfterSeconds` sends Retry-After too (core/faults.ts). */
const FAULT_RETRY_AFTER: Json = {
  'Retry-After': {
    description: 'Seconds to wait before retrying, when the injected fault sets one',
    schema: { type: 'integer', minimum: 0, maximum: 86_400 },
  },
};

/**
 * Every layer of the chain, in the order a request meets them. The body limit reads any method but
 * GET and HEAD (core/body-limit.ts); faults may hit any route (core/faults.ts): 429 with Retry-After,
 * 500, and any other 5xx a rule asks for, declared as the `5XX` range.
 */
export const LAYER_RESPONSES: readonly LayerResponse[] = [
  {
    layer: 'faults',
    status: () => 429,
    description: 'Too many requests (an injected fault); Retry-After says when to try again',
    applies: everyOperation,
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying',
        required: true,
        schema: { type: 'integer', minimum: 0, maximum: 86_400 },
      },
    },
  },
  {
    layer: 'faults, error handler',
    status: () => 500,
    description: 'An unexpected error, or an injected fault',
    applies: everyOperation,
    headers: FAULT_RETRY_AFTER,
  },
  {
    layer: 'faults',
    status: () => '5XX',
    description: 'Any other server error an injected fault asks for (502, 503, 504, …)',
    applies: everyOperation,
    headers: FAULT_RETRY_AFTER,
  },
  {
    layer: 'body limit',
    status: () => 413,
    description: 'The request body is over the size limit',
    applies: (_op, method) => method !== 'get' && method !== 'head',
  },
  {
    layer: 'auth',
    status: (s) => s.credentials,
    description: 'Missing or invalid credentials',
    applies: (op) => (op.security?.length ?? 0) > 0,
  },
  {
    layer: 'body parser',
    status: (s) => s.malformedJson,
    description: 'The request body is not valid JSON',
    applies: takesBody,
  },
  {
    layer: 'body parser',
    status: (s) => s.unsupportedMediaType,
    description: 'The request body is not sent as application/json',
    applies: takesBody,
  },
  {
    layer: 'validation hook',
    status: (s) => s.validation,
    description: 'A parameter or the body fails validation',
    applies: takesInput,
  },
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Adds the layers' responses to every operation of `doc` (in place). A status a route already
 * declares keeps the route's own description; a status two layers share gets both descriptions.
 */
export function declareLayerResponses(doc: Json, statuses: LayerStatuses): void {
  const schemas = (doc['components'] as { schemas?: Json } | undefined)?.schemas;
  if (!schemas?.[statuses.envelope])
    throw new Error(`the error envelope component ${statuses.envelope} is not in the document`);
  const envelope = { $ref: `#/components/schemas/${statuses.envelope}` };
  for (const item of Object.values((doc['paths'] as Record<string, Json> | undefined) ?? {})) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const responses = (op.responses ??= {});
      const declaredByRoute = new Set(Object.keys(responses));
      for (const layer of LAYER_RESPONSES) {
        if (!layer.applies(op, method)) continue;
        const status = String(layer.status(statuses));
        const existing = responses[status];
        if (existing && declaredByRoute.has(status)) {
          if (layer.headers) existing['headers'] = { ...layer.headers, ...(existing['headers'] as Json) };
          continue;
        }
        if (existing) {
          existing['description'] = `${String(existing['description'])}; ${layer.description}`;
          continue;
        }
        responses[status] = {
          description: layer.description,
          ...(layer.headers ? { headers: layer.headers } : {}),
          content: { 'application/json': { schema: envelope } },
        };
      }
    }
  }
}

/**
 * A stable, URL-safe operationId for every operation and webhook without one
 * (`get_pay_link_accounts_id`, `post_webhook_task_status_updated`), so
 * generated clients get readable method names and linters find none missing.
 */
export function nameOperations(doc: Json): void {
  const taken = new Set<string>();
  const items = [
    ...Object.entries((doc['paths'] as Record<string, Json> | undefined) ?? {}),
    ...Object.entries((doc['webhooks'] as Record<string, Json> | undefined) ?? {}).map(
      ([name, item]) => [`webhook ${name}`, item] as const,
    ),
  ];
  for (const [path, item] of items) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (!op || op['operationId'] !== undefined) continue;
      const words = path
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .join('_');
      let id = `${method}_${words}`;
      for (let n = 2; taken.has(id); n++) id = `${method}_${words}_${n}`;
      taken.add(id);
      op['operationId'] = id;
    }
  }
}
