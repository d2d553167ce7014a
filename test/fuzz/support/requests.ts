import fc from 'fast-check';
import {
  CONTENT_TYPES,
  breakOneField,
  hostileBody,
  hostileQuery,
  segmentArbitrary,
  type Body,
} from './hostile';
import { fillTemplate, type ApiDescription, type Operation } from './openapi';
import { arbitraryFor } from './schema-arbitrary';

/** One generated request, transport-neutral: in-process `app.request` or a real socket. */
export interface FuzzRequest {
  method: string;
  /** Path and query exactly as sent (percent-encoded). */
  target: string;
  headers: Record<string, string>;
  body: Body;
  /** What was generated, for the failure message. */
  label: string;
}

export interface RequestSpace {
  api: ApiDescription;
  /** Ids that exist in the store, so some requests get past the 404s into the handlers. */
  knownIds: readonly string[];
  /** Header sets to authenticate with; the first is the valid one and is picked most often. */
  credentials: readonly Record<string, string>[];
  /** The server's body cap, so oversized bodies are just over it. */
  bodyLimit: number;
  /** Longest huge query value (real servers: under Node's 16 KiB header limit). */
  maxQueryLength: number;
  /** Paths outside the document that the server also answers (unknown routes are generated anyway). */
  extraPaths?: readonly string[];
}

const OTHER_METHODS = [
  'GET',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
] as const;

function queryFor(operation: Operation, space: RequestSpace): fc.Arbitrary<string> {
  const names = operation.queryParams.map((p) => p.name);
  const valid =
    operation.queryParams.length === 0
      ? fc.constant('')
      : fc
          .tuple(
            ...operation.queryParams.map((p) =>
              fc.option(arbitraryFor(p.schema, space.api).map(String), {
                nil: undefined,
                freq: p.required ? 10 : 2,
              }),
            ),
          )
          .map((values) => {
            const pairs = values.flatMap((value, i) =>
              value === undefined ? [] : [`${encodeURIComponent(names[i]!)}=${encodeURIComponent(value)}`],
            );
            return pairs.length ? `?${pairs.join('&')}` : '';
          });
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 2, arbitrary: hostileQuery(names, space.maxQueryLength) },
  );
}

function bodyFor(
  operation: Operation | undefined,
  space: RequestSpace,
): fc.Arbitrary<{ body: Body; label: string }> {
  const hostile = hostileBody(space.bodyLimit);
  if (!operation?.body)
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant({ body: undefined, label: 'no body' }) },
      { weight: 1, arbitrary: hostile },
    );
  const valid = arbitraryFor(operation.body, space.api);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => ({ body: JSON.stringify(v), label: 'schema-shaped body' })) },
    {
      weight: 2,
      arbitrary: valid
        .chain((v) => breakOneField(v))
        .map((v) => ({ body: JSON.stringify(v) ?? 'null', label: 'one field broken' })),
    },
    { weight: 3, arbitrary: hostile },
  );
}

/** Requests shaped like the document's operations, broken in one or more places. */
export function requestArbitrary(space: RequestSpace): fc.Arbitrary<FuzzRequest> {
  const { operations } = space.api;
  const segment = segmentArbitrary(space.knownIds);
  const credentials = fc.oneof(
    { weight: 8, arbitrary: fc.constant(space.credentials[0] ?? {}) },
    { weight: 2, arbitrary: fc.constantFrom(...(space.credentials.length ? space.credentials : [{}])) },
  );
  const contentType = fc.oneof(
    { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
    { weight: 3, arbitrary: fc.constantFrom<string | undefined>(...CONTENT_TYPES, undefined) },
  );

  // One arbitrary per operation, built once: building them (regex patterns especially) is the costly part.
  const perOperation = operations.map((operation) =>
    fc
      .record({
        method: fc.oneof(
          { weight: 9, arbitrary: fc.constant(operation.method) },
          { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
        ),
        params: fc.array(
          fc.oneof(
            { weight: 4, arbitrary: segment },
            { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
          ),
          { minLength: operation.pathParams.length, maxLength: operation.pathParams.length },
        ),
        query: queryFor(operation, space),
        body: bodyFor(operation, space),
      })
      .map(({ method, params, query, body }) => ({
        method,
        path: fillTemplate(operation.template, params),
        query,
        body,
        label: `${operation.method} ${operation.template}`,
      })),
  );
  const documented = fc.oneof(...perOperation);

  const unknown = fc
    .record({
      method: fc.constantFrom(...OTHER_METHODS),
      path: fc.oneof(
        fc.array(segment, { maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
        fc.constantFrom(...(space.extraPaths ?? ['/'])),
        fc.constantFrom(...operations).map((op) => `${fillTemplate(op.template, ['x', 'y', 'z'])}/extra`),
      ),
      query: hostileQuery([], space.maxQueryLength),
      body: bodyFor(undefined, space),
    })
    .map((r) => ({ ...r, label: 'unknown or extra path' }));

  return fc
    .record({
      shape: fc.oneof({ weight: 5, arbitrary: documented }, { weight: 1, arbitrary: unknown }),
      credentials,
      contentType,
    })
    .map(({ shape, credentials: auth, contentType: type }) => {
      const headers: Record<string, string> = { ...auth, accept: 'application/json' };
      if (type !== undefined && shape.body.body !== undefined) headers['content-type'] = type;
      return {
        method: shape.method,
        target: `${shape.path}${shape.query}`,
        headers,
        body: shape.body.body,
        label: `${shape.label} [${shape.body.label}; ${type ?? 'no content-type'}]`,
      };
    });
}
